"""Count: N identical things stay N, resting in rows or scattered, moving together, in two
groups of different colours, or two groups crossing each other's path."""

from __future__ import annotations

import random
from typing import Any

from prompts.gen.direction import opposite_slots
from prompts.gen.layout import (
    POS_JITTER,
    SPEED_JITTER,
    Case,
    Draft,
    base_slots,
    exp,
    heading,
    obj,
    rest_y,
    retry,
    travel_ok,
)
from prompts.gen.vocab import NUMBERS
from prompts.gen.words import Thing, color_word, distinct, fill, nouns, number, pick_thing, setting

ROW = (
    "{g} sit {arr} {on}.",
    "There are {g} {on}, and none of them move.",
    "Exactly {gn} rest {arr} {on}.",
    "{on}, {g} wait {arr}.",
    "A still shot of {g} {arr} {on}.",
    "{g}, {arr}, {on}.",
    "{g} {on}; the count never changes.",
    "Count them: {gn} {arr} {on}.",
)
CONVOY = (
    "{g} {vpl} {dir} in single file {place}.",
    "A line of {gn} {ving} {dir} {place}.",
    "{g} {vpl} {dir} together, keeping their spacing.",
    "{on}, {g} {vpl} {dir} one behind the other.",
    "{g} travel {dir} as a group {place}.",
    "{g} {vpl} {dir} {place}, all at the same speed.",
    "{g} {vpl} {dir} {place}; there are still {n} of them at the end.",
)
GROUPS = (
    "{g1} and {g2} {on}.",
    "{on} there are {g1} next to {g2}.",
    "{g1} sit beside {g2} {on}.",
    "{g1}, plus {g2}, {on}.",
    "{on}: {g1} and {g2}, nothing more.",
    "Still life {on} with {g1} and {g2}.",
)
CROSS = (
    "{g1} {vpl1} {dir_a} while {g2} {vpl2} {dir_b} {place}.",
    "{g1} and {g2} pass each other {place}, heading opposite ways.",
    "{on}, {g1} head {side_a} as {g2} head {side_b}; they cross in the middle.",
    "{g1} going {side_a} meet {g2} going {side_b} and pass them.",
    "{g1} {vpl1} {dir_a} and {g2} {vpl2} {dir_b}, crossing paths {place}.",
)
ARRANGEMENTS = {
    "row": ("in a row", "side by side", "in a neat line", "evenly spaced"),
    "rows": ("in two rows", "in two neat rows"),
    "scatter": ("scattered around", "spread out"),
}


def group_phrase(rng: random.Random, t: Thing, n: int, plain: bool = False) -> str:
    """``three red balls`` / ``a pair of red balls`` / ``a single red ball`` (``plain``: no "a pair of")."""
    words = " ".join(w for w in (color_word(rng, t.noun, t.color), t.noun.key if n == 1 else t.noun.plural_form) if w)
    if n == 1:
        return ("a single " if rng.random() < 0.5 else "one ") + words
    return f"{NUMBERS[n][0] if plain else number(rng, n)} {words}"


def members(
    t: Thing, positions: list[tuple[float, float]], vel: tuple[float, float] = (0.0, 0.0), **kw: Any
) -> list[dict[str, Any]]:
    """Scene objects of a group: ids ``<group>_<k>``."""
    return [obj(t, p, vel, id=f"{t.id}_{k + 1}", group=t.id, **kw) for k, p in enumerate(positions)]


def _row_x(n: int, step: float, centre: float = 0.5) -> list[float]:
    return [centre + (k - (n - 1) / 2) * step for k in range(n)]


def _layout(rng: random.Random, t: Thing, n: int, g: float) -> tuple[str, list[tuple[float, float]]] | None:
    kind = (
        rng.choice(("row", "row", "rows", "scatter"))
        if n >= 4 and n % 2 == 0
        else rng.choice(("row", "row", "scatter"))
    )
    y = rest_y(t, g)
    if kind == "row":
        step = t.w + rng.uniform(0.06, 0.1)
        xs = _row_x(n, step, 0.5 + rng.uniform(-0.03, 0.03))
        pts = [(x, y) for x in xs]
    elif kind == "rows":
        step = t.w + rng.uniform(0.06, 0.1)
        back = y - t.h - rng.uniform(0.06, 0.1)
        pts = [(x, yy) for yy in (back, y) for x in _row_x(n // 2, step, 0.5 + rng.uniform(-0.03, 0.03))]
    else:
        pts = []
        for _ in range(400):
            if len(pts) == n:
                break
            p = (rng.uniform(0.12, 0.88), rng.uniform(max(0.2, y - 0.3), y))
            if all(abs(p[0] - q[0]) > t.w + 0.05 or abs(p[1] - q[1]) > t.h + 0.05 for q in pts):
                pts.append(p)
    if len(pts) != n or any(x - t.w / 2 < 0.04 or x + t.w / 2 > 0.96 or yy - t.h / 2 < 0.05 for x, yy in pts):
        return None
    return rng.choice(ARRANGEMENTS[kind]), pts


def rest(rng: random.Random, template: str) -> list[Draft]:
    """N identical things rest in a row, two rows, or scattered."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ("table", "floor", "field", "studio", "street", "beach", "playroom", "desk"))
        t = pick_thing(rng, nouns("count", where=st.key))
        n = rng.choice((2, 3, 3, 4, 4, 5, 6))
        laid = _layout(rng, t, n, rng.uniform(*st.ground))
        if laid is None:
            return None
        arr, pts = laid
        scene = {"background": rng.choice(st.backgrounds), "objects": members(t, pts)}
        slots = {
            **base_slots(rng, st),
            "g": group_phrase(rng, t, n),
            "gn": group_phrase(rng, t, n, True),
            "arr": arr,
        }
        return [Draft(fill(template, slots), ["static", f"n{n}"], scene, {"objects": [exp(t, n)]})]

    return retry(attempt)


def _fits(span: float, travel: float) -> bool:
    """A group spanning ``span`` can travel ``travel`` (with the per-seed jitter) inside the frame."""
    return span + travel * (1 + SPEED_JITTER) + 2 * POS_JITTER + 0.06 <= 0.96


def convoy(rng: random.Random, template: str) -> list[Draft]:
    """N identical things move the same way, one behind the other."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ("table", "floor", "street", "field", "snow", "court", "pond", "parking"))
        pool = [n for n in nouns("count", where=st.key) if n.move != "rest"]
        if not pool:
            return None
        t = pick_thing(rng, pool)
        n = rng.choice((2, 3, 3, 4))
        step = t.w + rng.uniform(0.1, 0.13)
        span = (n - 1) * step + t.w
        travel = (max(0.15, 1.5 * t.w) + 0.02) / (1 - SPEED_JITTER) + rng.uniform(0.0, 0.08)
        if not _fits(span, travel):
            return None
        x0 = 0.04 + POS_JITTER + t.w / 2
        y = rest_y(t, rng.uniform(*st.ground))
        pts = [(x0 + k * step, y) for k in range(n)]
        scene = {"background": rng.choice(st.backgrounds), "objects": members(t, pts, (travel, 0.0))}
        expect = {"objects": [exp(t, n)], "motion": [{"subject": t.id, "direction": "right"}]}
        slots = {
            **base_slots(rng, st),
            "g": group_phrase(rng, t, n),
            "gn": group_phrase(rng, t, n, True),
            "n": NUMBERS[n][0],
            "vpl": t.verb[1],
            "ving": t.verb[2],
        }
        return heading(rng, Draft("", ["moving", f"n{n}"], scene, expect), slots, template)

    return retry(attempt)


def groups(rng: random.Random, template: str) -> list[Draft]:
    """Two groups of different colours rest in two rows."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ("table", "floor", "field", "studio", "playroom", "desk", "beach"))
        pool = [n for n in nouns("count", where=st.key) if n.size[1] <= 0.16]
        a = pick_thing(rng, pool)
        a, b = distinct(a, pick_thing(rng, pool, avoid_colors=[a.color]))
        na, nb = rng.choice((2, 3, 4)), rng.choice((1, 2, 3))
        g = rng.uniform(*st.ground)
        yb = rest_y(b, g)
        ya = yb - b.h / 2 - a.h / 2 - rng.uniform(0.06, 0.1)
        xa = _row_x(na, a.w + rng.uniform(0.06, 0.1), 0.5 + rng.uniform(-0.05, 0.05))
        xb = _row_x(nb, b.w + rng.uniform(0.06, 0.1), 0.5 + rng.uniform(-0.05, 0.05))
        if min(xa) - a.w / 2 < 0.04 or max(xa) + a.w / 2 > 0.96 or min(xb) - b.w / 2 < 0.04 or max(xb) + b.w / 2 > 0.96:
            return None
        if ya - a.h / 2 < 0.05:
            return None
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": members(a, [(x, ya) for x in xa]) + members(b, [(x, yb) for x in xb]),
        }
        slots = {**base_slots(rng, st), "g1": group_phrase(rng, a, na), "g2": group_phrase(rng, b, nb)}
        expect = {"objects": [exp(a, na), exp(b, nb)]}
        return [Draft(fill(template, slots), ["static", "two-groups"], scene, expect)]

    return retry(attempt)


def crossing(rng: random.Random, template: str) -> list[Draft]:
    """Two groups of different colours move in opposite directions through the same stretch."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ("table", "floor", "street", "field", "court", "playroom"))
        pool = [n for n in nouns("count", where=st.key) if n.move != "rest" and n.size[1] <= 0.2]
        a = pick_thing(rng, pool)
        a, b = distinct(a, pick_thing(rng, pool, avoid_colors=[a.color]))
        na, nb = rng.choice((2, 3)), rng.choice((2, 3))
        sa, sb = a.w + rng.uniform(0.08, 0.11), b.w + rng.uniform(0.08, 0.11)
        span_a, span_b = (na - 1) * sa + a.w, (nb - 1) * sb + b.w
        edge = 0.04 + POS_JITTER
        travel_a = (1 - 2 * edge - span_a) / (1 + SPEED_JITTER)
        travel_b = (1 - 2 * edge - span_b) / (1 + SPEED_JITTER)
        if span_a + span_b > 1 - 2 * edge - 0.06 or not (travel_ok(a, travel_a) and travel_ok(b, travel_b)):
            return None
        g = rng.uniform(*st.ground)
        ya, yb = rest_y(a, g - b.h - rng.uniform(0.015, 0.04)), rest_y(b, g)  # adjacent lanes
        pa = [(edge + a.w / 2 + k * sa, ya) for k in range(na)]
        pb = [(1 - edge - b.w / 2 - k * sb, yb) for k in range(nb)]
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": members(a, pa, (travel_a, 0.0)) + members(b, pb, (-travel_b, 0.0), z=1),
        }
        expect = {
            "objects": [exp(a, na), exp(b, nb)],
            "motion": [{"subject": a.id, "direction": "right"}, {"subject": b.id, "direction": "left"}],
        }
        slots = {
            **base_slots(rng, st),
            "g1": group_phrase(rng, a, na),
            "g2": group_phrase(rng, b, nb),
            "vpl1": a.verb[1],
            "vpl2": b.verb[1],
        }
        return heading(
            rng,
            Draft("", ["moving", "two-groups", "crossing"], scene, expect),
            slots,
            template,
            opposite_slots(rng, slots["place"]),
        )

    return retry(attempt)


CASES = (
    Case("count", "count-rest", 18, ROW, rest),
    Case("count", "count-convoy", 14, CONVOY, convoy),
    Case("count", "count-groups", 12, GROUPS, groups),
    Case("count", "count-cross", 12, CROSS, crossing),
)
