from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.video import write_video
from model import get_generator
from model.folder import FolderGenerator
from model.reference import ReferenceGenerator
from prompts import load_suite

SMOKE = load_suite("smoke")


def test_every_smoke_prompt_renders() -> None:
    g = ReferenceGenerator(profile="clean")
    for p in SMOKE.prompts:
        v = g.generate(p, seed=0)
        assert v.frames.shape == (16, 128, 128, 3) and v.fps == 8.0
        assert v.metadata["prompt_id"] == p.id and v.metadata["faults"] == []
        assert len(v.metadata["truth"]["objects"]) >= 1


def test_deterministic_by_prompt_and_seed(tmp_path: Path) -> None:
    g = ReferenceGenerator()
    p = SMOKE.prompt("smoke-perm-taxis")
    a, b = g.generate(p, seed=3), g.generate(p, seed=3)
    assert np.array_equal(a.frames, b.frames) and a.metadata == b.metadata
    assert not np.array_equal(a.frames, g.generate(p, seed=4).frames)
    fa = write_video(tmp_path / "a.mp4", a).read_bytes()
    fb = write_video(tmp_path / "b.mp4", ReferenceGenerator().generate(p, seed=3)).read_bytes()
    assert fa == fb


def test_size_and_fps_are_configurable() -> None:
    v = ReferenceGenerator().generate(SMOKE.prompts[0], num_frames=5, height=72, width=96, fps=12, seed=0)
    assert v.frames.shape == (5, 72, 96, 3) and v.fps == 12


def test_vanish_is_a_minimal_pair() -> None:
    p = SMOKE.prompt("smoke-count-three")
    clean = ReferenceGenerator(profile="clean").generate(p, seed=2)
    faulty = ReferenceGenerator(faults="vanish", rate=1.0).generate(p, seed=2)
    (label,) = faulty.metadata["faults"]
    assert label["type"] == "vanish" and set(label) == {
        "type",
        "object",
        "start_frame",
        "end_frame",
        "severity",
    }
    s, e = label["start_frame"], label["end_frame"]
    assert np.array_equal(clean.frames[:s], faulty.frames[:s])  # identical before the window
    truth = {o["id"]: o for o in clean.metadata["truth"]["objects"]}
    x0, y0, x1, y1 = truth[label["object"]]["bbox"][s]
    diff = np.abs(clean.frames[s : e + 1].astype(int) - faulty.frames[s : e + 1]).sum(-1) > 0
    ys, xs = np.nonzero(diff.any(0))
    H, W = clean.frames.shape[1:3]
    assert xs.min() >= np.floor(x0 * W) - 1 and xs.max() <= np.ceil(x1 * W) + 1  # only that object changed
    assert ys.min() >= np.floor(y0 * H) - 1 and ys.max() <= np.ceil(y1 * H) + 1
    vis = {o["id"]: o for o in faulty.metadata["truth"]["objects"]}[label["object"]]["visible"]
    assert not any(vis[s:]) and all(vis[:s])


def test_gravity_is_a_parabola() -> None:
    g = ReferenceGenerator(jitter=0.0)
    tl = g.timeline(SMOKE.prompt("smoke-kin-fall"), 16, 0)
    t = tl.t
    y = tl.track("apple").y
    expected = 0.12 + 0.5 * 1.5 * t**2
    assert np.abs(y - expected).max() * 128 < 1.0
    v = g.generate(SMOKE.prompt("smoke-kin-fall"), seed=0)
    bbox = np.array({o["id"]: o for o in v.metadata["truth"]["objects"]}["apple"]["bbox"])
    assert np.abs((bbox[:, 1] + bbox[:, 3]) / 2 - expected).max() * 128 < 1.0


def test_bounce_reverses_with_less_speed() -> None:
    tl = ReferenceGenerator(jitter=0.0).timeline(SMOKE.prompt("smoke-kin-bounce"), 64, 0)
    y = tl.track("ball").y
    floor = 0.88 - 0.07
    assert floor - 0.03 < y.max() <= floor + 1e-9  # frames sample the impact, never below the floor
    k = int(np.argmax(y))
    assert y[k + 8] < y[k]  # goes back up
    v_in = (y[k] - y[k - 2]) / 2
    v_out = (y[k + 2] - y[k]) / 2
    assert v_out < 0 < v_in and abs(v_out) < abs(v_in)


def test_legal_occlusion_is_labelled_in_the_truth() -> None:
    v = ReferenceGenerator(profile="clean", jitter=0.0).generate(SMOKE.prompt("smoke-perm-occlude"), seed=0)
    ball = {o["id"]: o for o in v.metadata["truth"]["objects"]}["ball"]
    frac = np.array(ball["visible_frac"])
    assert frac[0] > 0.95 and frac[-1] > 0.95 and frac.min() < 0.1
    hidden = int(np.argmin(frac))
    assert ball["occluded_by"][hidden] == ["wall"] and all(ball["visible"])


def test_causal_contact_changes_state_after_contact() -> None:
    v = ReferenceGenerator(profile="clean", jitter=0.0).generate(SMOKE.prompt("smoke-causal-color"), seed=0)
    truth = v.metadata["truth"]
    k = truth["contacts"]["hammer>laptop"]
    laptop = {o["id"]: o for o in truth["objects"]}["laptop"]
    assert set(laptop["color"][:k]) == {"blue"} and set(laptop["color"][k:]) == {"black"}
    assert 0 < k < 15


def test_showcase_prompt_without_scene_renders_its_objects() -> None:
    v = ReferenceGenerator(profile="clean").generate(SMOKE.prompt("smoke-showcase-lion-cat"), seed=0)
    assert {o["group"] for o in v.metadata["truth"]["objects"]} == {"lion", "cat"}


def test_plain_text_prompt() -> None:
    assert ReferenceGenerator().generate("a cat", seed=0).frames.shape[0] == 16


def test_folder_generator(tmp_path: Path) -> None:
    p = SMOKE.prompts[0]
    write_video(tmp_path / p.id / "0.mp4", ReferenceGenerator().generate(p, seed=0))
    g = get_generator(f"folder:{tmp_path}")
    assert isinstance(g, FolderGenerator)
    assert g.source_path(p.id, 0) == tmp_path / p.id / "0.mp4"
    assert g.generate(p, seed=0).frames.shape == (16, 128, 128, 3)
    with pytest.raises(Exception, match=r"1\.mp4: no clip for prompt"):
        g.source_path(p.id, 1)
