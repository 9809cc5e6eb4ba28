from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metrics import Clip
from metrics.observe import get_backend, observe
from metrics.observe.camera import camera_from_truth, estimate_camera
from model.reference import ReferenceGenerator
from prompts import load_suite
from t2vbase.video import read_video, write_video
from tests.metrics import synth
from tests.metrics.synth import Obj, linear

SMOKE = load_suite("smoke")


def test_camera_recovers_a_pan_on_texture(tmp_path: Path) -> None:
    sc = synth.Scene([], background="texture", pan=lambda t: (-2.5 * t, 1.0 * t), noise=2.0)
    frames = synth.encode(synth.render(sc), tmp_path / "c.mp4")
    gray = Clip(frames, 8, SMOKE.prompts[0]).gray()
    cam = estimate_camera(gray)
    assert cam.valid.mean() > 0.9
    shift = cam.translation((64, 64))[cam.valid]
    assert np.abs(np.median(shift, axis=0) - [-2.5, 1.0]).max() < 0.3
    assert np.abs(cam.scale() - 1).max() < 0.02


def test_camera_from_truth_composes_to_the_zoom() -> None:
    cam = camera_from_truth([0.5] * 4, [0.5] * 4, [1.0, 1.1, 1.21, 1.331], 64, 64)
    assert cam.scale()[-1] == pytest.approx(1.331)
    # the frame centre stays put in a zoom about it
    assert np.abs(cam.translation((32, 32))).max() < 1e-9


def test_identities_survive_a_crossing(tmp_path: Path) -> None:
    a = Obj("circle", (238, 206, 36), linear(14, 60, 7.0))
    b = Obj("circle", (238, 206, 36), linear(114, 68, -7.0), z=1)
    frames = synth.encode(synth.render(synth.Scene([a, b], background="flat")), tmp_path / "c.mp4")
    clip = synth.clip(frames, {"objects": [{"id": "taxi", "noun": "taxi", "color": "yellow", "count": 2}]})
    obs = observe(clip)
    tracks = obs.group("taxi")
    assert len(tracks) == 2
    first, last = tracks[0].center[0, 0], tracks[0].center[-1, 0]
    assert (first < 64) == (last > 64)  # the one that started left ends right
    assert any(tr.shared.any() or any(h and h.startswith("merged") for h in tr.hidden_by) for tr in tracks)


def test_occlusion_and_exit_are_explained(tmp_path: Path) -> None:
    ball = Obj("circle", (215, 38, 38), linear(10, 64, 9.0))
    sc = synth.Scene([ball], background="flat", occluders=[((50, 30, 78, 100), (128, 128, 128))])
    frames = synth.encode(synth.render(sc), tmp_path / "c.mp4")
    (tr,) = observe(synth.clip(frames, {"objects": [{"id": "ball", "noun": "ball", "color": "red"}]})).tracks
    reasons = {h.split(":")[0] for h in tr.hidden_by if h}
    assert reasons == {"occluder", "edge"}, tr.hidden_by
    assert tr.born_from == "start"


def test_oracle_and_color_agree_on_the_reference_world(tmp_path: Path) -> None:
    gen = ReferenceGenerator(profile="clean")
    for pid in ("smoke-perm-taxis", "smoke-count-three", "smoke-causal-color"):
        p = SMOKE.prompt(pid)
        v = gen.generate(p, seed=0)
        frames = read_video(write_video(tmp_path / "c.mp4", v)).frames
        clip = Clip(frames, 8.0, p, v.metadata)
        oracle, color = observe(clip, "oracle"), observe(clip, "color")
        for g in oracle.groups:
            ot, ct = oracle.group(g), color.group(g)
            assert len(ot) == len(ct), g
            for a in ot:  # every true object has a colour track within 3 px on average
                d = [np.nanmean(np.hypot(*(b.center - a.center).T)) for b in ct]
                assert min(d) < 3.0, (pid, g, d)


def test_oracle_needs_the_truth() -> None:
    from t2vbase.errors import MetricError

    clip = Clip(np.zeros((2, 8, 8, 3), np.uint8), 8, SMOKE.prompts[0], {})
    with pytest.raises(MetricError, match="needs the generator's truth"):
        get_backend("oracle").observe(clip)


def test_a_small_car_cut_by_its_headlight_stays_one_object(tmp_path: Path) -> None:
    """A 26 px race car whose front bumper the 3x3 opening cuts off across a 2 px neck is born as
    two regions; they are one object, so one track follows it through the whole clip."""
    p = load_suite("core").prompt("kin-uniform-010")
    v = ReferenceGenerator(profile="clean").generate(p, seed=2)
    frames = read_video(write_video(tmp_path / "c.mp4", v)).frames
    (tr,) = observe(Clip(frames, v.fps, p, v.metadata), "color").group("race_car")
    assert tr.visible.all()
    truth = next(o for o in v.metadata["truth"]["objects"] if o["id"] == "race_car")
    box = np.asarray(truth["bbox"]) * 128
    assert np.abs(tr.center[:, 0] - (box[:, 0] + box[:, 2]) / 2).max() < 4.0


def test_a_passing_car_lends_no_cabin(tmp_path: Path) -> None:
    """Two taxis pass each other going opposite ways: the cabin of the one close by is not read as
    the other's, so each keeps facing the way it drives."""
    p = load_suite("core").prompt("perm-cross-009")
    v = ReferenceGenerator(profile="clean").generate(p, seed=0)
    frames = read_video(write_video(tmp_path / "c.mp4", v)).frames
    tracks = observe(Clip(frames, v.fps, p, v.metadata), "color").tracks
    assert len(tracks) == 2
    for tr in tracks:
        seen = tr.facing[tr.facing != 0]
        heading = np.sign(tr.center[-1, 0] - tr.center[0, 0])
        assert seen.size >= 8 and (seen == heading).all(), (tr.id, tr.facing.tolist())
