"""Colour tones of the world, chosen against the keying classes of docs/DESIGN.md ("Colour keying").

Objects keep their palette class under shading and texture (a per-colour modulation range);
outlines and cracks are a darker tone of the same class; the other decorations (glass, lamps,
tyres) and every background pixel lie in the gaps between the classes, so they key as no palette
colour and cannot be mistaken for a scene object.
"""

from __future__ import annotations

import numpy as np

#: Relative brightness range of shading and texture per colour (``rgb * (1 + amp * m)``, ``|m| <= 1``):
#: the widest that keeps every colour inside its keying class (white's class is a narrow value band).
MODULATION = {"white": 0.035, "black": 0.6}
DEFAULT_MODULATION = 0.12

#: Tyres and hubs: dark neutrals between the ``black`` (value < 0.22) and ``gray`` (value >= 0.32)
#: bands (so are the blends between them).
TYRE = (60.0, 60.0, 62.0)
HUB = (78.0, 78.0, 80.0)
#: A black body's windows: dark glass, so that its blends with the body stay out of ``gray``.
DARK_GLASS = (66.0, 68.0, 72.0)
#: Glass: a light neutral in the gap between ``gray`` and ``white``, tinted 10% by the body.
GLASS = (192.0, 202.0, 212.0)
#: Backgrounds keep every channel in this range: value 0.73-0.83 and saturation <= 0.13, between
#: the ``gray`` and ``white`` bands. The range is a cube in RGB, so any blend of two background
#: colours (a gradient, a horizon, a bilinear sample between texels) stays inside it.
BACKGROUND_RANGE = (186.0, 212.0)


def modulation(name: str) -> float:
    """Largest relative brightness change that keeps palette colour ``name`` in its class."""
    return MODULATION.get(name, DEFAULT_MODULATION)


def edge_tone(name: str, rgb: np.ndarray) -> np.ndarray:
    """``(3,)`` colour of outlines and crack lines on a body of palette colour ``name``: a darker
    (for black, lighter; for white, bluish) tone of the same keying class, so a crack never cuts an
    object's colour mask in two."""
    if name == "white":
        return np.array([196.0, 212.0, 236.0])
    if name == "gray":
        return np.array([92.0, 92.0, 94.0])
    if name == "black":
        return np.array([48.0, 48.0, 50.0])
    return np.asarray(rgb, float) * 0.65


def lamp_tone(name: str, rgb: np.ndarray) -> np.ndarray:
    """``(3,)`` headlight colour: a light tint of the body hue (saturation 0.28), which keys as no
    colour; achromatic and brown bodies get a warm tint."""
    rgb = np.asarray(rgb, float)
    if name in ("white", "gray", "black", "brown"):
        return np.array([245.0, 232.0, 176.0])
    mx, mn = rgb.max(), rgb.min()
    d = (mx - rgb) / max(mx - mn, 1e-6)  # 0 at the largest channel, 1 at the smallest
    return 0.97 * 255.0 * (1.0 - 0.28 * d)


def glass_tone(name: str, rgb: np.ndarray) -> np.ndarray:
    """``(3,)`` window colour: light neutral with 10% of the body colour (dark on a black body)."""
    return np.asarray(DARK_GLASS) if name == "black" else 0.1 * np.asarray(rgb, float) + 0.9 * np.asarray(GLASS)


def neutral(img: np.ndarray) -> np.ndarray:
    """Colours ``(..., 3)`` (0..255) moved into ``BACKGROUND_RANGE``, keeping their hue.

    The spread around the channel mean shrinks to fit the range and the mean moves inside it, so a
    blue sky stays a pale blue and a brown ground a pale tan; such colours key as no palette
    colour, with a margin for video compression. Returns float32.
    """
    lo, hi = BACKGROUND_RANGE
    c = np.asarray(img, np.float32)
    mean = c.mean(axis=-1, keepdims=True)
    dev = c - mean
    span = np.abs(dev).max(axis=-1, keepdims=True)
    dev *= np.minimum(1.0, 0.5 * (hi - lo) / np.maximum(span, 1e-6))
    span = np.abs(dev).max(axis=-1, keepdims=True)
    return np.clip(np.clip(mean, lo + span, hi - span) + dev, lo, hi).astype(np.float32)
