"""Colour tones of the world, chosen against the keying classes of docs/DESIGN.md ("Colour keying").

Objects keep their palette class under shading and texture (a per-colour modulation range), and
every decoration that is not the body colour (glass, lamps, tyres, outlines and cracks of white or
gray bodies) and every background pixel lies in the gaps between the classes, so it keys as no
palette colour and cannot be mistaken for a scene object.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Relative brightness range of shading and texture per colour (``rgb * (1 + amp * m)``, ``|m| <= 1``):
#: the widest that keeps every colour inside its keying class (white's class is a narrow value band).
MODULATION = {"white": 0.035, "black": 0.6}
DEFAULT_MODULATION = 0.12

#: Tyres: dark neutral between the ``black`` (value < 0.22) and ``gray`` (value >= 0.32) bands.
TYRE = (68.0, 68.0, 70.0)
#: Glass: a light neutral in the gap between ``gray`` and ``white``, tinted 10% by the body.
GLASS = (192.0, 202.0, 212.0)
#: Background gap: neutral tones (saturation < 0.2) keep their value in this band; tints keep
#: their saturation in ``TINT_SAT`` and their value at least ``TINT_MIN_VAL``.
NEUTRAL_VAL = (0.72, 0.84)
TINT_SAT = (0.24, 0.33)
TINT_MIN_VAL = 0.35
_NEUTRAL_SAT = 0.2


def modulation(name: str) -> float:
    """Largest relative brightness change that keeps palette colour ``name`` in its class."""
    return MODULATION.get(name, DEFAULT_MODULATION)


def edge_tone(name: str, rgb: np.ndarray) -> np.ndarray:
    """``(3,)`` colour of outlines and crack lines on a body of palette colour ``name``.

    Chromatic colours and brown darken to 65% (still their class: a crack never cuts an object's
    colour mask in two); white and gray use a neutral gap tone, black a lighter black.
    """
    if name == "white":
        return np.array([188.0, 190.0, 194.0])
    if name == "gray":
        return np.array([66.0, 66.0, 68.0])
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


def glass_tone(rgb: np.ndarray) -> np.ndarray:
    """``(3,)`` window colour: light neutral, 10% of the body colour."""
    return 0.1 * np.asarray(rgb, float) + 0.9 * np.asarray(GLASS)


def neutral(img: np.ndarray) -> np.ndarray:
    """Project colours ``(..., 3)`` (0..255) into the keying gaps, keeping their hue.

    Near-neutral colours (saturation < 0.2) keep saturation and move their value into
    ``NEUTRAL_VAL``; tints get saturation in ``TINT_SAT`` and value >= ``TINT_MIN_VAL``. Such colours
    key as no palette colour, with a margin for video compression. Returns float32.
    """
    c = np.asarray(img, np.float32)
    hsv = cv2.cvtColor(c.reshape(-1, 1, 3) / 255.0, cv2.COLOR_RGB2HSV)
    s, v = hsv[..., 1], hsv[..., 2]
    tint = s >= _NEUTRAL_SAT
    hsv[..., 1] = np.where(tint, np.clip(s, *TINT_SAT), s)
    hsv[..., 2] = np.where(tint, np.maximum(v, TINT_MIN_VAL), np.clip(v, *NEUTRAL_VAL))
    return (cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB) * 255.0).reshape(c.shape)
