"""Occlusion read from geometry: an object cut progressively along a fixed edge as it moves went
behind something, whether or not that something keys as a region.

A wall of a neutral tone in front of a textured background of similar tones is no colour region;
a wall whose colour also shows in the background merges with the background's patches into one
region the object was seen over (so by depth order it cannot hide it); an occluder the prompt
does not mention is looked for nowhere. What all of them do to the object is the same: while it
moves on, the side it moves towards stays on one line (the occluder's edge) and the rest of it
shrinks towards that line until nothing is left; later it comes out of a parallel edge further
along, growing from it. :func:`find_cut` reads the first from a track's boxes; :func:`emerging`
the second. The explanation (``occluder:cut@x=54``) names the edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics.base import param
from metrics.observe.base import Track
from metrics.observe.params import Params

#: box columns of the side an object moving along ``axis`` towards ``side`` leads with / trails
_LEAD = {(0, 1): 2, (0, -1): 0, (1, 1): 3, (1, -1): 1}


@dataclass(frozen=True, kw_only=True)
class CutParams(Params):
    """When a track's boxes show it cut along a fixed edge."""

    frames: int = param(2, unit="frames", doc="the edge holds over this many last sightings (at least)")
    edge_tol: float = param(0.12, unit="object sizes", doc="the leading side stays this near one line...")
    edge_tol_px: float = param(1.5, unit="pixels", doc="...or this near")
    advance: float = param(0.5, doc="...while the trailing side advances this share of its usual step")
    shrunk: float = param(0.75, doc="...until it is at most this share of its usual extent")


DEFAULT_CUT = CutParams()


@dataclass(frozen=True)
class Cut:
    """An edge (``axis`` 0: a vertical line ``x = at``; 1: ``y = at``) with what it hides on
    ``side`` (+1: greater coordinates), found where a track was last seen at ``frame``."""

    axis: int
    at: float
    side: int
    frame: int

    @property
    def id(self) -> str:
        return f"cut@{'xy'[self.axis]}={self.at:.0f}"

    def hidden_share(self, box: np.ndarray) -> float:
        """Share of ``box`` on the hidden side of the edge."""
        lo, hi = float(box[self.axis]), float(box[self.axis + 2])
        if not hi > lo:
            return 0.0
        beyond = hi - max(lo, self.at) if self.side > 0 else min(hi, self.at) - lo
        return float(np.clip(beyond / (hi - lo), 0.0, 1.0))


def _usual(tr: Track) -> tuple[np.ndarray, np.ndarray]:
    """Median extent ``(2,)`` of its whole sightings and its median velocity ``(2,)`` per frame."""
    full = np.flatnonzero(tr.full() & np.isfinite(tr.box).all(1))
    if full.size < 2:
        return np.full(2, np.nan), np.zeros(2)
    ext = np.median(tr.box[full, 2:] - tr.box[full, :2], axis=0)
    steps = np.diff(tr.center[full], axis=0) / np.diff(full)[:, None]
    return ext, np.median(steps, axis=0)


def find_cut(tr: Track, gone: int, p: CutParams = DEFAULT_CUT) -> Cut | None:
    """The edge ``tr`` was cut along in the sightings just before frame ``gone`` (where it is no
    longer seen), or None: over the last ``p.frames`` consecutive sightings its leading side (in
    its direction of motion) stays on one line while its trailing side advances with its usual
    speed, and it ends at most ``p.shrunk`` of its usual extent. Those are its own sightings: a
    box shared with another object it went under (where its prediction met their blob) shows
    no outline of its own, and shrinks with the other's just as well."""
    last = np.arange(gone - p.frames, gone)
    if last[0] < 0 or not (tr.visible[last] & ~tr.shared[last]).all() or not np.isfinite(tr.box[last]).all():
        return None
    ext, vel = _usual(tr)
    if not np.isfinite(ext).all():
        return None
    axis = 0 if abs(vel[0]) >= abs(vel[1]) else 1
    side = 1 if vel[axis] > 0 else -1
    speed = abs(float(vel[axis]))
    lead, trail = tr.box[last, _LEAD[(axis, side)]], tr.box[last, _LEAD[(axis, -side)]]
    tol = max(p.edge_tol_px, p.edge_tol * float(np.sqrt(ext[0] * ext[1])))
    if speed <= tol / p.frames or np.ptp(lead) > tol:
        return None
    advancing = np.diff(trail) * side >= p.advance * speed
    extent = tr.box[last[-1], axis + 2] - tr.box[last[-1], axis]
    if not advancing.all() or extent > p.shrunk * ext[axis]:
        return None
    return Cut(axis, float(np.median(lead)), side, int(last[-1]))


def emerging(tr: Track, first: int, cut: Cut, p: CutParams = DEFAULT_CUT) -> bool:
    """Whether ``tr``, first seen at ``first``, grows out of an edge on the hidden side of
    ``cut`` (parallel to it): over its first sightings the side facing back stays on one line at
    or beyond the cut while the other advances the way the cut object was going."""
    seen = np.arange(first, first + p.frames)
    if seen[-1] >= tr.num_frames or not tr.visible[seen].all() or not np.isfinite(tr.box[seen]).all():
        return False
    back = tr.box[seen, _LEAD[(cut.axis, -cut.side)]]
    front = tr.box[seen, _LEAD[(cut.axis, cut.side)]]
    size = float(np.sqrt(max(tr.typical_area(), 1.0)))
    tol = max(p.edge_tol_px, p.edge_tol * size)
    beyond = (float(np.median(back)) - cut.at) * cut.side >= -tol
    return bool(beyond and np.ptp(back) <= tol and (np.diff(front) * cut.side > 0).all())
