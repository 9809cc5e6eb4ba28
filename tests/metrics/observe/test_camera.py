"""The camera from the background at every working size; unmeasured steps move as the nearest
measured one (within a time), still unmeasured."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from metrics.observe.base import Camera
from metrics.observe.camera import estimate_camera, hold_motion
from metrics.observe.params import Scale


def _soft_zoom(side: int, steps: int, k: float) -> np.ndarray:
    """``(steps + 1, side, side)`` gray frames of a soft, low-contrast texture (grass at a
    distance: blobs a sixth of the frame across, three gray levels deep), zoomed by ``k`` a
    step about the centre; the same texture at every ``side``."""
    rng = np.random.default_rng(3)
    base = cv2.GaussianBlur(rng.normal(0, 1, (128, 128)).astype(np.float32), (0, 0), 3.0)
    tex = cv2.resize(base / base.std() * 3.0 + 150.0, (side, side), interpolation=cv2.INTER_CUBIC)
    out = []
    for t in range(steps + 1):
        m = cv2.getRotationMatrix2D((side / 2, side / 2), 0.0, k**t)
        out.append(cv2.warpAffine(tex, m, (side, side), borderMode=cv2.BORDER_REFLECT))
    return np.clip(np.array(out) + 0.5, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("side", [128, 256])
def test_a_slow_zoom_over_a_soft_texture_is_measured_at_any_size(side: int) -> None:
    """Gradients per pixel fall as the frame grows: with Lucas-Kanade's fixed eigenvalue floor a
    push-in over a grassy field was unmeasured at 240 px and measured at 128 px."""
    gray = _soft_zoom(side, 20, 1.02)
    cam = estimate_camera(gray, None, sc=Scale(side, 16.0))
    assert cam.valid.mean() >= 0.9
    scale = np.hypot(cam.steps[cam.valid, 0, 0], cam.steps[cam.valid, 1, 0])
    assert np.abs(scale - 1.02).max() < 0.005


def _zoom(T: int, k: float, measured: int) -> Camera:
    """A zoom by ``k`` per step, measured on the first ``measured`` steps only."""
    cam = Camera.static(T)
    cam.steps[:measured] = [[k, 0.0, 0.0], [0.0, k, 0.0]]
    cam.valid[:measured] = True
    return cam


def test_a_zoom_goes_on_where_its_anchors_are_lost() -> None:
    cam = hold_motion(_zoom(20, 1.02, 12), steps=4)
    assert cam.valid.sum() == 12  # still unmeasured: the camera check does not read them
    assert cam.scale()[16] == pytest.approx(1.02**16)  # steps 12-15 held
    assert cam.scale()[-1] == pytest.approx(1.02**16)  # beyond 4 steps: no evidence, static


def test_nothing_measured_or_everything_measured_is_left_alone() -> None:
    none = hold_motion(Camera.static(10), steps=4)
    assert np.array_equal(none.steps, Camera.static(10).steps)
    full = _zoom(10, 1.05, 9)
    assert np.array_equal(hold_motion(full, steps=4).steps, _zoom(10, 1.05, 9).steps)


def test_the_nearest_measured_step_wins() -> None:
    cam = _zoom(10, 1.1, 2)
    cam.steps[6] = [[0.9, 0.0, 0.0], [0.0, 0.9, 0.0]]
    cam.valid[6] = True
    held = hold_motion(cam, steps=9).steps[:, 0, 0]
    assert held.round(2).tolist() == [1.1, 1.1, 1.1, 1.1, 0.9, 0.9, 0.9, 0.9, 0.9]
