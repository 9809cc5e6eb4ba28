"""Direction: one thing moving left, right, up or down; two things moving in opposite directions;
motion seen through a panning camera (the net motion is judged after removing the camera)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from prompts.gen.layout import (
    Case,
    Draft,
    base_slots,
    end_range,
    exp,
    heading,
    obj,
    r3,
    rest_y,
    retry,
    travel_ok,
)
from prompts.gen.vocab import DOWN_VERBS, SETTINGS, UP_VERBS, Setting
from prompts.gen.words import SIDE_SWAP, Thing, direction, distinct, fill, nouns, pick_thing, setting
from prompts.gen.words import thing_slots as ts

HORIZ = (
    "{a} {a_verb} {adv} {dir} {place}.",
    "{a} {a_verb} {place}, heading {side}.",
    "{on}, {a} {a_verb} {adv} {dir}.",
    "{a} {a_ving} {dir} {place}, shot from the side.",
    "Watch {a} as it {a_verb} {dir} {place}.",
    "{a} makes its way {dir} {place}.",
    "Side view: {a} {a_verb} {adv} {dir}.",
    "{a} {a_verb} {dir} and never changes direction.",
    "A wide shot of {a} {a_ving} {dir} {place}.",
    "{a} keeps {a_ving} {side}ward {place}.",
    "In the frame, {a} travels {dir} {place}.",
    "{a} heads {side} {place} at an even pace.",
)
VERT = (
    "{a} {verb} {dir} {on}.",
    "{a} slowly {verb} {dir} {on}.",
    "{on}, {a} {verb} {dir}.",
    "{a} {ving} {dir}, filmed from a fixed position.",
    "Watch as {a} {verb} {dir}.",
    "{a} {verb} {dir}, moving {way} the whole time.",
    "{a} {verb} from the {start} of the frame toward the {end}.",
    "{a} keeps {ving} {dir} {on}.",
)
OPPOSITE = (
    "{a} {a_verb} {dir_a} while {b} {b_verb} {dir_b} {place}.",
    "{a} and {b} move in opposite directions {place}: {the_a} goes {side_a}, {the_b} goes {side_b}.",
    "{on}, {a} heads {side_a} as {b} heads {side_b}.",
    "{a} {a_ving} {dir_a} passes {b} {b_ving} {dir_b}.",
    "Two things cross {place}: {a} {a_verb} {dir_a} and {b} {b_verb} {dir_b}.",
    "{a} {a_verb} {side_a} in the back; in front, {b} {b_verb} {side_b}.",
    "While {b} {b_verb} {dir_b} {place}, {a} {a_verb} the other way.",
)
UPDOWN = (
    "{a} {a_verb} {up} while {b} {b_verb} {down}.",
    "One goes up, one goes down: {a} {a_verb} {up} and {b} {b_verb} {down}.",
    "{on}, {a} {a_verb} {up} as {b} {b_verb} {down}.",
    "{a} {a_ving} {up} passes {b} {b_ving} {down}.",
    "{b} {b_verb} {down} {on}, and next to it {a} {a_verb} {up}.",
    "{a} and {b} move in opposite directions: {the_a} up, {the_b} down.",
)
TRACK = (
    "The camera follows {a} as it {a_verb} {dir} {place}.",
    "Tracking shot: {a} {a_ving} {dir}, the camera panning along with it.",
    "The camera pans {side} to keep up with {a} {a_ving} {place}.",
    "{a} {a_verb} {dir} {place} and the camera pans with it.",
    "A panning shot following {a} as it heads {side}.",
    "The camera swings {side}, keeping {a} in view as it {a_verb} {dir}.",
)
COUNTER = (
    "The camera pans {from_side} while {a} {a_verb} {dir} {place}.",
    "As the camera pans slowly to the {from_side}, {a} {a_verb} {side}.",
    "{a} {a_verb} {dir}; meanwhile the camera pans the other way.",
    "Camera pans {from_side}, {a} {a_ving} {dir} across the shot.",
)
ADVERBS = {
    "": (0.5, 0.62),
    "slowly": (0.42, 0.5),
    "steadily": (0.48, 0.6),
    "quickly": (0.6, 0.7),
    "smoothly": (0.48, 0.6),
}


def _mover(rng: random.Random, keys: tuple[str, ...] = tuple(SETTINGS)) -> tuple[Setting, Thing]:
    st = setting(rng, [k for k in keys if nouns("mover", where=k)])
    return st, pick_thing(rng, nouns("mover", where=st.key))


def _lane_y(rng: random.Random, st: Setting, t: Thing) -> float:
    if st.key == "sky":
        return rng.uniform(0.35, 0.6)
    return rest_y(t, rng.uniform(*st.ground))


def horizontal(rng: random.Random, template: str) -> list[Draft]:
    """One thing moves left or right."""

    def attempt() -> list[Draft] | None:
        st, t = _mover(rng)
        adv = rng.choice(sorted(ADVERBS))
        v = rng.uniform(*ADVERBS[adv])
        x0 = rng.uniform(t.w / 2 + 0.04, 0.3)
        if end_range(x0, v)[1] + t.w / 2 > 0.97 or not travel_ok(t, v):
            return None
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [obj(t, (x0, _lane_y(rng, st, t)), (v, 0))],
        }
        expect = {"objects": [exp(t)], "motion": [{"subject": t.id, "direction": "right"}]}
        slots = {**base_slots(rng, st), **ts(t, "a"), "adv": adv}
        return heading(rng, Draft("", ["single", "horizontal"], scene, expect), slots, template)

    return retry(attempt)


def _vertical_thing(rng: random.Random, way: str, avoid_colors: tuple[str, ...] = ()) -> Thing:
    pool = nouns("floater") + (nouns("riser") if way == "up" else nouns("sinker"))
    pool = sorted({n.key: n for n in pool if way == "up" or n.key != "rocket"}.values(), key=lambda n: n.key)
    t = pick_thing(rng, pool, avoid_colors=avoid_colors)
    return replace(t, verb=rng.choice(UP_VERBS if way == "up" else DOWN_VERBS))


def vertical(rng: random.Random, template: str) -> list[Draft]:
    """One thing moves straight up or down."""
    way = rng.choice(("up", "down"))
    t = _vertical_thing(rng, way)
    st = setting(rng, ("sky", "room", "studio") if t.noun.key != "elevator" else ("room",))
    dy = rng.uniform(0.42, 0.52)
    y0 = rng.uniform(0.72, 0.78) if way == "up" else rng.uniform(0.2, 0.26)
    vel = (0.0, -dy if way == "up" else dy)
    scene = {"background": rng.choice(st.backgrounds), "objects": [obj(t, (rng.uniform(0.3, 0.7), y0), vel)]}
    expect = {"objects": [exp(t)], "motion": [{"subject": t.id, "direction": way}]}
    ends = ("bottom", "top") if way == "up" else ("top", "bottom")
    slots = {
        **base_slots(rng, st),
        "a": t.phrase,
        "verb": t.verb[0],
        "ving": t.verb[2],
        "way": way,
        "dir": direction(rng, way),
        "start": ends[0],
        "end": ends[1],
    }
    return [Draft(fill(template, slots), ["single", "vertical"], scene, expect)]


def two_lanes(rng: random.Random, st: Setting, a: Thing, b: Thing) -> tuple[dict, dict] | None:
    """Scene and expect of ``a`` moving right in the far lane and ``b`` left in the near lane."""
    g = rng.uniform(*st.ground)
    yb = rest_y(b, g)
    ya = yb - b.h / 2 - a.h / 2 - rng.uniform(0.06, 0.12)
    xa, xb = rng.uniform(0.12, 0.25), rng.uniform(0.75, 0.88)
    va, vb = rng.uniform(0.45, 0.62), rng.uniform(0.45, 0.62)
    if ya - a.h / 2 < 0.06 or xa - a.w / 2 < 0.02 or xb + b.w / 2 > 0.98:
        return None
    if not (travel_ok(a, va) and travel_ok(b, vb)):
        return None
    if end_range(xa, va)[1] + a.w / 2 > 0.97 or end_range(xb, -vb)[0] - b.w / 2 < 0.03:
        return None
    scene = {
        "background": rng.choice(st.backgrounds),
        "objects": [obj(a, (xa, ya), (va, 0)), obj(b, (xb, yb), (-vb, 0), z=1)],
    }
    expect = {
        "objects": [exp(a), exp(b)],
        "motion": [{"subject": a.id, "direction": "right"}, {"subject": b.id, "direction": "left"}],
    }
    return scene, expect


def opposite_slots(rng: random.Random, place: str = "") -> Callable[[str], dict[str, str]]:
    """Direction slots of two things moving apart: ``{side_a}``, ``{dir_a}``, ``{side_b}``, ``{dir_b}``."""

    def more(d: str) -> dict[str, str]:
        o = SIDE_SWAP[d]
        return {
            "side_a": d,
            "side_b": o,
            "dir_a": direction(rng, d, place),
            "dir_b": direction(rng, o, place),
        }

    return more


def opposite(rng: random.Random, template: str) -> list[Draft]:
    """Two things in two lanes move in opposite directions."""

    def attempt() -> list[Draft] | None:
        st, b = _mover(rng, ("street", "field", "floor", "table", "court", "beach", "snow", "parking", "playroom"))
        a, b = distinct(pick_thing(rng, nouns("mover", where=st.key), avoid_colors=[b.color]), b)
        laid = two_lanes(rng, st, a, b)
        if laid is None:
            return None
        slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b")}
        draft = Draft("", ["two", "opposite"], *laid)
        return heading(rng, draft, slots, template, opposite_slots(rng, slots["place"]))

    return retry(attempt)


def up_down(rng: random.Random, template: str) -> list[Draft]:
    """One thing rises while another sinks beside it."""
    a = _vertical_thing(rng, "up")
    a, b = distinct(a, _vertical_thing(rng, "down", avoid_colors=(a.color,)))
    st = setting(rng, ("room",) if "elevator" in (a.noun.key, b.noun.key) else ("sky", "room", "studio"))
    xa, xb = rng.uniform(0.24, 0.34), rng.uniform(0.66, 0.76)
    if rng.random() < 0.5:
        xa, xb = 1 - xa, 1 - xb
    dy = rng.uniform(0.42, 0.5)
    scene = {
        "background": rng.choice(st.backgrounds),
        "objects": [
            obj(a, (xa, rng.uniform(0.72, 0.78)), (0, -dy)),
            obj(b, (xb, rng.uniform(0.22, 0.28)), (0, rng.uniform(0.42, 0.5))),
        ],
    }
    expect = {
        "objects": [exp(a), exp(b)],
        "motion": [{"subject": a.id, "direction": "up"}, {"subject": b.id, "direction": "down"}],
    }
    slots = {
        **base_slots(rng, st),
        **ts(a, "a"),
        **ts(b, "b"),
        "up": direction(rng, "up"),
        "down": direction(rng, "down"),
    }
    return [Draft(fill(template, slots), ["two", "opposite", "vertical"], scene, expect)]


def tracked(follow: bool) -> Callable[[random.Random, str], list[Draft]]:
    """A thing moves while the camera pans with it (``follow``) or against it."""

    def make(rng: random.Random, template: str) -> list[Draft]:
        def attempt() -> list[Draft] | None:
            st, t = _mover(rng, ("street", "field", "floor", "beach", "snow", "parking", "court", "table"))
            if follow:
                amount, v, x0 = rng.uniform(0.24, 0.32), rng.uniform(0.5, 0.6), rng.uniform(0.16, 0.24)
                cam, s0, s1 = "pan_right", x0 + amount / 2, x0 + v - amount / 2
            else:
                amount, v, x0 = rng.uniform(0.18, 0.24), rng.uniform(0.36, 0.44), rng.uniform(0.26, 0.34)
                cam, s0, s1 = "pan_left", x0 - amount / 2, x0 + v + amount / 2
            if s0 - t.w / 2 < 0.04 or s1 + t.w / 2 + 0.06 > 0.97 or not travel_ok(t, v):
                return None
            scene = {
                "background": st.textured,
                "camera": {"motion": cam, "amount": r3(amount)},
                "objects": [obj(t, (x0, _lane_y(rng, st, t)), (v, 0))],
            }
            expect = {"objects": [exp(t)], "motion": [{"subject": t.id, "direction": "right"}], "camera": cam}
            slots = {**base_slots(rng, st), **ts(t, "a")}
            tags = ["camera", "tracking" if follow else "counter-pan"]
            return heading(rng, Draft("", tags, scene, expect), slots, template)

        return retry(attempt)

    return make


CASES = (
    Case("direction", "dir-horiz", 16, HORIZ, horizontal),
    Case("direction", "dir-vert", 10, VERT, vertical),
    Case("direction", "dir-opposite", 14, OPPOSITE, opposite),
    Case("direction", "dir-updown", 6, UPDOWN, up_down),
    Case("direction", "dir-track", 6, TRACK, tracked(True)),
    Case("direction", "dir-counter", 4, COUNTER, tracked(False)),
)
