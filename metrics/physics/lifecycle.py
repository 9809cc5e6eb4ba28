"""Object lifecycles: births, disappearances, re-emergences and jumps, with what explains them.

Shared by ``physics.permanence`` (which reports the incidents) and ``physics.count`` (which counts
the objects alive in each frame), so the two never disagree about what happened: both carry one
:class:`LifecycleParams` and a clip's analysis is computed once per parameters (:func:`lifecycle_of`).

A disappearance is explained when the object left the frame, went behind an occluder in front of
it, or went under another object (the same kind: the two overlap; if they never separate, the
two became one, a ``merge``). A birth is explained at the first frame, at the frame edge, or out
of an occluder. An occluded object must re-emerge about where its motion predicts; one that never
re-emerges although its path leaves the occluder before the clip ends has vanished.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from metrics.base import Clip, Event, param
from metrics.observe import Observation, Track
from metrics.observe.geometry import box_center, box_gap, boxes_touch, object_size, warp_box
from metrics.observe.params import TUNED, TUNED_SIDE, Params, Scale
from metrics.observe.predict import predicted_boxes
from metrics.physics.base import PhysicsCheck, runs
from prompts.schema import Expect


@dataclass(frozen=True, kw_only=True)
class LifecycleParams(Params):
    """The thresholds of the lifecycle analysis (shared by ``physics.permanence`` and ``physics.count``)."""

    jump_sizes: float = param(0.9, unit="object sizes", doc="a jump between frames exceeds this...")
    jump_factor: float = param(4.0, doc="...and this many times the track's usual prediction error...")
    jump_floor_short: float = param(2 / TUNED_SIDE, unit="short sides", doc="...plus this")
    partial_jump_speed: float = param(1.5, unit="steps", doc="a partly hidden jump also exceeds this many steps")
    reemerge_sizes: float = param(1.2, unit="object sizes", doc="re-emergence this far off its course is a teleport...")
    reemerge_growth: float = param(1.2, unit="object sizes per second", doc="...plus this for the time hidden")
    stitch_sizes: float = param(3.0, unit="object sizes", doc="a newcomer this near a lost track's prediction is it")
    predict_seconds: float = param(0.5, unit="seconds", doc="a lost track's velocity from as many sightings as frames")
    merge_lookback: float = param(0.625, unit="seconds", doc="a merge's onset is sought this long before it")
    merge_off_sizes: float = param(0.25, unit="object sizes", doc="leaving its straight course by this")
    duplicate_area: float = param(0.75, unit="object areas", doc="a piece this large is a full-size copy")
    fragment_seconds: float = param(0.5, unit="seconds", doc="a piece of an emerging object is seen alone this long")
    fragment_lag: float = param(0.25, unit="seconds", doc="...at most, and comes out within this of its host")


@dataclass
class Incident:
    kind: str  # vanish | spawn | merge | split | duplicate | teleport
    frame: int
    track: Track
    detail: str


@dataclass
class Lifecycle:
    incidents: list[Incident] = field(default_factory=list)
    alive: dict[str, np.ndarray] = field(default_factory=dict)  # track id -> (T,) counted as present
    tracks: list[Track] = field(default_factory=list)


def lifecycle_of(clip: Any, obs: Observation, groups: list[str], p: LifecycleParams) -> Lifecycle:
    """The lifecycle of ``groups`` in ``obs``, computed once per clip, observation, groups and
    parameters (cached in ``clip.cache``)."""
    key = "lifecycle:" + json.dumps([id(obs), sorted(groups), p.protocol()], sort_keys=True)
    if key not in clip.cache:
        clip.cache[key] = analyse(obs, groups, p)
    return clip.cache[key]


def _first_seen(tr: Track) -> int:
    return int(np.flatnonzero(tr.visible)[0])


def _unexplained_birth(tr: Track) -> bool:
    return _first_seen(tr) > 0 and (tr.born_from is None or tr.born_from.startswith("split"))


def _splice(a: Track, b: Track, at: int) -> Track:
    """``a`` up to ``at`` (exclusive) followed by ``b`` from ``at`` on, as one track."""
    out = Track.empty(a.id, a.group, a.num_frames)
    for name in ("visible", "box", "center", "area", "desc", "facing", "shared", "partial", "edge"):
        va, vb = getattr(a, name), getattr(b, name)
        merged = va.copy()
        merged[at:] = vb[at:]
        setattr(out, name, merged)
    out.color = a.color[:at] + b.color[at:]
    out.hidden_by = a.hidden_by[:at] + b.hidden_by[at:]
    out.born_from = a.born_from
    return out


class _Predictions:
    """Each track's :func:`predicted_boxes`, computed once per track object (a splice is a new
    object; the cache holds every track it saw, so an id is never reused while it lives)."""

    def __init__(self, sightings: int) -> None:
        self.sightings = sightings
        self._boxes: dict[int, tuple[Track, np.ndarray]] = {}

    def __call__(self, tr: Track) -> np.ndarray:
        hit = self._boxes.get(id(tr))
        if hit is None:
            hit = self._boxes[id(tr)] = (tr, predicted_boxes(tr, self.sightings))
        return hit[1]


def _lost_before(pool: list[Track], b: Track, fb: int, p: LifecycleParams, predict: _Predictions) -> Track | None:
    """The same-group track, gone before frame ``fb`` where ``b`` is first seen, that ``b``
    continues: it appears where the lost one was predicted, or in the very frame the other
    disappeared (a teleport); the nearest such."""
    best, best_d = None, np.inf
    for a in pool:
        if a is b or a.group != b.group or not a.visible[:fb].any() or a.visible[fb:].any():
            continue
        la = int(np.flatnonzero(a.visible)[-1])
        pred = predict(a)[fb]
        if not np.isfinite(pred).all():
            continue
        d = float(np.hypot(*(box_center(pred) - b.center[fb]))) / object_size(a.typical_area())
        jump = la == fb - 1 and a.hidden_by[fb] is None and _unexplained_birth(b)
        if (d <= p.stitch_sizes or jump) and d < best_d:
            best, best_d = a, d
    return best


def stitch(tracks: list[Track], p: LifecycleParams, sc: Scale = TUNED) -> list[Track]:
    """Join a track born mid-clip to the same-group track that had disappeared before it, when
    the newcomer appears where the lost one was predicted (a missed re-acquisition after an
    occlusion or crossing) or in the very frame the other disappeared (a teleport).

    One pass in order of first sighting: a joined track is seen from the lost one's first frame
    to the newcomer's, so it can continue no newcomer already passed, and a track removed from
    the pool cannot make one match; each track's prediction is computed once.
    """
    pool = list(tracks)
    predict = _Predictions(sc.frames(p.predict_seconds))
    order = sorted((tr for tr in pool if tr.visible.any()), key=_first_seen)
    for b in order:
        fb = _first_seen(b)
        if fb == 0 or b.born_from == "edge" or not any(tr is b for tr in pool):
            continue
        best = _lost_before(pool, b, fb, p, predict)
        if best is not None:
            pool = [tr for tr in pool if tr is not b and tr is not best] + [_splice(best, b, fb)]
    return pool


def fragments(tracks: list[Track], p: LifecycleParams, sc: Scale = TUNED) -> set[str]:
    """Ids of tracks that are pieces of another object as it emerges: the arms of a star coming
    out from behind a box, or in from the frame edge, show as separate regions for a frame or
    two before the body joins them. A piece comes out of the same place within ``fragment_lag``
    of its host, is seen on its own for at most ``fragment_seconds``, is smaller, and then
    goes under the host for good while the host goes on."""
    by_id = {tr.id: tr for tr in tracks}
    out: set[str] = set()
    for f in tracks:
        src = f.born_from or ""
        own = np.flatnonzero(f.visible & ~f.shared)
        if not (src.startswith("occluder") or src == "edge") or own.size == 0:
            continue
        if own[-1] - own[0] > sc.frames(p.fragment_seconds) - 1:
            continue
        end = int(own[-1])
        after = f.hidden_by[end + 1] if end + 1 < f.num_frames else None
        if not (after or "").startswith("merged:"):
            continue
        host = by_id.get(after.split(":", 1)[1])
        if host is None or host.group != f.group or host.born_from != src:
            continue
        seen = np.flatnonzero(host.visible & ~host.shared)
        together = seen.size > 0 and abs(int(seen[0]) - int(own[0])) <= sc.frames(p.fragment_lag) and seen[-1] > end + 1
        if together and f.typical_area() < host.typical_area():
            out.add(f.id)
    return out


def _merge_onset(tr: Track, other: Track | None, a: int, p: LifecycleParams, sc: Scale) -> int:
    """When two objects that became one (``tr`` went under ``other`` at frame ``a``) began to slide
    together: the first of the ``merge_lookback`` frames before ``a`` where either left the
    straight course it kept before, by more than ``merge_off_sizes``, or went under the other.
    (Identities can swap while the two are one blob, so each is judged against its own earlier
    course.)"""
    lookback = sc.frames(p.merge_lookback)
    if other is None or a < lookback - 1:
        return a
    lo = max(a - lookback, 1)
    onset = a
    for x in (tr, other):
        early = np.array([t for t in range(lo) if x.visible[t] and not x.shared[t] and np.isfinite(x.center[t]).all()])
        if early.size < 2:
            continue
        fit = np.polyfit(early.astype(float), x.center[early], 1)
        for t in range(lo, a + 1):
            hidden = not x.visible[t] or x.shared[t] or (x.hidden_by[t] or "").startswith("merged")
            off = (
                not hidden
                and np.isfinite(x.center[t]).all()
                and float(np.hypot(*(x.center[t] - (fit[0] * t + fit[1]))))
                > p.merge_off_sizes * object_size(x.typical_area())
            )
            if hidden or off:
                onset = min(onset, t)
                break
    return onset


def _across_occluder(obs: Observation, tr: Track, t: int) -> bool:
    """Whether ``tr`` is cut by an occluder (partial, not at the edge) both at ``t - 1`` and ``t``
    with an occluder region between its two visible parts: it passed behind a wall narrower than
    itself (at a high frame rate it is never wholly hidden), it did not jump."""
    if not all(tr.partial[k] and not tr.edge[k] for k in (t - 1, t)) or not obs.occluders:
        return False
    maps = obs.camera.to_first()
    a, b = warp_box(tr.box[t - 1], maps[t - 1]), warp_box(tr.box[t], maps[t])
    xs, ys = sorted((min(a[2], b[2]), max(a[0], b[0]))), sorted((min(a[3], b[3]), max(a[1], b[1])))
    between = np.array([xs[0], ys[0], xs[1], ys[1]])
    return any(boxes_touch(between, np.asarray(r.box, float)) for r in obs.occluders)


def _jumps(tr: Track, p: LifecycleParams, sc: Scale, across: Any = None) -> list[int]:
    """Frames where a clean track jumps far beyond what its motion predicts (``across(t)``: the
    step from ``t - 1`` to ``t`` went behind an occluder, which is no jump)."""
    ok = tr.visible & ~tr.shared & ~tr.partial & np.isfinite(tr.center).all(1)
    errs = []
    for t in range(2, tr.num_frames):
        if ok[t] and ok[t - 1] and ok[t - 2]:
            pred = 2 * tr.center[t - 1] - tr.center[t - 2]
            errs.append(float(np.hypot(*(tr.center[t] - pred))))
    typical = float(np.median(errs)) if errs else 0.0
    size = object_size(tr.typical_area())
    seen = tr.visible & ~tr.shared & np.isfinite(tr.box).all(1)
    steps = [
        float(np.hypot(*(tr.center[t] - tr.center[t - 1]))) for t in range(1, tr.num_frames) if ok[t] and ok[t - 1]
    ]
    speed = float(np.median(steps)) if steps else 0.0
    far = p.jump_sizes * size
    out = []
    for t in range(1, tr.num_frames):
        if seen[t] and seen[t - 1] and not (ok[t] and ok[t - 1]):
            # a partly hidden frame: its centre is biased, so compare how far apart the boxes are
            gap = max(box_gap(tr.box[t - 1], tr.box[t]), 0.0)
            if gap > max(far, p.partial_jump_speed * speed) and not (across and across(t)):
                out.append(t)
            continue
        if not (ok[t] and ok[t - 1]):
            continue
        move = tr.center[t] - tr.center[t - 1]
        prev = tr.center[t - 1] - tr.center[t - 2] if t >= 2 and ok[t - 2] else np.zeros(2)
        err = float(np.hypot(*(move - prev)))
        # a jump is a one-off displacement: the next step is unlike it again; an abrupt change of
        # velocity (a bounce, a collision) carries on at the new velocity instead
        nxt = tr.center[t + 1] - tr.center[t] if t + 1 < tr.num_frames and ok[t + 1] else None
        carries_on = nxt is not None and float(np.hypot(*(nxt - move))) <= far
        big = float(np.hypot(*move)) > far and err > far
        if big and err > p.jump_factor * typical + sc.px(p.jump_floor_short) and not carries_on:
            out.append(t)
    return out


def _birth(life: Lifecycle, tr: Track, tracks: list[Track], first: int, p: LifecycleParams) -> None:
    """An appearance from nothing: a ``spawn``, or out of one of its kind a ``split`` (a piece)
    or a ``duplicate`` (a full-size copy)."""
    if tr.born_from and tr.born_from.startswith("split"):
        parent = next((o for o in tracks if o.id == tr.born_from.split(":", 1)[1]), None)
        before = parent.area[:first][parent.full()[:first]] if parent is not None else np.array([])
        whole = float(np.median(before)) if before.size else 0.0
        if whole and tr.typical_area() >= p.duplicate_area * whole:
            kind, why = "duplicate", f"a full-size copy of {parent.id} slides out of it"
        else:
            kind, why = "split", f"breaks off {tr.born_from.split(':', 1)[1]}"
    else:
        kind, why = "spawn", "appears from nothing (not at the frame edge, not from behind anything)"
    life.incidents.append(Incident(kind, first, tr, f"{tr.id} {why} at frame {first}"))


def _merged(
    life: Lifecycle, tr: Track, by_id: dict[str, Track], a: int, reason: str, p: LifecycleParams, sc: Scale
) -> None:
    other = reason.split(":", 1)[1]
    f = _merge_onset(tr, by_id.get(other), a, p, sc)
    life.incidents.append(Incident("merge", f, tr, f"{tr.id} and {other} slide into one from frame {f}"))


def _gap(
    life: Lifecycle,
    tr: Track,
    by_id: dict[str, Track],
    gap: tuple[int, int],
    pred: np.ndarray,
    alive: np.ndarray,
    p: LifecycleParams,
    sc: Scale,
) -> None:
    """Judge one run ``a..b`` of frames where ``tr`` is unseen (updating ``alive``)."""
    a, b = gap
    T = tr.num_frames
    reasons = tr.hidden_by[a : b + 1]
    ends = b == T - 1
    if reasons[0] is None:
        back = "" if ends else f", back at frame {b + 1}"
        life.incidents.append(Incident("vanish", a, tr, f"{tr.id} disappears in open view at frame {a}{back}"))
        alive[a : b + 1] = False
        return
    bad = [a + k for k, r in enumerate(reasons) if r is None]
    if (bad and reasons[0].startswith("merged")) or (ends and all(r.startswith("merged") for r in reasons)):
        _merged(life, tr, by_id, a, reasons[0], p, sc)  # went under one of its kind, never came apart
        alive[a:] = False
        return
    if bad:  # hidden at first, then its path leaves what hid it but it does not come out
        k, what = bad[0], reasons[0].split(":", 1)[-1]
        life.incidents.append(
            Incident("vanish", k, tr, f"{tr.id} should come out from behind {what} at frame {k} but does not")
        )
        alive[k : b + 1] = False
        return
    if ends or not np.isfinite(pred[b + 1]).all() or not np.isfinite(tr.center[b + 1]).all():
        return
    d = float(np.hypot(*(tr.center[b + 1] - box_center(pred[b + 1])))) / object_size(tr.typical_area())
    if d > p.reemerge_sizes + sc.per_step(p.reemerge_growth) * (b - a + 1):
        msg = f"{tr.id} re-emerges {d:.1f} sizes from where its motion leads"
        life.incidents.append(Incident("teleport", b + 1, tr, msg))


def analyse(obs: Observation, groups: list[str], p: LifecycleParams | None = None) -> Lifecycle:
    """Incidents and per-frame presence of every track of ``groups``."""
    p = p or LifecycleParams()
    sc = Scale(obs.size, obs.fps)  # durations in frames of this clip, lengths in its pixels
    life = Lifecycle()
    tracks = stitch([tr for tr in obs.tracks if tr.group in groups], p, sc)
    pieces = fragments(tracks, p, sc)
    tracks = [tr for tr in tracks if tr.id not in pieces]
    life.tracks = tracks
    by_id = {tr.id: tr for tr in tracks}
    for tr in tracks:
        alive = np.zeros(obs.num_frames, bool)
        life.alive[tr.id] = alive
        if not tr.visible.any():
            continue
        first = _first_seen(tr)
        if _unexplained_birth(tr):
            _birth(life, tr, tracks, first, p)
            alive[first:] = True
        else:
            alive[:] = True
        pred = predicted_boxes(tr, sc.frames(p.predict_seconds))
        for a, b in runs(~tr.visible[first:]):
            _gap(life, tr, by_id, (a + first, b + first), pred, alive, p, sc)
        for t in _jumps(tr, p, sc, lambda t, tr=tr: _across_occluder(obs, tr, t)):
            life.incidents.append(Incident("teleport", t, tr, f"{tr.id} jumps at frame {t}"))
    life.incidents.sort(key=lambda i: (i.frame, i.kind))
    return life


@dataclass(kw_only=True)
class LifecycleCheck(PhysicsCheck):
    """A check that judges the lifecycle of the expected objects it can observe; the analysis
    is shared with every other such check of a clip that has the same ``lifecycle`` parameters."""

    applies_to: ClassVar[tuple[str, ...]] = ("objects",)

    lifecycle: LifecycleParams = param(LifecycleParams(), doc="the lifecycle analysis' thresholds")

    @abstractmethod
    def assess(self, expect: Expect, obs: Observation, life: Lifecycle) -> tuple[list[Event], float]:
        """Events and value from the lifecycle of the observable expected objects."""

    def _groups(self, expect: Expect, obs: Observation) -> list[str]:
        return [o.id for o in expect.objects if obs.observed(o.id)]

    def judge(self, clip: Clip, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        groups = self._groups(expect, obs)
        return self.assess(expect, obs, lifecycle_of(clip, obs, groups, self.lifecycle)) if groups else None

    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        groups = self._groups(expect, obs)
        return self.assess(expect, obs, analyse(obs, groups, self.lifecycle)) if groups else None
