"""The static scene: what stays put once camera motion is removed, and which parts of it can hide
objects (occluders).

A static coloured region only explains a disappearance if it is in front of the object. Depth
order is read from the video itself: an object that was ever seen drawn over a region is in front
of it (a floor, a sky), so that region cannot hide it; a wall the object slides behind never has
the object drawn over it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from metrics.observe.base import Camera, Region
from metrics.observe.color import NONE
from metrics.observe.params import Scale, SceneryParams
from prompts.palette import COLOR_NAMES

INVALID = 254  # out of view after stabilisation
DEFAULT = SceneryParams()


def stabilised_class_maps(cmap: np.ndarray, camera: Camera) -> np.ndarray:
    """``(T, H, W)`` class maps warped into frame-0 coordinates (``INVALID`` where unseen)."""
    if not camera.valid.any():
        return cmap
    T, H, W = cmap.shape
    maps = camera.to_first()
    out = np.empty_like(cmap)
    for t in range(T):
        out[t] = cv2.warpAffine(
            cmap[t], maps[t].astype(np.float32), (W, H), flags=cv2.INTER_NEAREST, borderValue=INVALID
        )
    return out


def static_class_map(stable: np.ndarray, p: SceneryParams = DEFAULT) -> np.ndarray:
    """``(H, W)`` class each pixel shows in at least ``p.static_share`` of the frames where it is in
    view and ``p.static_min`` of all (``NONE`` otherwise): the scenery, without what moves."""
    T = stable.shape[0]
    seen = (stable != INVALID).sum(0)
    best = np.full(stable.shape[1:], NONE, np.uint8)
    best_n = np.zeros(stable.shape[1:], np.int32)
    for cls in np.unique(stable):
        if cls in (NONE, INVALID):
            continue
        n = (stable == cls).sum(0)
        better = n > best_n
        best[better], best_n[better] = cls, n[better]
    static = best_n >= np.maximum(p.static_share * seen, p.static_min * T)
    return np.where(static, best, NONE).astype(np.uint8)


def occluder_regions(static: np.ndarray, min_area: int, p: SceneryParams = DEFAULT) -> list[Region]:
    """Connected static coloured regions big enough to hide an object."""
    out: list[Region] = []
    for cls in np.unique(static):
        if cls == NONE:
            continue
        kernel = np.ones((Scale(min(static.shape)).kernel(p.open_short),) * 2, np.uint8)
        m = cv2.morphologyEx((static == cls).astype(np.uint8), cv2.MORPH_OPEN, kernel)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
        for i in range(1, n):
            if stats[i, cv2.CC_STAT_AREA] < min_area:
                continue
            x, y, w, h = (int(stats[i, k]) for k in range(4))
            name = COLOR_NAMES[cls]
            out.append(Region(f"{name}@{x + w // 2},{y + h // 2}", labels == i, (x, y, x + w, y + h), name))
    return out


def box_fraction_inside(box: np.ndarray, integral: np.ndarray) -> float:
    """Fraction of pixel box ``x0, y0, x1, y1`` covered by a mask, from its integral image."""
    b0, b1, b2, b3 = (float(v) for v in box[:4])
    if not all(math.isfinite(v) for v in (b0, b1, b2, b3)):
        return 0.0
    H, W = integral.shape[0] - 1, integral.shape[1] - 1
    f0, f1, c2, c3 = math.floor(b0), math.floor(b1), math.ceil(b2), math.ceil(b3)
    x0, y0 = min(max(f0, 0), W), min(max(f1, 0), H)
    x1, y1 = min(max(c2, 0), W), min(max(c3, 0), H)
    full = max(float((c2 - f0) * (c3 - f1)), 1.0)
    if x1 <= x0 or y1 <= y0:
        return 0.0
    inside = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    return float(inside) / float(full)


def integral(mask: np.ndarray) -> np.ndarray:
    return cv2.integral(mask.astype(np.uint8))
