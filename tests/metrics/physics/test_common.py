"""Helpers the physics checks share."""

from __future__ import annotations

import numpy as np

from metrics.observe import Camera, Observation, Track
from metrics.physics.common import object_tracks, zoom_of
from prompts.schema import Expect


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


def _seen(tid: str, T: int, frames: range, x0: float = 10.0, v: float = 3.0) -> Track:
    """A ball moving right at ``v`` px per frame, seen in ``frames``."""
    tr = Track.empty(tid, "ball", T)
    f = np.asarray(frames)
    c = np.stack([x0 + v * f, np.full(f.size, 32.0)], 1)
    tr.visible[f], tr.center[f], tr.box[f], tr.area[f] = True, c, np.concatenate([c - 4, c + 4], 1), 64.0
    return tr


def _ball(count: int) -> Expect:
    return Expect.model_validate({"objects": [{"id": "ball", "noun": "ball", "color": "red", "count": count}]})


def test_one_expected_object_seen_as_two_tracks_is_one_track() -> None:
    """The tracker lost the one ball and picked it up again as ``ball#2``: one object."""
    a, b = _seen("ball", 20, range(0, 10)), _seen("ball#2", 20, range(13, 20))
    b.hidden_by[12] = "occluder:wall"
    obs = Observation("test", 20, 64, 64, [b, a], Camera.static(20))
    (tr,) = object_tracks(_ball(1), obs, "ball")
    assert tr.id == "ball" and tr.visible.tolist() == (a.visible | b.visible).tolist()
    assert np.allclose(tr.center[:10], a.center[:10]) and np.allclose(tr.center[13:], b.center[13:])
    assert tr.hidden_by[12] == "occluder:wall" and tr.hidden_by[13] is None


def test_tracks_seen_together_or_of_several_objects_stay_apart() -> None:
    a, b = _seen("ball", 20, range(0, 10)), _seen("ball#2", 20, range(13, 20))
    assert len(object_tracks(_ball(2), Observation("test", 20, 64, 64, [a, b], Camera.static(20)), "ball")) == 2
    c = _seen("ball#2", 20, range(9, 20))  # seen in frame 9 with the first: two objects
    assert len(object_tracks(_ball(1), Observation("test", 20, 64, 64, [a, c], Camera.static(20)), "ball")) == 2
