from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model import get_generator
from model.folder import FolderGenerator
from model.reference import ReferenceGenerator
from prompts import load_suite
from t2vbase.video import write_video

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
    f = ReferenceGenerator(faults="merge", rate=1.0)
    fc = write_video(tmp_path / "c.mp4", f.generate(p, seed=3)).read_bytes()
    assert fc == write_video(tmp_path / "d.mp4", f.generate(p, seed=3)).read_bytes() and fc != fa


def test_size_and_fps_are_configurable() -> None:
    v = ReferenceGenerator().generate(SMOKE.prompts[0], num_frames=5, height=72, width=96, fps=12, seed=0)
    assert v.frames.shape == (5, 72, 96, 3) and v.fps == 12


def test_frames_of_any_aspect_keep_shapes_round() -> None:
    v = ReferenceGenerator(profile="clean", jitter=0.0).generate(
        SMOKE.prompt("smoke-kin-fall"), num_frames=3, height=72, width=128, seed=0
    )
    x0, y0, x1, y1 = {o["id"]: o for o in v.metadata["truth"]["objects"]}["apple"]["bbox"][0]
    assert (x1 - x0) * 128 == pytest.approx((y1 - y0) * 72, abs=0.01)  # a circle, not an ellipse
    assert (y1 - y0) * 72 == pytest.approx(0.14 * 72, abs=0.01)  # sizes: fractions of the shorter side


def test_sidecar_holds_the_scene_as_rendered_and_the_truth() -> None:
    v = ReferenceGenerator(profile="clean").generate(SMOKE.prompt("smoke-perm-taxis"), seed=1)
    meta = v.metadata
    scene = meta["scene"]
    assert scene["background"]["color"] != "#bcd4ea"  # moved into the keying gap
    assert scene["objects"][0]["pos"] != [0.1, 0.66]  # with the seed's jitter
    obj = meta["truth"]["objects"][0]
    for key in (
        "visible",
        "opacity",
        "bbox",
        "area",
        "visible_frac",
        "in_frame_frac",
        "occluded_by",
        "color",
    ):
        assert len(obj[key]) == 16, key
    assert set(meta["truth"]) == {"objects", "camera", "contacts", "collisions"}


def test_smoke_fall_is_a_parabola() -> None:
    g = ReferenceGenerator(jitter=0.0)
    v = g.generate(SMOKE.prompt("smoke-kin-fall"), seed=0)
    expected = 0.12 + 0.5 * 1.5 * np.linspace(0, 1, 16) ** 2
    bbox = np.array({o["id"]: o for o in v.metadata["truth"]["objects"]}["apple"]["bbox"])
    assert np.abs((bbox[:, 1] + bbox[:, 3]) / 2 - expected).max() * 128 < 1.0


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
