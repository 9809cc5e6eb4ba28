"""``temporal.flicker``: brightness that goes up and down along motion trajectories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Clip, ClipMetric, ClipResult, Event, param
from metrics.registry import register_metric


def _warp(img: np.ndarray, flow: np.ndarray, grid: np.ndarray) -> np.ndarray:
    import cv2

    m = grid + flow
    return cv2.remap(img, m[..., 0], m[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


MIN_FLOW_SIDE = 12  # DIS optical flow needs a side this long


@register_metric
@dataclass(kw_only=True)
class FlickerScore(ClipMetric):
    """Flow-compensated temporal oscillation of luma, in gray levels (0 for none, higher = more).

    For each inner frame ``t`` the neighbours ``t-1`` and ``t+1`` are warped onto ``t`` with DIS
    optical flow; ``d- = I_t - W(I_{t-1})`` and ``d+ = W(I_{t+1}) - I_t`` are shrunk by a dead zone
    (compression noise), and where they have opposite signs (up then down: flicker, not a steady
    change) the pixel's oscillation is ``sqrt(-d- * d+)``. The value is the mean over pixels and
    frames. Smooth motion, camera motion and steady fades give 0; a global brightness toggle of
    amplitude ``A`` gives about ``A``; a flickering object contributes in proportion to its area.
    It looks at the clip's working frames (short side at most ``working_side``, area-averaged):
    the value is a mean over the picture, so its cost need not grow with the resolution.

    Input: ``(T, H, W, 3)`` uint8 clips. Output: one float per clip; an event at the worst frame.
    """

    name: ClassVar[str] = "temporal.flicker"
    version: ClassVar[str] = "1"
    higher_is_better: ClassVar[bool | None] = False
    description: ClassVar[str] = "flow-compensated luma oscillation, gray levels (0 = none)"

    unit: ClassVar[str] = "gray levels"

    dead_zone: float = param(1.5, unit="gray levels", doc="differences below this are compression noise")
    flow: str = param("OpenCV DIS ultrafast", doc="optical flow used to follow pixels")
    luma: str = param("BT.601", doc="how RGB becomes gray")
    event_level: float = param(0.5, unit="gray levels", doc="a frame oscillating more gets an event")
    working_side: int = param(256, unit="pixels", doc="flow on frames shrunk to at most this short side")

    def score(self, clip: Clip) -> ClipResult:
        import cv2

        g = clip.working_gray(self.working_side)
        T, H, W = g.shape
        if T < 3:
            return ClipResult(value=0.0)
        if max(H, W) < MIN_FLOW_SIDE:  # too small for optical flow: nothing can be followed
            return ClipResult(value=None, detail={"note": f"frames of {W}x{H} px are too small for optical flow"})
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        grid = np.stack(np.meshgrid(np.arange(W, dtype=np.float32), np.arange(H, dtype=np.float32)), -1)
        gf = g.astype(np.float32)
        per_frame = np.zeros(T)
        for t in range(1, T - 1):
            back = _warp(gf[t - 1], dis.calc(g[t], g[t - 1], None), grid)
            fwd = _warp(gf[t + 1], dis.calc(g[t], g[t + 1], None), grid)
            d1 = gf[t] - back
            d2 = fwd - gf[t]
            d1 = np.sign(d1) * np.maximum(np.abs(d1) - self.dead_zone, 0.0)
            d2 = np.sign(d2) * np.maximum(np.abs(d2) - self.dead_zone, 0.0)
            per_frame[t] = float(np.sqrt(np.maximum(-d1 * d2, 0.0)).mean())
        value = float(per_frame[1:-1].mean())
        worst = int(np.argmax(per_frame))
        events = []
        if per_frame[worst] > self.event_level:
            events.append(Event("flicker", worst, None, None, f"oscillation {per_frame[worst]:.2f} gray levels"))
        return ClipResult(value=round(value, 6), events=events)
