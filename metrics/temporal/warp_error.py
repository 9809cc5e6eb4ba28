"""``temporal.warp_error``: what optical flow cannot explain from one frame to the next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Clip, ClipMetric, ClipResult, Event, param
from metrics.registry import register_metric
from metrics.temporal.flow import FLOW_NAME, WORKING_SIDE, PairFlows, channel_mean, flowable, occluded, pair_flows, warp


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
class WarpError(ClipMetric):
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

    working_side: int = param(WORKING_SIDE, unit="pixels", doc="shorter side the flow is computed at")
    flow: str = param(FLOW_NAME, doc="optical flow between adjacent frames")
    occlusion_tolerance: float = param(
        0.01, unit="fraction of the shorter side", doc="forward-backward mismatch allowed before a pixel is occluded"
    )
    event_ratio: float = param(3.0, doc="a pair whose error exceeds this multiple of the median gets an event")

    def score(self, clip: Clip) -> ClipResult:
        if clip.num_frames < 2:
            return ClipResult(value=0.0)
        if not flowable(clip):
            return ClipResult(value=None, detail={"note": "frames too small for optical flow"})
        err, kept = pair_errors(pair_flows(clip, self.working_side), self.occlusion_tolerance)
        if not np.isfinite(err).any():
            return ClipResult(value=None, detail={"note": "every pixel occluded"})
        value = float(np.sqrt(np.nanmean(err**2)))
        detail = {
            "per_pair": [None if np.isnan(e) else round(float(e), 3) for e in err],
            "kept": round(float(kept.mean()), 4),
        }
        return ClipResult(value=round(value, 6), events=self._events(err), detail=detail)

    def _events(self, err: np.ndarray) -> list[Event]:
        worst = int(np.nanargmax(err))
        typical = float(np.nanmedian(err))
        if err[worst] <= self.event_ratio * max(typical, 1.0):
            return []
        return [Event("warp_error", worst + 1, None, None, f"{err[worst]:.1f} gray levels unexplained by motion")]
