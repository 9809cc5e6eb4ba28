"""Thresholds in physical units: the same motion gives the same verdict at every format."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from metrics import build_metric
from metrics.observe import Camera, Observation
from metrics.physics.units import ACCEL, FRAME, SECONDS, SPEED, TO_CLIP, TUNED, at_format
from metrics.registry import resolve_metrics
from prompts.schema import Expect

CHECKS = resolve_metrics("physics.*")


@pytest.mark.parametrize("name", CHECKS)
def test_no_threshold_is_per_frame_or_per_pixel(name: str) -> None:
    for field, unit in build_metric(name).param_units().items():
        if field.startswith("lifecycle."):
            continue  # the lifecycle analysis' own group
        assert "pixel" not in unit and "frame" not in unit.replace("frame sizes", ""), (field, unit)


@pytest.mark.parametrize("name", CHECKS)
def test_at_the_tuned_format_durations_are_whole_frames(name: str) -> None:
    check = build_metric(name)
    fps, size = TUNED
    for f in dataclasses.fields(check):
        unit = f.metadata.get("unit")
        if unit == SECONDS:
            frames = getattr(check, f.name) * fps
            assert frames == round(frames) >= 1, f.name  # exactly the frame count it was tuned as
        elif unit in (FRAME, SPEED, ACCEL):
            # the tidy value it was tuned as: 2 px, 1.5 px per frame, 0.08 px per frame², or
            # 0.005 frames per step
            px = TO_CLIP[unit](getattr(check, f.name), fps, size)
            assert min(abs(v - round(v)) for v in (px * 100, px / size * 1000)) < 1e-9, f.name


def test_conversion_follows_fps_and_size() -> None:
    check = at_format(build_metric("physics.kinematics"), 24.0, 720)
    assert check.min_time == 15  # 0.625 s at 24 fps
    assert check.contact_frac == pytest.approx(0.015625 * 720)
    assert check.moving_speed == pytest.approx(0.0625 * 720 / 24)
    assert check.min_accel == pytest.approx(0.04 * 720 / 24**2)


def _panning(fps: float, H: int, W: int, speed: float, seconds: float = 2.0) -> Observation:
    """A camera panning right at ``speed`` frame sizes per second (the scene moves left)."""
    T = round(seconds * fps)
    step = np.tile(np.array([[1.0, 0.0, -speed * min(H, W) / fps], [0.0, 1.0, 0.0]]), (T - 1, 1, 1))
    return Observation("test", T, H, W, [], Camera(step, np.ones(T - 1, bool)))


@pytest.mark.parametrize("fps, H, W", [(8.0, 128, 128), (16.0, 480, 832), (24.0, 720, 1280), (16.0, 832, 480)])
def test_a_slow_pan_is_a_pan_at_every_format(fps: float, H: int, W: int) -> None:
    """The issue's case: a slow pan at 16 fps was called static (thresholds per frame step)."""
    camera = build_metric("physics.camera")
    slow = at_format(camera, fps, min(H, W))
    assert set(slow.classes(_panning(fps, H, W, 0.06))) == {"pan_right"}
    assert set(slow.classes(_panning(fps, H, W, 0.02))) == {"static"}
    events, share = slow.evaluate(Expect(camera="pan_right"), _panning(fps, H, W, 0.06))
    assert not events and share == 1.0
