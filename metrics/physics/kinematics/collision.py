"""Collisions: two objects meet and exchange momentum."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from metrics.base import Event
from metrics.observe import Observation, Track
from metrics.physics.base import event
from metrics.physics.common import track_size, world_path
from metrics.physics.kinematics.uniform import check_uniform

if TYPE_CHECKING:
    from metrics.physics.kinematics.check import KinematicsCheck


def _contact_frame(cfg: KinematicsCheck, a: Track, b: Track) -> int | None:
    """Where the horizontal gap between the two boxes bottoms out (contact falls between frames),
    if it comes within reach of a touch."""
    T = a.num_frames
    gap = np.full(T, np.inf)
    for t in range(T):
        if a.visible[t] and b.visible[t] and np.isfinite(a.box[t]).all() and np.isfinite(b.box[t]).all():
            gap[t] = max(a.box[t, 0] - b.box[t, 2], b.box[t, 0] - a.box[t, 2])
    reach = cfg.contact_frac + cfg.contact_sizes * min(track_size(a), track_size(b))
    c = int(np.argmin(gap))
    return None if not np.isfinite(gap[c]) or gap[c] > reach else c


def _velocity(frames: np.ndarray, path: np.ndarray, lo: int, hi: int) -> float | None:
    """Horizontal velocity (pixels per frame) over frames ``lo..hi``, or None with under two."""
    sel = (frames >= lo) & (frames <= hi)
    if sel.sum() < 2:
        return None
    return float(np.polyfit(frames[sel].astype(float), path[sel, 0], 1)[0])


def check_collision(cfg: KinematicsCheck, events: list[Event], obs: Observation, a: Track, b: Track) -> None:
    """``collides``: contact where their gap bottoms out. Masses cannot be read from a video
    exactly (a small bowling ball outweighs a big beach ball), so momentum is checked by what
    holds for plausible masses: the velocity changes point opposite ways (each pushes the other),
    the mass ratio they imply is within ``mass_range`` times the ratio of their areas, the rebound
    creates no energy (restitution at most ``1 + momentum_tol``), and each moves uniformly
    afterwards."""
    c = _contact_frame(cfg, a, b)
    if c is None:
        first = int(np.flatnonzero(a.visible)[0])
        events.append(event("no_collision", first, obs, a, f"{a.id} and {b.id} never touch"))
        return
    fa, pa = world_path(obs, a)
    fb, pb = world_path(obs, b)
    # velocities just before and just after (later changes are the uniform check's business)
    n = cfg.velocity_time
    va0, vb0 = _velocity(fa, pa, c - n, c - 1), _velocity(fb, pb, c - n, c - 1)
    va1, vb1 = _velocity(fa, pa, c + 1, c + n), _velocity(fb, pb, c + 1, c + n)
    if va0 is None or vb0 is None or va1 is None or vb1 is None:
        return
    why = _momentum_problem(
        cfg, va1 - va0, vb1 - vb0, va0, vb0, va1, vb1, a.typical_area() / max(b.typical_area(), 1.0)
    )
    if why is not None:
        da, db = va1 - va0, vb1 - vb0
        msg = f"at the collision (frame {c}) {a.id} changes by {da:+.1f} and {b.id} by {db:+.1f} px/frame; {why}"
        events.append(event("momentum_not_conserved", c, obs, a, msg))
        return
    for tr, frames, path in ((a, fa, pa), (b, fb, pb)):
        after = frames > c
        if after.sum() >= cfg.after_time:
            check_uniform(cfg, events, obs, tr, frames[after].astype(float), path[after], axis=0)


def _momentum_problem(
    cfg: KinematicsCheck, da: float, db: float, va0: float, vb0: float, va1: float, vb1: float, looks: float
) -> str | None:
    """Why the velocity changes ``da``, ``db`` conserve momentum for no plausible masses (the
    area ratio ``looks``), or None."""
    noise = cfg.velocity_noise
    approach = vb0 - va0
    restitution = -(vb1 - va1) / approach if abs(approach) > noise else 0.0
    implied = -db / da if abs(da) > noise else np.inf  # m_a / m_b that would conserve momentum
    if abs(da) <= noise and abs(db) <= noise:
        return "neither changes its velocity: they pass through each other"
    if da * db > 0 and min(abs(da), abs(db)) > noise:
        return "both velocities change the same way: no mass ratio conserves momentum"
    if not looks / cfg.mass_range <= implied <= looks * cfg.mass_range:
        return f"conserving momentum would take a mass ratio of {implied:.2f} for a size ratio of {looks:.2f}"
    if restitution > 1.0 + cfg.momentum_tol:
        return f"they part faster than they met (restitution {restitution:.2f})"
    return None
