"""``physics.kinematics``: gravity, bounces, uniform motion and collisions behave physically."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Event, param
from metrics.observe import Observation, Track
from metrics.physics.base import PhysicsCheck, event, runs
from metrics.physics.common import group_tracks, main_track, track_size, world_path
from metrics.registry import register_metric
from prompts.schema import Expect


def _fit(t: np.ndarray, y: np.ndarray, deg: int) -> tuple[np.ndarray, float]:
    coef = np.polyfit(t, y, deg)
    resid = y - np.polyval(coef, t)
    return coef, float(np.sqrt(np.mean(resid**2)))


def _change_point(
    t: np.ndarray, y: np.ndarray, deg: int, min_len: int = 3
) -> tuple[int, np.ndarray, np.ndarray, float, float]:
    """Best split of a trajectory into two polynomial pieces: ``(index, coef_a, coef_b, rms_split, rms_one)``."""
    _, one = _fit(t, y, deg)
    best = (-1, np.zeros(deg + 1), np.zeros(deg + 1), one, one)
    for k in range(min_len, len(t) - min_len + 1):
        ca, ra = _fit(t[:k], y[:k], deg)
        cb, rb = _fit(t[k - 1 :], y[k - 1 :], deg)
        rms = float(np.sqrt((ra**2 * k + rb**2 * (len(t) - k + 1)) / (len(t) + 1)))
        if rms < best[3]:
            best = (k, ca, cb, rms, one)
    return best


def _departure(t: np.ndarray, y: np.ndarray, k: int, early: np.ndarray) -> int:
    """The first frame where the trajectory leaves the early piece's parabola by more than its
    own fitting noise allows (the change point of a two-piece fit is blurred on short flights)."""
    fit = np.polyval(early, t)
    noise = float(np.sqrt(np.mean((y[:k] - fit[:k]) ** 2))) if k else 0.0
    off = np.abs(y - fit) > max(1.5, 3.0 * noise)
    after = np.flatnonzero(off[1:]) + 1
    return int(t[after[0] - 1]) if after.size else int(t[k - 1])


#: a flight whose two-piece fit leaves under this share of the one-piece residual, above this
#: many pixels of it, changes pace if speed and acceleration change as one clock (see _time_warp)
WARP_GAIN = 0.5
WARP_RMS = 0.15


def _time_warp(v1: float, v2: float, g1: float, g2: float, min_change: float) -> float | None:
    """The clock factor ``k`` when a flight's speed (×k) and acceleration (×k²) change together at
    a split, as when an object runs faster or slower along its own path; None otherwise."""
    if v1 * v2 <= 0 or g1 * g2 <= 0:
        return None
    k = v2 / v1
    if abs(np.log(k)) < np.log1p(min_change) or abs(np.log(g2 / g1) - 2 * np.log(k)) > np.log(1.25):
        return None
    return float(k)


@register_metric
@dataclass(kw_only=True)
class KinematicsCheck(PhysicsCheck):
    """Each ``expect.kinematics`` subject, camera motion removed, in pixels and frames.

    ``falls``/``projectile``: y is a parabola opening downward-accelerating (acceleration above
    ``min_accel`` px/frame²), horizontal motion uniform, and the acceleration does not change along
    the way (a two-piece fit must not beat one piece by ``split_gain`` with accelerations differing
    by ``accel_change``, nor the speed jump at the split by ``speed_change``), no stall in mid-air
    (a rest where it landed is fine). ``rises``: net upward motion with the same steadiness, any
    sign of acceleration. ``bounces``: flights between abrupt floor impacts, each such a parabola
    with the same acceleration, leaving each impact with no more speed than it arrived. ``uniform``: constant velocity —
    no change point in speed beyond ``speed_change``, and no run of two or more steps whose speed
    leaves the median by that much (a stop, a spurt). ``collides``: see :meth:`_collision`.
    Events: ``gravity_wrong``, ``acceleration_changes``, ``speed_change``, ``no_bounce``,
    ``bounce_gains_energy``, ``no_collision``, ``momentum_not_conserved``, ``not_rising``.
    """

    name: ClassVar[str] = "physics.kinematics"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "gravity direction and parabolic fit, speed consistency, momentum in collisions"

    applies_to: ClassVar[tuple[str, ...]] = ("kinematics",)
    faults: ClassVar[tuple[str, ...]] = ("gravity", "speed", "freeze")
    gate: ClassVar[float] = 0.90

    min_accel: float = param(0.08, unit="pixels per frame²", doc="a fall accelerates more")
    accel_change: float = param(0.5, doc="relative change of acceleration between two pieces")
    split_gain: float = param(0.6, doc="a two-piece fit must leave this share of one piece's residual")
    speed_change: float = param(0.35, doc="relative change of speed")
    momentum_tol: float = param(0.3, doc="restitution may exceed 1 by this")
    mass_range: float = param(4.0, doc="implied mass ratio within this factor of the area ratio")

    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        events: list[Event] = []
        scores: list[float] = []
        for k in expect.kinematics:
            if not obs.observed(k.subject):
                continue
            tr = main_track(group_tracks(obs, k.subject))
            if tr is None:
                continue
            frames, path = world_path(obs, tr)
            if len(frames) < 5:
                continue
            n = len(events)
            t = frames.astype(float)
            if k.motion in ("falls", "projectile", "bounces"):
                self._ballistic(events, obs, tr, t, path, bounces=k.motion == "bounces")
            elif k.motion == "rises":
                if path[-1, 1] - path[0, 1] > -0.5 * track_size(tr):
                    events.append(event("not_rising", int(frames[0]), obs, tr, f"{tr.id} does not rise"))
                else:  # any steady acceleration, no stall, no change along the way
                    self._ballistic(events, obs, tr, t, path, bounces=False, down=False)
            elif k.motion == "uniform":
                self._uniform(events, obs, tr, t, path)
            elif k.motion == "collides" and k.with_ and obs.observed(k.with_):
                other = main_track(group_tracks(obs, k.with_))
                if other is not None:
                    self._collision(events, obs, tr, other)
            scores.append(float(len(events) == n))
        if not scores:
            return None
        return events, float(np.mean(scores))

    def _ballistic(
        self,
        events: list[Event],
        obs: Observation,
        tr: Track,
        t: np.ndarray,
        p: np.ndarray,
        bounces: bool,
        down: bool = True,
    ) -> None:
        """Falls, projectiles and bounces: flights between floor impacts, each a parabola with the
        same downward acceleration; no stall in mid-air; bounces lose speed."""
        y = p[:, 1]
        vy = np.diff(y) / np.diff(t)
        impacts = self._impacts(vy)
        if self._stall(events, obs, tr, t, p, vy):
            return
        # flights between impacts; the sampled frame nearest an impact belongs to neither (the
        # floor was hit somewhere between it and its neighbours)
        starts = [-1, *(last for _, last in impacts)]
        accels: list[tuple[float, int]] = []
        for a0, a1 in zip(starts, [*(first for first, _ in impacts), len(t)], strict=True):
            ts, ys = t[a0 + 1 : a1], y[a0 + 1 : a1]
            if len(ts) < 4:
                continue
            if len(ts) >= 6:
                k, ca, cb, rms_split, rms_one = _change_point(ts, ys, 2)
                g1, g2 = 2 * ca[0], 2 * cb[0]
                split = float(ts[k - 1])
                v1, v2 = 2 * ca[0] * split + ca[1], 2 * cb[0] * split + cb[1]  # speeds at the split
                jump = abs(v2 - v1) > self.speed_change * max(abs(v1), abs(v2), 1.0)
                changed = abs(g2 - g1) > self.accel_change * max(abs(g1), self.min_accel) or jump
                warp = _time_warp(v1, v2, g1, g2, self.speed_change)
                # a clear change, or a quieter one that is a clock change: speed and acceleration
                # jump together as v and v² would (the object runs faster or slower from there)
                clear = rms_split < self.split_gain * rms_one and rms_one > 0.5 and changed
                quiet = rms_split < WARP_GAIN * rms_one and rms_one > WARP_RMS and warp is not None
                if k > 0 and (clear or quiet):
                    f = _departure(ts, ys, k, ca)
                    if warp is not None:  # a clock change, not gravity: the speed jumps too
                        kind = "speed_change"
                        msg = (
                            f"{tr.id} runs {warp:.2f}x as fast from frame {f} (speed {v1:.2f} -> {v2:.2f} "
                            f"px/frame, acceleration {g1:.2f} -> {g2:.2f} px/frame²)"
                        )
                    else:
                        up = g2 < -self.min_accel < self.min_accel < g1
                        kind = "gravity_wrong" if up else "acceleration_changes"
                        msg = f"{tr.id}'s acceleration changes from {g1:.2f} to {g2:.2f} px/frame² at frame {f}"
                    events.append(event(kind, f, obs, tr, msg))
                    return
            (c2, _, _), _ = _fit(ts, ys, 2)
            accels.append((2 * c2, int(ts[0])))
        for g, f in accels if down else []:
            if g < self.min_accel:
                how = "upward" if g < -self.min_accel else "too weak to see"
                events.append(event("gravity_wrong", f, obs, tr, f"{tr.id} accelerates {g:+.2f} px/frame² ({how})"))
                return
        if len(accels) >= 2 and down:
            gs = [g for g, _ in accels]
            if max(gs) > 1.8 * min(gs):
                odd = 1 + int(np.argmax(np.abs(np.log(np.asarray(gs[1:]) / gs[0]))))  # against the first flight
                f = accels[odd][1]
                events.append(
                    event(
                        "acceleration_changes",
                        f,
                        obs,
                        tr,
                        f"{tr.id}'s gravity differs between bounces: {min(gs):.2f}-{max(gs):.2f} px/frame²",
                    )
                )
                return
        if bounces:
            self._bounce(events, obs, tr, t, vy, [first for first, _ in impacts])
        self._uniform(events, obs, tr, t, p, axis=0, label="horizontal speed")

    @staticmethod
    def _impacts(vy: np.ndarray) -> list[tuple[int, int]]:
        """``(first, last)`` frame on the floor of each impact. An impact turns a fall into a rise
        abruptly, with far more velocity change than gravity gives (a smooth turnaround under
        upward gravity is none): down then up in one step, or down, still, up when the floor was
        sampled twice — hit while still speeding up (under upward gravity a fall slows first)."""
        dv = np.abs(np.diff(vy))
        hard = max(3.0 * float(np.median(dv)), 2.0) if dv.size else 2.0
        out = []
        for i in range(len(vy) - 1):
            if vy[i] <= 0.3:
                continue
            if vy[i + 1] < -0.3 and dv[i] > hard:
                out.append((i + 1, i + 1))
            elif (
                i + 2 < len(vy)
                and abs(vy[i + 1]) <= 0.3
                and vy[i + 2] < -0.3
                and vy[i] - vy[i + 2] > hard
                and (i == 0 or vy[i] >= vy[i - 1])
            ):
                out.append((i + 1, i + 2))
        return out

    def _stall(
        self, events: list[Event], obs: Observation, tr: Track, t: np.ndarray, p: np.ndarray, vy: np.ndarray
    ) -> bool:
        """Two or more nearly still steps in mid-flight, followed by motion again, or lasting to the
        end anywhere but at the lowest point it reached (resting where it fell is a landing)."""
        speed = np.hypot(*(np.diff(p, axis=0) / np.diff(t)[:, None]).T)
        moving = np.flatnonzero(speed > 1.0)
        if moving.size == 0:
            return False
        still = speed < max(0.25, 0.1 * float(np.median(speed[moving])))
        for s, e in runs(still):
            if e - s + 1 < 2 or s <= moving[0]:
                continue
            resumes = e < len(still) - 1
            # resting to the end at the lowest point it reached is a landing, not a stall
            landed = p[s + 1, 1] >= p[: s + 2, 1].max() - 0.3 * track_size(tr)
            # the top of a throw or a rebound is still for a moment: a stall is where the flight's
            # own parabola (fitted around it) says it should be moving
            around = np.r_[max(0, s - 4) : s + 1, e + 2 : min(len(t), e + 6)]
            if around.size >= 4:
                coef = np.polyfit(t[around], p[around, 1], 2)
                expected = np.abs(2 * coef[0] * t[s + 1 : e + 2] + coef[1])
                if expected.max() < 1.5:
                    continue
            if resumes or not landed:
                f = int(t[s + 1])
                events.append(event("speed_change", f, obs, tr, f"{tr.id} stalls in mid-air from frame {f}"))
                return True
        return False

    def _bounce(
        self, events: list[Event], obs: Observation, tr: Track, t: np.ndarray, vy: np.ndarray, impacts: list[int]
    ) -> None:
        if not impacts:
            events.append(event("no_bounce", int(t[0]), obs, tr, f"{tr.id} never reverses at the floor"))
            return
        for i in impacts:
            v_in = float(np.max(vy[max(0, i - 2) : i]))
            v_out = float(-np.min(vy[i : i + 2]))
            if v_out > 1.1 * v_in + 0.5:
                f = int(t[i])
                events.append(
                    event(
                        "bounce_gains_energy",
                        f,
                        obs,
                        tr,
                        f"{tr.id} leaves the floor faster ({v_out:.1f}) than it hit it ({v_in:.1f})",
                    )
                )
                return

    def _uniform(
        self,
        events: list[Event],
        obs: Observation,
        tr: Track,
        t: np.ndarray,
        p: np.ndarray,
        axis: int | None = None,
        label: str = "speed",
    ) -> None:
        if axis is None:
            d = p[-1] - p[0]
            axis = 0 if abs(d[0]) >= abs(d[1]) else 1
        y = p[:, axis]
        k, ca, cb, rms_split, rms_one = _change_point(t, y, 1)
        if k <= 0:
            return
        v1, v2 = ca[0], cb[0]
        big = max(abs(v1), abs(v2))
        if big < 0.5:
            return
        if rms_split < self.split_gain * rms_one and abs(v2 - v1) > self.speed_change * big and rms_one > 0.6:
            f = int(t[k - 1])
            events.append(
                event(
                    "speed_change",
                    f,
                    obs,
                    tr,
                    f"{tr.id}'s {label} changes from {v1:.2f} to {v2:.2f} px/frame at frame {f}",
                )
            )
            return
        # a temporary change (a stop, a spurt) that one change point cannot describe, on centred
        # differences (parts of an object coming and going shake its centre frame to frame)
        steps = (y[2:] - y[:-2]) / (t[2:] - t[:-2]) if len(y) >= 3 else np.diff(y) / np.diff(t)
        med = float(np.median(steps))
        if abs(med) < 1.5:
            return
        off = np.abs(steps - med) > max(self.speed_change * abs(med), 1.5)
        for s, e in runs(off):
            if e - s + 1 >= 2:
                f = int(t[s + 1]) if len(y) >= 3 else int(t[s])  # a centred step sits on its middle frame
                events.append(
                    event(
                        "speed_change",
                        f,
                        obs,
                        tr,
                        f"{tr.id}'s {label} leaves {med:.2f} px/frame in frames {f}-{int(t[e + 1])}",
                    )
                )
                return

    def _collision(self, events: list[Event], obs: Observation, a: Track, b: Track) -> None:
        """Two objects meet and exchange momentum. Contact is where their gap bottoms out (it falls
        between frames). Masses cannot be read from a video exactly (a small bowling ball
        outweighs a big beach ball), so momentum is checked by what holds for plausible masses:
        the velocity changes point opposite ways (each pushes the other), the mass ratio they
        imply is within ``mass_range`` times the ratio of their areas, the rebound creates no
        energy (restitution at most ``1 + momentum_tol``), and each moves uniformly afterwards."""
        T = a.num_frames
        gap = np.full(T, np.inf)
        for t in range(T):
            if a.visible[t] and b.visible[t] and np.isfinite(a.box[t]).all() and np.isfinite(b.box[t]).all():
                gap[t] = max(a.box[t, 0] - b.box[t, 2], b.box[t, 0] - a.box[t, 2])
        reach = 2.0 + 0.6 * min(track_size(a), track_size(b))
        c = int(np.argmin(gap))
        if not np.isfinite(gap[c]) or gap[c] > reach:
            first = int(np.flatnonzero(a.visible)[0])
            events.append(event("no_collision", first, obs, a, f"{a.id} and {b.id} never touch"))
            return
        fa, pa = world_path(obs, a)
        fb, pb = world_path(obs, b)

        def vel(frames: np.ndarray, path: np.ndarray, lo: int, hi: int) -> float | None:
            sel = (frames >= lo) & (frames <= hi)
            if sel.sum() < 2:
                return None
            return float(np.polyfit(frames[sel].astype(float), path[sel, 0], 1)[0])

        # velocities just before and just after (later changes are the uniform check's business)
        va0, vb0 = vel(fa, pa, c - 4, c - 1), vel(fb, pb, c - 4, c - 1)
        va1, vb1 = vel(fa, pa, c + 1, c + 4), vel(fb, pb, c + 1, c + 4)
        if None in (va0, vb0, va1, vb1):
            return
        da, db = va1 - va0, vb1 - vb0
        approach = vb0 - va0
        restitution = -(vb1 - va1) / approach if abs(approach) > 0.5 else 0.0
        noise = 0.5  # px/frame
        implied = -db / da if abs(da) > noise else np.inf  # m_a / m_b that would conserve momentum
        looks = a.typical_area() / max(b.typical_area(), 1.0)
        why = None
        if abs(da) <= noise and abs(db) <= noise:
            why = "neither changes its velocity: they pass through each other"
        elif da * db > 0 and min(abs(da), abs(db)) > noise:
            why = "both velocities change the same way: no mass ratio conserves momentum"
        elif not looks / self.mass_range <= implied <= looks * self.mass_range:
            why = f"conserving momentum would take a mass ratio of {implied:.2f} for a size ratio of {looks:.2f}"
        elif restitution > 1.0 + self.momentum_tol:
            why = f"they part faster than they met (restitution {restitution:.2f})"
        if why is not None:
            msg = f"at the collision (frame {c}) {a.id} changes by {da:+.1f} and {b.id} by {db:+.1f} px/frame; {why}"
            events.append(event("momentum_not_conserved", c, obs, a, msg))
            return
        for tr, frames, path in ((a, fa, pa), (b, fb, pb)):
            after = frames > c
            if after.sum() >= 5:
                self._uniform(events, obs, tr, frames[after].astype(float), path[after], axis=0)
