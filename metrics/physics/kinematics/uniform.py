"""Uniform motion: constant velocity along the main axis of travel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from metrics.base import Event
from metrics.observe import Observation, Track
from metrics.physics.base import event, runs
from metrics.physics.kinematics.fits import change_point

if TYPE_CHECKING:
    from metrics.physics.kinematics.check import KinematicsCheck


def check_uniform(
    cfg: KinematicsCheck,
    events: list[Event],
    obs: Observation,
    tr: Track,
    t: np.ndarray,
    p: np.ndarray,
    axis: int | None = None,
    label: str = "speed",
) -> None:
    """``uniform``: along ``axis`` (default: the axis it travels most), no change point in speed
    beyond ``speed_change`` and no stop or spurt of ``spurt_time`` steps."""
    if axis is None:
        d = p[-1] - p[0]
        axis = 0 if abs(d[0]) >= abs(d[1]) else 1
    y = p[:, axis]
    k, ca, cb, rms_split, rms_one = change_point(t, y, 1, cfg.min_piece_time)
    if k <= 0:
        return
    v1, v2 = ca[0], cb[0]
    big = max(abs(v1), abs(v2))
    if big < cfg.uniform_min_speed:
        return
    if rms_split < cfg.split_gain * rms_one and abs(v2 - v1) > cfg.speed_change * big and rms_one > cfg.uniform_min_rms:
        f = int(t[k - 1])
        msg = f"{tr.id}'s {label} changes from {v1:.2f} to {v2:.2f} px/frame at frame {f}"
        events.append(event("speed_change", f, obs, tr, msg))
        return
    _spurt(cfg, events, obs, tr, t, y, label)


def _spurt(
    cfg: KinematicsCheck, events: list[Event], obs: Observation, tr: Track, t: np.ndarray, y: np.ndarray, label: str
) -> None:
    """A temporary change (a stop, a spurt) that one change point cannot describe, on centred
    differences (parts of an object coming and going shake its centre frame to frame)."""
    steps = (y[2:] - y[:-2]) / (t[2:] - t[:-2]) if len(y) >= 3 else np.diff(y) / np.diff(t)
    med = float(np.median(steps))
    if abs(med) < cfg.spurt_speed:
        return
    off = np.abs(steps - med) > max(cfg.speed_change * abs(med), cfg.spurt_dv)
    for s, e in runs(off):
        if e - s + 1 >= cfg.spurt_time:
            f = int(t[s + 1]) if len(y) >= 3 else int(t[s])  # a centred step sits on its middle frame
            msg = f"{tr.id}'s {label} leaves {med:.2f} px/frame in frames {f}-{int(t[e + 1])}"
            events.append(event("speed_change", f, obs, tr, msg))
            return
