"""The colour observation looks at working frames (short side at most 256 px) and reports in the
clip's pixels: a scene at 4x the size is observed as the same scene, 4x larger."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metrics import Clip
from metrics.observe import observe
from metrics.observe.base import Camera, Observation, Region, Track
from tests.metrics import synth
from tests.metrics.synth import Obj, linear

BALL = {"objects": [{"id": "ball", "noun": "ball", "color": "red"}]}


def test_a_larger_clip_is_the_same_observation_scaled(tmp_path: Path) -> None:
    ball = Obj("circle", (215, 38, 38), linear(10, 64, 9.0))
    sc = synth.Scene([ball], background="flat", occluders=[((50, 30, 78, 100), (128, 128, 128))])
    frames = synth.encode(synth.render(sc), tmp_path / "c.mp4")
    small = synth.clip(frames, BALL)
    big = Clip(frames.repeat(4, axis=1).repeat(4, axis=2), small.fps, small.prompt)  # 512 x 512
    (a,) = observe(small).tracks
    obs = observe(big)
    (b,) = obs.tracks
    assert (obs.height, obs.width) == (512, 512) and big.working(256).shape[1:3] == (256, 256)
    assert np.array_equal(a.visible, b.visible)
    seen = a.visible
    assert np.abs(b.box[seen] - 4 * a.box[seen]).max() <= 8  # within 2 working pixels
    assert [h and h.split(":")[0] for h in a.hidden_by] == [h and h.split(":")[0] for h in b.hidden_by]
    ids = {r.id for r in obs.occluders}
    assert {h.split(":", 1)[1] for h in b.hidden_by if h and h.startswith("occluder")} <= ids
    assert all(r.mask.shape == (512, 512) for r in obs.occluders)


def test_resized_maps_boxes_camera_and_occluders() -> None:
    tr = Track.empty("ball", "ball", 3)
    tr.visible[:2] = True
    tr.box[:2] = [[10, 20, 14, 26], [12, 20, 16, 26]]
    tr.center[:2] = [[12, 23], [14, 23]]
    tr.area[:2] = 24.0
    tr.hidden_by[2] = "occluder:gray@30,40"
    rng = np.random.default_rng(1)
    steps = np.zeros((2, 2, 3))
    for t in range(2):
        ang, s = rng.uniform(-0.2, 0.2), rng.uniform(0.9, 1.1)
        steps[t] = [[s * np.cos(ang), -s * np.sin(ang), 3.0], [s * np.sin(ang), s * np.cos(ang), -2.0]]
    mask = np.zeros((64, 96), bool)
    mask[30:50, 20:40] = True
    region = Region("gray@30,40", mask, (20, 30, 40, 50), "gray")
    obs = Observation("color", 3, 64, 96, [tr], Camera(steps.copy(), np.ones(2, bool)), [region])
    obs.resized(128, 288)  # 2x down, 3x across
    assert tr.box[0].tolist() == [30, 40, 42, 52] and tr.area[0] == 24.0 * 6
    assert obs.occluders[0].mask.shape == (128, 288) and obs.occluders[0].id == "gray@90,80"
    assert tr.hidden_by[2] == "occluder:gray@90,80"
    p = np.array([7.0, 11.0])
    for t in range(2):  # moving a point, then scaling it == scaling it, then moving it
        moved = steps[t, :, :2] @ p + steps[t, :, 2]
        big = obs.camera.steps[t, :, :2] @ (p * [3, 2]) + obs.camera.steps[t, :, 2]
        assert big == pytest.approx(moved * [3, 2])
