"""``temporal.dynamic_degree``: how much of the clip actually moves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Clip, ClipResult, param
from metrics.registry import register_metric
from metrics.temporal.flow import FlowMetric, PairFlows, backward_consistent


def moving_share(flows: PairFlows, fps: float, speed: float, tolerance: float, change: float) -> np.ndarray:
    """``(T-1,)`` per frame pair: the share of frame ``t+1`` whose flow from frame ``t`` is at
    least ``speed`` (fractions of the shorter side per second), consistent both ways, and within
    3% of the shorter side of a pixel that changed by ``change`` gray levels or more — the flow
    DIS invents in flat, unchanged regions from compression noise, and the garbage flow of a
    patch that changes brightness in place, are not motion."""
    import cv2

    step = speed * flows.side / fps  # working pixels per frame step
    reach = max(1, round(SUPPORT * flows.side))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    out = np.zeros(flows.bwd.shape[0])
    for t in range(out.size):
        d = np.abs(flows.rgb[t + 1] - flows.rgb[t])
        changed = (np.maximum(np.maximum(d[..., 0], d[..., 1]), d[..., 2]) >= change).astype(np.uint8)
        near = cv2.dilate(changed, kernel).astype(bool)
        b = flows.bwd[t]
        fast = b[..., 0] ** 2 + b[..., 1] ** 2 >= step**2
        out[t] = float((fast & near & backward_consistent(flows, t, tolerance)).mean())
    return out


#: forward-backward mismatch allowed, fractions of the shorter side (as ``temporal.warp_error``)
CONSISTENCY = 0.01
#: a moving pixel lies this close (fraction of the shorter side) to one that changed
SUPPORT = 0.03


@register_metric
@dataclass(kw_only=True)
class DynamicDegree(FlowMetric):
    """Share of frame pairs with real motion, in [0, 1]: 0 for a frozen clip, 1 when something
    moves between every two frames. No direction: it is not a quality, but the context of the
    consistency scores (a clip that barely moves is trivially consistent).

    A pair moves when at least ``min_area`` of the frame flows at ``speed`` or faster (DIS
    optical flow at a 64 px working size), consistently forward and backward, within 3% of the
    frame's shorter side of a pixel that changed by ``min_change`` gray levels; the thresholds are
    in fractions of the frame and per second, so the value does not depend on resolution or frame
    rate. Camera motion counts.

    Input: ``(T, H, W, 3)`` uint8 clips. Output: one float per clip; ``detail.moving`` (per frame
    pair, whether it moves) and ``detail.area`` (per pair, the share of the frame moving).
    """

    name: ClassVar[str] = "temporal.dynamic_degree"
    version: ClassVar[str] = "1"
    higher_is_better: ClassVar[bool | None] = None
    description: ClassVar[str] = "share of frame pairs with real motion (0 = frozen); read beside consistency"

    speed: float = param(0.05, unit="fractions of the shorter side per second", doc="a pixel this fast moves")
    min_area: float = param(0.003, unit="fraction of the frame", doc="a pair moves when this much of the frame moves")
    min_change: float = param(3.0, unit="gray levels", doc="motion must be near pixels that changed this much")

    def measure(self, flows: PairFlows, clip: Clip) -> ClipResult:
        area = moving_share(flows, clip.fps, self.speed, CONSISTENCY * flows.side, self.min_change)
        moving = area >= self.min_area
        detail = {"moving": [bool(m) for m in moving], "area": [round(float(a), 4) for a in area]}
        return ClipResult(value=round(float(moving.mean()), 6), detail=detail)
