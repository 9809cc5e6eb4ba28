"""Blobs: connected regions of one palette class in one frame, with shape descriptors."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from metrics.observe.base import DESCRIPTORS
from metrics.observe.params import TUNED, BlobParams, Scale

DEFAULT = BlobParams()


@dataclass
class Blob:
    """One connected region of a class map (pixel coordinates).

    ``box`` is ``x0, y0, x1, y1`` with exclusive ends; ``mask`` is the cleaned region over ``box``
    and ``raw`` the pixels of the class inside it before cleaning.
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


def find_blobs(
    cmap: np.ndarray, cls: int, frame: int, min_area: int, p: BlobParams = DEFAULT, sc: Scale = TUNED
) -> list[Blob]:
    """Connected components of ``cmap == cls`` with at least ``min_area`` pixels, largest first.

    An opening (a square of ``p.open_short`` of the short side ``sc.short``) first drops thinner structures (the halo H.264's chroma
    subsampling bleeds around saturated objects). There is no closing: it would fuse objects a few
    pixels apart (a copy beside its original, the halves of a split).
    """
    H, W = cmap.shape
    raw = (cmap == cls).astype(np.uint8)
    if not raw.any():
        return []
    k = sc.kernel(p.open_short)
    m = cv2.morphologyEx(raw, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
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


def descriptors(
    mask: np.ndarray, raw: np.ndarray | None = None, gray: np.ndarray | None = None, p: BlobParams = DEFAULT
) -> np.ndarray:
    """Shape descriptors of a region mask ``(h, w)``, in the order of :data:`DESCRIPTORS`.

    ``extent`` area / box area (circle 0.79, square ~0.97, triangle 0.5, star ~0.45);
    ``circularity`` 4πA/P² of the hole-filled outline; ``aspect`` width / height; ``solidity`` area /
    convex hull area (a bite lowers it); ``top_heavy`` the horizontal offset of the upper half's
    mass from the box centre in box widths (a vehicle's cabin sits toward its back); ``marks`` the
    fraction of the filled outline that is not the colour in ``raw`` or, given the ``gray`` crop of
    the box, is darker than ``p.mark_luma`` of the region's median luma away from its edge (a crack is
    drawn as dark lines, a bite-shaped hole as background).
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
    marks = max(0.0, farea - area)
    if gray is not None and raw is not None and raw.sum() >= 9:
        body = cv2.erode(raw.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        if body.sum() >= 9:
            lum = gray.astype(np.float32)
            marks += float((lum[body] < p.mark_luma * float(np.median(lum[raw]))).sum())
    out[:] = [
        farea / (h * w),
        4.0 * np.pi * farea / max(perim * perim, 1.0),
        w / h,
        min(farea / harea, 1.0),
        top_heavy,
        marks / max(farea, 1.0),
    ]
    return out


def _blob_from(mask: np.ndarray, raw: np.ndarray, x0: int, y0: int, like: Blob, W: int, H: int) -> Blob:
    ys, xs = np.nonzero(mask)
    bx0, by0, bx1, by1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    box = np.array([x0 + bx0, y0 + by0, x0 + bx1, y0 + by1], float)
    edge = box[0] <= 0 or box[1] <= 0 or box[2] >= W or box[3] >= H
    center = np.array([x0 + xs.mean() + 0.5, y0 + ys.mean() + 0.5])
    sub = mask[by0:by1, bx0:bx1]
    return Blob(like.frame, like.cls, float(mask.sum()), box, center, sub, bool(edge), raw[by0:by1, bx0:bx1] & sub)


def split_touching(
    blob: Blob, unit_area: float, W: int, H: int, p: BlobParams = DEFAULT, sc: Scale = TUNED
) -> list[Blob]:
    """Split a blob that holds several touching objects of about ``unit_area`` pixels each.

    Peaks of the distance transform at least one object radius apart are object centres; two
    peaks belong to different objects only if the distance along the segment between them dips
    below ``p.split_neck`` times the smaller peak (touching discs pinch; a long body does
    not). Pixels go to the nearest accepted peak. Returns ``[blob]`` when there is nothing to split.
    """
    if blob.area < p.split_units * unit_area:
        return [blob]
    m8 = np.pad(blob.mask.astype(np.uint8), 1)
    dist = cv2.distanceTransform(m8, cv2.DIST_L2, 3)[1:-1, 1:-1]
    r = max(float(np.sqrt(unit_area / np.pi)), 2.0)
    k = 2 * int(p.split_spacing * r) + 1
    peaks = (dist >= cv2.dilate(dist, np.ones((k, k), np.uint8))) & (dist >= p.split_peak * r)
    ys, xs = np.nonzero(peaks)
    order = np.argsort(-dist[ys, xs])
    chosen: list[tuple[int, int]] = []
    for i in order:
        c = (int(ys[i]), int(xs[i]))
        if all(np.hypot(c[0] - q[0], c[1] - q[1]) >= r for q in chosen):
            chosen.append(c)
    centres: list[tuple[int, int]] = []
    for c in chosen:
        separate = True
        for q in centres:
            n = int(np.hypot(c[0] - q[0], c[1] - q[1])) + 2
            line = dist[np.linspace(c[0], q[0], n).round().astype(int), np.linspace(c[1], q[1], n).round().astype(int)]
            if line.min() >= p.split_neck * min(dist[c], dist[q]):
                separate = False
                break
        if separate:
            centres.append(c)
    most = round(blob.area / unit_area)
    if len(centres) < 2 or most < 2:
        return [blob]
    centres = centres[:most]
    yy, xx = np.nonzero(blob.mask)
    d = np.stack([np.hypot(yy - cy, xx - cx) for cy, cx in centres])
    owner = np.argmin(d, axis=0)
    raw = blob.raw if blob.raw is not None else blob.mask
    out = []
    for j in range(len(centres)):
        part = np.zeros_like(blob.mask)
        part[yy[owner == j], xx[owner == j]] = True
        if part.sum() >= sc.area(p.min_piece_area):
            out.append(_blob_from(part, raw, int(blob.box[0]), int(blob.box[1]), blob, W, H))
    return out if len(out) >= 2 else [blob]
