"""Object lifecycles: births, disappearances, re-emergences and jumps, with what explains them.

Shared by ``physics.permanence`` (which reports the incidents) and ``physics.count`` (which counts
the objects alive in each frame), so the two never disagree about what happened.

A disappearance is explained when the object left the frame, went behind an occluder in front of
it, or went under another object (the same kind: the two overlap; if they never separate, the
two became one, a ``merge``). A birth is explained at the first frame, at the frame edge, or out
of an occluder. An occluded object must re-emerge about where its motion predicts; one that never
re-emerges although its path leaves the occluder before the clip ends has vanished.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from metrics.observe import Observation, Track
from metrics.observe.explain import predicted_boxes
from metrics.physics.base import runs

JUMP_SIZES = 0.9  # a jump between consecutive frames must exceed this many object sizes...
JUMP_FACTOR = 4.0  # ...and this many times the track's usual prediction error
REEMERGE_SIZES = 1.2  # re-emergence this far (in object sizes) from the prediction is a teleport


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


def _size(tr: Track) -> float:
    return max(float(np.sqrt(max(tr.typical_area(), 1.0))), 4.0)


def _unexplained_birth(tr: Track) -> bool:
    first = int(np.flatnonzero(tr.visible)[0])
    return first > 0 and (tr.born_from is None or tr.born_from.startswith("split"))


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


def stitch(tracks: list[Track]) -> list[Track]:
    """Join a track born mid-clip to the same-group track that had disappeared before it, when
    the newcomer appears where the lost one was predicted (a missed re-acquisition after an
    occlusion or crossing) or in the very frame the other disappeared (a teleport)."""
    pool = list(tracks)
    changed = True
    while changed:
        changed = False
        for b in sorted(pool, key=lambda tr: int(np.flatnonzero(tr.visible)[0]) if tr.visible.any() else 10**6):
            if not b.visible.any():
                continue
            fb = int(np.flatnonzero(b.visible)[0])
            if fb == 0 or b.born_from == "edge":
                continue
            best, best_d = None, np.inf
            for a in pool:
                if a is b or a.group != b.group or not a.visible[:fb].any() or a.visible[fb:].any():
                    continue
                la = int(np.flatnonzero(a.visible)[-1])
                pred = predicted_boxes(a)[fb]
                if not np.isfinite(pred).all():
                    continue
                d = float(np.hypot(*((pred[:2] + pred[2:]) / 2 - b.center[fb]))) / _size(a)
                jump = la == fb - 1 and a.hidden_by[fb] is None and _unexplained_birth(b)
                if (d <= 3.0 or jump) and d < best_d:
                    best, best_d = a, d
            if best is not None:
                pool = [tr for tr in pool if tr is not b and tr is not best] + [_splice(best, b, fb)]
                changed = True
                break
    return pool


def fragments(tracks: list[Track]) -> set[str]:
    """Ids of tracks that are pieces of another object as it emerges: the arms of a star coming
    out from behind a box, or in from the frame edge, show as separate regions for a frame or
    two before the body joins them. A piece comes out of the same place within two frames of
    its host, is seen on its own for at most four frames, is smaller, and then goes under the
    host for good while the host goes on."""
    by_id = {tr.id: tr for tr in tracks}
    out: set[str] = set()
    for f in tracks:
        src = f.born_from or ""
        own = np.flatnonzero(f.visible & ~f.shared)
        if not (src.startswith("occluder") or src == "edge") or own.size == 0 or own[-1] - own[0] > 3:
            continue
        end = int(own[-1])
        after = f.hidden_by[end + 1] if end + 1 < f.num_frames else None
        if not (after or "").startswith("merged:"):
            continue
        host = by_id.get(after.split(":", 1)[1])
        if host is None or host.group != f.group or host.born_from != src:
            continue
        seen = np.flatnonzero(host.visible & ~host.shared)
        together = seen.size > 0 and abs(int(seen[0]) - int(own[0])) <= 2 and seen[-1] > end + 1
        if together and f.typical_area() < host.typical_area():
            out.add(f.id)
    return out


def _merge_onset(tr: Track, other: Track | None, a: int) -> int:
    """When two objects that became one (``tr`` went under ``other`` at frame ``a``) began to slide
    together: the first of the five frames before ``a`` where either left the straight course it
    kept before, by more than a quarter size, or went under the other. (Identities can swap
    while the two are one blob, so each is judged against its own earlier course.)"""
    if other is None or a < 4:
        return a
    lo = max(a - 5, 1)
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
                and float(np.hypot(*(x.center[t] - (fit[0] * t + fit[1])))) > 0.25 * _size(x)
            )
            if hidden or off:
                onset = min(onset, t)
                break
    return onset


def _jumps(tr: Track) -> list[int]:
    """Frames where a clean track jumps far beyond what its motion predicts."""
    ok = tr.visible & ~tr.shared & ~tr.partial & np.isfinite(tr.center).all(1)
    out = []
    errs = []
    for t in range(2, tr.num_frames):
        if ok[t] and ok[t - 1] and ok[t - 2]:
            pred = 2 * tr.center[t - 1] - tr.center[t - 2]
            errs.append(float(np.hypot(*(tr.center[t] - pred))))
    typical = float(np.median(errs)) if errs else 0.0
    size = _size(tr)
    seen = tr.visible & ~tr.shared & np.isfinite(tr.box).all(1)
    steps = [
        float(np.hypot(*(tr.center[t] - tr.center[t - 1]))) for t in range(1, tr.num_frames) if ok[t] and ok[t - 1]
    ]
    speed = float(np.median(steps)) if steps else 0.0
    for t in range(1, tr.num_frames):
        if seen[t] and seen[t - 1] and not (ok[t] and ok[t - 1]):
            # a partly hidden frame: its centre is biased, so compare how far apart the boxes are
            a, b = tr.box[t - 1], tr.box[t]
            gap = max(a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3], 0.0)
            if gap > max(JUMP_SIZES * size, 1.5 * speed):
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
        carries_on = nxt is not None and float(np.hypot(*(nxt - move))) <= JUMP_SIZES * size
        big = float(np.hypot(*move)) > JUMP_SIZES * size and err > JUMP_SIZES * size
        if big and err > JUMP_FACTOR * typical + 2.0 and not carries_on:
            out.append(t)
    return out


def analyse(obs: Observation, groups: list[str]) -> Lifecycle:
    """Incidents and per-frame presence of every track of ``groups``."""
    T = obs.num_frames
    life = Lifecycle()
    tracks = stitch([tr for tr in obs.tracks if tr.group in groups])
    pieces = fragments(tracks)
    tracks = [tr for tr in tracks if tr.id not in pieces]
    life.tracks = tracks
    by_id = {tr.id: tr for tr in tracks}
    for tr in tracks:
        alive = np.zeros(T, bool)
        seen = np.flatnonzero(tr.visible)
        if seen.size == 0:
            life.alive[tr.id] = alive
            continue
        first = int(seen[0])
        size = _size(tr)
        if _unexplained_birth(tr):
            if tr.born_from and tr.born_from.startswith("split"):
                parent = next((o for o in tracks if o.id == tr.born_from.split(":", 1)[1]), None)
                before = parent.area[:first][parent.full()[:first]] if parent is not None else np.array([])
                whole = float(np.median(before)) if before.size else 0.0
                if whole and tr.typical_area() >= 0.75 * whole:
                    kind, why = "duplicate", f"a full-size copy of {parent.id} slides out of it"
                else:
                    kind, why = "split", f"breaks off {tr.born_from.split(':', 1)[1]}"
            else:
                kind, why = "spawn", "appears from nothing (not at the frame edge, not from behind anything)"
            life.incidents.append(Incident(kind, first, tr, f"{tr.id} {why} at frame {first}"))
            alive[first:] = True
        else:
            alive[:] = True
        pred = predicted_boxes(tr)
        for a, b in runs(~tr.visible[first:]):
            a, b = a + first, b + first
            reasons = tr.hidden_by[a : b + 1]
            ends = b == T - 1
            if reasons[0] is None:
                back = "" if ends else f", back at frame {b + 1}"
                life.incidents.append(Incident("vanish", a, tr, f"{tr.id} disappears in open view at frame {a}{back}"))
                alive[a : b + 1] = False
                continue
            bad = [a + k for k, r in enumerate(reasons) if r is None]
            if bad and reasons[0].startswith("merged"):  # went under one of its kind, never came apart
                other = reasons[0].split(":", 1)[1]
                f = _merge_onset(tr, by_id.get(other), a)
                life.incidents.append(Incident("merge", f, tr, f"{tr.id} and {other} slide into one from frame {f}"))
                alive[a:] = False
                continue
            if bad:  # hidden at first, then its path leaves what hid it but it does not come out
                k = bad[0]
                what = reasons[0].split(":", 1)[-1]
                life.incidents.append(
                    Incident(
                        "vanish",
                        k,
                        tr,
                        f"{tr.id} should come out from behind {what} at frame {k} but does not",
                    )
                )
                alive[k : b + 1] = False
                continue
            if ends and all(r.startswith("merged") for r in reasons):
                other = reasons[0].split(":", 1)[1]
                f = _merge_onset(tr, by_id.get(other), a)
                life.incidents.append(Incident("merge", f, tr, f"{tr.id} and {other} slide into one from frame {f}"))
                alive[a:] = False
                continue
            if not ends:
                c_pred = (pred[b + 1, :2] + pred[b + 1, 2:]) / 2 if np.isfinite(pred[b + 1]).all() else None
                if c_pred is not None and np.isfinite(tr.center[b + 1]).all():
                    d = float(np.hypot(*(tr.center[b + 1] - c_pred))) / size
                    if d > REEMERGE_SIZES + 0.15 * (b - a + 1):
                        life.incidents.append(
                            Incident(
                                "teleport",
                                b + 1,
                                tr,
                                f"{tr.id} re-emerges {d:.1f} sizes from where its motion leads",
                            )
                        )
        for t in _jumps(tr):
            life.incidents.append(Incident("teleport", t, tr, f"{tr.id} jumps at frame {t}"))
        life.alive[tr.id] = alive
    life.incidents.sort(key=lambda i: (i.frame, i.kind))
    return life
