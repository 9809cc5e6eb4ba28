"""Property-based fuzzing of the video reader: any file gives a Video or a one-line VideoError
naming the file — never a hang, a crash or another exception."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from t2vbase.errors import VideoError
from t2vbase.video import read_video, write_video

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def valid_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    frames = np.zeros((6, 32, 48, 3), np.uint8)
    frames[:, 8:20, 10:30] = (200, 40, 40)
    path = write_video(tmp_path_factory.mktemp("fuzz") / "ok.mp4", frames, fps=8)
    return path.read_bytes()


def check(path: Path) -> None:
    try:
        video = read_video(path)
    except VideoError as err:
        assert "\n" not in str(err) and path.name in str(err)
    else:
        assert video.frames.ndim == 4 and video.frames.shape[-1] == 3 and video.num_frames >= 1


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.mp4"
    path.write_bytes(data)
    check(path)


@SETTINGS
@given(
    cuts=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    keep=st.floats(0.05, 1.0),
)
def test_corrupted_and_truncated_clips(tmp_path: Path, valid_bytes: bytes, cuts: list, keep: float) -> None:
    """A real clip with bytes overwritten here and there, and cut short."""
    data = bytearray(valid_bytes[: max(1, int(len(valid_bytes) * keep))])
    for pos, value in cuts:
        data[pos % len(data)] = value
    path = tmp_path / "x.mp4"
    path.write_bytes(bytes(data))
    check(path)
