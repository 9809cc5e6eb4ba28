"""Fault operators: labelled edits of a timeline.

A fault is an operator on the scene's timeline, never a pixel hack. Each operator says where the
scene allows it (:meth:`Fault.candidates`: object id -> the frames where it may start) and edits
the timeline there (:meth:`Fault.apply`). :func:`inject` picks a candidate (or the one asked for),
applies it and labels it with the frames that really changed, so ``start_frame`` is the first frame
where the fault is visible and ``end_frame`` the last (inclusive). Operators draw randomness only
from the ``rng`` they are given, and a frame's pixels depend only on its own state, so clean and
faulty renders of a prompt and seed are identical outside the label's window (minimal pairs).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

from model.world.timeline import SCENE_SECONDS, TUNED_FPS, Timeline, Track
from t2vbase.registry import Registry

CAMERA = "camera"  # the label object of camera faults
MARGIN = 0.03  # open view: this far (frame units) from the edge and from other tracks' boxes
MIN_SPEED = 0.012 * TUNED_FPS  # a track moves when its centre travels this fast (shorter sides per second)


@dataclass(frozen=True)
class FaultLabel:
    """What was injected where: frames ``start_frame..end_frame`` inclusive. ``partner`` is the
    second object of two-object faults (``merge``, ``mirror``)."""

    type: str
    object: str
    start_frame: int
    end_frame: int
    severity: float
    partner: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.partner is None:
            del out["partner"]
        return out


class Fault:
    """A fault operator. Subclasses set ``name`` and ``description`` and implement both methods."""

    name: ClassVar[str]
    description: ClassVar[str]
    severity_means: ClassVar[str]

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        """Object id -> the frames where this fault may start (empty: the scene does not allow it)."""
        raise NotImplementedError

    def apply(
        self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator
    ) -> tuple[str, str | None] | None:
        """Edit ``tl`` in place so the fault shows from frame ``start``. Returns the label's
        ``(object, partner)`` when they are not ``(obj, None)``."""
        raise NotImplementedError


#: Fault operators by name.
FAULTS: Registry[Fault] = Registry("fault")


def register(cls: type[Fault]) -> type[Fault]:
    """Class decorator: register one instance of a :class:`Fault` subclass under its name."""
    FAULTS.add(cls.name, cls(), description=cls.description, severity=cls.severity_means)
    return cls


# ---------------------------------------------------------------------------------------------
# where things are on screen


def to_short(tl: Timeline, dxy: np.ndarray) -> np.ndarray:
    """Screen offsets ``(..., 2)`` (frame widths, heights) in shorter-side units."""
    return dxy * np.array([max(1.0, tl.aspect), max(1.0, 1.0 / tl.aspect)])


def from_short(tl: Timeline, dxy: np.ndarray) -> np.ndarray:
    """Offsets ``(..., 2)`` in shorter-side units as world offsets at ``zoom`` 1."""
    return dxy / np.array([max(1.0, tl.aspect), max(1.0, 1.0 / tl.aspect)])


def in_frame(box: np.ndarray, margin: float = MARGIN) -> np.ndarray:
    """``(..., T)``: boxes ``(..., T, 4)`` lie inside the frame with ``margin`` to spare."""
    return (box[..., 0] >= margin) & (box[..., 1] >= margin) & (box[..., 2] <= 1 - margin) & (box[..., 3] <= 1 - margin)


def free(tl: Timeline, bx: np.ndarray, box: np.ndarray, skip: set[int], margin: float = MARGIN) -> np.ndarray:
    """``(..., T)``: boxes ``(..., T, 4)``, grown by ``margin``, overlap no visible track but those
    in ``skip`` (track boxes ``bx`` ``(n, T, 4)``)."""
    ok = np.ones(box.shape[:-1], bool)
    for j, tr in enumerate(tl.tracks):
        if j in skip:
            continue
        o = bx[j]
        hit = (box[..., 0] - margin < o[:, 2]) & (o[:, 0] < box[..., 2] + margin)
        hit &= (box[..., 1] - margin < o[:, 3]) & (o[:, 1] < box[..., 3] + margin)
        ok &= ~(hit & tr.visible & (tr.opacity > 0))
    return ok


def open_spot(tl: Timeline, bx: np.ndarray, box: np.ndarray, skip: set[int], margin: float = MARGIN) -> np.ndarray:
    """``(..., T)``: boxes ``(..., T, 4)`` are inside the frame and clear of the tracks (but ``skip``)."""
    return in_frame(box, margin) & free(tl, bx, box, skip, margin)


def open_view(tl: Timeline, bx: np.ndarray, k: int, skip: set[int] | None = None) -> np.ndarray:
    """``(T,)`` track ``k`` is drawn whole, opaque, inside the frame and clear of every other track
    (but ``skip``): what vanishes or appears there cannot be an exit or an occlusion."""
    tr = tl.tracks[k]
    ok = tr.visible & (tr.opacity >= 1.0) & in_frame(bx[k])
    return ok & free(tl, bx, bx[k], {k} | (skip or set()))


def moving(tl: Timeline, tr: Track) -> np.ndarray:
    """``(T,)`` the track's centre moved at least ``MIN_SPEED`` since the previous frame."""
    d = np.zeros(tl.num_frames)
    d[1:] = np.hypot(*to_short(tl, np.diff(np.stack([tr.x, tr.y], axis=1), axis=0)).T)
    return d >= MIN_SPEED / tl.fps


def start_range(tl: Timeline) -> range:
    """Frames where faults may start: from a fifth to 70% of the scene's script (of the clip, when
    it is shorter), so a fault comes at the same second of a scene at every format."""
    if tl.num_frames < 6:
        return range(0)
    per = tl.fps * SCENE_SECONDS  # frames per unit of scene time
    span = min(1.0, float(tl.t[-1])) * per
    return range(max(1, round(0.2 * span)), int(np.floor(0.7 * span)) + 1)


def settled(tl: Timeline, tid: str) -> int:
    """First frame after every causal contact and declared collision involving ``tid`` (faults on
    an object start after its interactions, so a fault never fakes or hides a cause)."""
    last = -1
    for key, frame in [*tl.contacts.items(), *tl.collisions.items()]:
        if tid in key.split(">"):
            last = max(last, frame)
    return last + 1


def objects(tl: Timeline) -> list[tuple[int, Track]]:
    """``(index, track)`` of the tracks that are objects (not occluders)."""
    return [(k, tr) for k, tr in enumerate(tl.tracks) if tr.kind == "object"]


def index_of(tl: Timeline, tid: str) -> int:
    """Position of track ``tid`` in ``tl.tracks``."""
    return next(j for j, tr in enumerate(tl.tracks) if tr.id == tid)


def insert_after(tl: Timeline, tid: str, new: Track) -> None:
    """Insert ``new`` right after track ``tid`` (same depth: drawn just over it)."""
    tl.tracks.insert(index_of(tl, tid) + 1, new)


# ---------------------------------------------------------------------------------------------
# injecting


def changed_frames(before: Timeline, after: Timeline) -> np.ndarray:
    """``(T,)`` frames whose picture differs between timelines: the camera moved differently, or
    a track's drawn state differs where it is on screen in either."""
    diff = (before.cx != after.cx) | (before.cy != after.cy) | (before.zoom != after.zoom)
    old = {tr.id: tr for tr in before.tracks}
    for tr in after.tracks:
        seen = _on_screen(after, tr)
        if tr.id in old:
            diff |= tr.changed(old[tr.id]) & (seen | _on_screen(before, old[tr.id]))
        else:
            diff |= tr.visible & seen
    return diff


def _on_screen(tl: Timeline, tr: Track) -> np.ndarray:
    """``(T,)`` the track's box overlaps the frame."""
    b = tl.box(tr)
    return (b[:, 0] < 1) & (b[:, 2] > 0) & (b[:, 1] < 1) & (b[:, 3] > 0)


def pick(rng: np.random.Generator, items: list[Any]) -> Any:
    return items[int(rng.integers(len(items)))]


def inject(
    tl: Timeline,
    name: str,
    severity: float,
    rng: np.random.Generator,
    target: str | None = None,
    start: int | None = None,
) -> FaultLabel | None:
    """Apply fault ``name`` to ``tl`` in place where the scene allows it and label it.

    ``target`` and ``start`` force the object and the first visible frame (None: drawn from
    ``rng``). Tracks another fault edited (``tl.faulted``) are left alone; this one's are added.
    Returns None (``tl`` unchanged) when no candidate fits.
    """
    fault = FAULTS.get(name)
    cands = {o: s for o, s in fault.candidates(tl, severity).items() if o not in tl.faulted and s}
    if target is not None:
        cands = {target: cands[target]} if target in cands else {}
    if start is not None:
        cands = {o: [start] for o, s in cands.items() if start in s}
    if not cands:
        return None
    obj = pick(rng, sorted(cands))
    first = pick(rng, sorted(cands[obj]))
    before = tl.copy()
    named = fault.apply(tl, obj, first, severity, rng) or (obj, None)
    window = np.flatnonzero(changed_frames(before, tl))
    if window.size == 0:  # nothing visible changed: leave the timeline as it was
        tl.tracks[:] = before.tracks
        tl.cx, tl.cy, tl.zoom = before.cx, before.cy, before.zoom
        return None
    added = {tr.id for tr in tl.tracks} - {tr.id for tr in before.tracks}
    tl.faulted |= {obj, *named, *added} - {None}
    return FaultLabel(name, named[0], int(window[0]), int(window[-1]), float(severity), named[1])
