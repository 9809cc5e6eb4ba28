"""Colour keying by hue and tolerance (never by exact RGB: compressed video never hits it).

Chromatic colours are hue windows over pixels with enough saturation and value; ``brown`` is a
dark orange; ``white``, ``gray`` and ``black`` are bands of value among unsaturated pixels. The
bands leave gaps between them: backgrounds in those gaps key as no colour (``NONE``).

The rules are applied once to the centre of every 6-bit RGB bin to build a 64^3 lookup table, so
classifying a clip is one table lookup per pixel.
"""

from __future__ import annotations

import numpy as np

from prompts.palette import COLOR_NAMES

#: Hue windows in degrees [lo, hi) (red wraps around 0).
HUE_WINDOWS: dict[str, tuple[float, float]] = {
    "red": (340.0, 14.0),
    "orange": (14.0, 40.0),
    "yellow": (40.0, 68.0),
    "green": (68.0, 165.0),
    "cyan": (165.0, 205.0),
    "blue": (205.0, 258.0),
    "purple": (258.0, 292.0),
    "magenta": (292.0, 340.0),
}
MIN_SAT = 0.38  # chromatic pixels
MIN_VAL = 0.30
BROWN_HUE = (8.0, 45.0)
BROWN_SAT = 0.35
BROWN_VAL = (0.18, 0.58)
ACHROMATIC_SAT = 0.20
WHITE_VAL = 0.85
GRAY_VAL = (0.32, 0.66)
BLACK_VAL = 0.22

#: Class index of each palette colour in a class map; ``NONE`` for background tones.
CLASS_OF: dict[str, int] = {name: i for i, name in enumerate(COLOR_NAMES)}
NONE = 255


def rgb_to_hsv(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(..., 3)`` RGB in 0..255 -> hue (degrees), saturation and value in [0, 1]."""
    x = rgb.astype(np.float64) / 255.0
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    mx, mn = x.max(-1), x.min(-1)
    d = mx - mn
    safe = np.where(d == 0, 1.0, d)
    h = np.where(mx == r, ((g - b) / safe) % 6.0, np.where(mx == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    h = np.where(d == 0, 0.0, h * 60.0)
    s = np.where(mx == 0, 0.0, d / np.where(mx == 0, 1.0, mx))
    return h, s, mx


def classify_hsv(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Palette class index (or ``NONE``) of each pixel from its hue, saturation and value."""
    out = np.full(h.shape, NONE, np.uint8)
    chroma = (s >= MIN_SAT) & (v >= MIN_VAL)
    for name, (lo, hi) in HUE_WINDOWS.items():
        in_hue = ((h >= lo) | (h < hi)) if lo > hi else ((h >= lo) & (h < hi))
        m = in_hue & chroma
        if name in ("orange", "yellow"):  # dark orange is brown
            m &= v >= BROWN_VAL[1]
        out[m] = CLASS_OF[name]
    brown = (h >= BROWN_HUE[0]) & (h < BROWN_HUE[1]) & (s >= BROWN_SAT) & (v >= BROWN_VAL[0]) & (v < BROWN_VAL[1])
    out[brown] = CLASS_OF["brown"]
    grey = s < ACHROMATIC_SAT
    out[grey & (v >= WHITE_VAL)] = CLASS_OF["white"]
    out[grey & (v >= GRAY_VAL[0]) & (v <= GRAY_VAL[1])] = CLASS_OF["gray"]
    out[v < BLACK_VAL] = CLASS_OF["black"]
    return out


def _build_lut() -> np.ndarray:
    centres = np.arange(64, dtype=np.float64) * 4.0 + 1.5
    r, g, b = np.meshgrid(centres, centres, centres, indexing="ij")
    h, s, v = rgb_to_hsv(np.stack([r, g, b], -1))
    return classify_hsv(h, s, v).reshape(-1)


LUT: np.ndarray = _build_lut()  # (64**3,) uint8, index (r>>2)<<12 | (g>>2)<<6 | (b>>2)


def class_map(frames: np.ndarray) -> np.ndarray:
    """``(..., H, W, 3)`` uint8 RGB -> ``(..., H, W)`` uint8 palette class (``NONE`` = none)."""
    q = (frames >> 2).astype(np.int32)
    return LUT[(q[..., 0] << 12) | (q[..., 1] << 6) | q[..., 2]]


def color_mask(frames: np.ndarray, name: str) -> np.ndarray:
    """Boolean mask of pixels a viewer would call ``name``, ``(..., H, W)``."""
    if name not in CLASS_OF:
        raise ValueError(f"unknown colour {name!r}")
    return class_map(frames) == CLASS_OF[name]
