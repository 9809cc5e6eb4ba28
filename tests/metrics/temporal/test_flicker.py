from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from metrics import Clip
from metrics.temporal.flicker import FlickerScore
from t2vbase.video import read_video, write_video
from tests.conftest import blank_prompt, disc_clip


def score(frames: np.ndarray) -> float:
    return FlickerScore().score(Clip(frames, 8.0, blank_prompt())).value


def encoded(frames: np.ndarray, tmp_path: Path) -> np.ndarray:
    return read_video(write_video(tmp_path / "c.mp4", frames, fps=8)).frames


def textured(size: int = 96, T: int = 12, dx: int = 0) -> np.ndarray:
    rng = np.random.default_rng(0)
    import cv2

    big = cv2.GaussianBlur(rng.normal(128, 40, (size, size * 3)).astype(np.float32), (0, 0), 3)
    big = np.clip(big, 0, 255).astype(np.uint8)
    frames = [np.repeat(big[:, t * dx : t * dx + size, None], 3, axis=2) for t in range(T)]
    return np.stack(frames)


def test_static_clip_is_zero() -> None:
    assert score(np.full((10, 64, 64, 3), 120, np.uint8)) == 0.0


def test_smooth_motion_and_pan_are_near_zero(tmp_path: Path) -> None:
    moving = disc_clip([[(10 + 6 * t, 40), (80 - 5 * t, 60)] for t in range(12)], [(215, 38, 38), (40, 84, 216)])
    assert score(encoded(moving, tmp_path)) < 0.3
    assert score(encoded(textured(dx=2), tmp_path)) < 0.5


def test_global_flicker_scores_its_amplitude(tmp_path: Path) -> None:
    base = textured(dx=0).astype(np.int16)
    values = []
    for amp in (5, 10, 20):
        sign = np.where(np.arange(base.shape[0]) % 2 == 0, 1, -1)[:, None, None, None]
        clip = np.clip(base + amp * sign, 0, 255).astype(np.uint8)
        values.append(score(encoded(clip, tmp_path)))
    assert values[0] < values[1] < values[2]
    assert values[2] == pytest.approx(2 * 20 - 1.5 * 2, rel=0.35)  # a step of 2*amp each frame
    assert values[0] > 1.0


def test_object_flicker_is_caught(tmp_path: Path) -> None:
    pos = [[(30 + 3 * t, 48)] for t in range(12)]
    steady = disc_clip(pos, [(215, 38, 38)], radius=14)
    blinking = steady.copy()
    dark = disc_clip(pos, [(120, 20, 20)], radius=14)
    blinking[1::2] = dark[1::2]
    a, b = score(encoded(steady, tmp_path)), score(encoded(blinking, tmp_path))
    assert a < 0.3 and b > 5 * max(a, 0.1)
    result = FlickerScore().score(Clip(encoded(blinking, tmp_path), 8.0, blank_prompt()))
    assert result.events and result.events[0].type == "flicker"


def test_torchmetrics_api() -> None:
    from metrics.torchmetric import TemporalFlicker

    m = TemporalFlicker()
    assert m.protocol() == FlickerScore().protocol()
    static = np.full((6, 32, 32, 3), 90, np.uint8)
    flick = static.copy()
    flick[1::2] += 20
    m.update(torch.from_numpy(np.stack([static, flick])))
    value = m.compute()
    assert value.dtype == torch.float64
    assert float(value) == pytest.approx((0.0 + score(flick)) / 2)
    m.reset()
    with pytest.warns(UserWarning, match="before the ``update``"):
        assert torch.isnan(m.compute())
    with pytest.raises(ValueError, match="uint8"):
        m.update(torch.zeros(4, 8, 8, 3))


def test_large_clips_are_scored_at_the_working_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 384x768 clip is looked at 192 px high (halved: the smallest whole factor that brings it
    to 256 px or less; its flow costs a quarter) and a global toggle still scores its amplitude,
    as at full size."""
    import cv2

    base = np.repeat(textured(size=384, T=8).astype(np.int16), 2, axis=2)  # 384 x 768
    sign = np.where(np.arange(8) % 2 == 0, 1, -1)[:, None, None, None]
    frames = np.clip(base + 10 * sign, 0, 255).astype(np.uint8)
    shapes = []
    real = cv2.DISOpticalFlow_create

    class Spy:
        def __init__(self, *a: object) -> None:
            self.dis = real(*a)

        def calc(self, a: np.ndarray, b: np.ndarray, flow: None) -> np.ndarray:
            shapes.append(a.shape)
            return self.dis.calc(a, b, flow)

    monkeypatch.setattr(cv2, "DISOpticalFlow_create", Spy)
    small = FlickerScore().score(Clip(frames, 8.0, blank_prompt())).value
    assert set(shapes) == {(192, 384)}
    full = FlickerScore(working_side=384).score(Clip(frames, 8.0, blank_prompt())).value
    assert small == pytest.approx(full, rel=0.1) and small == pytest.approx(2 * 10 - 1.5 * 2, rel=0.35)
