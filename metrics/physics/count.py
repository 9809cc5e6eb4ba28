"""``physics.count``: each expected object's count stays as stated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from metrics.base import Event, param
from metrics.observe import Observation
from metrics.physics.base import event, runs
from metrics.physics.lifecycle import Lifecycle, LifecycleCheck
from metrics.physics.units import SECONDS
from metrics.registry import register_metric
from prompts.schema import Expect


@register_metric
@dataclass(kw_only=True)
class CountCheck(LifecycleCheck):
    """Verdict per clip: for each observable expected object, the number of instances present in
    each frame equals its ``count``.

    An instance is present from the start (or from an unexplained appearance) until an
    unexplained disappearance; occlusion, crossing and leaving the frame keep it present.
    Events ``count_missing`` / ``count_extra`` at the first frame of each run of ``min_run`` or
    more wrong frames (or a wrong run that lasts to the end). Value: the share of right frames.
    """

    name: ClassVar[str] = "physics.count"
    version: ClassVar[str] = "2"
    description: ClassVar[str] = "each expected object's count stays as stated"

    faults: ClassVar[tuple[str, ...]] = ("vanish", "spawn", "merge", "split", "duplicate")
    gate: ClassVar[float] = 0.95

    min_run: float = param(0.25, unit=SECONDS, doc="a wrong count must last this long (or to the end)")

    def assess(self, expect: Expect, obs: Observation, life: Lifecycle) -> tuple[list[Event], float]:
        groups = [o for o in expect.objects if obs.observed(o.id)]
        T = obs.num_frames
        events: list[Event] = []
        right = np.ones(T, bool)
        for o in groups:
            tracks = [tr for tr in life.tracks if tr.group == o.id]
            n = np.zeros(T, int)
            for tr in tracks:
                n += life.alive[tr.id]
            right &= n == o.count
            for kind, wrong in (("count_missing", n < o.count), ("count_extra", n > o.count)):
                for s, e in runs(wrong):
                    if e - s + 1 < self.min_run and e < T - 1:
                        continue
                    culprit = _culprit(life, o.id, s, kind)
                    detail = f"{o.id}: expected {o.count}, {n[s]} present in frames {s}-{e}"
                    events.append(event(kind, _began(life, o.id, s, kind), obs, culprit, detail))
        return events, float(right.mean())


def _culprit(life: Lifecycle, group: str, frame: int, kind: str) -> Any:
    near = [i for i in life.incidents if i.track.group == group and abs(i.frame - frame) <= 1]
    if near:
        return near[0].track
    tracks = [tr for tr in life.tracks if tr.group == group]
    return tracks[0] if tracks else None


def _began(life: Lifecycle, group: str, frame: int, kind: str) -> int:
    """Where a count that is wrong from ``frame`` went wrong: when an instance is missing because
    it merged into another, from the merge's onset (the two began to slide into one, which takes
    a fixed time however many frames it spans), as ``physics.permanence`` dates it."""
    if kind != "count_missing" or frame == 0:
        return frame
    for i in life.incidents:
        alive = life.alive.get(i.track.id)
        mine = i.kind == "merge" and i.track.group == group and i.frame <= frame and alive is not None
        if mine and alive[frame - 1] and not alive[frame]:
            return i.frame
    return frame
