"""``physics.permanence``: objects neither vanish nor appear without cause, merge, split,
duplicate or teleport; an occluded object re-emerges about where and when its motion predicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from metrics.base import Event
from metrics.observe import Observation
from metrics.physics.base import event
from metrics.physics.lifecycle import Lifecycle, LifecycleCheck
from metrics.registry import register_metric
from prompts.schema import Expect


@register_metric
@dataclass(kw_only=True)
class PermanenceCheck(LifecycleCheck):
    """Verdict per clip over every observable expected object.

    Events (``type``): ``vanish``, ``spawn``, ``merge``, ``split``, ``duplicate``, ``teleport``,
    at the first frame of the incident, boxed on the object. Legal: occlusion by something in
    front and re-emergence on course, leaving or entering the frame, two objects crossing.
    Value: the share of observable objects with no incident.
    """

    name: ClassVar[str] = "physics.permanence"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "no vanish, spawn, merge, split, duplicate or teleport; occluded objects re-emerge"

    faults: ClassVar[tuple[str, ...]] = ("vanish", "spawn", "merge", "split", "duplicate", "teleport")
    gate: ClassVar[float] = 0.95

    def assess(self, expect: Expect, obs: Observation, life: Lifecycle) -> tuple[list[Event], float]:
        events = [event(i.kind, i.frame, obs, i.track, i.detail) for i in life.incidents]
        bad = {i.track.id for i in life.incidents}
        n = max(len(life.tracks), 1)
        return events, 1.0 - len(bad) / n
