"""Core prompts render clean with the reference world, and what ``expect`` says holds in the truth.

A stratified sample keeps this fast; ``benchmarks/bench_suites.py`` renders every prompt.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from model.reference import ReferenceGenerator
from prompts import Prompt
from prompts.consistency import check_truth
from tests.prompts.suites import CORE

CLEAN = ReferenceGenerator(profile="clean")
PER_CASE = 3


def _sample() -> list[tuple[Prompt, int]]:
    """``PER_CASE`` prompts spread over every sub-case, each with its own seed."""
    by_case: dict[str, list[Prompt]] = defaultdict(list)
    for p in CORE.prompts:
        by_case[p.id.rsplit("-", 1)[0]].append(p)
    out = []
    for k, (_, ps) in enumerate(sorted(by_case.items())):
        out += [(ps[j * len(ps) // PER_CASE], (k + j) % 7) for j in range(PER_CASE)]
    return out


SAMPLE = _sample()


def truth(p: Prompt, seed: int = 0, gen: ReferenceGenerator = CLEAN) -> dict[str, Any]:
    video = gen.generate(p, seed=seed)
    assert video.frames.shape == (16, 128, 128, 3) and video.metadata["prompt_id"] == p.id
    return video.metadata["truth"]


def test_sample_spans_every_family_and_sub_case() -> None:
    assert {p.family for p, _ in SAMPLE} == set(CORE.family_counts())
    assert len(SAMPLE) >= 3 * 40


def test_clean_renders_show_what_expect_says() -> None:
    problems = []
    for p, seed in SAMPLE:
        problems += [f"seed {seed}: {f}" for f in check_truth(p, truth(p, seed))]
    assert not problems, "\n".join(problems)


def test_every_collision_prompt_collides() -> None:
    problems = []
    for p in CORE.prompts:
        if p.scene is not None and p.scene.collisions:
            problems += [str(f) for f in check_truth(p, truth(p))]
    assert not problems, "\n".join(problems)


def _prompt(prefix: str) -> Prompt:
    return next(p for p in CORE.prompts if p.id.startswith(prefix))


def _expect(p: Prompt, edit: Callable[[dict[str, Any]], None]) -> Prompt:
    d = p.model_dump(mode="json", by_alias=True, exclude_none=True)
    edit(d["expect"])
    return Prompt.model_validate(d)


SWAP = {
    **{
        "left_of": "right_of",
        "right_of": "left_of",
        "left": "right",
        "right": "left",
        "up": "down",
        "down": "up",
    },
    **{"pan_left": "pan_right", "pan_right": "pan_left", "zoom_in": "zoom_out"},
}


def _swap(key: str, i: int | None = None) -> Callable[[dict[str, Any]], None]:
    """An edit of ``expect`` swapping ``key`` (or the field of item ``i`` of list ``key``) to its opposite."""
    field = {"relations": "relation", "motion": "direction"}.get(key)

    def edit(e: dict[str, Any]) -> None:
        if i is None:
            e[key] = SWAP[e[key]]
        else:
            e[key][i][field] = SWAP[e[key][i][field]]

    return edit


def _set(key: str, **values: Any) -> Callable[[dict[str, Any]], None]:
    """An edit of ``expect`` that updates the first item of list ``key`` (or sets ``key``)."""

    def edit(e: dict[str, Any]) -> None:
        if isinstance(e.get(key), list):
            e[key][0].update(values)
        else:
            e[key] = values["value"]

    return edit


@pytest.mark.parametrize(
    "prefix, edit, field",
    [
        ("spat-lr-", _swap("relations", 0), "expect.relations[0]"),
        ("spat-hang-", _set("relations", relation="left_of"), "expect.relations[0]"),
        ("dir-horiz-", _swap("motion", 0), "expect.motion[0]"),
        ("dir-vert-", _swap("motion", 0), "expect.motion[0]"),
        ("dir-track-", _swap("motion", 0), "expect.motion[0]"),
        ("cam-pan-", _swap("camera"), "expect.camera"),
        ("cam-zoom-in-", _swap("camera"), "expect.camera"),
        ("cam-static-", _set("camera", value="tilt_up"), "expect.camera"),
        ("dir-horiz-", _set("camera", value="pan_left"), "expect.camera"),
        ("count-rest-", _set("objects", count=7), "expect.objects[0].count"),
        ("kin-uniform-", _set("kinematics", motion="falls"), "expect.kinematics[0]"),
        ("kin-fall-", _set("kinematics", motion="uniform"), "expect.kinematics[0]"),
        ("kin-bounce-", _set("kinematics", motion="rises"), "expect.kinematics[0]"),
        ("causal-crack-", lambda e: e["events"][1].update(change="bite"), "expect.events[1]"),
        ("perm-occlude-", _set("objects", shape="star"), "expect.objects[0].shape"),
    ],
)
def test_wrong_expectations_are_found(prefix: str, edit: Callable[[dict[str, Any]], None], field: str) -> None:
    p = _prompt(prefix)
    clean = truth(p)
    assert check_truth(p, clean) == []
    wrong = check_truth(_expect(p, edit), clean)
    assert any(f.field.startswith(field) for f in wrong), wrong


def _edit_track(t: dict[str, Any], oid: str, edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    t = copy.deepcopy(t)
    edit(next(o for o in t["objects"] if o["group"] == oid))
    return t


def test_faulty_renders_are_found() -> None:
    p = _prompt("count-rest-")
    faulty = ReferenceGenerator(faults="vanish", rate=1.0)
    found = check_truth(p, truth(p, 0, faulty))
    assert any("not seen at the end" in f.message for f in found), found


@pytest.mark.parametrize(
    "prefix, target, edit, needle",
    [
        ("causal-color-", 1, lambda o: o.update(color=[o["color"][-1]] * len(o["color"])), "before frame"),
        ("causal-bite-", 1, lambda o: o.update(bite=[True] * len(o["bite"])), "not exactly from the contact"),
        ("shape-vehicle-", 0, lambda o: o.update(facing=[1] * 8 + [-1] * 8), "turns its front around"),
        ("shape-rigid-", 0, lambda o: o.update(shape=o["shape"][:8] + ["star"] * 8), "changes shape"),
        ("dir-horiz-", 0, lambda o: o.update(color=o["color"][:8] + ["black"] * 8), "changes colour"),
    ],
)
def test_truth_that_breaks_the_expectations_is_found(
    prefix: str, target: int, edit: Callable[[dict[str, Any]], None], needle: str
) -> None:
    p = _prompt(prefix)
    oid = p.expect.objects[target].id  # type: ignore[union-attr]
    clean = truth(p)
    assert check_truth(p, clean) == []
    found = check_truth(p, _edit_track(clean, oid, edit))
    assert any(needle in f.message for f in found), found


def test_missing_contact_is_found() -> None:
    p = _prompt("causal-fall-")
    t = truth(p)
    t["contacts"] = {}
    fields = {f.field for f in check_truth(p, t)}
    assert {"expect.events[0]", "expect.events[1]"} <= fields
