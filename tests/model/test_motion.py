"""Kinematics against the analytic solution: uniform and accelerated motion, parabolas, bounces,
collisions, causal contacts, start and stop."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from metrics.observe.color import color_mask
from model.world.motion import Floor, Path, flight
from model.world.timeline import SCENE_SECONDS
from tests.model.helpers import centres, obj, render, timeline, truth

PX = 1.0 / 128  # one pixel of a 128 x 128 frame, in frame units


def test_parabola_within_one_pixel() -> None:
    scene = {"objects": [obj("ball", pos=[0.15, 0.3], vel=[0.5, -0.6], gravity=True)], "gravity": 1.6}
    v = render(scene)
    t = np.linspace(0, 1, 16)
    want = np.stack([0.15 + 0.5 * t, 0.3 - 0.6 * t + 0.8 * t**2], axis=1)
    assert np.abs(centres(v, "ball") - want).max() < PX / 100  # the truth is exact
    mask = color_mask(v.frames, "red")  # and so are the pixels: the red blob's centroid
    for i in range(16):
        ys, xs = np.nonzero(mask[i])
        assert np.hypot(xs.mean() + 0.5 - want[i, 0] * 128, ys.mean() + 0.5 - want[i, 1] * 128) < 1.0


def test_uniform_and_accelerated_motion() -> None:
    tl = timeline({"objects": [obj("a", pos=[0.1, 0.2], vel=[0.3, 0.1]), obj("b", pos=[0.2, 0.6], acc=[0.8, -0.2])]})
    t = tl.t
    assert np.allclose(tl.track("a").x, 0.1 + 0.3 * t) and np.allclose(tl.track("a").y, 0.2 + 0.1 * t)
    assert np.allclose(tl.track("b").x, 0.2 + 0.4 * t**2) and np.allclose(tl.track("b").y, 0.6 - 0.1 * t**2)


def test_start_and_stop() -> None:
    tl = timeline({"objects": [obj("a", pos=[0.2, 0.5], vel=[0.5, 0.0], start=0.2, stop=0.6)]}, num_frames=11)
    assert np.allclose(tl.track("a").x, 0.2 + 0.5 * (np.clip(tl.t, 0.2, 0.6) - 0.2))


def test_bounce_reverses_with_the_restitution() -> None:
    scene = {
        "objects": [obj("ball", pos=[0.5, 0.2], gravity=True, bounce=0.6)],
        "gravity": 5.0,
        "ground": 0.9,
    }
    tl = timeline(scene, num_frames=64)
    ball = tl.track("ball")
    floor = 0.9 - 0.07
    assert ball.y.max() <= floor + 1e-9 and ball.y.max() > floor - 0.03  # touches, never sinks
    segs = ball.path.segs
    for before, after in itertools.pairwise(segs[:4]):
        v_in = before.v[1] + before.a[1] * (after.t0 - before.t0)
        assert after.p[1] == pytest.approx(floor) and after.v[1] == pytest.approx(-0.6 * v_in)
    apex = [floor - (s.v[1] ** 2) / (2 * 5.0) for s in segs[1:4]]  # heights above the floor shrink by e^2
    assert (floor - apex[1]) / (floor - apex[0]) == pytest.approx(0.36)


def test_slow_rebound_comes_to_rest() -> None:
    segs = flight(0.0, np.array([0.5, 0.5]), np.zeros(2), np.array([0.0, 4.0]), Floor(0.8, 0.5))
    assert segs[-1].v == (0.0, 0.0) and segs[-1].a == (0.0, 0.0) and segs[-1].p[1] == 0.8
    assert Path(segs).position(np.array([7.0]))[0, 1] == pytest.approx(0.8)


@pytest.mark.parametrize("e", [1.0, 0.5])
def test_collision_conserves_momentum(e: float) -> None:
    scene = {
        "objects": [
            obj("a", pos=[0.2, 0.5], vel=[0.6, 0.0]),
            obj("b", pos=[0.8, 0.5], vel=[-0.3, 0.0], mass=2.0),
        ],
        "collisions": [{"a": "a", "b": "b", "restitution": e}],
    }
    tl = timeline(scene)
    a, b = tl.track("a").path, tl.track("b").path
    (t_hit,) = [s.t0 for s in a.segs[1:]]
    va0, vb0 = a.velocity(np.array([0.0]))[0, 0], b.velocity(np.array([0.0]))[0, 0]
    va1, vb1 = a.velocity(np.array([1.0]))[0, 0], b.velocity(np.array([1.0]))[0, 0]
    assert 1 * va0 + 2 * vb0 == pytest.approx(1 * va1 + 2 * vb1)
    assert vb1 - va1 == pytest.approx(-e * (vb0 - va0))
    energy = [0.5 * va**2 + 0.5 * 2 * vb**2 for va, vb in ((va0, vb0), (va1, vb1))]
    assert (energy[1] == pytest.approx(energy[0])) == (e == 1.0)
    gap = b.position(np.array([t_hit]))[0, 0] - a.position(np.array([t_hit]))[0, 0]
    assert gap == pytest.approx(0.14, abs=1e-9)  # they touch at the collision
    assert tl.collisions == {"a>b": int(np.ceil(t_hit * 15))}


@pytest.mark.parametrize("on_contact", ["stop", "bounce", "pass"])
def test_causal_contact_moves_the_subject_as_declared(on_contact: str) -> None:
    scene = {
        "objects": [
            obj("s", pos=[0.2, 0.5], vel=[0.8, 0.0]),
            obj("o", shape="square", color="blue", pos=[0.7, 0.5]),
        ],
        "events": [{"subject": "s", "object": "o", "change": "crack", "on_contact": on_contact}],
    }
    tl = timeline(scene)
    k = tl.contacts["s>o"]
    x = tl.track("s").x
    assert tl.track("o").crack.tolist() == [False] * k + [True] * (16 - k)
    t_hit = (0.7 - 0.14 - 0.2) / 0.8
    assert tl.t[k - 1] < t_hit <= tl.t[k]
    after = {"stop": 0.56, "bounce": 0.56 - 0.8 * (1 - t_hit), "pass": 0.2 + 0.8}[on_contact]
    assert x[-1] == pytest.approx(after)
    assert tl.track("o").mark == "left"


def test_fall_lands_on_the_ground_and_stays() -> None:
    scene = {
        "objects": [
            obj("ball", pos=[0.2, 0.3], vel=[0.9, 0.0]),
            obj("vase", shape="rectangle", color="purple", size=0.2, aspect=0.5, pos=[0.6, 0.3]),
        ],
        "events": [{"subject": "ball", "object": "vase", "change": "fall", "on_contact": "bounce"}],
        "ground": 0.9,
        "gravity": 6.0,
    }
    tl = timeline(scene)
    y, k = tl.track("vase").y, tl.contacts["ball>vase"]
    assert np.allclose(y[: k + 1], 0.3, atol=0.01) and y[-1] == pytest.approx(0.9 - 0.1)
    assert (np.diff(y) >= -1e-12).all()


def test_causal_effect_persists_from_the_contact_frame() -> None:
    v = render(
        {
            "objects": [
                obj("h", pos=[0.1, 0.5], vel=[0.8, 0.0]),
                obj("l", shape="square", color="blue", pos=[0.7, 0.5]),
            ],
            "events": [{"subject": "h", "object": "l", "change": "color", "to": "black"}],
        }
    )
    k = v.metadata["truth"]["contacts"]["h>l"]
    assert 0 < k < 15 and truth(v, "l")["color"] == ["blue"] * k + ["black"] * (16 - k)
    hsv = v.frames
    x0, y0, x1, y1 = (np.array(truth(v, "l")["bbox"][k]) * 128).astype(int)
    assert color_mask(hsv, "black")[k, y0:y1, x0:x1].mean() > 0.5 > color_mask(hsv, "black")[k - 1, y0:y1, x0:x1].mean()


def test_a_scene_moves_the_same_per_second_at_every_format() -> None:
    """Frame k at 8 fps and frame 2k at 16 fps show the same instant; a longer clip goes on with
    the same motion (the scene's script lasts SCENE_SECONDS, what follows is more of it)."""
    scene = {"objects": [obj("ball", pos=[0.1, 0.3], vel=[0.4, 0.0]), obj("drop", pos=[0.6, 0.1], gravity=True)]}
    slow = timeline(scene, 16, fps=8.0)
    fast = timeline(scene, 81, fps=16.0)
    for a, b in zip(slow.tracks, fast.tracks, strict=True):
        assert np.allclose(a.x, b.x[:32:2]) and np.allclose(a.y, b.y[:32:2])
    ball = fast.track("ball")
    assert np.allclose(np.diff(ball.x), 0.4 / (16 * SCENE_SECONDS))  # the same speed per second, on
    assert ball.x[-1] > 1.0  # five seconds on it has left the frame
    assert fast.t[-1] == pytest.approx(80 / (16 * SCENE_SECONDS))


def test_contacts_past_the_script_still_happen() -> None:
    """A pair event after the script's end (scene time 1) happens in a clip that lasts that long."""
    scene = {
        "objects": [obj("a", pos=[0.1, 0.5], vel=[0.3, 0.0]), obj("b", pos=[0.6, 0.5], size=0.1)],
        "events": [{"subject": "a", "object": "b", "change": "color", "to": "blue", "on_contact": "stop"}],
    }
    assert "a>b" not in timeline(scene, 16, fps=8.0).contacts  # a reaches b at about scene time 1.4
    long = timeline(scene, 49, fps=8.0)
    k = long.contacts["a>b"]
    assert 1.2 < long.t[k] < 1.6 and long.track("b").color[-1] == "blue"
