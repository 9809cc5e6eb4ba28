"""Why a track is unseen, and how it appeared: frame edges, occluders in front, other tracks.

These explanations turn raw visibility into what a viewer understands: an object that slides
behind a wall or leaves the frame is not a vanish; one that enters or emerges is not a spawn.
"""

from __future__ import annotations

import numpy as np

from metrics.observe.base import Camera, Region, Track
from metrics.observe.scenery import box_fraction_inside, integral

SEEN_OVER = 0.3  # an object seen with this much of its box over a region is in front of it
HIDDEN_IN = 0.4  # a predicted box this much inside a region in front is hidden by it
OUTSIDE = 0.4  # a predicted box this much outside the frame has left it


def _warp_box(box: np.ndarray, m: np.ndarray) -> np.ndarray:
    pts = np.array([[box[0], box[1]], [box[2], box[3]]]) @ m[:, :2].T + m[:, 2]
    return np.concatenate([pts.min(0), pts.max(0)])


def _outside_fraction(box: np.ndarray, H: int, W: int) -> float:
    w, h = max(box[2] - box[0], 1e-6), max(box[3] - box[1], 1e-6)
    iw = max(0.0, min(box[2], W) - max(box[0], 0.0))
    ih = max(0.0, min(box[3], H) - max(box[1], 0.0))
    return 1.0 - (iw * ih) / (w * h)


def predicted_boxes(track: Track) -> np.ndarray:
    """``(T, 4)`` boxes: seen boxes where seen, else extrapolated at the velocity of the clean
    sightings just before (or, before the first sighting, just after) the gap."""
    T = track.num_frames
    out = track.box.copy()
    clean = np.flatnonzero(track.full())
    seen = np.flatnonzero(track.visible)
    if seen.size == 0:
        return out
    ref = clean if clean.size else seen
    for t in range(T):
        if track.visible[t] and not track.shared[t]:
            continue
        before = ref[ref < t][-4:]
        after = ref[ref > t][:4]
        use = before if before.size else after
        if use.size == 0:
            continue
        c = track.center[use]
        v = np.polyfit(use.astype(float), c, 1)[0] if use.size >= 2 else np.zeros(2)
        anchor = use[-1] if before.size else use[0]
        center = track.center[anchor] + v * (t - anchor)
        half = (track.box[anchor, 2:] - track.box[anchor, :2]) / 2
        out[t] = np.concatenate([center - half, center + half])
    return out


def explain(tracks: list[Track], regions: list[Region], camera: Camera, H: int, W: int) -> None:
    """Fill ``hidden_by`` and ``born_from`` of every track (in place)."""
    maps = camera.to_first()
    integrals = {r.id: integral(r.mask) for r in regions}
    for tr in tracks:
        seen = np.flatnonzero(tr.visible)
        if seen.size == 0:
            continue
        # depth order: regions this object was drawn over are behind it
        behind: set[str] = set()
        for t in np.flatnonzero(tr.visible & ~tr.shared):
            sbox = _warp_box(tr.box[t], maps[t])
            behind |= {r.id for r in regions if box_fraction_inside(sbox, integrals[r.id]) >= SEEN_OVER}
        # a region of the object's own colour cannot visibly hide it (it is likely the object itself)
        own = {c for c in tr.color if c}
        front = [r for r in regions if r.id not in behind and r.color not in own]
        pred = predicted_boxes(tr)
        for t in range(tr.num_frames):
            if tr.visible[t] or not np.isfinite(pred[t]).all():
                continue
            if _outside_fraction(pred[t], H, W) >= OUTSIDE:
                tr.hidden_by[t] = "edge"
                continue
            sbox = _warp_box(pred[t], maps[t])
            best = max(front, key=lambda r: box_fraction_inside(sbox, integrals[r.id]), default=None)
            if best is not None and box_fraction_inside(sbox, integrals[best.id]) >= HIDDEN_IN:
                tr.hidden_by[t] = f"occluder:{best.id}"
                continue
            cover = _covering_track(tr, pred[t], tracks, t)
            if cover is not None:
                same = cover.group == tr.group
                tr.hidden_by[t] = f"{'merged' if same else 'behind'}:{cover.id}"
        first = int(seen[0])
        if first == 0:
            tr.born_from = "start"
            continue
        box = tr.box[first]
        if tr.edge[first] or _outside_fraction(pred[first - 1], H, W) >= OUTSIDE:
            tr.born_from = "edge"
            continue
        grown = box + np.array([-3.0, -3.0, 3.0, 3.0])
        sbox = _warp_box(grown, maps[first])
        near = [r for r in front if box_fraction_inside(sbox, integrals[r.id]) > 0.01]  # touching it
        if near:
            tr.born_from = f"occluder:{near[0].id}"
            continue
        for other in tracks:
            if other is tr or other.group != tr.group or not other.visible[first - 1]:
                continue
            ob = other.box[first - 1]
            if np.isfinite(ob).all() and _overlap_or_touch(ob, box, pad=0.25 * max(box[2] - box[0], box[3] - box[1])):
                tr.born_from = f"split:{other.id}"
                break


def inside_fraction(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of box ``a`` inside box ``b``."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return iw * ih / max((a[2] - a[0]) * (a[3] - a[1]), 1e-6)


def _covering_track(tr: Track, box: np.ndarray, tracks: list[Track], t: int) -> Track | None:
    """A visible track at frame t whose box holds at least half of ``box`` (it may hide it)."""
    best, frac = None, 0.5
    for other in tracks:
        if other is tr or not other.visible[t] or not np.isfinite(other.box[t]).all():
            continue
        f = inside_fraction(box, other.box[t])
        if f >= frac:
            best, frac = other, f
    return best


def _overlap_or_touch(a: np.ndarray, b: np.ndarray, pad: float) -> bool:
    return bool(a[0] - pad <= b[2] and b[0] - pad <= a[2] and a[1] - pad <= b[3] and b[1] - pad <= a[3])
