"""``Clip``: working frames (shrunk by a whole factor, once per clip) and their luma."""

from __future__ import annotations

import numpy as np
import pytest

from metrics import Clip
from metrics.base import luma
from tests.conftest import blank_prompt


def _clip(T: int, H: int, W: int) -> Clip:
    rng = np.random.default_rng(0)
    return Clip(rng.integers(0, 256, (T, H, W, 3), dtype=np.uint8), 16.0, blank_prompt())


@pytest.mark.parametrize(
    ("H", "W", "short", "size"),
    [(480, 832, 256, (240, 416)), (720, 1280, 256, (240, 427)), (512, 768, 256, (256, 384)), (128, 128, 256, None)],
)
def test_working_frames_shrink_by_a_whole_factor(H: int, W: int, short: int, size: tuple | None) -> None:
    clip = _clip(2, H, W)
    small = clip.working(short)
    if size is None:
        assert small is clip.frames  # already small enough: the clip's own frames
    else:
        assert small.shape == (2, *size, 3)
    assert clip.working(short) is small  # computed once


def test_a_whole_factor_averages_blocks() -> None:
    """Shrinking 2x is the mean of each 2x2 block (a box filter), rounded."""
    clip = _clip(1, 480, 640)
    small = clip.working(240)
    blocks = clip.frames[0].reshape(240, 2, 320, 2, 3).astype(float).mean((1, 3))
    assert np.abs(small[0].astype(float) - blocks).max() <= 1.0


def test_working_gray_is_the_luma_of_the_working_frames() -> None:
    clip = _clip(3, 480, 480)
    g = clip.working_gray(256)
    assert g.shape == (3, 240, 240)
    assert np.abs(g.astype(int) - luma(clip.working(256)).astype(int)).max() <= 1
    small = _clip(2, 96, 96)
    assert small.working_gray(256) is small.gray()
