"""``temporal.warp_error``: what optical flow cannot explain from one frame to the next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Clip, ClipResult, Event, param
from metrics.registry import register_metric
from metrics.temporal.flow import FlowMetric, PairFlows, channel_mean, occluded, spike, warp


def pair_errors(flows: PairFlows, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Per frame pair: the mean absolute RGB error of frame ``t`` warped onto ``t+1`` over the
    pixels not disoccluded (:func:`~metrics.temporal.flow.occluded`; NaN where none is left), and
    the share of such pixels."""
    grid = flows.grid
    n = flows.fwd.shape[0]
    err, kept = np.full(n, np.nan), np.zeros(n)
    for t in range(n):
        ok = ~occluded(flows, t, tolerance * flows.side)
        kept[t] = ok.mean()
        if ok.any():
            diff = channel_mean(np.abs(flows.rgb[t + 1] - warp(flows.rgb[t], flows.bwd[t], grid)))
            err[t] = float(diff[ok].mean())
    return err, kept


@register_metric
@dataclass(kw_only=True)
class WarpError(FlowMetric):
    """Occlusion-masked flow warping error, in gray levels (0 = every change is motion; lower is
    better; at most 255).

    Frame ``t`` is warped onto frame ``t+1`` along the optical flow from ``t+1`` back to ``t``
    (DIS, at a working size whose shorter side is 64 px); pixels disoccluded by motion are left out:
    those whose forward and backward flows disagree, within a band as wide as the pair's motion
    around consistent ones (an object that changes in place is not excused), or whose source
    lies outside the frame.
    A pair's error is the mean absolute difference over the kept pixels and the three channels;
    the value is the root mean square over frame pairs (so that one unexplained jump is not
    averaged away over a long clip). Smooth motion, pans and static clips give a small
    floor (interpolation, compression); flicker, sudden jumps, appearance changes and
    noise raise it. A frozen clip scores near 0: read it beside ``temporal.dynamic_degree``.

    Input: ``(T, H, W, 3)`` uint8 clips. Output: one float per clip; ``detail.per_pair`` (the
    error of each frame pair), ``detail.kept`` (mean share of pixels not occluded) and an event
    at the worst pair when it stands out.
    """

    name: ClassVar[str] = "temporal.warp_error"
    version: ClassVar[str] = "1"
    higher_is_better: ClassVar[bool | None] = False
    description: ClassVar[str] = "occlusion-masked flow warping error, gray levels (lower = more consistent)"
    unit: ClassVar[str] = "gray levels"

    occlusion_tolerance: float = param(
        0.01, unit="fraction of the shorter side", doc="forward-backward mismatch allowed before a pixel is occluded"
    )
    event_ratio: float = param(3.0, doc="a pair whose error exceeds this multiple of the median gets an event")

    def measure(self, flows: PairFlows, clip: Clip) -> ClipResult:
        err, kept = pair_errors(flows, self.occlusion_tolerance)
        if not np.isfinite(err).any():
            return ClipResult(value=None, detail={"note": "every pixel occluded"})
        value = float(np.sqrt(np.nanmean(err**2)))
        detail = {
            "per_pair": [None if np.isnan(e) else round(float(e), 3) for e in err],
            "kept": round(float(kept.mean()), 4),
        }
        events = []
        if (worst := spike(err, self.event_ratio)) is not None:
            events.append(
                Event("warp_error", worst + 1, None, None, f"{err[worst]:.1f} gray levels unexplained by motion")
            )
        return ClipResult(value=round(value, 6), events=events, detail=detail)
