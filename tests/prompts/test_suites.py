"""The bundled suites: they validate, are balanced, read as varied English, and nightly is in core."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from model.reference import ReferenceGenerator
from prompts import PHYSICS_FAMILIES, SUITES, Prompt, load_suite, parse_suite
from prompts.gen.vocab import COLOR_WORDS, NOUN
from prompts.validate import suite_problems
from tests.prompts.suites import CORE

#: What each family's check reads: a core prompt of that family must carry it.
FAMILY_FIELDS = {
    "permanence": lambda e: bool(e.objects),
    "spatial": lambda e: bool(e.relations),
    "direction": lambda e: bool(e.motion),
    "camera": lambda e: e.camera is not None,
    "shape": lambda e: any(o.shape for o in e.objects),
    "causal": lambda e: any(ev.type == "state_change" for ev in e.events),
    "kinematics": lambda e: bool(e.kinematics),
    "count": lambda e: sum(o.count for o in e.objects) >= 2,
}


@pytest.mark.parametrize("name", SUITES.names())
def test_bundled_suite_validates_and_round_trips(name: str) -> None:
    suite = load_suite(name)
    assert suite_problems(suite) == []
    dumped = suite.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert parse_suite(dumped).model_dump() == suite.model_dump()


def test_bundled_suites_are_the_four_tiers() -> None:
    assert {"core", "nightly", "showcase", "smoke"} <= set(SUITES.names())


def test_core_is_balanced_and_complete() -> None:
    counts = CORE.family_counts()
    assert len(CORE.prompts) >= 400 and set(counts) == set(PHYSICS_FAMILIES)
    assert all(counts[f] >= 40 for f in PHYSICS_FAMILIES), counts
    for p in CORE.prompts:
        assert p.scene is not None and p.expect is not None and p.expect.objects, p.id
        assert FAMILY_FIELDS[p.family](p.expect), f"{p.id}: a {p.family} prompt without its field"


def test_core_covers_every_sub_case() -> None:
    tags = Counter(t for p in CORE.prompts for t in p.tags)
    for tag in ("occlusion", "wall", "box", "crossing", "two-similar", "exit-frame", "enter-frame",
                "hidden-reveal", "left-right", "above-below", "opposite", "vertical", "tracking", "pan",
                "tilt", "zoom", "static-camera", "vehicle", "front", "rigid", "color", "bite", "crack",
                "fall", "gravity", "bounce", "uniform", "projectile", "rise", "collision"):  # fmt: skip
        assert tags[tag] >= 2, tag
    cams = {p.expect.camera for p in CORE.prompts if p.expect and p.expect.camera}
    assert cams == {"static", "pan_left", "pan_right", "tilt_up", "tilt_down", "zoom_in", "zoom_out"}
    dirs = {m.direction for p in CORE.prompts if p.expect for m in p.expect.motion}
    assert dirs == {"left", "right", "up", "down"}
    opposite = [p for p in CORE.prompts if p.expect and {m.direction for m in p.expect.motion} >= {"left", "right"}]
    assert len(opposite) >= 10
    kinds = {k.motion for p in CORE.prompts if p.expect for k in p.expect.kinematics}
    assert kinds == {"falls", "bounces", "uniform", "projectile", "rises", "collides"}
    assert sum(bool(p.scene and p.scene.collisions) for p in CORE.prompts) >= 6
    changes = {e.change for p in CORE.prompts if p.expect for e in p.expect.events if e.type == "state_change"}
    assert changes == {"color", "bite", "crack", "fall"}
    vehicles = [p for p in CORE.prompts if p.family == "shape" and "vehicle" in p.tags]
    assert len(vehicles) >= 15 and all(p.expect and p.expect.motion for p in vehicles)


def test_every_left_right_prompt_has_its_mirror() -> None:
    by_id = {p.id: p for p in CORE.prompts}
    lr = [
        p for p in CORE.prompts if p.expect and any(r.relation in ("left_of", "right_of") for r in p.expect.relations)
    ]
    assert len(lr) >= 30
    for p in lr:
        q = by_id[p.mirror]  # type: ignore[index]
        assert q.mirror == p.id and q.text != p.text
        rel = {(r.subject, r.relation, r.object, r.when) for r in p.expect.relations}  # type: ignore[union-attr]
        swap = {"left_of": "right_of", "right_of": "left_of"}
        assert {(s, swap.get(r, r), o, w) for s, r, o, w in rel} == {
            (r.subject, r.relation, r.object, r.when)
            for r in q.expect.relations  # type: ignore[union-attr]
        }
        xs = sorted(o.pos[0] for o in p.scene.objects)  # type: ignore[union-attr]
        assert sorted(1 - o.pos[0] for o in q.scene.objects) == pytest.approx(xs)  # type: ignore[union-attr]


def test_nightly_is_a_stratified_subset_of_core() -> None:
    nightly = load_suite("nightly")
    core = {p.id: p for p in CORE.prompts}
    assert 90 <= len(nightly.prompts) <= 110
    for p in nightly.prompts:
        assert p.id in core and p.model_dump() == core[p.id].model_dump(), p.id
    counts = nightly.family_counts()
    assert set(counts) == set(PHYSICS_FAMILIES) and min(counts.values()) >= 10
    cases = {p.id.rsplit("-", 1)[0] for p in nightly.prompts}
    assert len(cases) >= 30  # spread over the sub-cases, not the first prompts of each family


def test_smoke_and_showcase_shapes() -> None:
    smoke = load_suite("smoke")
    counts = smoke.family_counts()
    assert len(smoke.prompts) <= 16 and all(1 <= counts.get(f, 0) <= 2 for f in PHYSICS_FAMILIES)
    showcase = load_suite("showcase")
    assert len(showcase.prompts) >= 60
    assert all(p.scene is None and p.expect is not None and p.family == "showcase" for p in showcase.prompts)
    texts = " ".join(p.text.lower() for p in showcase.prompts)
    for words in ("lion and a cat", "museum", "computer with a hammer", "formula 1", "mother and her",
                  "taxis", "vintage televisions", "on a fluffy white cloud", "tokyo", "cookie"):  # fmt: skip
        assert words in texts, words


def _mentions(text: str, noun: str) -> bool:
    known = NOUN.get(noun)
    forms = {noun, noun + "s", noun + "es", {"person": "people"}.get(noun, noun)}
    if known is not None:
        forms.add(known.plural_form)
    return any(re.search(rf"\b{re.escape(f)}\b", text, re.I) for f in forms)


@pytest.mark.parametrize("name", SUITES.names())
def test_texts_read_as_sentences_naming_their_objects(name: str) -> None:
    suite = load_suite(name)
    assert len({p.text for p in suite.prompts}) == len(suite.prompts)
    for p in suite.prompts:
        t = p.text
        assert t[0].isupper() and t[-1] in ".!?", t
        assert "{" not in t and "  " not in t and not re.search(r"\b(\w+) \1\b", t, re.I), t
        for o in p.expect.objects if p.expect else []:
            assert _mentions(t, o.noun), f"{p.id}: {o.noun!r} not in {t!r}"


def _colour_named(p: Prompt, noun: str, color: str) -> bool:
    known = NOUN.get(noun)
    words = set(COLOR_WORDS.get(color, ())) | set(known.words.get(color, ()) if known else ())
    implied = known is not None and known.implied == color
    text = p.text.lower()
    return implied or any(w in text for w in words)


def test_core_texts_name_colours_and_are_not_one_template() -> None:
    for p in CORE.prompts:
        for o in p.expect.objects:  # type: ignore[union-attr]
            assert o.color and _colour_named(p, o.noun, o.color), f"{p.id}: {o.color} {o.noun} in {p.text!r}"
    openings = Counter(" ".join(p.text.split()[:3]).lower() for p in CORE.prompts)
    assert openings.most_common(1)[0][1] <= 0.04 * len(CORE.prompts), openings.most_common(3)
    nouns = {o.noun for p in CORE.prompts for o in p.expect.objects}  # type: ignore[union-attr]
    assert len(nouns) >= 60
    per_shape = Counter(o.shape for p in CORE.prompts for o in p.expect.objects)  # type: ignore[union-attr]
    assert set(per_shape) == {"circle", "square", "rectangle", "triangle", "star", "vehicle"}


def test_showcase_renders_from_expect_alone() -> None:
    g = ReferenceGenerator(profile="clean")
    for p in load_suite("showcase").prompts[::6]:
        v = g.generate(p, seed=0, num_frames=4, height=32, width=32)
        assert v.frames.shape == (4, 32, 32, 3)
