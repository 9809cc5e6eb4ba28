from __future__ import annotations

import cv2
import numpy as np
import pytest

from metrics.temporal.dynamic_degree import DynamicDegree
from tests.metrics.temporal.clips import blob, clip, pan, texture


def dynamics(frames: np.ndarray, fps: float = 8.0) -> tuple[float, list[bool]]:
    r = DynamicDegree().score(clip(frames, fps))
    return r.value, r.detail["moving"]


def test_frozen_clip_is_zero_and_steady_motion_one() -> None:
    assert dynamics(np.repeat(texture(96, 96)[None], 8, 0)) == (0.0, [False] * 7)
    assert dynamics(pan(dx=2))[0] == 1.0
    assert dynamics(blob([20 + 3 * t for t in range(14)]))[0] == 1.0


def test_a_stall_is_still_over_its_span() -> None:
    xs = [20 + 3 * min(t, 5) + 3 * max(t - 9, 0) for t in range(14)]  # stands still at frames 5..9
    value, moving = dynamics(blob(xs))
    assert moving == [True] * 5 + [False] * 4 + [True] * 4
    assert value == pytest.approx(9 / 13, abs=1e-6)


def test_thresholds_are_per_second_and_per_frame_size() -> None:
    frames = blob([20 + 3 * t for t in range(14)])  # 3 px of 96 per frame: 0.25 of the frame per s at 8 fps
    assert dynamics(frames, fps=8.0)[0] == 1.0
    assert dynamics(frames, fps=1.0)[0] == 0.0  # 0.03 of the frame per second is below 0.05
    big = np.stack([cv2.resize(f, (288, 288), interpolation=cv2.INTER_LINEAR) for f in frames])
    assert dynamics(big, fps=8.0)[0] == 1.0
