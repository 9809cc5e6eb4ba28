"""Colour keying by hue and tolerance (never by exact RGB: compressed video never hits it).

Chromatic colours are hue windows over pixels with enough saturation and value; ``brown`` is a
dark orange; ``white``, ``gray`` and ``black`` are bands of value among unsaturated pixels. The
bands leave gaps between them: backgrounds in those gaps key as no colour (``NONE``).

The rules are applied once to the centre of every 6-bit RGB bin to build a 64^3 lookup table, so
classifying a clip is one table lookup per pixel.
"""

from __future__ import annotations

import json

import numpy as np

from metrics.observe.params import KeyingParams
from prompts.palette import COLOR_NAMES

DEFAULT_KEYING = KeyingParams()

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


def classify_hsv(h: np.ndarray, s: np.ndarray, v: np.ndarray, k: KeyingParams = DEFAULT_KEYING) -> np.ndarray:
    """Palette class index (or ``NONE``) of each pixel from its hue, saturation and value."""
    out = np.full(h.shape, NONE, np.uint8)
    chroma = (s >= k.min_sat) & (v >= k.min_val)
    for name, (lo, hi) in k.hue_windows.items():
        in_hue = ((h >= lo) | (h < hi)) if lo > hi else ((h >= lo) & (h < hi))
        m = in_hue & chroma
        if name in ("orange", "yellow"):  # dark orange is brown
            m &= v >= k.brown_val[1]
        out[m] = CLASS_OF[name]
    brown = (h >= k.brown_hue[0]) & (h < k.brown_hue[1]) & (s >= k.brown_sat)
    brown &= (v >= k.brown_val[0]) & (v < k.brown_val[1])
    out[brown] = CLASS_OF["brown"]
    grey = s < k.achromatic_sat
    out[grey & (v >= k.white_val)] = CLASS_OF["white"]
    out[grey & (v >= k.gray_val[0]) & (v <= k.gray_val[1])] = CLASS_OF["gray"]
    out[v < k.black_val] = CLASS_OF["black"]
    return out


_LUTS: dict[str, np.ndarray] = {}


def lut(keying: KeyingParams = DEFAULT_KEYING) -> np.ndarray:
    """``(64**3,)`` uint8 class of each 6-bit RGB bin (index ``(r>>2)<<12 | (g>>2)<<6 | (b>>2)``),
    evaluated at the bin's centre; built on first use per set of keying parameters."""
    key = keying_key(keying)
    if key not in _LUTS:
        centres = np.arange(64, dtype=np.float64) * 4.0 + 1.5
        r, g, b = np.meshgrid(centres, centres, centres, indexing="ij")
        h, s, v = rgb_to_hsv(np.stack([r, g, b], -1))
        _LUTS[key] = classify_hsv(h, s, v, keying).reshape(-1)
    return _LUTS[key]


def keying_key(keying: KeyingParams) -> str:
    """A short text naming a set of keying parameters (cache keys)."""
    return json.dumps(keying.protocol(), sort_keys=True)


def class_map(frames: np.ndarray, keying: KeyingParams = DEFAULT_KEYING) -> np.ndarray:
    """``(..., H, W, 3)`` uint8 RGB -> ``(..., H, W)`` uint8 palette class (``NONE`` = none).

    Frame by frame: the 32-bit bin indices of one frame stay in cache (a whole clip's would not)."""
    table = lut(keying)
    if frames.ndim <= 3:
        return _classes(frames, table)
    out = np.empty(frames.shape[:-1], np.uint8)
    flat, dst = frames.reshape(-1, *frames.shape[-3:]), out.reshape(-1, *out.shape[-2:])
    for i, f in enumerate(flat):
        dst[i] = _classes(f, table)
    return out


def _classes(frame: np.ndarray, table: np.ndarray) -> np.ndarray:
    q = (frame >> 2).astype(np.uint32)
    return table[(q[..., 0] << 12) | (q[..., 1] << 6) | q[..., 2]]


def color_mask(frames: np.ndarray, name: str) -> np.ndarray:
    """Boolean mask of pixels a viewer would call ``name``, ``(..., H, W)``."""
    if name not in CLASS_OF:
        raise ValueError(f"unknown colour {name!r}")
    return class_map(frames) == CLASS_OF[name]
