"""Fault operators: labels, minimal pairs, what the truth says, severity, and where they apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from metrics.observe.color import color_mask
from model.reference import ReferenceGenerator
from model.world.faults import FAULTS
from prompts import load_suite
from t2vbase.errors import GeneratorError
from t2vbase.video import Video
from tests.model.helpers import centres, obj, prompt, render, truth

OPEN = {  # three different objects in open view, moving slowly
    "background": {"kind": "texture", "color": "#d9d2c4", "color2": "#c4bcae"},
    "objects": [
        obj("ball", pos=[0.2, 0.3], vel=[0.3, 0.0]),
        obj("box", shape="square", color="blue", pos=[0.75, 0.3], vel=[-0.2, 0.05]),
        obj("car", shape="vehicle", color="yellow", size=0.24, aspect=2.0, pos=[0.3, 0.72], vel=[0.4, 0.0]),
    ],
}
TWINS = {"objects": [obj("m1", pos=[0.38, 0.5]), obj("m2", pos=[0.62, 0.5])]}
PAN = {**OPEN, "camera": {"motion": "pan_right", "amount": 0.3}}
THROW = {"objects": [obj("ball", pos=[0.15, 0.3], vel=[0.5, -0.6], gravity=True)], "gravity": 1.6}
HIT = {
    "objects": [
        obj("hammer", shape="rectangle", color="brown", size=0.2, aspect=0.5, pos=[0.12, 0.5], vel=[0.7, 0.0]),
        obj("laptop", shape="square", color="blue", size=0.22, pos=[0.62, 0.5]),
    ],
    "events": [{"subject": "hammer", "object": "laptop", "change": "color", "to": "black"}],
}
SCENES = {
    "vanish": OPEN, "spawn": OPEN, "merge": TWINS, "split": OPEN, "duplicate": OPEN, "teleport": OPEN,
    "mirror": OPEN, "reverse": OPEN, "recolor": OPEN, "morph": OPEN, "resize": OPEN, "flip": OPEN,
    "freeze": OPEN, "flicker": OPEN, "camera_reverse": PAN, "no_effect": HIT, "early_effect": HIT,
    "revert": HIT, "gravity": THROW, "speed": OPEN,
}  # fmt: skip
KEYS = {"type", "object", "start_frame", "end_frame", "severity"}


def test_all_twenty_faults_are_registered() -> None:
    assert set(FAULTS.names()) == set(SCENES)
    assert all(e.meta["description"] and e.meta["severity"] for e in FAULTS.entries())


def pair(name: str, seed: int = 0, **options: Any) -> tuple[Video, Video, dict[str, Any]]:
    """Clean and faulty renders of the fault's scene, and the fault's label."""
    scene = SCENES[name]
    clean = render(scene, seed=seed)
    faulty = render(scene, seed=seed, profile="default", faults=name, rate=1.0, **options)
    (label,) = faulty.metadata["faults"]
    return clean, faulty, label


def involved(clean: Video, faulty: Video, label: dict[str, Any]) -> set[str]:
    """The label's object and partner and the tracks the fault added."""
    old = {o["id"] for o in clean.metadata["truth"]["objects"]}
    new = {o["id"] for o in faulty.metadata["truth"]["objects"]} - old
    return {label["object"], label.get("partner")} - {None} | new


def assert_minimal_pair(clean: Video, faulty: Video, label: dict[str, Any]) -> None:
    """The clips differ exactly from ``start_frame`` to ``end_frame``, and there only inside the
    boxes of the tracks the fault touched (anywhere for a camera fault)."""
    T, H, W = clean.frames.shape[:3]
    s, e = label["start_frame"], label["end_frame"]
    assert 0 <= s <= e < T
    diff = (clean.frames.astype(int) != faulty.frames).any(axis=-1)  # (T, H, W)
    changed = np.flatnonzero(diff.any(axis=(1, 2)))
    assert changed.min() == s and changed.max() == e  # visible exactly from start to end
    if label["object"] == "camera":
        return
    allowed = np.zeros((T, H, W), bool)
    for video in (clean, faulty):
        for tid in involved(clean, faulty, label) & {o["id"] for o in video.metadata["truth"]["objects"]}:
            for i, (x0, y0, x1, y1) in enumerate(truth(video, tid)["bbox"]):
                xa, xb = max(0, int(np.floor(x0 * W)) - 2), int(np.ceil(x1 * W)) + 2
                ya, yb = max(0, int(np.floor(y0 * H)) - 2), int(np.ceil(y1 * H)) + 2
                allowed[i, ya:yb, xa:xb] = True
    assert not (diff & ~allowed).any()


@pytest.mark.parametrize("name", sorted(SCENES))
def test_fault_is_a_labelled_minimal_pair(name: str) -> None:
    clean, faulty, label = pair(name, seed=1)
    assert set(label) == KEYS | ({"partner"} if name in ("merge", "mirror") else set())
    assert label["type"] == name and label["severity"] == 1.0
    assert_minimal_pair(clean, faulty, label)


@pytest.mark.parametrize("name", sorted(SCENES))
def test_fault_is_a_minimal_pair_on_every_smoke_prompt(name: str) -> None:
    applied = 0
    for p in load_suite("smoke").prompts:
        clean = ReferenceGenerator(profile="clean").generate(p, seed=3)
        faulty = ReferenceGenerator(faults=name, rate=1.0).generate(p, seed=3)
        for label in faulty.metadata["faults"]:
            assert_minimal_pair(clean, faulty, label)
            applied += 1
    assert applied >= 1


def _vanish(c: Video, f: Video, lab: dict[str, Any]) -> None:
    vis = truth(f, lab["object"])["visible"]
    assert all(vis[: lab["start_frame"]]) and not any(vis[lab["start_frame"] :])


def _spawn(c: Video, f: Video, lab: dict[str, Any]) -> None:
    new, s = truth(f, lab["object"]), lab["start_frame"]
    assert lab["object"].endswith("~spawn") and new["group"] == truth(f, lab["object"][: -len("~spawn")])["group"]
    assert not any(new["visible"][:s]) and all(new["visible"][s:])
    assert min(new["visible_frac"][s:]) == 1.0  # appears in open view, not from behind something


def _merge(c: Video, f: Video, lab: dict[str, Any]) -> None:
    gone, keep = truth(f, lab["object"]), truth(f, lab["partner"])
    last = gone["visible"].index(False) - 1
    assert not any(gone["visible"][last + 1 :])
    assert np.allclose(gone["bbox"][last], keep["bbox"][last])  # slid into one place


def _split(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s, oid = lab["start_frame"], lab["object"]
    piece = truth(f, f"{oid}~split")
    assert not any(piece["visible"][:s]) and all(piece["visible"][s:])
    assert truth(f, oid)["area"][-1] == pytest.approx(truth(c, oid)["area"][-1] / 2, rel=0.15)


def _duplicate(c: Video, f: Video, lab: dict[str, Any]) -> None:
    oid = lab["object"]
    copy = truth(f, f"{oid}~dup")
    assert copy["area"][-1] == pytest.approx(truth(f, oid)["area"][-1], rel=0.05)
    assert abs(centres(f, f"{oid}~dup")[-1, 0] - centres(f, oid)[-1, 0]) > 0.1


def _teleport(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s, oid = lab["start_frame"], lab["object"]
    jump = np.hypot(*(centres(f, oid)[s:] - centres(c, oid)[s:]).T)
    assert np.allclose(jump, 0.25, atol=0.01)  # a constant offset of 0.25 frames from the start


def _mirror(c: Video, f: Video, lab: dict[str, Any]) -> None:
    a, b = lab["object"], lab["partner"]
    before = np.sign(centres(c, a)[0, 0] - centres(c, b)[0, 0])
    after = np.sign(centres(f, a)[:, 0] - centres(f, b)[:, 0])
    assert (after == -before).all()


def _reverse(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s, oid = lab["start_frame"], lab["object"]
    d_clean = centres(c, oid)[-1] - centres(c, oid)[s - 1]
    d_fault = centres(f, oid)[-1] - centres(f, oid)[s - 1]
    assert np.allclose(d_fault, -d_clean, atol=1e-3)


def _freeze(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s, oid = lab["start_frame"], lab["object"]
    xy = centres(f, oid)
    assert np.allclose(xy[s - 1 : s + 4], xy[s - 1], atol=1e-9)  # 4 frames still at severity 1
    assert np.allclose(xy[s + 4 :], centres(c, oid)[s : len(xy) - 4])  # then carries on, late


def _speed(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s, oid = lab["start_frame"], lab["object"]
    ratio = np.linalg.norm(centres(f, oid)[s + 2] - centres(f, oid)[s - 1])
    ratio /= np.linalg.norm(centres(c, oid)[s + 2] - centres(c, oid)[s - 1])
    assert ratio == pytest.approx(2.0, rel=0.02) or ratio == pytest.approx(0.5, rel=0.02)


def _recolor(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s, oid = lab["start_frame"], lab["object"]
    new = truth(f, oid)["color"][-1]
    assert truth(f, oid)["color"][:s] == truth(c, oid)["color"][:s] and set(truth(f, oid)["color"][s:]) == {new}
    x0, y0, x1, y1 = (np.array(truth(f, oid)["bbox"][-1]) * 128).astype(int)
    assert color_mask(f.frames[-1:, y0:y1, x0:x1], new).mean() > 0.3  # and the pixels say so


def _morph(c: Video, f: Video, lab: dict[str, Any]) -> None:
    assert truth(f, lab["object"])["shape"][-1] != truth(c, lab["object"])["shape"][-1]


def _resize(c: Video, f: Video, lab: dict[str, Any]) -> None:
    ratio = truth(f, lab["object"])["area"][-1] / truth(c, lab["object"])["area"][-1]
    assert ratio == pytest.approx(1.6**2, rel=0.1) or ratio == pytest.approx(0.6**2, rel=0.1)


def _flip(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s = lab["start_frame"]
    assert truth(f, "car")["facing"][s:] == [-v for v in truth(c, "car")["facing"][s:]]


def _flicker(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s, e = lab["start_frame"], lab["end_frame"]
    assert e - s == 4  # dark on frames s, s+2, s+4
    lum = [f.frames[i].mean() - c.frames[i].mean() for i in range(s, e + 1)]
    assert lum[0] < -0.5 and lum[2] < -0.5 and lum[4] < -0.5 and lum[1] == 0 and lum[3] == 0


def _camera_reverse(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s = lab["start_frame"]
    dc, df = np.diff(c.metadata["truth"]["camera"]["cx"]), np.diff(f.metadata["truth"]["camera"]["cx"])
    assert (dc[s - 1 :] > 0).all() and (df[s - 1 :] < 0).all() and np.allclose(df[: s - 1], dc[: s - 1])


def _contact(v: Video) -> int:
    return v.metadata["truth"]["contacts"]["hammer>laptop"]


def _no_effect(c: Video, f: Video, lab: dict[str, Any]) -> None:
    assert lab["start_frame"] == _contact(c) and set(truth(f, "laptop")["color"]) == {"blue"}


def _early_effect(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s, k = lab["start_frame"], _contact(c)
    assert s == k - 3 and lab["end_frame"] == k - 1 and truth(f, "laptop")["color"][s:] == ["black"] * (16 - s)


def _revert(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s, k = lab["start_frame"], _contact(c)
    col = truth(f, "laptop")["color"]
    assert s >= k + 2 and col[k:s] == ["black"] * (s - k) and set(col[s:]) == {"blue"}


def _gravity(c: Video, f: Video, lab: dict[str, Any]) -> None:
    s = lab["start_frame"]
    acc_clean = np.diff(centres(c, "ball")[:, 1], 2)
    acc_fault = np.diff(centres(f, "ball")[:, 1], 2)
    assert np.allclose(acc_fault[s:], -acc_clean[s:], atol=1e-4)  # severity 1: gravity points up


TRUTH_CHECKS: dict[str, Callable[[Video, Video, dict[str, Any]], None]] = {
    name[1:]: fn for name, fn in globals().items() if name.startswith("_") and name[1:] in SCENES
}


@pytest.mark.parametrize("name", sorted(SCENES))
def test_truth_shows_the_fault(name: str) -> None:
    clean, faulty, label = pair(name)
    TRUTH_CHECKS[name](clean, faulty, label)


@pytest.mark.parametrize("name", ["teleport", "vanish", "flicker", "morph", "early_effect"])
def test_severity_scales_the_fault(name: str) -> None:
    _, weak, lw = pair(name, severity=0.5)
    _, strong, ls = pair(name, severity=2.0)
    assert lw["severity"] == 0.5 and ls["severity"] == 2.0
    if name == "teleport":
        clean = render(SCENES[name])
        for lab, v, d in ((lw, weak, 0.125), (ls, strong, 0.5)):
            jump = np.hypot(*(centres(v, lab["object"])[-1] - centres(clean, lab["object"])[-1]))
            assert jump == pytest.approx(d, abs=0.01)
    elif name == "vanish":  # severity 0.5 fades out over two frames
        assert truth(weak, lw["object"])["opacity"][lw["start_frame"]] == 0.5
        assert not truth(strong, ls["object"])["visible"][ls["start_frame"]]
    elif name == "flicker":
        clean = render(SCENES[name])
        dim = [
            clean.frames[lab["start_frame"]].mean() - v.frames[lab["start_frame"]].mean()
            for lab, v in ((lw, weak), (ls, strong))
        ]
        assert dim[1] > 2 * dim[0] > 0
    elif name == "morph":  # slower morph: the new shape wins later
        first = [truth(v, lab["object"])["shape"] for lab, v in ((lw, weak), (ls, strong))]
        change = [next(i for i, sh in enumerate(shapes) if sh != shapes[0]) for shapes in first]
        assert change[0] > change[1]
    else:
        assert _contact(weak) - lw["start_frame"] == 2 and _contact(strong) - ls["start_frame"] == 6


def test_object_and_start_can_be_forced() -> None:
    v = render(OPEN, profile="default", faults="teleport", rate=1.0, severity=2.0, object="box", start=6)
    assert v.metadata["faults"] == [
        {"type": "teleport", "object": "box", "start_frame": 6, "end_frame": 15, "severity": 2.0}
    ]
    gen = ReferenceGenerator(faults="teleport", rate=1.0, jitter=0.0)
    cands = gen.fault_candidates(prompt(OPEN))
    assert cands["teleport"]["box"] and 6 in cands["teleport"]["box"]
    assert render(OPEN, profile="default", faults="vanish", rate=1.0, start=0).metadata["faults"] == []
    assert render(OPEN, profile="default", faults="flip", rate=1.0, object="ball").metadata["faults"] == []
    with pytest.raises(GeneratorError, match="need faults="):
        ReferenceGenerator(object="ball")


def test_candidates_match_what_is_injected() -> None:
    gen = ReferenceGenerator(jitter=0.0)
    cands = gen.fault_candidates(prompt(HIT))
    assert {"no_effect", "early_effect", "revert"} <= set(cands) and "flip" not in cands and "merge" not in cands
    for name, objects in cands.items():
        for oid, starts in objects.items():
            lab = render(HIT, profile="default", faults=name, rate=1.0, object=oid, start=starts[-1]).metadata
            (got,) = lab["faults"]
            want = f"{oid}~spawn" if name == "spawn" else oid
            assert (got["object"], got["start_frame"]) == (want, starts[-1]), name


WALL = {
    "objects": [obj("ball", pos=[0.12, 0.5], vel=[0.76, 0.0])],
    "occluders": [{"id": "wall", "pos": [0.5, 0.5], "size": 0.5, "aspect": 0.32}],
}
EDGE = {"objects": [obj("ball", pos=[0.8, 0.5], vel=[1.2, 0.0])]}  # leaving the frame from the start


@pytest.mark.parametrize(
    "name, scene",
    [
        ("flip", TWINS),  # no vehicle
        ("merge", OPEN),  # no two similar objects
        ("merge", {"objects": [obj("m1", pos=[0.15, 0.5]), obj("m2", pos=[0.85, 0.5])]}),  # not close
        ("mirror", TWINS),  # look alike: swapping them shows nothing
        ("no_effect", OPEN),  # no causal event
        ("early_effect", OPEN),
        ("revert", OPEN),
        ("camera_reverse", OPEN),  # static camera
        ("gravity", OPEN),  # nothing falls
        ("reverse", TWINS),  # nothing moves
        ("freeze", TWINS),
        ("speed", TWINS),
        ("vanish", EDGE),  # only where leaving the frame would explain it
        ("spawn", {"objects": [obj("big", size=0.9)]}),  # no open space
    ],
)
def test_fault_is_skipped_where_the_scene_does_not_allow_it(name: str, scene: dict) -> None:
    assert render(scene, profile="default", faults=name, rate=1.0).metadata["faults"] == []


@pytest.mark.parametrize("name", ["vanish", "teleport", "morph", "duplicate", "freeze", "recolor"])
def test_faults_start_in_open_view(name: str) -> None:
    """Around an occluder and the frame edge, a fault starts only where the object is seen whole:
    a legal occlusion or exit can never explain it."""
    gen = ReferenceGenerator(jitter=0.0)
    clean = render(WALL)
    ball = truth(clean, "ball")
    starts = gen.fault_candidates(prompt(WALL))[name]["ball"]
    assert starts
    for s in starts:
        for i in (s - 1, s):
            assert ball["visible_frac"][i] == 1.0 and ball["occluded_by"][i] == []
    behind = [i for i, f in enumerate(ball["visible_frac"]) if f < 1.0]
    assert not set(starts) & set(behind)


def test_default_profile_is_a_realistic_mix() -> None:
    suite = load_suite("smoke")
    gen = ReferenceGenerator()
    labels = [gen.generate(p, seed=seed).metadata["faults"] for p in suite.prompts for seed in range(8)]
    faulty = [lab for lab in labels if lab]
    assert 0.3 <= len(faulty) / len(labels) <= 0.5
    assert all(len(lab) == 1 for lab in faulty)
    assert len({lab[0]["type"] for lab in faulty}) >= 10  # a gallery, not one failure
    p = suite.prompts[1]
    seed, lab = next((s, v) for s in range(8) if (v := gen.generate(p, seed=s).metadata["faults"]))
    again = ReferenceGenerator(faults=lab[0]["type"], rate=1.0).generate(p, seed=seed)
    assert again.metadata["faults"] == lab and np.array_equal(again.frames, gen.generate(p, seed=seed).frames)


def test_a_plan_never_faults_one_object_twice() -> None:
    v = render(OPEN, profile="default", faults="vanish+teleport+recolor+morph", rate=1.0)
    objects = [lab["object"] for lab in v.metadata["faults"]]
    assert len(objects) == 3 and len(set(objects)) == 3  # three objects, four faults
    assert [lab["type"] for lab in v.metadata["faults"]] == ["vanish", "teleport", "recolor"]
    twins = render(TWINS, profile="default", faults="vanish+merge", rate=1.0)  # its only partner is taken
    assert [lab["type"] for lab in twins.metadata["faults"]] == ["vanish"]
    assert render(TWINS, profile="default", faults="merge", rate=1.0).metadata["faults"]


def test_faulty_renders_are_deterministic() -> None:
    a = render(OPEN, seed=4, jitter=1.0, profile="default", faults="spawn+speed", rate=1.0)
    b = render(OPEN, seed=4, jitter=1.0, profile="default", faults="spawn+speed", rate=1.0)
    assert np.array_equal(a.frames, b.frames) and a.metadata == b.metadata
    c = render(OPEN, seed=5, jitter=1.0, profile="default", faults="spawn+speed", rate=1.0)
    assert c.metadata["faults"] != a.metadata["faults"] or not np.array_equal(a.frames, c.frames)


def test_faults_come_at_the_same_seconds_and_last_as_long_at_every_format() -> None:
    """At 16 fps a fault may start at twice the frame numbers it may at 8 fps (the same seconds of
    the scene), and a freeze holds for as many seconds."""
    gen = ReferenceGenerator(faults="freeze", rate=1.0, jitter=0.0)
    at8 = gen.fault_candidates(prompt(OPEN), num_frames=16, fps=8.0)["freeze"]
    at16 = gen.fault_candidates(prompt(OPEN), num_frames=81, aspect=832 / 480, fps=16.0)["freeze"]
    assert at8 and set(at8) == set(at16)
    for oid in at8:
        assert {2 * s for s in at8[oid]} <= set(at16[oid]) and max(at16[oid]) <= 2 * max(at8[oid]) + 1
    for fps, T in ((8.0, 16), (16.0, 81)):
        s = 4 if fps == 8.0 else 8
        v = render(OPEN, profile="default", faults="freeze", rate=1.0, object="ball", start=s, num_frames=T, fps=fps)
        assert len(v.metadata["faults"]) == 1
        x = centres(v, "ball")[:, 0]
        held = int(np.sum(np.abs(np.diff(x[s - 1 :])) < 1e-9))
        assert held == round(0.5 * fps)  # 0.5 s at severity 1: 4 frames at 8 fps, 8 at 16
