"""Why a track is unseen, and how it appeared: frame edges, occluders in front, other tracks.

These explanations turn raw visibility into what a viewer understands: an object that slides
behind a wall or leaves the frame is not a vanish; one that enters or emerges is not a spawn.
What keying finds as regions explains first; where nothing does, the object's own geometry can
(:mod:`metrics.observe.occlusion`: cut along a fixed edge as it moved, it went behind something).
"""

from __future__ import annotations

import numpy as np

from metrics.observe.base import Camera, Region, Track
from metrics.observe.geometry import boxes_touch, inside_fraction, outside_fraction, outside_fractions, warp_box
from metrics.observe.occlusion import DEFAULT_CUT, Cut, CutParams, emerging, find_cut
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
        self.cuts: list[Cut] = []  # edges objects were seen cut along (occluders that key as nothing)


def explain(
    tracks: list[Track],
    regions: list[Region],
    camera: Camera,
    H: int,
    W: int,
    p: ExplainParams = DEFAULT,
    cut: CutParams = DEFAULT_CUT,
) -> None:
    """Fill ``hidden_by`` and ``born_from`` of every track (in place)."""
    scene = _Scene(tracks, regions, camera, H, W)
    fronts, preds = {}, {}
    for tr in tracks:
        if not tr.visible.any():
            continue
        fronts[tr.id] = front = _regions_in_front(scene, tr, p)
        pred = predicted_boxes(tr, p.predict_sightings)
        unseen = np.flatnonzero(~tr.visible & np.isfinite(pred).all(1))
        edge = outside_fractions(pred[unseen], H, W) >= p.outside  # _why_unseen's first test, at once
        for t, off in zip(unseen.tolist(), edge.tolist(), strict=True):
            tr.hidden_by[t] = "edge" if off else _why_unseen(scene, tr, pred[t], t, front, p)
        preds[tr.id] = _cut_gaps(scene, tr, pred, p, cut)
    for tr in tracks:
        if tr.id in preds:
            tr.born_from = _birth(scene, tr, preds[tr.id], fronts[tr.id], p, cut)


def _cut_gaps(scene: _Scene, tr: Track, pred: np.ndarray, p: ExplainParams, cut: CutParams) -> np.ndarray:
    """Explain by geometry the runs of unseen frames nothing else explains: when the track was
    cut along a fixed edge just before, it is hidden behind that edge while its predicted box is
    there (the cut sightings become ``partial``); returns the predictions, redone without them."""
    unseen = ~tr.visible
    starts = np.flatnonzero(unseen[1:] & ~unseen[:-1]) + 1
    found = []
    for a in starts:
        if tr.hidden_by[a] is None and (c := find_cut(tr, int(a), cut)) is not None:
            found.append(c)
            tr.partial[a - cut.frames : a] = True
    if not found:
        return pred
    scene.cuts += found
    pred = predicted_boxes(tr, p.predict_sightings)  # the cut sightings no longer steer it
    for c in found:
        t = c.frame + 1
        while t < tr.num_frames and not tr.visible[t]:
            if tr.hidden_by[t] is None and np.isfinite(pred[t]).all() and c.hidden_share(pred[t]) >= p.hidden_in:
                tr.hidden_by[t] = f"occluder:{c.id}"
            t += 1
    return pred


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
    """``edge``, ``occluder:<id>``, ``merged:<track>`` / ``behind:<track>``, ``small`` or None."""
    if outside_fraction(pred, scene.H, scene.W) >= p.outside:
        return "edge"
    sbox = warp_box(pred, scene.maps[t])
    best = max(front, key=lambda r: box_fraction_inside(sbox, scene.integrals[r.id]), default=None)
    if best is not None and box_fraction_inside(sbox, scene.integrals[best.id]) >= p.hidden_in:
        return f"occluder:{best.id}"
    cover = _covering_track(tr, pred, scene.tracks, t, p.cover)
    if cover is not None:
        return f"{'merged' if cover.group == tr.group else 'behind'}:{cover.id}"
    if _zoomed_away(scene, tr, t):
        return "small"
    # last seen inside one of its kind, whose blob has since shrunk below two objects': lost under it
    last = tr.hidden_by[t - 1] if t > 0 and tr.shared[t - 1] else None
    return last if last is not None and last.startswith("merged:") else None


#: a camera that shrank the scene to this share of its size since the object was first seen...
ZOOMED_OUT = 0.6
#: ...and an object last seen at this share of its first area has zoomed out of what keying holds
SHRUNK = 0.25


def _zoomed_away(scene: _Scene, tr: Track, t: int) -> bool:
    """Whether a zoom out shrank ``tr`` out of sight: the camera has shrunk the scene to at most
    ``ZOOMED_OUT`` since its first sighting, and it was last seen at most ``SHRUNK`` of its
    first area."""
    seen = np.flatnonzero(tr.visible[:t])
    if seen.size < 2:
        return False
    scale = np.hypot(scene.maps[:, 0, 0], scene.maps[:, 1, 0])  # frame t -> frame 0: 1 / zoom
    first = tr.area[seen[: min(3, seen.size)]]
    return scale[seen[0]] / scale[t] <= ZOOMED_OUT and tr.area[seen[-1]] <= SHRUNK * float(np.median(first))


def _birth(
    scene: _Scene, tr: Track, pred: np.ndarray, front: list[Region], p: ExplainParams, cut: CutParams
) -> str | None:
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
    out_of = next((c for c in scene.cuts if c.frame < first and emerging(tr, first, c, cut)), None)
    if out_of is not None:
        return f"occluder:{out_of.id}"
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
