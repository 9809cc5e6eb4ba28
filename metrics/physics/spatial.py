"""``physics.spatial``: static relations (left_of, right_of, above, below) in the viewer's frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Event, param
from metrics.observe import Observation
from metrics.physics.base import PhysicsCheck, event, runs
from metrics.physics.common import group_center, group_tracks, main_track
from metrics.physics.units import SECONDS
from metrics.registry import register_metric
from prompts.schema import Expect

AXIS = {"left_of": (0, -1), "right_of": (0, 1), "above": (1, -1), "below": (1, 1)}


@register_metric
@dataclass(kw_only=True)
class SpatialCheck(PhysicsCheck):
    """Sign-aware relation test on object centres.

    In each frame where both are seen, the offset ``d = centre(subject) - centre(object)`` holds
    the relation when its component along the relation's axis has the right sign, exceeds a dead
    zone of ``dead_zone`` times the objects' mean size, and lies within ``cone_deg`` of the axis;
    it is *opposite* when the same holds for the reverse relation; otherwise *unclear*. ``start``
    and ``end`` use the first / last ``window`` frames (majority must hold); ``all`` fails on any
    run of ``min_run`` or more opposite frames, or when the relation holds in fewer than ``min_share``
    of the frames.
    Events: ``relation_swapped``, ``relation_unclear``. Value: share of frames where it holds.
    """

    name: ClassVar[str] = "physics.spatial"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "left/right/above/below hold, sign-aware, at the time the prompt names"

    applies_to: ClassVar[tuple[str, ...]] = ("relations",)
    faults: ClassVar[tuple[str, ...]] = ("mirror",)
    gate: ClassVar[float] = 0.95

    dead_zone: float = param(0.25, unit="object sizes", doc="offsets smaller than this are unclear")
    cone_deg: float = param(60.0, unit="degrees", doc="the offset must lie within this of the axis")
    window: float = param(0.375, unit=SECONDS, doc="judged for when: start / end over this long")
    min_run: float = param(0.25, unit=SECONDS, doc="the reverse holding this long is a swap (when: all)")
    min_share: float = param(0.5, doc="the relation must hold in this share of the frames (when: all)")

    def states(self, d: np.ndarray, relation: str, dz: float) -> np.ndarray:
        """Per frame: +1 holds, -1 opposite, 0 unclear (NaN offsets are unclear)."""
        axis, sign = AXIS[relation]
        along, across = d[:, axis] * sign, np.abs(d[:, 1 - axis])
        tan = np.tan(np.radians(self.cone_deg))
        out = np.zeros(len(d), int)
        ok = np.isfinite(along)
        out[ok & (along > dz) & (across <= tan * np.abs(along))] = 1
        out[ok & (along < -dz) & (across <= tan * np.abs(along))] = -1
        return out

    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        T = obs.num_frames
        events: list[Event] = []
        scores: list[float] = []
        checked = 0
        for rel in expect.relations:
            if not (obs.observed(rel.subject) and obs.observed(rel.object)):
                continue
            st, ot = group_tracks(obs, rel.subject), group_tracks(obs, rel.object)
            if not st or not ot:
                continue
            cs, seen_s, size_s = group_center(st, T)
            co, seen_o, size_o = group_center(ot, T)
            both = np.flatnonzero(seen_s & seen_o)
            if both.size == 0:
                continue
            checked += 1
            dz = self.dead_zone * (size_s + size_o) / 2
            state = self.states(cs[both] - co[both], rel.relation, dz)
            label = f"{rel.subject} {rel.relation} {rel.object}"
            culprit = main_track(st)
            if rel.when in ("start", "end"):
                pick = slice(0, self.window) if rel.when == "start" else slice(-self.window, None)
                win, frames = state[pick], both[pick]
                scores.append(float((win == 1).mean()))
                if (win == 1).sum() * 2 <= len(win):
                    kind = "relation_swapped" if (win == -1).sum() * 2 > len(win) else "relation_unclear"
                    how = "the reverse holds" if kind == "relation_swapped" else "it does not clearly hold"
                    events.append(event(kind, int(frames[0]), obs, culprit, f"{label} at the {rel.when}: {how}"))
                continue
            scores.append(float((state == 1).mean()))
            flagged = False
            for s, e in runs(state == -1):
                if e - s + 1 >= self.min_run or len(state) <= self.min_run:
                    f0, f1 = int(both[s]), int(both[e])
                    events.append(
                        event("relation_swapped", f0, obs, culprit, f"{label}: the reverse holds in frames {f0}-{f1}")
                    )
                    flagged = True
            if not flagged and (state == 1).mean() < self.min_share:
                events.append(
                    event(
                        "relation_unclear",
                        int(both[0]),
                        obs,
                        culprit,
                        f"{label} holds in only {(state == 1).mean():.0%} of frames",
                    )
                )
        if not checked:
            return None
        return events, float(np.mean(scores))
