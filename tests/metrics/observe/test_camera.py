"""Unmeasured camera steps move as the nearest measured one (within a time), still unmeasured."""

from __future__ import annotations

import numpy as np
import pytest

from metrics.observe.base import Camera
from metrics.observe.camera import hold_motion


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
