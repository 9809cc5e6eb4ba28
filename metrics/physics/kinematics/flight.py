"""Flights under gravity: falls and projectiles, rises, bounces.

A path is cut into flights at abrupt floor impacts; each flight is a parabola with the same
downward acceleration (a rise: any steady acceleration), without a change of acceleration or a
clock change along the way and without a stall in mid-air; a bounce leaves each impact with no
more speed than it arrived with. The flight's horizontal motion is uniform.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from metrics.base import Event
from metrics.observe import Observation, Track
from metrics.physics.base import event, runs
from metrics.physics.common import track_size
from metrics.physics.kinematics.fits import change_point, departure, fit, time_warp
from metrics.physics.kinematics.uniform import check_uniform

if TYPE_CHECKING:
    from metrics.physics.kinematics.check import KinematicsCheck


def check_fall(
    cfg: KinematicsCheck, events: list[Event], obs: Observation, tr: Track, t: np.ndarray, p: np.ndarray
) -> None:
    """``falls`` / ``projectile``: flights with one steady downward acceleration."""
    _ballistic(cfg, events, obs, tr, t, p, bounces=False)


def check_bounce(
    cfg: KinematicsCheck, events: list[Event], obs: Observation, tr: Track, t: np.ndarray, p: np.ndarray
) -> None:
    """``bounces``: falls that reverse at the floor, leaving it no faster than they hit it."""
    _ballistic(cfg, events, obs, tr, t, p, bounces=True)


def check_rise(
    cfg: KinematicsCheck, events: list[Event], obs: Observation, tr: Track, t: np.ndarray, p: np.ndarray
) -> None:
    """``rises``: net upward motion, then any steady acceleration, no stall, no change."""
    if p[-1, 1] - p[0, 1] > -cfg.rise_sizes * track_size(tr):
        events.append(event("not_rising", int(t[0]), obs, tr, f"{tr.id} does not rise"))
    else:
        _ballistic(cfg, events, obs, tr, t, p, bounces=False, down=False)


def _ballistic(
    cfg: KinematicsCheck,
    events: list[Event],
    obs: Observation,
    tr: Track,
    t: np.ndarray,
    p: np.ndarray,
    bounces: bool,
    down: bool = True,
) -> None:
    """Flights between floor impacts, each a parabola with the same (downward) acceleration; no
    stall in mid-air; bounces lose speed; uniform horizontal motion. A bouncing object is judged
    until it settles (what follows is resting, or bounces too small to measure); a fall is not
    cut short (resting where it stopped cannot be told from a stall there)."""
    tx, px = t, p
    if bounces:
        k = settled(cfg, tr, t, p[:, 1])  # the settling impact's sample belongs to no flight
        t, p = (t[:k], p[:k]) if cfg.min_time <= k < len(t) - 1 else (t, p)
    y = p[:, 1]
    vy = np.diff(y) / np.diff(t)
    impacts = impacts_of(cfg, vy)
    if _stall(cfg, events, obs, tr, t, p):
        return
    # flights between impacts; the sampled frame nearest an impact belongs to neither (the
    # floor was hit somewhere between it and its neighbours)
    starts = [-1, *(last for _, last in impacts)]
    accels: list[tuple[float, int]] = []
    change = None
    for a0, a1 in zip(starts, [*(first for first, _ in impacts), len(t)], strict=True):
        ts, ys = t[a0 + 1 : a1], y[a0 + 1 : a1]
        if len(ts) < cfg.flight_min_time:
            continue
        if len(ts) >= cfg.flight_split_time and (change := _flight_change(cfg, obs, tr, ts, ys)) is not None:
            break
        (c2, _, _), _ = fit(ts, ys, 2)
        accels.append((2 * c2, int(ts[0])))
    # what went wrong first: a flight unlike those before it, else a change within a flight
    if down and _gravity(cfg, events, obs, tr, accels):
        return
    if change is not None:
        events.append(change)
        return
    if bounces:
        _bounce(cfg, events, obs, tr, t, vy, [first for first, _ in impacts])
    check_uniform(cfg, events, obs, tr, tx, px, axis=0, label="horizontal speed")


def settled(cfg: KinematicsCheck, tr: Track, t: np.ndarray, y: np.ndarray) -> int:
    """Index where the object has settled: from there it never again rises ``settle_sizes`` above
    its lowest point (image y grows downward), and there it has stopped going down — it landed,
    or what follows are bounces too small to measure. The last index when it never does (still
    falling at the end)."""
    near = y >= float(np.max(y)) - cfg.settle_sizes * track_size(tr)
    from_here = np.flip(np.logical_and.accumulate(np.flip(near)))  # near the floor from k on
    vy = np.diff(y) / np.diff(t)
    done = np.flatnonzero(from_here[:-1] & (vy <= cfg.rest_speed))
    return int(done[0]) if done.size else len(y) - 1


def _flight_change(cfg: KinematicsCheck, obs: Observation, tr: Track, ts: np.ndarray, ys: np.ndarray) -> Event | None:
    """A change along one flight: a clear change of acceleration or speed (``gravity_wrong`` when
    it turns upward, else ``acceleration_changes``), or a quieter one where speed (×k) and
    acceleration (×k²) jump together at one frame — the object's clock changed (``speed_change``)."""
    k, ca, cb, rms_split, rms_one = change_point(ts, ys, 2, cfg.min_piece_time)
    g1, g2 = 2 * ca[0], 2 * cb[0]
    split = float(ts[k - 1])
    v1, v2 = 2 * ca[0] * split + ca[1], 2 * cb[0] * split + cb[1]  # speeds at the split
    jump = abs(v2 - v1) > cfg.speed_change * max(abs(v1), abs(v2), 1.0)
    changed = abs(g2 - g1) > cfg.accel_change * max(abs(g1), cfg.min_accel) or jump
    warp = time_warp(v1, v2, g1, g2, cfg.speed_change, cfg.warp_accel_tol)
    clear = rms_split < cfg.split_gain * rms_one and rms_one > cfg.split_min_rms and changed
    quiet = rms_split < cfg.warp_gain * rms_one and rms_one > cfg.warp_rms and warp is not None
    if k <= 0 or not (clear or quiet):
        return None
    f = departure(ts, ys, k, ca, cfg.departure_frac, cfg.departure_noise)
    if warp is not None:  # a clock change, not gravity: the speed jumps too
        msg = (
            f"{tr.id} runs {warp:.2f}x as fast from frame {f} (speed {v1:.2f} -> {v2:.2f} "
            f"px/frame, acceleration {g1:.2f} -> {g2:.2f} px/frame²)"
        )
        return event("speed_change", f, obs, tr, msg)
    up = g2 < -cfg.min_accel < cfg.min_accel < g1
    msg = f"{tr.id}'s acceleration changes from {g1:.2f} to {g2:.2f} px/frame² at frame {f}"
    return event("gravity_wrong" if up else "acceleration_changes", f, obs, tr, msg)


def _gravity(
    cfg: KinematicsCheck, events: list[Event], obs: Observation, tr: Track, accels: list[tuple[float, int]]
) -> bool:
    """Every flight accelerates downward by at least ``min_accel``, all by about as much."""
    for g, f in accels:
        if g < cfg.min_accel:
            how = "upward" if g < -cfg.min_accel else "too weak to see"
            events.append(event("gravity_wrong", f, obs, tr, f"{tr.id} accelerates {g:+.2f} px/frame² ({how})"))
            return True
    gs = [g for g, _ in accels]
    if len(accels) >= 2 and max(gs) > cfg.gravity_spread * min(gs):
        odd = 1 + int(np.argmax(np.abs(np.log(np.asarray(gs[1:]) / gs[0]))))  # against the first flight
        msg = f"{tr.id}'s gravity differs between bounces: {min(gs):.2f}-{max(gs):.2f} px/frame²"
        events.append(event("acceleration_changes", accels[odd][1], obs, tr, msg))
        return True
    return False


def impacts_of(cfg: KinematicsCheck, vy: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` frame on the floor of each impact. An impact turns a fall into a rise
    abruptly, with far more velocity change than gravity gives (a smooth turnaround under
    upward gravity is none): down then up in one step, or over two steps when the floor was hit
    in the middle one (it moved down less, or not at all) — hit while still speeding up (under
    upward gravity a fall slows first). The change is measured against the usual one (gravity's
    per step), not against none: a late, slow bounce sampled at a low frame rate reverses by
    little more than gravity changes the speed in a step, but gravity alone speeds a fall up."""
    d = np.diff(vy)
    rest = cfg.rest_speed
    usual = float(np.median(d)) if d.size else 0.0
    hard = max(cfg.impact_dv * float(np.median(np.abs(d))), cfg.impact_dv_speed) if d.size else cfg.impact_dv_speed

    def one_step(i: int) -> bool:  # down in step i, up in step i + 1
        return vy[i] > rest and vy[i + 1] < -rest and usual - d[i] > hard

    def two_steps(i: int) -> bool:  # down in step i, the floor in step i + 1, up in step i + 2
        return (
            i + 2 < len(vy)
            and vy[i] > rest
            and vy[i] >= vy[i + 1] >= vy[i + 2] < -rest
            and not one_step(i + 1)
            and vy[i] - vy[i + 2] + 2 * usual > hard
            and (i == 0 or vy[i] >= vy[i - 1])
        )

    out: list[tuple[int, int]] = []
    for i in range(len(vy) - 1):
        if out and out[-1][1] > i:  # within the impact just found
            continue
        if one_step(i):
            out.append((i + 1, i + 1))
        elif two_steps(i):
            out.append((i + 1, i + 2))
    return out


def _stall(
    cfg: KinematicsCheck, events: list[Event], obs: Observation, tr: Track, t: np.ndarray, p: np.ndarray
) -> bool:
    """``stall_time`` or more nearly still steps in mid-flight, followed by motion again, or
    lasting to the end anywhere but at the lowest point it reached (resting where it fell is a
    landing)."""
    speed = np.hypot(*(np.diff(p, axis=0) / np.diff(t)[:, None]).T)
    moving = np.flatnonzero(speed > cfg.moving_speed)
    if moving.size == 0:
        return False
    still = speed < max(cfg.still_speed, cfg.still_share * float(np.median(speed[moving])))
    w = cfg.stall_window_time
    for s, e in runs(still):
        if e - s + 1 < cfg.stall_time or s <= moving[0]:
            continue
        resumes = e < len(still) - 1
        landed = p[s + 1, 1] >= p[: s + 2, 1].max() - cfg.landed_sizes * track_size(tr)
        # the top of a throw or a rebound is still for a moment: a stall is where the flight's
        # own parabola (fitted around it) says it should be moving
        around = np.r_[max(0, s - w) : s + 1, e + 2 : min(len(t), e + w + 2)]
        if around.size >= cfg.flight_min_time:
            coef = np.polyfit(t[around], p[around, 1], 2)
            expected = np.abs(2 * coef[0] * t[s + 1 : e + 2] + coef[1])
            if expected.max() < cfg.apex_speed:
                continue
        if resumes or not landed:
            f = int(t[s + 1])
            events.append(event("speed_change", f, obs, tr, f"{tr.id} stalls in mid-air from frame {f}"))
            return True
    return False


def _bounce(
    cfg: KinematicsCheck,
    events: list[Event],
    obs: Observation,
    tr: Track,
    t: np.ndarray,
    vy: np.ndarray,
    impacts: list[int],
) -> None:
    if not impacts:
        events.append(event("no_bounce", int(t[0]), obs, tr, f"{tr.id} never reverses at the floor"))
        return
    for i in impacts:
        v_in = float(np.max(vy[max(0, i - 2) : i]))
        v_out = float(-np.min(vy[i : i + 2]))
        if v_out > cfg.bounce_gain * v_in + cfg.bounce_gain_speed:
            msg = f"{tr.id} leaves the floor faster ({v_out:.1f}) than it hit it ({v_in:.1f})"
            events.append(event("bounce_gains_energy", int(t[i]), obs, tr, msg))
            return
