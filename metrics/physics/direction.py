"""``physics.direction``: objects move the way the prompt says, after removing camera motion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Event, param
from metrics.observe import Observation, Track
from metrics.observe.params import Scale
from metrics.physics.base import PhysicsCheck, event, runs
from metrics.physics.common import boxes_touch, object_tracks, track_size, world_path
from metrics.physics.lifecycle import LifecycleParams, fragments
from metrics.physics.units import FRAME, SECONDS
from metrics.registry import register_metric
from prompts.schema import Expect

UNIT = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}


@register_metric
@dataclass(kw_only=True)
class DirectionCheck(PhysicsCheck):
    """Net motion and reversals of each ``expect.motion`` subject, camera motion removed.

    The net displacement (median of the positions over the last ``end_time`` seconds minus that
    over the first) must point within ``cone_deg`` of the named direction and exceed
    ``min_sizes`` object sizes (and ``min_frac`` of the frame): partial credit for a wrong
    direction does not exist. Reversals: steps moving against the direction by more than
    ``noise_frac`` of the frame (or ``noise_sizes`` sizes for big objects); a run of
    ``reverse_time`` seconds after moving the right way fails (a bounce excuses turns on its
    axis; a collision only at its first contact). A piece of an object emerging from behind an
    occluder or the frame edge, seen alone for a moment before the body joins it, is not judged
    (the lifecycle's :func:`~metrics.physics.lifecycle.fragments`, with this check's own limits).
    Events: ``wrong_direction``, ``too_little_motion``, ``direction_reversed``. Value: share of
    steps that move the right way.
    """

    name: ClassVar[str] = "physics.direction"
    version: ClassVar[str] = "2"
    description: ClassVar[str] = "net motion after camera removal points the named way; no reversals"

    applies_to: ClassVar[tuple[str, ...]] = ("motion",)
    faults: ClassVar[tuple[str, ...]] = ("reverse",)
    gate: ClassVar[float] = 0.95

    min_sizes: float = param(0.5, unit="object sizes", doc="net motion needed (or min_frac)")
    min_frac: float = param(0.03, unit=FRAME, doc="net motion needed (or min_sizes)")
    cone_deg: float = param(60.0, unit="degrees", doc="net motion must lie within this of the named way")
    noise_sizes: float = param(0.05, unit="object sizes", doc="centre jitter (or noise_frac)")
    noise_frac: float = param(0.0078125, unit=FRAME, doc="centre jitter (or noise_sizes)")
    end_time: float = param(0.375, unit=SECONDS, doc="net motion between the medians over this long at each end")
    reverse_time: float = param(0.25, unit=SECONDS, doc="steps against the direction this long are a reversal")
    contact_sizes: float = param(0.25, unit="object sizes", doc="a collision's contact: boxes this near...")
    contact_frac: float = param(0.015625, unit=FRAME, doc="...plus this")
    excuse_before: float = param(0.125, unit=SECONDS, doc="a collision excuses turns from this long before contact...")
    excuse_after: float = param(0.25, unit=SECONDS, doc="...to this long after")
    fragment_seconds: float = param(0.5, unit=SECONDS, doc="an emerging piece seen alone this long at most...")
    fragment_lag: float = param(0.25, unit=SECONDS, doc="...coming out within this of its host is not judged")

    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        events: list[Event] = []
        scores: list[float] = []
        for m in expect.motion:
            if not obs.observed(m.subject):
                continue
            tracks = object_tracks(expect, obs, m.subject)
            pieces = fragments(tracks, self._pieces, Scale(obs.size, obs.fps))
            for tr in (t for t in tracks if t.id not in pieces):  # every instance moves the named way
                score = self._one(events, expect, obs, tr, m.subject, m.direction)
                if score is not None:
                    scores.append(score)
        if not scores:
            return None
        return events, float(np.mean(scores))

    @property
    def _pieces(self) -> LifecycleParams:
        return LifecycleParams(fragment_seconds=self.fragment_seconds, fragment_lag=self.fragment_lag)

    def _one(
        self, events: list[Event], expect: Expect, obs: Observation, tr: Track, subject: str, direction: str
    ) -> float | None:
        frames, path = world_path(obs, tr)
        if len(frames) < 3:
            return None
        u = np.array(UNIT[direction])
        size = track_size(tr)
        k = max(1, min(self.end_time, len(frames) // 4))
        net = np.median(path[-k:], axis=0) - np.median(path[:k], axis=0)
        along = float(net @ u)
        across = float(abs(net @ np.array([-u[1], u[0]])))
        need = max(self.min_sizes * size, self.min_frac)
        steps = np.diff(path, axis=0) @ u / np.maximum(np.diff(frames), 1)
        noise = max(self.noise_frac, self.noise_sizes * size)  # centre jitter, not object size
        # a turn back after moving the right way: report it where it happens (it also spoils the
        # net motion, which would otherwise be blamed on the whole clip); a bounce or a collision
        # excuses a turn only where it happens
        excused = self._excused(expect, obs, tr, subject, 0 if u[0] else 1)
        turn = self._reversal(steps, noise, frames, excused, self.reverse_time)
        if turn is not None:
            f = int(frames[turn + 1])
            events.append(
                event("direction_reversed", f, obs, tr, f"{tr.id} turns back against {direction} from frame {f}")
            )
        elif along < -need:
            events.append(
                event("wrong_direction", int(frames[0]), obs, tr, f"{tr.id} moves {_name(net)}, not {direction}")
            )
        elif along < need:
            msg = f"{tr.id} moves {along:.1f} px {direction}, needs {need:.1f}"
            events.append(event("too_little_motion", int(frames[0]), obs, tr, msg))
        elif across > np.tan(np.radians(self.cone_deg)) * along:
            msg = f"{tr.id} moves mostly {_name(net)}, not {direction}"
            events.append(event("wrong_direction", int(frames[0]), obs, tr, msg))
        return float((steps > noise).mean()) if len(steps) else 0.0

    @staticmethod
    def _reversal(
        steps: np.ndarray, noise: float, frames: np.ndarray, excused: set[int] | None, least: int
    ) -> int | None:
        """Index of the first of ``least`` or more steps against the direction, after at least one
        step with it, not starting at an excused frame (``None``: every turn is excused)."""
        if excused is None:
            return None
        forward = np.flatnonzero(steps > noise)
        if forward.size == 0:
            return None
        for s, e in runs(steps < -noise):
            if e - s + 1 >= least and s > forward[0] and int(frames[s + 1]) not in excused:
                return s
        return None

    def _excused(self, expect: Expect, obs: Observation, tr: Track, subject: str, axis: int) -> set[int] | None:
        """Frames where turning back is physics, not a fault: ``None`` (any time) on the vertical
        axis of an expected bounce; around the contact on the horizontal axis of an expected
        collision."""
        out: set[int] = set()
        for k in expect.kinematics:
            if subject not in (k.subject, k.with_):
                continue
            if k.motion == "bounces" and axis == 1:
                return None
            if k.motion == "collides" and axis == 0:
                other = k.with_ if subject == k.subject else k.subject
                for o in obs.group(other or ""):
                    pad = self.contact_sizes * track_size(tr) + self.contact_frac
                    touching = [
                        t
                        for t in range(tr.num_frames)
                        if tr.visible[t] and o.visible[t] and boxes_touch(tr.box[t], o.box[t], pad)
                    ]
                    if touching:  # the first contact is the collision (touching again later is not)
                        out |= set(range(touching[0] - self.excuse_before, touching[0] + self.excuse_after + 1))
        return out


def _name(v: np.ndarray) -> str:
    if abs(v[0]) >= abs(v[1]):
        return "right" if v[0] > 0 else "left"
    return "down" if v[1] > 0 else "up"
