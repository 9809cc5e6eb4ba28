"""Causal faults: a contact whose effect is missing, comes too early, or undoes itself.

They need a causal event (``scene.events``) whose contact happens inside the clip; the label's
object is the event's object (the one that should change).
"""

from __future__ import annotations

import numpy as np

from model.world.faults.base import Fault, register
from model.world.motion import CausalRecord, Path, flight
from model.world.timeline import Timeline, Track, apply_effect
from prompts.palette import PALETTE


def _events(tl: Timeline) -> dict[str, tuple[CausalRecord, int]]:
    """Object id -> its first causal event with a contact in the clip, and the contact frame."""
    out: dict[str, tuple[CausalRecord, int]] = {}
    for rec in tl.causal:
        key = f"{rec.subject}>{rec.object}"
        if key in tl.contacts and rec.object not in out:
            out[rec.object] = (rec, tl.contacts[key])
    return out


def _in_view(tl: Timeline, tr: Track, i: int) -> bool:
    """The track's centre is inside the frame at frame ``i`` (its state can be seen)."""
    b = tl.box(tr)[i]
    return bool(tr.visible[i] and 0.0 < (b[0] + b[2]) / 2 < 1.0 and 0.0 < (b[1] + b[3]) / 2 < 1.0)


def undo(tl: Timeline, tr: Track, rec: CausalRecord, k: int, frames: slice) -> None:
    """Show ``tr`` over ``frames`` as it was before ``rec``'s effect (which began at frame ``k``)."""
    if rec.change == "color":
        before = tr.color[k - 1] if k > 0 else next(o.color for o in tl.scene.objects if o.id == tr.id)
        tr.rgb[frames] = PALETTE[before]
        tr.color[frames] = [before] * len(tr.color[frames])
    elif rec.change == "bite":
        tr.bite[frames] = False
    elif rec.change == "crack":
        tr.crack[frames] = False
    elif rec.change == "fall" and rec.still is not None:
        xy = rec.still.position(tl.t[frames])
        tr.x[frames], tr.y[frames] = xy[:, 0], xy[:, 1]


@register
class NoEffect(Fault):
    name = "no_effect"
    description = "the cause happens, the effect does not: the object stays as it was"
    severity_means = "none: the effect is missing or not (severity is recorded only)"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        T = tl.num_frames
        return {
            obj: [k] if 1 <= k <= T - tl.frames(0.375) and _in_view(tl, tl.track(obj), k) else []
            for obj, (_, k) in _events(tl).items()
        }

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        rec, k = _events(tl)[obj]
        undo(tl, tl.track(obj), rec, k, slice(k, tl.num_frames))


@register
class EarlyEffect(Fault):
    name = "early_effect"
    description = "the effect shows before its cause: the object changes before it is touched"
    severity_means = "lead time: the effect starts 0.375 x severity s (at least 1 frame; round(3 x severity) frames at 8 fps) before the contact"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        lead = tl.frames(0.375 * severity)
        out = {}
        for obj, (_, k) in _events(tl).items():
            s = k - lead
            out[obj] = [s] if s >= 1 and _in_view(tl, tl.track(obj), s) else []
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        rec, k = _events(tl)[obj]
        tr = tl.track(obj)
        if rec.change != "fall":
            apply_effect(tr, rec, start, k)
            return
        ts = float(tl.t[start])
        p, v, a = rec.still.state(ts)
        fall = Path(flight(ts, p, v, a + np.array([0.0, tl.scene.gravity]), rec.floor))
        xy = fall.position(tl.t[start:])
        tr.x[start:], tr.y[start:] = xy[:, 0], xy[:, 1]


@register
class Revert(Fault):
    name = "revert"
    description = "the effect undoes itself: the bite heals, the crack or new colour goes, the fallen thing is back"
    severity_means = "none: the effect is undone at once (severity is recorded only)"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        T = tl.num_frames
        return {
            obj: [s for s in range(k + tl.frames(0.25), T - tl.frames(0.25)) if _in_view(tl, tl.track(obj), s)]
            for obj, (_, k) in _events(tl).items()
        }

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        rec, k = _events(tl)[obj]
        undo(tl, tl.track(obj), rec, k, slice(start, tl.num_frames))
