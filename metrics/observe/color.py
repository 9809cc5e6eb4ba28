"""Colour keying by hue and tolerance (never by exact RGB: compressed video never hits it).

Chromatic colours are hue windows over pixels with enough saturation and value; ``brown`` is a
dark orange; ``white``, ``gray`` and ``black`` are bands of value among unsaturated pixels. The
bands leave gaps between them, so a light gray background (value about 0.8) keys as no colour.
"""

from __future__ import annotations

import cv2
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
BROWN = {"hue": (8.0, 45.0), "sat": 0.35, "val": (0.18, 0.58)}
ACHROMATIC_SAT = 0.20
WHITE_VAL = 0.88
GRAY_VAL = (0.32, 0.68)
BLACK_VAL = 0.22


def to_hsv(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(T,H,W,3)`` uint8 RGB -> hue in degrees, saturation and value in [0, 1], each ``(T,H,W)``."""
    T, H, W, _ = frames.shape
    hsv = cv2.cvtColor(frames.reshape(T * H, W, 3), cv2.COLOR_RGB2HSV_FULL).reshape(T, H, W, 3)
    h = hsv[..., 0].astype(np.float32) * (360.0 / 256.0)
    s = hsv[..., 1].astype(np.float32) / 255.0
    v = hsv[..., 2].astype(np.float32) / 255.0
    return h, s, v


def color_mask(hsv: tuple[np.ndarray, np.ndarray, np.ndarray], name: str) -> np.ndarray:
    """Boolean mask of pixels a viewer would call ``name``; same shape as each HSV plane."""
    h, s, v = hsv
    if name not in COLOR_NAMES:
        raise ValueError(f"unknown colour {name!r}")
    if name == "white":
        return (s < ACHROMATIC_SAT) & (v >= WHITE_VAL)
    if name == "gray":
        return (s < ACHROMATIC_SAT) & (v >= GRAY_VAL[0]) & (v <= GRAY_VAL[1])
    if name == "black":
        return v < BLACK_VAL
    if name == "brown":
        lo, hi = BROWN["hue"]
        return (h >= lo) & (h < hi) & (s >= BROWN["sat"]) & (v >= BROWN["val"][0]) & (v < BROWN["val"][1])
    lo, hi = HUE_WINDOWS[name]
    in_hue = ((h >= lo) | (h < hi)) if lo > hi else ((h >= lo) & (h < hi))
    m = in_hue & (s >= MIN_SAT) & (v >= MIN_VAL)
    if name in ("orange", "yellow"):  # dark orange is brown
        m &= v >= BROWN["val"][1]
    return m


def components(
    mask: np.ndarray, min_area: int
) -> list[tuple[int, tuple[int, int, int, int], tuple[float, float]]]:
    """Connected components of a 2-D mask with at least ``min_area`` pixels.

    Returns ``(area, (x, y, w, h), (cx, cy))`` per component, in pixels, largest first.
    """
    mask8 = mask.astype(np.uint8)
    mask8 = cv2.morphologyEx(mask8, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    n, _, stats, cents = cv2.connectedComponentsWithStats(mask8, connectivity=8)
    out = []
    for i in range(1, n):
        area = int(stats[i, cv2.CC_STAT_AREA])
        if area >= min_area:
            x, y, w, hh = (int(stats[i, k]) for k in (0, 1, 2, 3))
            out.append((area, (x, y, w, hh), (float(cents[i, 0]), float(cents[i, 1]))))
    out.sort(key=lambda c: -c[0])
    return out
