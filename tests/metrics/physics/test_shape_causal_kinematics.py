from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metrics import Clip, build_metric
from metrics.observe import Camera, Observation, Track
from metrics.observe.base import DESCRIPTORS
from metrics.physics.shape import ShapeCheck
from metrics.physics.units import TUNED, at_format
from model.reference import ReferenceGenerator
from prompts import load_suite
from prompts.schema import Expect
from t2vbase.video import read_video, write_video
from tests.metrics.physics.conftest import Studio
from tests.metrics.synth import Obj, linear

CAR = [{"id": "car", "noun": "car", "color": "red", "shape": "vehicle"}]
BALL = [{"id": "ball", "noun": "ball", "color": "purple", "shape": "circle"}]


def test_shape_constancy_passes_when_nothing_changes(studio: Studio) -> None:
    frames = studio.frames([Obj("vehicle", studio.color("red"), linear(24, 70, 5.0), size=30)])
    assert studio.score("physics.shape", frames, {"objects": CAR}).verdict == "pass"


def test_front_flip(studio: Studio) -> None:
    car = Obj("vehicle", studio.color("red"), linear(24, 70, 5.0), size=30, facing=lambda t: 1 if t < 8 else -1)
    r = studio.score("physics.shape", studio.frames([car]), {"objects": CAR})
    assert r.verdict == "fail" and any(e.type == "front_flipped" and abs(e.frame - 8) <= 1 for e in r.events)


def test_front_flip_back_and_forth(studio: Studio) -> None:
    car = Obj(
        "vehicle", studio.color("red"), linear(100, 70, -5.0), size=30, facing=lambda t: -1 if t < 5 or t > 10 else 1
    )
    r = studio.score("physics.shape", studio.frames([car]), {"objects": CAR})
    assert r.verdict == "fail" and any(e.type == "front_flipped" and abs(e.frame - 5) <= 1 for e in r.events)


@pytest.mark.parametrize(
    "change, kind",
    [
        ({"recolor": lambda t: (40, 84, 216) if t >= 8 else None}, "color_changed"),
        ({"scale": lambda t: 1.0 if t < 8 else 1.0 + 0.12 * (t - 7)}, "size_changed"),
    ],
)
def test_colour_and_size_drift(studio: Studio, change: dict, kind: str) -> None:
    r = studio.score(
        "physics.shape",
        studio.frames([Obj("circle", studio.color("purple"), linear(30, 64, 3.0), **change)]),
        {"objects": BALL},
    )
    assert r.verdict == "fail" and r.events[0].type == kind and 8 <= r.events[0].frame <= 10


def test_a_change_across_an_occlusion_is_dated_where_it_began() -> None:
    """Changed in its last whole frame before passing behind something and still changed after:
    one run of the change, from where it began (frames not seen whole neither break nor count)."""
    check = ShapeCheck()
    flags = np.array([0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1], bool)
    whole = np.array([1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1], bool)
    assert check._first(flags, tail=False, run=3, over=whole) == 4
    assert check._first(flags, tail=False, run=3) == 8  # counted over every frame, the run starts late
    blip = np.array([0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0], bool)
    assert check._first(blip, tail=False, run=3, over=whole) is None  # two separate short runs


def test_morph(studio: Studio) -> None:
    path = linear(30, 64, 3.0)
    a = Obj("square", studio.color("purple"), lambda t: path(t) if t < 8 else None, size=20)
    b = Obj("triangle", studio.color("purple"), lambda t: path(t) if t >= 8 else None, size=24)
    r = studio.score("physics.shape", studio.frames([a, b]), {"objects": BALL})
    assert r.verdict == "fail" and r.events[0].type == "shape_changed" and abs(r.events[0].frame - 8) <= 1


HAMMER = [
    {"id": "hammer", "noun": "hammer", "color": "brown", "shape": "rectangle"},
    {"id": "laptop", "noun": "laptop", "color": "blue", "shape": "square"},
]
CAUSE = [
    {"type": "contact", "subject": "hammer", "object": "laptop"},
    {"type": "state_change", "object": "laptop", "change": "color", "to": "black"},
]


def causal(studio: Studio, laptop_color) -> object:  # type: ignore[no-untyped-def]
    hammer = Obj("rectangle", studio.color("brown"), lambda t: (14 + 7 * min(t, 8), 64), size=22)
    laptop = Obj("square", studio.color("blue"), lambda t: (88, 64), size=26, recolor=laptop_color)
    return studio.score("physics.causal", studio.frames([hammer, laptop]), {"objects": HAMMER, "events": CAUSE})


def test_causal_effect_after_contact(studio: Studio) -> None:
    r = causal(studio, lambda t: (22, 22, 22) if t >= 8 else None)
    assert r.verdict == "pass", r.events


@pytest.mark.parametrize(
    "color, kind, frame",
    [
        (lambda t: None, "no_effect", 8),
        (lambda t: (22, 22, 22) if t >= 3 else None, "effect_before_cause", 3),
        (lambda t: (22, 22, 22) if 8 <= t < 12 else None, "effect_reverted", 12),
        (lambda t: (22, 22, 22) if t == 9 else None, "effect_reverted", 10),  # shown once, undone
    ],
)
def test_causal_faults(studio: Studio, color, kind: str, frame: int) -> None:  # type: ignore[no-untyped-def]
    r = causal(studio, color)
    assert r.verdict == "fail" and r.events[0].type == kind and abs(r.events[0].frame - frame) <= 1


@pytest.mark.parametrize("pid, obj", [("causal-bite-001", "donut"), ("causal-crack-010", "coconut")])
def test_an_effect_from_the_second_frame_is_before_its_cause(tmp_path: Path, pid: str, obj: str) -> None:
    """A bite or crack that is there from frame 1 (frame 0 whole) is not the object's normal look."""
    p = load_suite("core").prompt(pid)
    v = ReferenceGenerator(faults="early_effect", rate=1.0, severity=2.0, object=obj).generate(p, seed=0)
    assert v.metadata["faults"][0]["start_frame"] == 1
    frames = read_video(write_video(tmp_path / "c.mp4", v)).frames
    r = build_metric("physics.causal").score(Clip(frames, v.fps, p, v.metadata))
    assert r.verdict == "fail" and r.events[0].type == "effect_before_cause" and r.events[0].frame <= 3


def kin(studio: Studio, path, motion: str, **kw) -> object:  # type: ignore[no-untyped-def]
    frames = studio.frames([Obj("circle", studio.color("purple"), path, size=16)], **kw)
    return studio.score(
        "physics.kinematics", frames, {"objects": BALL, "kinematics": [{"subject": "ball", "motion": motion}]}
    )


def test_fall_is_a_parabola(studio: Studio) -> None:
    assert kin(studio, lambda t: (64, 14 + 0.45 * t * t), "falls").verdict == "pass"


@pytest.mark.parametrize(
    "path, kind",
    [
        (lambda t: (64, 110 - 0.45 * t * t), "gravity_wrong"),  # falls upward
        (lambda t: (64, 14 + 3.5 * t), "gravity_wrong"),  # no acceleration at all
        (
            lambda t: (64, 14 + 0.2 * t * t if t < 9 else 14 + 0.2 * 81 + 3.6 * (t - 9) + 0.9 * (t - 9) ** 2),
            "acceleration_changes",
        ),
    ],
)
def test_wrong_gravity(studio: Studio, path, kind: str) -> None:  # type: ignore[no-untyped-def]
    r = kin(studio, path, "falls")
    assert r.verdict == "fail" and r.events[0].type == kind


def test_fall_that_changes_pace(studio: Studio) -> None:
    """An object whose clock halves mid-fall (speed x0.5, acceleration x0.25): a quiet change that
    a two-piece fit explains only as one clock, never as gravity itself."""

    def clock(t: int) -> float:
        return t if t <= 6 else 6 + 0.5 * (t - 6)

    for g in (0.5, 0.2):  # a clear change and a quiet one (the one-piece fit is off by < 0.5 px)
        r = kin(studio, lambda t, g=g: (64, 20 + g * clock(t) ** 2), "falls")
        assert r.verdict == "fail" and r.events[0].type == "speed_change", (g, [e.detail for e in r.events])
        assert abs(r.events[0].frame - 6) <= 2


def test_bounce_sampled_twice_on_the_floor(studio: Studio) -> None:
    def y(t: int) -> tuple[float, float]:
        if t <= 7:
            return (64, 20 + 1.5 * t * t)
        floor, v = 20 + 1.5 * 49, 0.6 * 3.0 * 7
        return (64, floor if t == 8 else floor - v * (t - 8) + 1.5 * (t - 8) ** 2)

    r = kin(studio, y, "bounces")
    assert r.verdict == "pass", [e.detail for e in r.events]


def test_uniform_and_speed_change(studio: Studio) -> None:
    assert kin(studio, linear(14, 64, 6.0), "uniform").verdict == "pass"
    r = kin(studio, lambda t: (14 + 3 * t if t < 8 else 38 + 9 * (t - 8), 64), "uniform")
    assert r.verdict == "fail" and r.events[0].type == "speed_change" and abs(r.events[0].frame - 8) <= 1
    frozen = kin(studio, lambda t: (14 + 6 * min(t, 6) + 6 * max(t - 11, 0), 64), "uniform")
    assert frozen.verdict == "fail" and frozen.events[0].type == "speed_change"


def test_bounce(studio: Studio) -> None:
    def bounce(e: float):  # type: ignore[no-untyped-def]
        def y(t: int) -> tuple[float, float]:
            if t <= 8:
                return (64, 20 + 1.2 * t * t)
            v = e * 2.4 * 8
            return (64, 20 + 1.2 * 64 - v * (t - 8) + 1.2 * (t - 8) ** 2)

        return y

    assert kin(studio, bounce(0.6), "bounces").verdict == "pass"
    r = kin(studio, bounce(1.5), "bounces")
    assert r.verdict == "fail" and r.events[0].type == "bounce_gains_energy"
    assert kin(studio, lambda t: (64, 20 + 1.2 * t * t), "bounces").events[0].type == "no_bounce"


def test_collision_momentum(studio: Studio) -> None:
    objs = [
        {"id": "a", "noun": "ball", "color": "red", "shape": "circle"},
        {"id": "b", "noun": "ball", "color": "blue", "shape": "circle"},
    ]
    exp = {"objects": objs, "kinematics": [{"subject": "a", "motion": "collides", "with": "b"}]}

    def scene(va_after: float, vb_after: float) -> object:
        a = Obj(
            "circle",
            studio.color("red"),
            lambda t: (20 + 6 * t, 64) if t <= 7 else (62 + va_after * (t - 7), 64),
            size=16,
        )
        b = Obj(
            "circle", studio.color("blue"), lambda t: (78, 64) if t <= 7 else (78 + vb_after * (t - 7), 64), size=16
        )
        return studio.score("physics.kinematics", studio.frames([a, b]), exp)

    assert scene(0.0, 6.0).verdict == "pass"  # equal masses exchange velocities
    r = scene(0.0, 0.0)  # both stop: momentum lost
    assert r.verdict == "fail" and r.events[0].type == "momentum_not_conserved"


def _vehicle(facing: list[float], lean: list[float]) -> Track:
    tr = Track.empty("car", "car", len(facing))
    tr.facing = np.asarray(facing, float)
    tr.desc[:, DESCRIPTORS.index("top_heavy")] = lean
    return tr


TUNED_SHAPE = at_format(ShapeCheck(), *TUNED)  # thresholds in the pixels and frames of 16x128x128@8


def test_weak_facing_fills_frames_without_a_cabin() -> None:
    # the cabin is unseen for the first five frames; the body leans +, then - with the cabin at -1
    tr = _vehicle([0] * 5 + [-1] * 6, [0.03] * 5 + [-0.03] * 6)
    assert TUNED_SHAPE._with_weak_facing(tr).tolist() == [1] * 5 + [-1] * 6
    assert TUNED_SHAPE._front(tr).any()  # the front turned: seen from the lean alone at first
    # cues that disagree (a small car) add nothing
    odd = _vehicle([0] * 5 + [1, -1, 1, -1, 1, -1], [0.03] * 5 + [-0.03, 0.03, -0.03, 0.03, -0.03, 0.03])
    assert TUNED_SHAPE._with_weak_facing(odd).tolist() == odd.facing.tolist()
    # a lean too small to mean anything stays unknown
    faint = _vehicle([0] * 5 + [-1] * 6, [0.01] * 5 + [-0.03] * 6)
    assert not TUNED_SHAPE._front(faint).any()


def _bouncing(floor: float, g: float, v0: float, e: float, t: float) -> float:
    """Height (image y) at time ``t`` of a ball dropped from ``floor - v0²/2g`` that bounces with
    restitution ``e`` (analytic, flight by flight)."""
    y, v, start = floor - v0 * v0 / (2 * g), 0.0, 0.0
    while True:
        # time to fall from y with speed v (down positive) to the floor
        land = (-v + np.sqrt(v * v + 2 * g * (floor - y))) / g
        if t <= start + land:
            s = t - start
            return y + v * s + 0.5 * g * s * s
        start, y, v = start + land, floor, -e * (v + g * land)
        if abs(v) < 0.5:
            return floor


def test_a_long_bounce_settles_without_an_alarm(studio: Studio) -> None:
    """A 40-frame clip: bounces decay to wobbles of a pixel or two, then rest. Those are no flights
    to measure gravity on (they were taken for a change of acceleration)."""
    r = kin(studio, lambda t: (64, _bouncing(104, 1.2, 13.0, 0.55, t)), "bounces", T=40)
    assert r.verdict == "pass", [e.detail for e in r.events]


def _observed(T: int, fps: float, ys: np.ndarray, pieces: dict[str, list[int]] | None = None) -> Observation:
    """A 16 px ball at x 64 and ``ys[t]``, in a 128 px clip at ``fps``; ``pieces``: the tracks it is
    seen as (id -> frames; default one track seen throughout)."""
    out = []
    for tid, frames in (pieces or {"ball": list(range(T))}).items():
        tr = Track.empty(tid, "ball", T)
        c = np.stack([np.full(len(frames), 64.0), ys[frames]], 1)
        tr.visible[frames], tr.center[frames], tr.area[frames] = True, c, 201.0
        tr.box[frames] = np.concatenate([c - 8, c + 8], 1)
        out.append(tr)
    return Observation("test", T, 128, 128, out, Camera.static(T), groups={"ball": {"observable": True}}, fps=fps)


BOUNCES = Expect.model_validate({"objects": BALL, "kinematics": [{"subject": "ball", "motion": "bounces"}]})


def _kinematics(obs: Observation) -> list[tuple[str, int]]:
    out = at_format(build_metric("physics.kinematics"), obs.fps, 128).evaluate(BOUNCES, obs)
    return [(e.type, e.frame) for e in out[0]] if out else []


@pytest.mark.parametrize("g", [2.2, 2.6, 3.0, 3.4])
@pytest.mark.parametrize("e", [0.6, 0.7, 0.75])
@pytest.mark.parametrize("drop", [80, 95])
def test_a_six_second_bounce_at_8_fps_is_clean(g: float, e: float, drop: float) -> None:
    """Late, low bounces sampled at 8 fps: an impact inside a step shows only part of the
    reversal (the step grazes the floor: it moves down less, or a little up), yet far more than
    gravity's change of speed per step. Every one is an impact, not a change of acceleration."""
    ys = np.round([_bouncing(103, g, np.sqrt(2 * g * drop), e, t) for t in range(49)], 1)
    assert _kinematics(_observed(49, 8.0, np.asarray(ys))) == []


def test_a_bounce_whose_clock_doubles_is_caught_when_the_tracker_splits_it() -> None:
    """At 8 fps a ball whose clock doubles at frame 6 moves two sizes in a step: the tracker
    loses it and starts ``ball#2``, and the two ids alternate. The prompt expects one ball: its
    path is judged whole, and the change is found where it happened."""
    g, drop = 2.8, 87.0
    clock = np.array([t if t <= 5 else 5 + 2 * (t - 5) for t in range(16)], float)
    ys = np.array([_bouncing(103, g, np.sqrt(2 * g * drop), 0.7, c) for c in clock])
    pieces = {"ball": [0, 1, 2, 3, 4, 5, 8, 9, 10, 13, 14, 15], "ball#2": [6, 7, 11, 12]}
    found = _kinematics(_observed(16, 8.0, ys, pieces))
    assert found and abs(found[0][1] - 6) <= 2, found


def test_the_first_flight_unlike_the_one_before_is_reported_not_a_later_change() -> None:
    """At 16 fps the clock doubles from frame 14, just before the first impact: the flights after it
    fall four times as fast. That is the first thing wrong (dated at the second flight, within the
    0.25 s validate allows), not some change of acceleration within a later flight."""
    g, drop = 0.7, 87.0
    clock = np.array([t if t <= 13 else 13 + 2 * (t - 13) for t in range(81)], float)
    ys = np.array([_bouncing(103, g, np.sqrt(2 * g * drop), 0.7, c) for c in clock])
    found = _kinematics(_observed(81, 16.0, ys))
    assert found and abs(found[0][1] - 14) <= 4, found


def _at(tid: str, group: str, T: int, xy: dict[int, tuple[float, float]]) -> Track:
    """A 16 px object at ``xy[t]`` in the frames of ``xy``."""
    tr = Track.empty(tid, group, T)
    for t, c in xy.items():
        tr.visible[t], tr.center[t], tr.box[t], tr.area[t] = (
            True,
            c,
            np.r_[c[0] - 8, c[1] - 8, c[0] + 8, c[1] + 8],
            201.0,
        )
    return tr


def test_a_fall_undone_by_putting_the_object_back_is_reverted() -> None:
    """At 16 fps a ball hits an apple at frame 14; the apple falls, and from frame 29 it is back
    where it hung (the tracker calls it ``apple#2``) to the end of a 5 s clip: longer than it was
    seen as ``apple``. One apple fell after the contact and the fall went away at 29 (not: a new
    apple whose fall came before the contact)."""
    T = 81
    fall = {t: (100.0, 40.0 + (0.0 if t <= 14 else 0.35 * (t - 14) ** 2)) for t in range(29)}
    apple, apple2 = _at("apple", "apple", T, fall), _at("apple#2", "apple", T, {t: (100.0, 40.0) for t in range(29, T)})
    ball = _at("ball", "ball", T, {t: (20.0 + 4 * min(t, 14), 40.0) for t in range(T)})
    groups = {"apple": {"observable": True}, "ball": {"observable": True}}
    obs = Observation("test", T, 128, 128, [ball, apple, apple2], Camera.static(T), groups=groups, fps=16.0)
    objs = [{"id": "ball", "noun": "ball", "color": "yellow"}, {"id": "apple", "noun": "apple", "color": "green"}]
    events = [
        {"type": "contact", "subject": "ball", "object": "apple"},
        {"type": "state_change", "object": "apple", "after": "contact", "change": "fall"},
    ]
    exp = Expect.model_validate({"objects": objs, "events": events})
    found, _ = at_format(build_metric("physics.causal"), 16.0, 128).evaluate(exp, obs)
    assert [(e.type, e.frame, e.object) for e in found] == [("effect_reverted", 29, "apple")]
