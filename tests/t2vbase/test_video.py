from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import t2vbase.video as bv
from t2vbase.errors import VideoError
from t2vbase.video import Video, probe_video, read_video, write_video
from tests.conftest import disc_clip


@pytest.fixture
def clip() -> np.ndarray:
    return disc_clip([[(10 + 5 * t, 30)] for t in range(12)], [(215, 38, 38)], size=64)


def test_roundtrip_h264_yuv420p(tmp_path: Path, clip: np.ndarray) -> None:
    path = write_video(tmp_path / "a.mp4", Video(clip, 8.0))
    info = probe_video(path)
    assert (info.num_frames, info.width, info.height, info.codec) == (12, 64, 64, "h264")
    v = read_video(path)
    assert v.frames.shape == clip.shape and v.frames.dtype == np.uint8
    assert v.fps == pytest.approx(8.0)
    assert np.abs(v.frames.astype(int) - clip).mean() < 2.0
    import av

    with av.open(str(path)) as c:
        assert c.streams.video[0].codec_context.pix_fmt == "yuv420p"


def test_rewrite_is_byte_identical(tmp_path: Path, clip: np.ndarray) -> None:
    a = write_video(tmp_path / "a.mp4", Video(clip, 8.0)).read_bytes()
    b = write_video(tmp_path / "b.mp4", Video(clip, 8.0)).read_bytes()
    assert a == b


def test_odd_sizes_are_padded(tmp_path: Path) -> None:
    frames = np.random.default_rng(0).integers(0, 255, (4, 33, 47, 3), dtype=np.uint8)
    frames[:] = frames[:1]  # static, so compression error stays small
    v = read_video(write_video(tmp_path / "odd.mp4", frames, fps=5))
    assert v.frames.shape == (4, 34, 48, 3)


@pytest.mark.parametrize("shape", [(3, 16, 16), (3, 16, 16, 1), (3, 16, 16, 4)])
def test_gray_and_rgba_are_converted(tmp_path: Path, shape: tuple[int, ...]) -> None:
    frames = np.full(shape, 200, np.uint8)
    if shape[-1] == 4:
        frames[..., 3] = 7  # alpha is dropped, not blended
    v = read_video(write_video(tmp_path / "c.mp4", frames, fps=4))
    assert v.frames.shape == (3, 16, 16, 3)
    assert abs(float(v.frames.mean()) - 200) < 3


def test_write_rejects_float_frames_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match=r"bad\.mp4.*uint8"):
        write_video(tmp_path / "bad.mp4", np.zeros((2, 8, 8, 3), np.float32), fps=4)
    assert not (tmp_path / "bad.mp4").exists()


def test_video_type_validates() -> None:
    with pytest.raises(VideoError):
        Video(np.zeros((2, 8, 8), np.uint8), 8.0)
    with pytest.raises(VideoError):
        Video(np.zeros((2, 8, 8, 3), np.uint8), 0.0)


@pytest.mark.parametrize(
    "content, message",
    [(b"", "empty file"), (os.urandom(4096), "cannot open"), (None, "no such file")],
)
def test_broken_files_name_the_file(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "broken.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(VideoError, match=message) as err:
        read_video(path)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_truncated_file(tmp_path: Path, clip: np.ndarray) -> None:
    data = write_video(tmp_path / "a.mp4", Video(clip, 8.0)).read_bytes()
    bad = tmp_path / "trunc.mp4"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(VideoError, match=r"trunc\.mp4"):
        read_video(bad)


def test_indices_are_validated_against_the_file(tmp_path: Path, clip: np.ndarray) -> None:
    path = write_video(tmp_path / "a.mp4", Video(clip, 8.0))
    with pytest.raises(VideoError, match=r"frame index 12 out of range; the file decodes 12 frames"):
        read_video(path, [0, 12])
    last = read_video(path, [-1]).frames[0]
    assert np.array_equal(last, read_video(path).frames[11])
    picked = read_video(path, [5, 1])
    assert picked.frames.shape[0] == 2


def test_backends_agree(tmp_path: Path, clip: np.ndarray) -> None:
    path = write_video(tmp_path / "a.mp4", Video(clip, 8.0))
    a = read_video(path, backend="pyav")
    assert a.metadata["backend"] == "pyav"
    if bv.HAVE_DECORD:
        b = read_video(path, backend="decord")
        assert b.metadata["backend"] == "decord"
        assert np.abs(a.frames.astype(int) - b.frames).max() <= 2
    with pytest.raises(VideoError, match="unknown video backend"):
        read_video(path, backend="opencv")


@pytest.mark.skipif(not bv.HAVE_DECORD, reason="decord not installed")
def test_hanging_decoder_is_killed_and_pyav_takes_over(
    tmp_path: Path, clip: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_video(tmp_path / "a.mp4", Video(clip, 8.0))
    hanging = bv._DecordWorker(entry="tests.t2vbase.hang_worker:hang")
    monkeypatch.setattr(bv, "_WORKER", hanging)
    monkeypatch.setenv("T2V_DECODE_TIMEOUT", "1")
    v = read_video(path)
    assert v.metadata["backend"] == "pyav"
    assert "did not answer" in v.metadata["fallback_reason"]
    assert hanging._proc is None  # the hung worker was killed
    assert np.abs(v.frames.astype(int) - clip).mean() < 2.0
    with pytest.raises(VideoError, match="decord failed"):
        read_video(path, backend="decord")


@pytest.mark.skipif(not bv.HAVE_DECORD, reason="decord not installed")
def test_crashing_decoder_falls_back(tmp_path: Path, clip: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_video(tmp_path / "a.mp4", Video(clip, 8.0))
    monkeypatch.setattr(bv, "_WORKER", bv._DecordWorker(entry="tests.t2vbase.hang_worker:crash"))
    v = read_video(path)
    assert v.metadata["backend"] == "pyav"
    assert "decord" in v.metadata["fallback_reason"]


def test_decord_is_not_loaded_in_this_process() -> None:
    """decord's bundled FFmpeg, once loaded beside PyAV's, breaks PyAV's encoders (libvpx-vp9 would
    not open after any run imported the reader): decord only ever runs in its worker."""
    import subprocess
    import sys

    code = "import sys, t2vbase.video as v; print(v.HAVE_DECORD, 'decord' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False"]
