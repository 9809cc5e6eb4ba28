"""Why a track is unseen, and how it appeared: frame edges, occluders in front, other tracks.

These explanations turn raw visibility into what a viewer understands: an object that slides
behind a wall or leaves the frame is not a vanish; one that enters or emerges is not a spawn.
"""

from __future__ import annotations

import numpy as np

from metrics.observe.base import Camera, Region, Track
from metrics.observe.geometry import boxes_touch, inside_fraction, outside_fraction, warp_box
from metrics.observe.params import ExplainParams
from metrics.observe.predict import predicted_boxes
from metrics.observe.scenery import box_fraction_inside, integral

DEFAULT = ExplainParams()


class _Scene:
    """What explains a disappearance: the frame, the regions (their integral images, in frame-0
    coordinates through the camera) and the other tracks."""

    def __init__(self, tracks: list[Track], regions: list[Region], camera: Camera, H: int, W: int) -> None:
        self.tracks, self.regions, self.H, self.W = tracks, regions, H, W
        self.maps = camera.to_first()
        self.integrals = {r.id: integral(r.mask) for r in regions}


def explain(
    tracks: list[Track], regions: list[Region], camera: Camera, H: int, W: int, p: ExplainParams = DEFAULT
) -> None:
    """Fill ``hidden_by`` and ``born_from`` of every track (in place)."""
    scene = _Scene(tracks, regions, camera, H, W)
    for tr in tracks:
        if not tr.visible.any():
            continue
        front = _regions_in_front(scene, tr, p)
        pred = predicted_boxes(tr, p.predict_sightings)
        for t in range(tr.num_frames):
            if not tr.visible[t] and np.isfinite(pred[t]).all():
                tr.hidden_by[t] = _why_unseen(scene, tr, pred[t], t, front, p)
        tr.born_from = _birth(scene, tr, pred, front, p)


def _regions_in_front(scene: _Scene, tr: Track, p: ExplainParams) -> list[Region]:
    """Regions that can hide ``tr``: not seen under it (depth order: a region the object was drawn
    over is behind it) and not of its own colour (such a region is likely the object itself)."""
    behind: set[str] = set()
    for t in np.flatnonzero(tr.visible & ~tr.shared):
        sbox = warp_box(tr.box[t], scene.maps[t])
        behind |= {r.id for r in scene.regions if box_fraction_inside(sbox, scene.integrals[r.id]) >= p.seen_over}
    own = {c for c in tr.color if c}
    return [r for r in scene.regions if r.id not in behind and r.color not in own]


def _why_unseen(
    scene: _Scene, tr: Track, pred: np.ndarray, t: int, front: list[Region], p: ExplainParams
) -> str | None:
    """``edge``, ``occluder:<id>``, ``merged:<track>`` / ``behind:<track>`` or None."""
    if outside_fraction(pred, scene.H, scene.W) >= p.outside:
        return "edge"
    sbox = warp_box(pred, scene.maps[t])
    best = max(front, key=lambda r: box_fraction_inside(sbox, scene.integrals[r.id]), default=None)
    if best is not None and box_fraction_inside(sbox, scene.integrals[best.id]) >= p.hidden_in:
        return f"occluder:{best.id}"
    cover = _covering_track(tr, pred, scene.tracks, t, p.cover)
    if cover is not None:
        return f"{'merged' if cover.group == tr.group else 'behind'}:{cover.id}"
    return None


def _birth(scene: _Scene, tr: Track, pred: np.ndarray, front: list[Region], p: ExplainParams) -> str | None:
    """How ``tr`` first appeared: ``start``, ``edge``, ``occluder:<id>``, ``split:<track>`` or None."""
    first = int(np.flatnonzero(tr.visible)[0])
    if first == 0:
        return "start"
    box = tr.box[first]
    if tr.edge[first] or outside_fraction(pred[first - 1], scene.H, scene.W) >= p.outside:
        return "edge"
    grown = box + np.array([-1.0, -1.0, 1.0, 1.0]) * p.born_touch_short * min(scene.H, scene.W)
    sbox = warp_box(grown, scene.maps[first])
    near = [r for r in front if box_fraction_inside(sbox, scene.integrals[r.id]) > p.born_touch]  # touching it
    if near:
        return f"occluder:{near[0].id}"
    for other in scene.tracks:
        if other is tr or other.group != tr.group or not other.visible[first - 1]:
            continue
        ob = other.box[first - 1]
        pad = p.split_pad * max(box[2] - box[0], box[3] - box[1])
        if np.isfinite(ob).all() and boxes_touch(ob, box, pad=pad):
            return f"split:{other.id}"
    return None


def _covering_track(tr: Track, box: np.ndarray, tracks: list[Track], t: int, least: float) -> Track | None:
    """A visible track at frame t whose box holds at least ``least`` of ``box`` (it may hide it)."""
    best, frac = None, least
    for other in tracks:
        if other is tr or not other.visible[t] or not np.isfinite(other.box[t]).all():
            continue
        f = inside_fraction(box, other.box[t])
        if f >= frac:
            best, frac = other, f
    return best
