from __future__ import annotations

import numpy as np
import pytest

from metrics.observe import Camera, Observation, Track
from metrics.physics.direction import DirectionCheck
from metrics.physics.units import at_format
from prompts.schema import Expect
from tests.metrics.physics.conftest import Studio
from tests.metrics.synth import Obj, linear

PAIR = [
    {"id": "crate", "noun": "crate", "color": "blue", "shape": "square"},
    {"id": "ball", "noun": "ball", "color": "green", "shape": "circle"},
]


def pair(studio: Studio, crate_x, ball_x):  # type: ignore[no-untyped-def]
    return [
        Obj("square", studio.color("blue"), crate_x, size=20),
        Obj("circle", studio.color("green"), ball_x, size=18),
    ]


@pytest.mark.parametrize("relation, good", [("left_of", True), ("right_of", False)])
def test_spatial_sees_which_side(studio: Studio, relation: str, good: bool) -> None:
    frames = studio.frames(pair(studio, lambda t: (36, 70), lambda t: (92, 72)))
    expect = {
        "objects": PAIR,
        "relations": [{"subject": "crate", "relation": relation, "object": "ball", "when": "all"}],
    }
    r = studio.score("physics.spatial", frames, expect)
    assert r.verdict == ("pass" if good else "fail"), r.events
    if not good:
        assert r.events[0].type == "relation_swapped" and r.events[0].frame == 0
    # a horizontal flip swaps the verdict (metamorphic invariant)
    flipped = studio.score("physics.spatial", np.ascontiguousarray(frames[:, :, ::-1]), expect)
    assert flipped.verdict == ("fail" if good else "pass")


def test_spatial_mirror_halfway_and_when(studio: Studio) -> None:
    crate = lambda t: (36, 70) if t < 8 else (92, 70)  # noqa: E731
    ball = lambda t: (92, 72) if t < 8 else (36, 72)  # noqa: E731
    frames = studio.frames(pair(studio, crate, ball))
    rel = {"subject": "crate", "relation": "left_of", "object": "ball"}
    r = studio.score("physics.spatial", frames, {"objects": PAIR, "relations": [{**rel, "when": "all"}]})
    assert r.verdict == "fail" and (r.events[0].type, r.events[0].frame) == ("relation_swapped", 8)
    assert (
        studio.score("physics.spatial", frames, {"objects": PAIR, "relations": [{**rel, "when": "start"}]}).verdict
        == "pass"
    )
    assert (
        studio.score("physics.spatial", frames, {"objects": PAIR, "relations": [{**rel, "when": "end"}]}).verdict
        == "fail"
    )


def test_spatial_dead_zone(studio: Studio) -> None:
    frames = studio.frames(pair(studio, lambda t: (62, 40), lambda t: (66, 90)))  # stacked, not beside
    expect = {"objects": PAIR, "relations": [{"subject": "crate", "relation": "left_of", "object": "ball"}]}
    r = studio.score("physics.spatial", frames, expect)
    assert r.verdict == "fail" and r.events[0].type == "relation_unclear"
    above = {"objects": PAIR, "relations": [{"subject": "crate", "relation": "above", "object": "ball"}]}
    assert studio.score("physics.spatial", frames, above).verdict == "pass"


BALL = [{"id": "ball", "noun": "ball", "color": "orange", "shape": "circle"}]


@pytest.mark.parametrize("direction, good", [("right", True), ("left", False), ("up", False), ("down", False)])
def test_direction_no_partial_credit(studio: Studio, direction: str, good: bool) -> None:
    frames = studio.frames([Obj("circle", studio.color("orange"), linear(20, 64, 5.0))])
    r = studio.score(
        "physics.direction", frames, {"objects": BALL, "motion": [{"subject": "ball", "direction": direction}]}
    )
    assert r.verdict == ("pass" if good else "fail"), r.events


def test_direction_reversal_and_stillness(studio: Studio) -> None:
    exp = {"objects": BALL, "motion": [{"subject": "ball", "direction": "right"}]}
    back = lambda t: (20 + 6 * t, 64) if t <= 11 else (20 + 6 * 11 - 6 * (t - 11), 64)  # noqa: E731
    r = studio.score("physics.direction", studio.frames([Obj("circle", studio.color("orange"), back)]), exp)
    assert r.verdict == "fail" and (r.events[0].type, r.events[0].frame) == ("direction_reversed", 12)
    still = studio.score(
        "physics.direction", studio.frames([Obj("circle", studio.color("orange"), linear(60, 64, 0.1))]), exp
    )
    assert still.verdict == "fail" and still.events[0].type == "too_little_motion"


def _track(tid: str, T: int, xs: dict[int, float], hidden: dict[int, str] | None = None) -> Track:
    """A 16 px ball at ``x = xs[t]`` (y 64) in the frames of ``xs``."""
    tr = Track.empty(tid, "ball", T)
    for t, x in xs.items():
        c = np.array([x, 64.0])
        tr.visible[t], tr.center[t], tr.box[t], tr.area[t] = True, c, np.r_[c - 8, c + 8], 201.0
    for t, why in (hidden or {}).items():
        tr.hidden_by[t] = why
    return tr


def test_a_turn_seen_briefly_before_an_occluder_hides_it_is_a_reversal() -> None:
    """At 16 fps a ball going right turns back at frame 20, is seen going back for three frames
    (under ``reverse_time``), passes behind a wall and comes out on its other side, where the
    tracker, predicting it still going right, starts ``ball#2``. One ball turned back at 20
    (not a second ball going the wrong way from 26)."""
    T = 40
    x = {t: 20.0 + 3 * t if t <= 19 else 77.0 - 3 * (t - 19) for t in range(T)}
    ball = _track("ball", T, {t: x[t] for t in range(23)}, {t: "occluder:wall" for t in range(23, T)})
    ball2 = _track("ball#2", T, {t: x[t] for t in range(26, T)}, {t: "occluder:wall" for t in range(23, 26)})
    ball2.born_from = "occluder:wall"
    obs = Observation("test", T, 128, 128, [ball, ball2], Camera.static(T), fps=16.0)
    obs.groups = {"ball": {"observable": True}}
    exp = Expect.model_validate({"objects": BALL, "motion": [{"subject": "ball", "direction": "right"}]})
    events, _ = at_format(DirectionCheck(), 16.0, 128).evaluate(exp, obs)
    assert [(e.type, e.frame, e.object) for e in events] == [("direction_reversed", 20, "ball")]


def test_direction_removes_camera_motion(studio: Studio) -> None:
    if studio.cond.background != "texture":
        pytest.skip("a pan over a featureless background cannot be measured")
    # the camera pans right (content moves left 3 px/frame); the ball moves right 4 px/frame on screen
    frames = studio.frames([Obj("circle", studio.color("orange"), linear(20, 64, 4.0))], pan=lambda t: (-3.0 * t, 0.0))
    r = studio.score(
        "physics.direction", frames, {"objects": BALL, "motion": [{"subject": "ball", "direction": "right"}]}
    )
    assert r.verdict == "pass", r.events


@pytest.mark.parametrize(
    "pan, expected",
    [
        ((-3.0, 0.0), "pan_right"),
        ((3.0, 0.0), "pan_left"),
        ((0.0, 3.0), "tilt_up"),
        ((0.0, -3.0), "tilt_down"),
        ((0.0, 0.0), "static"),
    ],
)
def test_camera_classes(studio: Studio, pan: tuple[float, float], expected: str) -> None:
    if studio.cond.background != "texture":
        pytest.skip("a featureless background gives no camera evidence (n/a is tested below)")
    frames = studio.frames([], pan=lambda t: (pan[0] * t, pan[1] * t))
    r = studio.score("physics.camera", frames, {"camera": expected})
    assert r.verdict == "pass", r.events
    other = "static" if expected != "static" else "pan_left"
    assert studio.score("physics.camera", frames, {"camera": other}).verdict == "fail"


def test_camera_reversal(studio: Studio) -> None:
    if studio.cond.background != "texture":
        pytest.skip("a featureless background gives no camera evidence (n/a is tested below)")
    frames = studio.frames([], pan=lambda t: (-3.0 * t if t <= 9 else -27.0 + 3.0 * (t - 9), 0.0))
    r = studio.score("physics.camera", frames, {"camera": "pan_right"})
    assert r.verdict == "fail" and r.events[0].type == "camera_reversed" and abs(r.events[0].frame - 10) <= 1


def test_camera_na_without_evidence(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.metrics.physics.conftest import CONDITIONS

    plain = Studio(CONDITIONS[0], tmp_path)
    r = plain.score("physics.camera", plain.frames([]), {"camera": "pan_left"})
    assert r.verdict == "n/a"


def test_a_piece_of_an_emerging_object_is_not_judged() -> None:
    """At 16 fps a ball comes out from behind a wall going right; for three frames a small piece
    of it is seen apart (``ball#2``, hardly moving), then goes under the ball for good. The piece
    is the ball emerging, not a second ball that moves too little (LTX's 24 fps star did this)."""
    T = 40
    ball = _track("ball", T, {t: 60.0 + 1.5 * t for t in range(10, T)}, {t: "occluder:wall" for t in range(10)})
    piece = _track(
        "ball#2", T, {t: 62.0 + 0.2 * (t - 10) for t in range(10, 13)}, {t: "occluder:wall" for t in range(10)}
    )
    for t in range(13, T):
        piece.hidden_by[t] = "merged:ball"
    piece.area[10:13] = 50.0
    ball.born_from = piece.born_from = "occluder:wall"
    obs = Observation("test", T, 128, 128, [ball, piece], Camera.static(T), fps=16.0)
    obs.groups = {"ball": {"observable": True}}
    exp = Expect.model_validate({"objects": BALL, "motion": [{"subject": "ball", "direction": "right"}]})
    check = at_format(DirectionCheck(), 16.0, 128)
    assert check.evaluate(exp, obs)[0] == []
    piece.area[10:13] = 400.0  # as big as the ball or bigger: not a piece of it, and it moves too little
    assert [e.type for e in check.evaluate(exp, obs)[0]] == ["too_little_motion"]
