from __future__ import annotations

import pytest

from tests.metrics.physics.conftest import Studio
from tests.metrics.synth import Obj, linear

BALL = {"objects": [{"id": "ball", "noun": "ball", "color": "red", "shape": "circle"}]}
TAXIS = {"objects": [{"id": "taxi", "noun": "taxi", "color": "yellow", "shape": "circle", "count": 2}]}
WALL = ((54, 30, 78, 100), (128, 128, 128))


def ball(studio: Studio, path, **kw) -> Obj:  # type: ignore[no-untyped-def]
    return Obj("circle", studio.color("red"), path, size=18, **kw)


def verdict(studio: Studio, objs: list[Obj], expect: dict = BALL, **kw):  # type: ignore[no-untyped-def]
    return studio.score("physics.permanence", studio.frames(objs, **kw), expect)


def test_clean_motion_passes(studio: Studio) -> None:
    r = verdict(studio, [ball(studio, linear(20, 64, 5.5))])
    assert r.verdict == "pass", r.events


def test_vanish_in_open_view(studio: Studio) -> None:
    path = linear(20, 64, 5.5)
    r = verdict(studio, [ball(studio, lambda t: path(t) if t < 9 else None)])
    assert r.verdict == "fail"
    assert [(e.type, e.frame) for e in r.events] == [("vanish", 9)]
    assert r.events[0].bbox is not None
    track = r.events[0].to_dict()["track"]  # the path the gallery draws: frames 0..8, moving right
    assert [row[0] for row in track] == list(range(9)) and track[-1][1] > track[0][1] + 0.2
    assert track[-1][1:] == r.events[0].to_dict()["bbox"]  # the box nearest the event is the last seen


def test_occlusion_and_reemergence_pass(studio: Studio) -> None:
    r = verdict(studio, [ball(studio, linear(12, 64, 7.0))], occluders=[WALL])
    assert r.verdict == "pass", r.events


def test_hidden_and_never_coming_out_fails(studio: Studio) -> None:
    path = linear(12, 64, 7.0)
    r = verdict(studio, [ball(studio, lambda t: path(t) if t < 8 else None)], occluders=[WALL])
    assert r.verdict == "fail" and r.events[0].type == "vanish"
    assert 8 <= r.events[0].frame <= 12


def test_reemerging_in_the_wrong_place_is_a_teleport(studio: Studio) -> None:
    path = linear(12, 64, 7.0)
    r = verdict(studio, [ball(studio, lambda t: path(t) if t < 10 else (path(t)[0], 20.0))], occluders=[WALL])
    assert r.verdict == "fail" and r.events[0].type == "teleport"
    assert abs(r.events[0].frame - 10) <= 1


def test_leaving_and_entering_the_frame_pass(studio: Studio) -> None:
    out = verdict(studio, [ball(studio, linear(70, 64, 8.0))])
    assert out.verdict == "pass", out.events
    into = verdict(studio, [ball(studio, linear(-30, 64, 8.0))])
    assert into.verdict == "pass", into.events


def test_spawn_in_open_view(studio: Studio) -> None:
    path = linear(64, 64, 3.0)
    r = verdict(
        studio,
        [ball(studio, lambda t: path(t) if t >= 6 else None), Obj("square", studio.color("blue"), linear(20, 30, 0))],
    )
    assert r.verdict == "fail" and (r.events[0].type, r.events[0].frame) == ("spawn", 6)


def test_jump_is_a_teleport(studio: Studio) -> None:
    path = linear(20, 64, 4.0)
    r = verdict(studio, [ball(studio, lambda t: path(t) if t < 8 else (path(t)[0] + 36, 64))])
    assert r.verdict == "fail" and [(e.type, e.frame) for e in r.events] == [("teleport", 8)]


def test_two_similar_objects_crossing_pass(studio: Studio) -> None:
    a = Obj("circle", studio.color("yellow"), linear(12, 64, 7.0), z=0)
    b = Obj("circle", studio.color("yellow"), linear(116, 64, -7.0), z=1)
    r = verdict(studio, [a, b], TAXIS)
    assert r.verdict == "pass", r.events


def test_two_similar_objects_merging_fail(studio: Studio) -> None:
    a = Obj("circle", studio.color("yellow"), linear(12, 64, 7.0), z=0)
    pb = linear(116, 64, -7.0)
    b = Obj("circle", studio.color("yellow"), lambda t: pb(t) if t < 8 else None, z=1)
    r = verdict(studio, [a, b], TAXIS)
    assert r.verdict == "fail" and r.events[0].type in ("merge", "vanish")
    assert abs(r.events[0].frame - 8) <= 1


def test_a_slow_merge_is_dated_at_its_onset_by_count_too(studio: Studio) -> None:
    """Two yellow balls slide into one over 5 frames (from 6), then one is gone: permanence dates
    the merge where the sliding began, and the count that is short from the end of the slide is
    dated there too (at 24 fps the slide alone outlasts the 0.25 s a label allows)."""
    pa, pb = linear(20, 50, 4.0), linear(20, 90, 4.0)
    slide = lambda t: pb(t) if t < 6 else (pb(t)[0], 90 - 8 * min(t - 5, 5)) if t < 11 else None  # noqa: E731
    a = Obj("circle", studio.color("yellow"), pa, z=1)
    b = Obj("circle", studio.color("yellow"), slide, z=0)
    frames = studio.frames([a, b], T=16)
    perm = studio.score("physics.permanence", frames, TAXIS)
    count = studio.score("physics.count", frames, TAXIS)
    assert perm.verdict == count.verdict == "fail"
    assert abs(perm.events[0].frame - 6) <= 1 and abs(count.events[0].frame - 6) <= 1, (perm.events, count.events)


def test_duplicate_slides_out_of_the_original(studio: Studio) -> None:
    path = linear(30, 50, 3.0)
    copy = lambda t: (path(t)[0] + min(t - 6, 2) * 11.0, 50.0) if t >= 7 else None  # noqa: E731
    r = verdict(studio, [ball(studio, path), ball(studio, copy)])
    assert r.verdict == "fail" and r.events[0].type == "duplicate" and abs(r.events[0].frame - 7) <= 1


def test_a_copy_elsewhere_is_a_spawn(studio: Studio) -> None:
    path = linear(30, 50, 3.0)
    copy = lambda t: (path(t)[0], 90.0) if t >= 7 else None  # noqa: E731
    r = verdict(studio, [ball(studio, path), ball(studio, copy)])
    assert r.verdict == "fail" and (r.events[0].type, r.events[0].frame) == ("spawn", 7)


def test_split_into_two_halves(studio: Studio) -> None:
    path = linear(30, 64, 3.0)
    up = Obj(
        "circle", studio.color("red"), lambda t: path(t) if t < 7 else (path(t)[0], 64 - min(t - 6, 2) * 7.0), size=18
    )
    down = Obj(
        "circle", studio.color("red"), lambda t: None if t < 7 else (path(t)[0], 64 + min(t - 6, 2) * 7.0), size=18
    )
    up.scale = down.scale = lambda t: 1.0 if t < 7 else 0.71  # type: ignore[method-assign]
    r = verdict(studio, [up, down])
    assert r.verdict == "fail" and r.events[0].type == "split" and abs(r.events[0].frame - 7) <= 1


STAR = {"objects": [{"id": "star", "noun": "star", "color": "yellow", "shape": "star"}]}


@pytest.mark.parametrize("size, speed, y", [(22, 3.0, 50), (30, 6.0, 64)])
def test_a_star_coming_out_arm_by_arm_is_one_object(studio: Studio, size: int, speed: float, y: int) -> None:
    """Its arms clear the wall one by one, as separate regions, before the body joins them."""
    star = Obj("star", studio.color("yellow"), linear(66, y, -speed), size=size)
    frames = studio.frames([star], occluders=[WALL])
    for check in ("physics.permanence", "physics.count"):
        r = studio.score(check, frames, STAR)
        assert r.verdict == "pass", (check, [e.detail for e in r.events])


def test_a_hard_bounce_is_no_teleport(studio: Studio) -> None:
    """Falling 21 px a frame, it leaves the floor 14 px a frame up: the velocity jumps, the
    position does not (and it carries on at its new velocity)."""

    def path(t: int) -> tuple[float, float]:
        if t <= 7:
            return (40 + 2 * t, 16 + 1.5 * t * t)
        return (40 + 2 * t, 16 + 1.5 * 49 - 15 * (t - 7) + 1.5 * (t - 7) ** 2)

    r = verdict(studio, [Obj("circle", studio.color("red"), path, size=14)])
    assert r.verdict == "pass", [e.detail for e in r.events]
