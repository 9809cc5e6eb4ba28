"""Helpers the physics checks share."""

from __future__ import annotations

import numpy as np

from metrics.observe import Camera, Observation
from metrics.physics.common import zoom_of


def _zooming(valid: np.ndarray, per_step: float = 1.02) -> Observation:
    n = len(valid)
    steps = np.tile(np.array([[per_step, 0.0, 0.0], [0.0, per_step, 0.0]]), (n, 1, 1))
    steps[~valid] = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # unmeasured: no evidence
    return Observation("test", n + 1, 64, 64, [], Camera(steps, valid))


def test_unmeasured_steps_zoom_as_their_neighbours() -> None:
    valid = np.ones(40, bool)
    valid[10:20] = False  # a quarter of a long zoom unmeasured
    obs = _zooming(valid)
    assert obs.camera.scale()[-1] < 1.02**31  # the camera's own product misses them
    assert np.allclose(zoom_of(obs), 1.02 ** np.arange(41))


def test_a_static_camera_stays_at_scale_one() -> None:
    valid = np.ones(15, bool)
    valid[[0, 7, 14]] = False
    assert np.allclose(zoom_of(_zooming(valid, 1.0)), 1.0)
    assert np.allclose(zoom_of(_zooming(np.zeros(15, bool))), 1.0)  # nothing measured: no zoom
