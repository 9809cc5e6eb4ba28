"""Dense optical flow between adjacent frames at a small working size, computed once per clip.

``temporal.warp_error``, ``temporal.smoothness`` and ``temporal.dynamic_degree`` read the same
flows, so a clip pays for them once: ``2 (T - 1)`` DIS calls at a working size whose shorter side
is :data:`WORKING_SIDE` pixels, whatever the clip's resolution. Flows are in working pixels;
divide by :attr:`PairFlows.side` for fractions of the frame's shorter side.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import numpy as np

from metrics.base import Clip, ClipMetric, ClipResult, param

#: Shorter side of the working frames (pixels). DIS at finest scale 1 resolves motion down to
#: objects of a few working pixels: about 5% of the frame.
WORKING_SIDE = 64
FLOW_NAME = "OpenCV DIS (patch 8, stride 4, finest scale 1)"
MIN_FLOW_SIDE = 12  # DIS needs a side this long


@dataclass
class PairFlows:
    """Flows of one clip at the working size.

    Attributes:
        rgb: ``(T, h, w, 3)`` float32 working frames.
        fwd: ``(T-1, h, w, 2)`` flow from frame ``t`` to ``t+1`` (where each pixel of ``t`` goes).
        bwd: ``(T-1, h, w, 2)`` flow from frame ``t+1`` to ``t`` (where each pixel of ``t+1`` was).
        side: the working frames' shorter side in pixels.
    """

    rgb: np.ndarray
    fwd: np.ndarray
    bwd: np.ndarray
    side: int
    masks: dict[tuple[str, int, float], np.ndarray] = field(default_factory=dict)

    @cached_property
    def grid(self) -> np.ndarray:
        """``(h, w, 2)`` float32 pixel coordinates ``(x, y)``."""
        h, w = self.rgb.shape[1:3]
        return np.stack(np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)), -1)


def dis_flow() -> object:
    """A DIS optical flow object tuned for small working frames."""
    import cv2

    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
    dis.setFinestScale(1)
    dis.setPatchSize(8)
    dis.setPatchStride(4)
    return dis


def flowable(clip: Clip) -> bool:
    """Whether the clip is large enough for optical flow at all."""
    return max(clip.frames.shape[1:3]) >= MIN_FLOW_SIDE


def pair_flows(clip: Clip, side: int = WORKING_SIDE) -> PairFlows:
    """The clip's forward and backward flows at working size ``side`` (cached in ``clip.cache``)."""
    key = f"pair_flows:{side}"
    if key not in clip.cache:
        clip.cache[key] = _compute(clip.working(side))
    return clip.cache[key]


def _luma(frames: np.ndarray) -> np.ndarray:
    import cv2

    return np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames])


def _compute(frames: np.ndarray) -> PairFlows:
    gray = _luma(frames)
    T, h, w = gray.shape
    dis = dis_flow()
    fwd = np.zeros((max(T - 1, 0), h, w, 2), np.float32)
    bwd = np.zeros_like(fwd)
    for t in range(T - 1):
        fwd[t] = dis.calc(gray[t], gray[t + 1], None)
        bwd[t] = dis.calc(gray[t + 1], gray[t], None)
    return PairFlows(frames.astype(np.float32), fwd, bwd, min(h, w))


def warp(img: np.ndarray, flow: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``img`` sampled at ``grid + flow`` (bilinear, borders replicated): backward warping."""
    import cv2

    m = grid + flow
    return cv2.remap(img, m[..., 0], m[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _sq(v: np.ndarray) -> np.ndarray:
    """Squared length of ``(..., 2)`` vectors (faster than a reduction over the last axis)."""
    return v[..., 0] ** 2 + v[..., 1] ** 2


def channel_mean(img: np.ndarray) -> np.ndarray:
    """``(h, w, 3)`` -> ``(h, w)`` mean over the channels."""
    return (img[..., 0] + img[..., 1] + img[..., 2]) / 3.0


def consistent(flow: np.ndarray, back: np.ndarray, grid: np.ndarray, tolerance: float) -> np.ndarray:
    """``(h, w)`` bool: where following ``flow`` and then ``back`` returns to the start (within
    ``tolerance`` working pixels plus 5% of the motion) and lands inside the frame
    (forward–backward consistency)."""
    h, w = flow.shape[:2]
    back_at = warp(back, flow, grid)
    err = _sq(flow + back_at)
    bound = 0.05 * (_sq(flow) + _sq(back_at)) + tolerance**2
    dest = grid + flow
    inside = (dest[..., 0] >= 0) & (dest[..., 0] <= w - 1) & (dest[..., 1] >= 0) & (dest[..., 1] <= h - 1)
    return (err <= bound) & inside


def backward_consistent(flows: PairFlows, t: int, tolerance: float) -> np.ndarray:
    """:func:`consistent` for the flow from frame ``t+1`` back to ``t`` (cached per pair)."""
    key = ("consistent", t, tolerance)
    if key not in flows.masks:
        flows.masks[key] = consistent(flows.bwd[t], flows.fwd[t], flows.grid, tolerance)
    return flows.masks[key]


def occluded(flows: PairFlows, t: int, tolerance: float) -> np.ndarray:
    """``(h, w)`` bool over frame ``t+1``: pixels hidden in frame ``t`` (disoccluded) or whose
    source lies outside it. They are the inconsistent pixels (:func:`consistent`) within a band
    as wide as the pair's motion (99th percentile of the consistent flow, plus ``tolerance``)
    of consistent ones: an occlusion is never wider than the motion that causes it, so an object
    that changes brightness in place (whose flow breaks down) is not excused as occluded."""
    import cv2

    key = ("occluded", t, tolerance)
    if key not in flows.masks:
        ok = backward_consistent(flows, t, tolerance)
        if not ok.any():
            flows.masks[key] = ~ok
            return flows.masks[key]
        sq = _sq(flows.bwd[t][ok])
        k = int(0.99 * (sq.size - 1))
        width = float(np.sqrt(np.partition(sq, k)[k])) + tolerance  # 99th percentile of the speed
        dist = cv2.distanceTransform((~ok).astype(np.uint8), cv2.DIST_L2, 3)
        flows.masks[key] = ~ok & (dist <= width)
    return flows.masks[key]


def spike(values: np.ndarray, ratio: float) -> int | None:
    """Index of the largest value when it exceeds ``ratio`` times the median (and ``ratio`` gray
    levels), else None: where an event goes."""
    worst = int(np.nanargmax(values))
    return worst if values[worst] > ratio * max(float(np.nanmedian(values)), 1.0) else None


@dataclass(kw_only=True)
class FlowMetric(ClipMetric):
    """A per-clip metric on the clip's shared flows (:func:`pair_flows`); the working size and the
    flow enter its protocol. Clips shorter than ``min_frames`` score ``short_value``; frames too
    small for optical flow get no value."""

    min_frames: ClassVar[int] = 2
    short_value: ClassVar[float] = 0.0

    working_side: int = param(WORKING_SIDE, unit="pixels", doc="shorter side the flow is computed at")
    flow: str = param(FLOW_NAME, doc="optical flow between adjacent frames")

    def score(self, clip: Clip) -> ClipResult:
        if clip.num_frames < self.min_frames:
            return ClipResult(value=self.short_value)
        if not flowable(clip):
            return ClipResult(value=None, detail={"note": "frames too small for optical flow"})
        return self.measure(pair_flows(clip, self.working_side), clip)

    @abstractmethod
    def measure(self, flows: PairFlows, clip: Clip) -> ClipResult:
        """The result from the clip's flows."""
