"""``temporal.smoothness``: how far each frame departs from interpolation between its neighbours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Clip, ClipResult, Event, param
from metrics.registry import register_metric
from metrics.temporal.flow import FlowMetric, PairFlows, spike, warp


def interpolation_errors(flows: PairFlows) -> np.ndarray:
    """``(T-2,)`` mean absolute RGB error (gray levels) of each inner frame ``t`` against its
    constant-velocity interpolation: every pixel moves by ``v`` per frame, ``v`` the mean of its
    flows to ``t+1`` and from ``t-1``, and is predicted as the mean of ``I[t-1](x - v)`` and
    ``I[t+1](x + v)``."""
    grid, rgb = flows.grid, flows.rgb
    out = np.zeros(max(rgb.shape[0] - 2, 0))
    for t in range(1, rgb.shape[0] - 1):
        v = 0.5 * (flows.fwd[t] - flows.bwd[t - 1])  # fwd[t]: t -> t+1; bwd[t-1]: t -> t-1
        guess = 0.5 * (warp(rgb[t - 1], -v, grid) + warp(rgb[t + 1], v, grid))
        out[t - 1] = float(np.abs(rgb[t] - guess).mean())
    return out


@register_metric
@dataclass(kw_only=True)
class Smoothness(FlowMetric):
    """Motion smoothness: ``exp(-e / scale)`` with ``e`` the interpolation error in gray levels;
    in (0, 1], higher is better (1: every frame lies exactly on a constant-velocity path between
    its neighbours; with ``scale`` 2 gray levels, 0.37 for an error of 2).

    For every inner frame ``t`` each pixel is given the velocity ``v`` halfway between its optical
    flow to ``t+1`` and from ``t-1`` (DIS at a 64 px working size); the frame is predicted from
    the neighbours alone, ``(I[t-1](x - v) + I[t+1](x + v)) / 2``, and ``e`` is the mean absolute
    difference to the real frame over pixels and channels, combined over frames by root mean
    square (one jump is not averaged away over a long clip). Uniform motion, pans and
    static clips are close to 1; a jump (teleport), a stall or a sudden start, stutter and
    flicker lower it. A frozen clip scores 1: read it beside ``temporal.dynamic_degree``.

    Input: ``(T, H, W, 3)`` uint8 clips. Output: one float per clip; ``detail.per_frame`` (the
    interpolation error of each inner frame, gray levels), ``detail.error`` (``e``) and an event at the least smooth frame
    when it stands out.
    """

    name: ClassVar[str] = "temporal.smoothness"
    version: ClassVar[str] = "1"
    higher_is_better: ClassVar[bool | None] = True
    description: ClassVar[str] = "exp(-error of frames against interpolation of their neighbours / scale), 1 = smooth"
    min_frames: ClassVar[int] = 3
    short_value: ClassVar[float] = 1.0

    scale: float = param(2.0, unit="gray levels", doc="interpolation error at which the value is 1/e")
    event_ratio: float = param(3.0, doc="a frame whose error exceeds this multiple of the median gets an event")

    def measure(self, flows: PairFlows, clip: Clip) -> ClipResult:
        err = interpolation_errors(flows)
        e = float(np.sqrt(np.mean(err**2)))
        detail = {"per_frame": [round(float(x), 3) for x in err], "error": round(e, 4)}
        events = []
        if (worst := spike(err, self.event_ratio)) is not None:
            events.append(
                Event("jerk", worst + 1, None, None, f"{err[worst]:.1f} gray levels off its neighbours' path")
            )
        return ClipResult(value=round(float(np.exp(-e / self.scale)), 6), events=events, detail=detail)
