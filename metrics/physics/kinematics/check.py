"""The ``physics.kinematics`` check: its parameters, and which sub-check judges which motion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Event, param
from metrics.observe import Observation, Track
from metrics.physics.base import PhysicsCheck
from metrics.physics.common import main_track, object_tracks, world_path
from metrics.physics.kinematics.collision import check_collision
from metrics.physics.kinematics.flight import check_bounce, check_fall, check_rise
from metrics.physics.kinematics.uniform import check_uniform
from metrics.physics.units import ACCEL, FRAME, SECONDS, SPEED
from metrics.registry import register_metric
from prompts.schema import Expect, KinematicsExpect

#: ``expect.kinematics`` motion -> the sub-check judging one subject's path
PATH_CHECKS: dict[str, Callable[..., None]] = {
    "falls": check_fall,
    "projectile": check_fall,
    "bounces": check_bounce,
    "rises": check_rise,
    "uniform": check_uniform,
}


@register_metric
@dataclass(kw_only=True)
class KinematicsCheck(PhysicsCheck):
    """Each ``expect.kinematics`` subject, camera motion removed (thresholds per second, in
    fractions of the frame; judged in the clip's pixels and frames).

    ``falls``/``projectile``: y is a parabola opening downward-accelerating (acceleration above
    ``min_accel`` frame sizes per second²), horizontal motion uniform, and the acceleration does not change along
    the way (a two-piece fit must not beat one piece by ``split_gain`` with accelerations differing
    by ``accel_change``, nor the speed jump at the split by ``speed_change``), no stall in mid-air
    (a rest where it landed is fine). ``rises``: net upward motion with the same steadiness, any
    sign of acceleration. ``bounces``: flights between abrupt floor impacts, each such a parabola
    with the same acceleration, leaving each impact with no more speed than it arrived.
    ``uniform``: constant velocity — no change point in speed beyond ``speed_change``, and no run
    of two or more steps whose speed leaves the median by that much (a stop, a spurt).
    ``collides``: see :func:`~metrics.physics.kinematics.collision.check_collision`.
    Events: ``gravity_wrong``, ``acceleration_changes``, ``speed_change``, ``no_bounce``,
    ``bounce_gains_energy``, ``no_collision``, ``momentum_not_conserved``, ``not_rising``.
    """

    name: ClassVar[str] = "physics.kinematics"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "gravity direction and parabolic fit, speed consistency, momentum in collisions"

    applies_to: ClassVar[tuple[str, ...]] = ("kinematics",)
    faults: ClassVar[tuple[str, ...]] = ("gravity", "speed", "freeze")
    gate: ClassVar[float] = 0.90

    min_time: float = param(0.625, unit=SECONDS, doc="a path needs this long of clean frames to be judged")
    # flights: falls, projectiles, rises, bounces
    min_accel: float = param(0.04, unit=ACCEL, doc="a fall accelerates more")
    accel_change: float = param(0.5, doc="relative change of acceleration between two pieces")
    split_gain: float = param(0.6, doc="a two-piece fit must leave this share of one piece's residual")
    split_min_rms: float = param(0.00390625, unit=FRAME, doc="...above this residual of one piece")
    min_piece_time: float = param(0.375, unit=SECONDS, doc="each piece of a two-piece fit is this long")
    speed_change: float = param(0.35, doc="relative change of speed")
    warp_gain: float = param(0.5, doc="a clock change (speed ×k, acceleration ×k²) must leave this share...")
    warp_rms: float = param(0.001171875, unit=FRAME, doc="...above this residual of one piece")
    warp_accel_tol: float = param(1.25, doc="ratio by which the acceleration may miss k²")
    departure_frac: float = param(0.01171875, unit=FRAME, doc="leaving the early parabola by this dates a change...")
    departure_noise: float = param(3.0, doc="...or by this many times its fitting noise")
    flight_min_time: float = param(0.5, unit=SECONDS, doc="a flight between impacts this long is judged")
    flight_split_time: float = param(0.75, unit=SECONDS, doc="...and searched for a change when this long")
    gravity_spread: float = param(1.8, doc="flights' accelerations differ by this ratio at most")
    rise_sizes: float = param(0.5, unit="object sizes", doc="a rise goes up this far")
    settle_sizes: float = param(
        0.5, unit="object sizes", doc="never again rising this far above its lowest point, it has settled"
    )
    # impacts and bounces
    impact_dv: float = param(
        3.0,
        doc="an impact changes the vertical speed, beyond gravity's change in a step, this many times the usual change...",
    )
    impact_dv_speed: float = param(0.125, unit=SPEED, doc="...and at least this")
    rest_speed: float = param(0.01875, unit=SPEED, doc="slower vertical motion is at rest")
    bounce_gain: float = param(1.1, doc="leaving an impact faster than this times the arrival...")
    bounce_gain_speed: float = param(0.03125, unit=SPEED, doc="...plus this gains energy")
    # stalls
    moving_speed: float = param(0.0625, unit=SPEED, doc="faster is moving")
    still_speed: float = param(0.015625, unit=SPEED, doc="slower is still...")
    still_share: float = param(0.1, doc="...or slower than this share of the usual speed")
    stall_time: float = param(0.25, unit=SECONDS, doc="a stall lasts this long")
    landed_sizes: float = param(0.3, unit="object sizes", doc="resting this near its lowest point is a landing")
    stall_window_time: float = param(0.5, unit=SECONDS, doc="the flight's own parabola fitted this far around a stall")
    apex_speed: float = param(0.09375, unit=SPEED, doc="where the parabola is slower, it is an apex")
    # uniform motion
    uniform_min_speed: float = param(0.03125, unit=SPEED, doc="slower motion is not judged")
    uniform_min_rms: float = param(0.0046875, unit=FRAME, doc="a change point needs this residual of one line")
    spurt_speed: float = param(0.09375, unit=SPEED, doc="stops and spurts are judged above this speed...")
    spurt_dv: float = param(0.09375, unit=SPEED, doc="...and leave the median speed by at least this")
    spurt_time: float = param(0.25, unit=SECONDS, doc="a stop or spurt lasts this long")
    # collisions
    momentum_tol: float = param(0.3, doc="restitution may exceed 1 by this")
    mass_range: float = param(4.0, doc="implied mass ratio within this factor of the area ratio")
    contact_frac: float = param(0.015625, unit=FRAME, doc="boxes this near touch...")
    contact_sizes: float = param(0.6, unit="object sizes", doc="...plus this")
    velocity_time: float = param(0.5, unit=SECONDS, doc="velocities before and after over this long")
    velocity_noise: float = param(0.03125, unit=SPEED, doc="smaller velocity changes are noise")
    after_time: float = param(0.625, unit=SECONDS, doc="uniform motion after a collision is judged when this long")

    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        events: list[Event] = []
        scores: list[float] = []
        for k in expect.kinematics:
            if not obs.observed(k.subject):
                continue
            tr = main_track(object_tracks(expect, obs, k.subject))
            if tr is None:
                continue
            frames, path = world_path(obs, tr)
            if len(frames) < self.min_time:
                continue
            n = len(events)
            self._one(events, expect, obs, k, tr, frames.astype(float), path)
            scores.append(float(len(events) == n))
        if not scores:
            return None
        return events, float(np.mean(scores))

    def _one(
        self,
        events: list[Event],
        expect: Expect,
        obs: Observation,
        k: KinematicsExpect,
        tr: Track,
        t: np.ndarray,
        path: np.ndarray,
    ) -> None:
        """Judge one subject's path by its expected motion."""
        if k.motion in PATH_CHECKS:
            PATH_CHECKS[k.motion](self, events, obs, tr, t, path)
        elif k.motion == "collides" and k.with_ and obs.observed(k.with_):
            other = main_track(object_tracks(expect, obs, k.with_))
            if other is not None:
                check_collision(self, events, obs, tr, other)
