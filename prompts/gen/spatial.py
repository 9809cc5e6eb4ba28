"""Spatial: left/right (every prompt with its mirror), three in a row, passing from one side of
something to the other, above/below (hanging or stacked)."""

from __future__ import annotations

import random

from prompts.gen.layout import Case, Draft, base_slots, end_range, exp, mirror_pair, obj, rest_y, retry
from prompts.gen.vocab import DIRECTIONS
from prompts.gen.words import Thing, fill, nouns, pick_thing, setting, side_slots
from prompts.gen.words import thing_slots as ts

DEAD = 0.5  # keep relations clear of the checks' dead zone (0.45 of the summed extents)
STILL = ("table", "desk", "floor", "studio", "room", "field", "street", "beach", "playroom", "kitchen")

LR = (
    "{a} sits {rel} {b} {on}.",
    "{a} rests on the {side} and {b} on the {oside}, both {on}.",
    "{on}, {b} stands with {a} just {rel} it.",
    "{a} and {b} side by side {on}, {the_a} on the {side}.",
    "Still life {on}: {a} placed {rel} {b}.",
    "There is {a} {on}, and {orel} it, {b}.",
    "{b} sits {orel} {a} {on}.",
    "A photo of {a} {rel} {b} {on}.",
    "On the {side} of {b} there is {a}.",
    "{a} on the {side}, {b} on the {oside}.",
)
PASS = (
    "{a} starts {rel} {b} and {a_verb} past it to the {oside}.",
    "{a} {a_verb} {dir} past {b}, ending up on its {oside} side.",
    "{on}, {a} on the {side} of {b} {a_verb} across and ends up on the other side.",
    "{a}, which begins {rel} {b}, {a_verb} over to its {oside}.",
    "{a} {a_verb} from the {side} of {b} to its {oside} {place}.",
    "{a} moves past {b}: first it is {rel} {the_b}, then {orel} it.",
)
ROW = (
    "{a} on the {side}, {c} in the middle, and {b} on the {oside}, lined up {on}.",
    "{c} sits between {a} on its {side} and {b} on its {oside}.",
    "From {side} to {oside}: {a}, {c}, and {b}.",
    "{a} and {b} flank {c}, {the_a} on the {side} and {the_b} on the {oside}.",
    "In a row {on}: {a} at the {side} end, {c} in the middle, {b} at the {oside} end.",
    "{c} stands in the center {on}, with {a} {rel} it and {b} {orel} it.",
)
HANG = (
    "{a} {hangs} above {b} {on}.",
    "{a} {hangs} high over {b}.",
    "{b} sits {on} directly below {a}.",
    "Above {b}, {a} {hangs} in the air.",
    "Underneath {a}, {b} waits {on}.",
    "{b} {on}, and above it {a}.",
    "{a} {hangs} over {b}, well above it.",
    "Looking up from {b}, you can see {a} overhead.",
)
STACK = (
    "{a} rests on top of {b}.",
    "{a} is balanced on {b} {on}.",
    "{b} with {a} sitting on top of it.",
    "{a} stacked on {b} {on}.",
    "{b} lies underneath {a}.",
    "{on}, {a} has been placed on top of {b}.",
    "{b} supports {a} on its top.",
    "{a} perched on {b}.",
)
HANG_VERBS = {"floater": ("floats", "hovers", "drifts"), "hanger": ("hangs", "dangles", "hangs")}


def _two(rng: random.Random, where: str, **kw: object) -> tuple[Thing, Thing]:
    pool = [n for n in nouns(where=where) if n.size[1] <= 0.24]
    a = pick_thing(rng, pool)
    b = pick_thing(rng, pool, avoid_colors=[a.color], avoid_nouns=[a.noun.key])
    return a, b


def _clear_lr(a: Thing, b: Thing, dx: float) -> bool:
    return abs(dx) - 0.02 >= DEAD * (a.w + b.w)


def left_right(rng: random.Random, template: str) -> list[Draft]:
    """Two things side by side; the mirror swaps them."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, STILL)
        a, b = _two(rng, st.key)
        xa, xb = rng.uniform(0.2, 0.38), rng.uniform(0.62, 0.8)
        if xa - a.w / 2 < 0.04 or xb + b.w / 2 > 0.96 or not _clear_lr(a, b, xb - xa):
            return None
        g = rng.uniform(*st.ground)
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [obj(a, (xa, rest_y(a, g))), obj(b, (xb, rest_y(b, g)))],
        }
        expect = {
            "objects": [exp(a), exp(b)],
            "relations": [{"subject": a.id, "relation": "left_of", "object": b.id, "when": "all"}],
        }
        slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b")}
        left = Draft(fill(template, {**slots, **side_slots("left")}), ["left-right", "static"], scene, expect)
        return mirror_pair(left, fill(template, {**slots, **side_slots("right")}))

    return retry(attempt)


def passing(rng: random.Random, template: str) -> list[Draft]:
    """One thing moves from one side of another to the other side (relation at start and end)."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ("table", "floor", "street", "field", "studio", "court", "playroom"))
        pool = nouns("mover", where=st.key)
        a = pick_thing(rng, [n for n in pool if n.size[1] <= 0.24])
        b = pick_thing(
            rng,
            [n for n in nouns(where=st.key) if n.size[1] <= 0.2 and n.move != "float"],
            avoid_colors=[a.color],
            avoid_nouns=[a.noun.key],
        )
        x0, xb = rng.uniform(0.1, 0.2), 0.5 + rng.uniform(-0.03, 0.03)
        v = rng.uniform(0.6, 0.78)
        lo, hi = end_range(x0, v)
        if x0 - a.w / 2 < 0.01 or hi + a.w / 2 > 1.02 or not (_clear_lr(a, b, xb - x0) and _clear_lr(a, b, lo - xb)):
            return None
        g = rng.uniform(*st.ground)
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [
                obj(b, (xb, rest_y(b, g))),
                obj(a, (x0, g + rng.uniform(0.015, 0.03) + a.h / 2), (v, 0), z=1),
            ],
        }
        expect = {
            "objects": [exp(a), exp(b)],
            "relations": [
                {"subject": a.id, "relation": "left_of", "object": b.id, "when": "start"},
                {"subject": a.id, "relation": "right_of", "object": b.id, "when": "end"},
            ],
            "motion": [{"subject": a.id, "direction": "right"}],
        }
        k = rng.randrange(len(DIRECTIONS["right"]))
        slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b")}
        left = fill(template, {**slots, **side_slots("left"), "dir": DIRECTIONS["right"][k]})
        right = fill(template, {**slots, **side_slots("right"), "dir": DIRECTIONS["left"][k]})
        return mirror_pair(Draft(left, ["left-right", "moving"], scene, expect), right)

    return retry(attempt)


def row(rng: random.Random, template: str) -> list[Draft]:
    """Three things in a row: the outer two relate to the middle one."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, STILL)
        pool = [n for n in nouns(where=st.key) if n.size[1] <= 0.2]
        a = pick_thing(rng, pool)
        b = pick_thing(rng, pool, avoid_colors=[a.color], avoid_nouns=[a.noun.key])
        c = pick_thing(rng, pool, avoid_colors=[a.color, b.color], avoid_nouns=[a.noun.key, b.noun.key])
        xa, xc, xb = rng.uniform(0.14, 0.22), rng.uniform(0.47, 0.53), rng.uniform(0.78, 0.86)
        if xa - a.w / 2 < 0.02 or xb + b.w / 2 > 0.98 or not (_clear_lr(a, c, xc - xa) and _clear_lr(c, b, xb - xc)):
            return None
        g = rng.uniform(*st.ground)
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [obj(t, (x, rest_y(t, g))) for t, x in ((a, xa), (c, xc), (b, xb))],
        }
        expect = {
            "objects": [exp(a), exp(c), exp(b)],
            "relations": [
                {"subject": a.id, "relation": "left_of", "object": c.id, "when": "all"},
                {"subject": b.id, "relation": "right_of", "object": c.id, "when": "all"},
            ],
        }
        slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b"), **ts(c, "c")}
        left = Draft(fill(template, {**slots, **side_slots("left")}), ["left-right", "three"], scene, expect)
        return mirror_pair(left, fill(template, {**slots, **side_slots("right")}))

    return retry(attempt)


def _vertical(a: Thing, b: Thing, rng: random.Random) -> dict[str, object]:
    """``a`` above ``b``, stated either way round."""
    if rng.random() < 0.5:
        return {"subject": a.id, "relation": "above", "object": b.id, "when": "all"}
    return {"subject": b.id, "relation": "below", "object": a.id, "when": "all"}


def hang(rng: random.Random, template: str) -> list[Draft]:
    """Something hangs or floats high above a thing on the ground."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ("field", "street", "room", "studio", "beach"))
        role = rng.choice(("floater", "hanger"))
        a = pick_thing(rng, [n for n in nouns(role) if n.size[1] <= 0.2])
        b = pick_thing(
            rng,
            [n for n in nouns(where=st.key) if n.move != "float"],
            avoid_colors=[a.color],
            avoid_nouns=[a.noun.key],
        )
        g = rng.uniform(*st.ground)
        x = rng.uniform(0.35, 0.65)
        ya, yb = rng.uniform(0.18, 0.32), rest_y(b, g)
        if yb - ya - 0.02 < DEAD * (a.h + b.h) or x - b.w / 2 < 0.03 or x + b.w / 2 > 0.97:
            return None
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [obj(a, (x + rng.uniform(-0.03, 0.03), ya)), obj(b, (x, yb))],
        }
        expect = {"objects": [exp(a), exp(b)], "relations": [_vertical(a, b, rng)]}
        slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b"), "hangs": rng.choice(HANG_VERBS[role])}
        return [Draft(fill(template, slots), ["above-below", "hanging"], scene, expect)]

    return retry(attempt)


def stack(rng: random.Random, template: str) -> list[Draft]:
    """One thing rests on top of another."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ("table", "floor", "studio", "room", "playroom", "warehouse"))
        b = pick_thing(rng, nouns("stacker"))
        a = pick_thing(
            rng,
            [n for n in nouns(where=st.key) if n.shape != "vehicle" and n.size[1] <= 0.17],
            avoid_colors=[b.color],
            avoid_nouns=[b.noun.key],
        )
        if a.w > b.w * 1.2:
            return None
        g = rng.uniform(*st.ground)
        x = rng.uniform(0.35, 0.65)
        yb = rest_y(b, g)
        ya = yb - b.h / 2 - a.h / 2 - 0.012
        scene = {"background": rng.choice(st.backgrounds), "objects": [obj(b, (x, yb)), obj(a, (x, ya))]}
        expect = {"objects": [exp(a), exp(b)], "relations": [_vertical(a, b, rng)]}
        slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b")}
        return [Draft(fill(template, slots), ["above-below", "stacked"], scene, expect)]

    return retry(attempt)


CASES = (
    Case("spatial", "spat-lr", 20, LR, left_right),
    Case("spatial", "spat-pass", 10, PASS, passing),
    Case("spatial", "spat-row", 10, ROW, row),
    Case("spatial", "spat-hang", 8, HANG, hang),
    Case("spatial", "spat-stack", 8, STACK, stack),
)
