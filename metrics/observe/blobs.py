"""Blobs: connected regions of one palette class in one frame, with shape descriptors."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from metrics.observe.base import DESCRIPTORS

_KERNEL = np.ones((3, 3), np.uint8)


@dataclass
class Blob:
    """One connected region of a class map (pixel coordinates).

    ``box`` is ``x0, y0, x1, y1`` with exclusive ends; ``mask`` is the cleaned region over ``box``
    and ``raw`` the pixels of the class inside it before cleaning (thin dark cracks stay holes).
    """

    frame: int
    cls: int
    area: float
    box: np.ndarray
    center: np.ndarray
    mask: np.ndarray
    edge: bool
    raw: np.ndarray | None = None

    @property
    def size(self) -> float:
        return float(np.sqrt(max(self.area, 1.0)))


def find_blobs(cmap: np.ndarray, cls: int, frame: int, min_area: int) -> list[Blob]:
    """Connected components of ``cmap == cls`` with at least ``min_area`` pixels, largest first.

    A 3x3 opening first drops structures thinner than 3 pixels (the halo H.264's chroma
    subsampling bleeds around saturated objects), then a closing bridges thin seams inside a region.
    """
    H, W = cmap.shape
    raw = (cmap == cls).astype(np.uint8)
    if not raw.any():
        return []
    m = cv2.morphologyEx(cv2.morphologyEx(raw, cv2.MORPH_OPEN, _KERNEL), cv2.MORPH_CLOSE, _KERNEL)
    n, labels, stats, cents = cv2.connectedComponentsWithStats(m, connectivity=8)
    out: list[Blob] = []
    for i in range(1, n):
        area = int(stats[i, cv2.CC_STAT_AREA])
        if area < min_area:
            continue
        x, y, w, h = (int(stats[i, k]) for k in range(4))
        box = np.array([x, y, x + w, y + h], float)
        edge = x <= 0 or y <= 0 or x + w >= W or y + h >= H
        mask = labels[y : y + h, x : x + w] == i
        inside = raw[y : y + h, x : x + w].astype(bool) & mask
        out.append(Blob(frame, cls, float(area), box, np.array(cents[i], float), mask, edge, inside))
    out.sort(key=lambda b: -b.area)
    return out


def descriptors(mask: np.ndarray, raw: np.ndarray | None = None) -> np.ndarray:
    """Shape descriptors of a region mask ``(h, w)``, in the order of :data:`DESCRIPTORS`.

    ``extent`` area / box area (circle 0.79, square ~0.97, triangle 0.5, star ~0.45);
    ``circularity`` 4πA/P² of the hole-filled outline; ``aspect`` width / height; ``solidity`` area /
    convex hull area (a bite lowers it); ``top_heavy`` the horizontal offset of the upper half's
    mass from the box centre in box widths (a vehicle's cabin sits toward its back); ``holes`` the
    fraction of the filled outline that is not the colour in ``raw`` (a crack draws holes).
    """
    h, w = mask.shape
    m8 = mask.astype(np.uint8)
    area = float(m8.sum() if raw is None else raw.sum())
    out = np.full(len(DESCRIPTORS), np.nan)
    if area < 4 or h < 2 or w < 2:
        return out
    contours, _ = cv2.findContours(m8, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return out
    c = max(contours, key=cv2.contourArea)
    filled = np.zeros_like(m8)
    cv2.drawContours(filled, [c], -1, 1, thickness=-1)
    farea = float(filled.sum())
    perim = cv2.arcLength(c, True)
    hull = cv2.convexHull(c)
    harea = max(cv2.contourArea(hull), 1.0)
    top = m8[: max(h // 2, 1)]
    xs = np.nonzero(top)[1]
    top_heavy = ((xs.mean() + 0.5) / w - 0.5) if xs.size else 0.0
    out[:] = [
        farea / (h * w),
        4.0 * np.pi * farea / max(perim * perim, 1.0),
        w / h,
        min(farea / harea, 1.0),
        top_heavy,
        max(0.0, 1.0 - area / max(farea, 1.0)),
    ]
    return out
