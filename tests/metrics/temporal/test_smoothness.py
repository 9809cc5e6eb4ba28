from __future__ import annotations

import numpy as np
import pytest

from metrics.temporal.smoothness import Smoothness
from tests.metrics.temporal.clips import blob, clip, pan, texture

STEADY = [20 + 3 * t for t in range(14)]


def smooth(frames: np.ndarray) -> tuple[float, float]:
    r = Smoothness().score(clip(frames))
    return r.value, r.detail["error"]


def test_static_clip_is_one() -> None:
    assert smooth(np.repeat(texture(96, 96)[None], 8, 0)) == (1.0, 0.0)


@pytest.mark.parametrize("amp", [5, 10])
def test_toggle_departs_by_its_amplitude(amp: int) -> None:
    frames = pan(dx=2).astype(np.int16)
    frames[1::2] += amp  # each frame is amp away from both neighbours, which agree
    value, error = smooth(np.clip(frames, 0, 255).astype(np.uint8))
    assert error == pytest.approx(amp, rel=0.05)
    assert value == pytest.approx(np.exp(-error / 2.0), abs=1e-6)


def test_uniform_motion_is_smooth_and_a_jump_or_a_stall_is_not() -> None:
    steady, _ = smooth(blob(STEADY))
    jump = Smoothness().score(clip(blob([x + (25 if t >= 6 else 0) for t, x in enumerate(STEADY)])))
    stutter, _ = smooth(blob([20 + 6 * (t // 2) for t in range(14)]))  # same mean speed, in steps
    assert steady > 0.5
    assert jump.value < 0.8 * steady
    assert stutter < 0.8 * steady
    assert [e.frame for e in jump.events] in ([5], [6])  # the frames either side of the jump


def test_two_frames_are_smooth() -> None:
    assert Smoothness().score(clip(np.zeros((2, 32, 32, 3), np.uint8))).value == 1.0
