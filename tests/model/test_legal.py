"""Legal events render exactly as specified and the truth labels them: occlusion and re-emergence,
two objects crossing, exits and entries at the frame edge, a zoom, a pan and a tilt."""

from __future__ import annotations

import numpy as np
import pytest

from metrics.observe.color import color_mask
from tests.model.helpers import centres, obj, render, truth


def test_occlusion_and_re_emergence() -> None:
    v = render(
        {
            "objects": [obj("ball", pos=[0.12, 0.6], vel=[0.76, 0.0])],
            "occluders": [{"id": "wall", "pos": [0.5, 0.58], "size": 0.52, "aspect": 0.5, "texture": "bricks"}],
        }
    )
    ball = truth(v, "ball")
    frac = np.array(ball["visible_frac"])
    hidden = np.flatnonzero(frac == 0)
    assert frac[0] == frac[-1] == 1.0 and hidden.size >= 2 and all(ball["visible"])
    assert all(ball["occluded_by"][i] == ["wall"] for i in hidden)
    assert all(ball["occluded_by"][i] == [] for i in np.flatnonzero(frac == 1.0))
    x = centres(v, "ball")[:, 0]
    assert np.allclose(x, 0.12 + 0.76 * np.linspace(0, 1, 16), atol=1e-4)  # re-emerges where its motion says
    red = color_mask(v.frames, "red").sum(axis=(1, 2))
    assert (red[hidden] == 0).all() and red[0] > 200 and red[-1] > 200


def test_two_objects_crossing() -> None:
    v = render(
        {
            "objects": [
                obj("a", pos=[0.15, 0.5], vel=[0.7, 0.0], z=1),
                obj("b", shape="square", color="blue", pos=[0.85, 0.5], vel=[-0.7, 0.0], z=2),
            ]
        }
    )
    a, b = truth(v, "a"), truth(v, "b")
    covered = [i for i, f in enumerate(a["visible_frac"]) if f < 1.0]
    assert covered and all(a["occluded_by"][i] == ["b"] for i in covered)
    assert min(b["visible_frac"]) == 1.0 and a["visible_frac"][0] == a["visible_frac"][-1] == 1.0
    xa, xb = centres(v, "a")[:, 0], centres(v, "b")[:, 0]
    assert xa[0] < xb[0] and xa[-1] > xb[-1]  # they really pass each other
    i = covered[len(covered) // 2]
    hsv = v.frames[i : i + 1]
    cx, cy = int(xb[i] * 128), 64
    assert color_mask(hsv, "blue")[0, cy, cx]  # the nearer one is drawn over


def test_exit_and_entry_at_the_frame_edge() -> None:
    v = render(
        {
            "objects": [
                obj("out", pos=[0.7, 0.3], vel=[0.6, 0.0]),
                obj("in", color="blue", pos=[-0.2, 0.7], vel=[0.6, 0.0]),
            ]
        }
    )
    out, into = truth(v, "out"), truth(v, "in")
    assert all(out["visible"]) and all(into["visible"])  # drawn: the frame edge, not a vanish
    f_out, f_in = np.array(out["in_frame_frac"]), np.array(into["in_frame_frac"])
    assert f_out[0] == 1.0 and f_out[-1] == 0.0 and (np.diff(f_out) <= 1e-9).all()
    assert f_in[0] == 0.0 and f_in[-1] == 1.0 and (np.diff(f_in) >= -1e-9).all()
    assert np.array_equal(out["visible_frac"], out["in_frame_frac"])
    assert out["area"][-1] == pytest.approx(out["area"][0], rel=0.05)  # the full shape, also outside
    assert centres(v, "out")[-1, 0] == pytest.approx(1.3)


def test_zoom_changes_apparent_size_about_the_centre() -> None:
    v = render(
        {
            "camera": {"motion": "zoom_in", "amount": 0.6},
            "objects": [obj("c", pos=[0.5, 0.5]), obj("d", pos=[0.3, 0.4])],
        }
    )
    bc = np.array(truth(v, "c")["bbox"])
    assert (bc[-1, 2] - bc[-1, 0]) / (bc[0, 2] - bc[0, 0]) == pytest.approx(1.6)
    assert np.allclose(centres(v, "c"), 0.5)
    assert np.allclose(centres(v, "d")[-1], 0.5 + 1.6 * (np.array([0.3, 0.4]) - 0.5))
    assert truth(v, "c")["area"][-1] / truth(v, "c")["area"][0] == pytest.approx(1.6**2, rel=0.05)
    assert v.metadata["truth"]["camera"]["zoom"][-1] == pytest.approx(1.6)


def test_pan_moves_the_whole_scene_background_included() -> None:
    amount = 2 * 15 / 128  # two pixels a frame
    scene = {
        "camera": {"motion": "pan_right", "amount": amount},
        "background": {"kind": "texture", "color": "#d9d2c4", "color2": "#c4bcae"},
        "objects": [
            obj("a", pos=[0.4, 0.5], texture="stripes"),
            obj("b", shape="star", color="green", pos=[0.7, 0.3]),
        ],
    }
    v = render(scene)
    f = v.frames.astype(int)
    for i in range(15):  # frame i+1 is frame i moved two pixels left
        assert np.abs(f[i + 1][:, :-2] - f[i][:, 2:]).max() <= 1
    assert np.allclose(np.diff(centres(v, "a")[:, 0]), -2 / 128, atol=1e-4)
    assert np.allclose(np.diff(v.metadata["truth"]["camera"]["cx"]), 2 / 128, atol=1e-4)


@pytest.mark.parametrize("motion, sign", [("tilt_up", 1), ("tilt_down", -1), ("pan_left", 1), ("pan_right", -1)])
def test_camera_words_name_what_the_camera_does(motion: str, sign: int) -> None:
    v = render({"camera": {"motion": motion, "amount": 0.3}, "objects": [obj("a")]})
    axis = 1 if motion.startswith("tilt") else 0
    assert np.sign(centres(v, "a")[-1, axis] - centres(v, "a")[0, axis]) == sign
