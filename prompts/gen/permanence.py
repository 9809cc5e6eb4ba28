"""Permanence: occlusion and re-emergence, two similar objects crossing, leaving and entering the
frame, hidden then revealed. Scenes are laid out moving right and flipped for leftward prompts."""

from __future__ import annotations

import random
from collections.abc import Callable

from prompts.gen.layout import (
    Case,
    Draft,
    Wall,
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
from prompts.gen.vocab import OCCLUDERS, Setting
from prompts.gen.words import NoChoice, Thing, article, color_word, direction, fill, ident, nouns, pick_thing, setting
from prompts.gen.words import thing_slots as ts

OCCLUDE = (
    "{a} {a_verb} {dir} behind {occ} and comes out on the other side.",
    "{a} {a_verb} {place}, disappears behind {occ}, and reappears on its far side.",
    "{on}, {a} {a_verb} {dir}, passing behind {occ} before it emerges again.",
    "{a} {a_ving} {dir} is hidden for a moment by {occ}, then comes back into view.",
    "{a} goes behind {occ} and pops out the other side, still {a_ving} {dir}.",
    "Side view {on}: {a} {a_verb} {dir} and slips behind {occ} for a second before reappearing.",
    "{a} {a_verb} {dir}. Halfway across, it passes behind {occ}, then keeps going.",
    "{occ} stands {on}. {a} {a_verb} {dir}, vanishes behind it, and comes out the other side.",
    "As {a} {a_verb} {dir} {place}, {occ} briefly blocks it from view.",
    "Watch as {a} {a_verb} behind {occ} from the {from_side} and reappears on the {side}.",
)
CROSS = (
    "Two {color} {nouns} {vpl} toward each other {place} and pass without touching.",
    "Two identical {color} {nouns} approach from opposite sides {place}, cross paths, and keep going.",
    "A pair of {color} {nouns}, one from the left and one from the right, {vpl} past each other {place}.",
    "{on}, two {color} {nouns} meet in the middle and pass each other, each continuing on its way.",
    "Two {color} {nouns} {ving} in opposite directions {place}; one passes in front of the other.",
    "Two {color} {nouns} head toward each other {place}, overlap for a moment as they pass, and carry on.",
    "Two matching {color} {nouns} swap sides, passing each other {place}.",
    "One {color} {noun} {verb} {dir} while another {color} {noun} {verb} the opposite way {place}; "
    "they pass each other in the middle.",
)
EXIT = (
    "{a} {a_verb} {dir} and out of the frame.",
    "{a} {a_verb} {dir} {place} until it leaves the picture.",
    "{a} {a_verb} off the {side} edge of the frame.",
    "{on}, {a} heads {side} and exits the shot.",
    "{a} {a_verb} {dir} and disappears past the edge of the frame.",
    "We watch as {a} {a_verb} {dir} {place} until it has left the frame entirely.",
    "{a} starts near the middle of the frame and {a_verb} out of view to the {side}.",
    "{a} {a_ving} {dir} {place} leaves the frame on the {side}.",
)
ENTER = (
    "{a} {a_verb} into the frame from the {from_side}.",
    "{a} enters from the {from_side} edge, {a_ving} {dir}.",
    "From off-screen {from_side}, {a} {a_verb} into view {place}.",
    "{on}, {a} appears at the {from_side} edge and {a_verb} toward the middle.",
    "{a} {a_verb} into the shot from the {from_side} and keeps going.",
    "At first the frame is empty; then {a} {a_verb} in from the {from_side}.",
    "{a} {a_ving} {dir} comes into view from the {from_side} side of the frame.",
    "The scene is empty {on} until {a} {a_verb} in from the {from_side}.",
)
HIDDEN = (
    "{a} is hidden behind {occ}; after a moment it {a_verb} out to the {side}.",
    "At first only {occ} is visible. Then {a} {a_verb} out from behind it, heading {side}.",
    "{a} waits out of sight behind {occ}, then {a_verb} out into view.",
    "Something is hidden behind {occ}: {a}, which soon {a_verb} out {dir}.",
    "{a} emerges from behind {occ} and {a_verb} {dir} {place}.",
    "After a short pause, {a} {a_verb} out from behind {occ}.",
    "{on}, {occ} hides {a} until it {a_verb} out to the {side}.",
    "{a} peeks out from behind {occ} and then {a_verb} {dir} into the open.",
)


def _wall(rng: random.Random, st: Setting, t: Thing, g: float, shape: str, x: float = 0.5) -> Wall:
    """A wall or box standing on ``g`` in mid-frame, big enough to hide ``t`` completely."""
    words = [o for o in OCCLUDERS if o.shape == shape and st.key in o.where and o.color != t.color]
    if not words:  # every such occluder has the mover's colour: the layout retries with another mover
        raise NoChoice(f"no {shape} occluder in {st.key} unlike a {t.color} mover")
    word = rng.choice(words)
    wid = ident(word.noun) if ident(word.noun) != t.id else "occluder"
    x, phrase = x + rng.uniform(-0.03, 0.03), article(rng.choice(word.phrase))
    if shape == "square":
        side = max(t.w, t.h) + rng.uniform(0.06, 0.1)
        return Wall(word, phrase, x, g + 0.01 - side / 2, side, 1.0, wid)
    height = max(rng.uniform(0.36, 0.5), t.h + 0.12)
    aspect = max(rng.uniform(*word.aspect), (t.w + 0.05) / height)
    return Wall(word, phrase, x, g + 0.01 - height / 2, height, aspect, wid)


def _occluded_setting(rng: random.Random, shape: str) -> Setting:
    return setting(rng, {w for o in OCCLUDERS if o.shape == shape for w in o.where})


def occlude(shape: str) -> Callable[[random.Random, str], list[Draft]]:
    """Something passes behind a wall (``rectangle``) or a box (``square``) and re-emerges."""

    def make(rng: random.Random, template: str) -> list[Draft]:
        st = _occluded_setting(rng, shape)
        pool = nouns("mover", where=st.key) or nouns("mover", where="floor")

        def attempt() -> list[Draft] | None:
            walls = {o.color for o in OCCLUDERS if o.shape == shape and st.key in o.where}
            t = pick_thing(rng, pool, avoid_colors=() if len(walls) > 1 else walls)
            g = rng.uniform(*st.ground)
            wall = _wall(rng, st, t, g, shape)
            x0 = t.w / 2 + rng.uniform(0.01, 0.04)
            v = rng.uniform(0.6, 0.85)
            lo, hi = end_range(x0, v)
            if lo - t.w / 2 < wall.x + wall.w / 2 + 0.02 or hi + t.w / 2 > 1.03 or wall.y - wall.height / 2 < 0.05:
                return None
            scene = {
                "background": rng.choice(st.backgrounds),
                "objects": [obj(t, (x0, rest_y(t, g)), (v, 0))],
                "occluders": [wall.scene()],
            }
            expect = {"objects": [exp(t), wall.expect()], "motion": [{"subject": t.id, "direction": "right"}]}
            slots = {**base_slots(rng, st), **ts(t, "a"), "occ": wall.phrase}
            return heading(
                rng,
                Draft("", ["occlusion", "wall" if shape == "rectangle" else "box"], scene, expect),
                slots,
                template,
            )

        return retry(attempt)

    return make


def cross(rng: random.Random, template: str) -> list[Draft]:
    """Two things of the same noun and colour pass each other in (nearly) the same lane."""
    st = setting(rng, ("street", "snow", "floor", "table", "field", "parking", "court", "pond"))
    t = pick_thing(rng, nouns("count", where=st.key) or nouns("count", shapes=["circle"]))
    g = rng.uniform(*st.ground)
    x0 = t.w / 2 + rng.uniform(0.01, 0.03)
    v = 1 - 2 * x0 + rng.uniform(-0.02, 0.0)
    lane = t.h + rng.uniform(0.015, 0.04)  # adjacent lanes: they pass close by without overlapping
    group = t.id
    a = obj(t, (x0, rest_y(t, g) - lane), (v, 0), id=f"{group}_1", group=group, z=1)
    b = obj(t, (1 - x0, rest_y(t, g)), (-v, 0), id=f"{group}_2", group=group, z=2)
    scene = {"background": rng.choice(st.backgrounds), "objects": [a, b]}
    expect = {"objects": [exp(t, 2)]}
    col = color_word(rng, t.noun, t.color)
    slots = {
        **base_slots(rng, st),
        "color": col,
        "nouns": t.noun.plural_form,
        "noun": t.noun.key,
        "verb": t.verb[0],
        "vpl": t.verb[1],
        "ving": t.verb[2],
        "dir": direction(rng, "right"),
    }
    return [Draft(fill(template, slots), ["crossing", "two-similar"], scene, expect)]


def exit_(rng: random.Random, template: str) -> list[Draft]:
    """Something moves out of the frame (its count drops legally at the frame edge)."""
    st = setting(rng, ("street", "table", "floor", "field", "studio", "court", "beach", "snow"))
    t = pick_thing(rng, nouns("mover", where=st.key))
    g = rng.uniform(*st.ground)
    x0 = rng.uniform(0.3, 0.42)
    v = rng.uniform(0.86, 1.0)  # the centre crosses the edge after 60-80% of the clip
    scene = {"background": rng.choice(st.backgrounds), "objects": [obj(t, (x0, rest_y(t, g)), (v, 0))]}
    expect = {"objects": [exp(t)], "motion": [{"subject": t.id, "direction": "right"}]}
    slots = {**base_slots(rng, st), **ts(t, "a")}
    return heading(rng, Draft("", ["exit-frame"], scene, expect), slots, template)


def enter(rng: random.Random, template: str) -> list[Draft]:
    """Something moves into the frame from outside it."""
    st = setting(rng, ("street", "table", "floor", "field", "studio", "court", "beach", "snow"))
    t = pick_thing(rng, nouns("mover", where=st.key))
    g = rng.uniform(*st.ground)
    x0 = -t.w / 2 - rng.uniform(0.04, 0.08)
    v = rng.uniform(0.62, 0.75) - x0
    scene = {"background": rng.choice(st.backgrounds), "objects": [obj(t, (x0, rest_y(t, g)), (v, 0))]}
    expect = {"objects": [exp(t)], "motion": [{"subject": t.id, "direction": "right"}]}
    slots = {**base_slots(rng, st), **ts(t, "a")}
    return heading(rng, Draft("", ["enter-frame"], scene, expect), slots, template)


def hidden(rng: random.Random, template: str) -> list[Draft]:
    """Something starts hidden behind a wall or box, then moves out into view."""
    shape = rng.choice(("rectangle", "square"))

    def attempt() -> list[Draft] | None:
        st = _occluded_setting(rng, shape)
        pool = nouns("mover", where=st.key) or nouns("mover", where="floor")
        t = pick_thing(rng, [n for n in pool if n.shape != "vehicle"])
        g = rng.uniform(*st.ground)
        wall = _wall(rng, st, t, g, shape, 0.38)
        if wall.w < t.w + 0.04 or wall.word.color == t.color:
            return None
        start = r3(rng.uniform(0.15, 0.3))
        x0 = wall.x
        v = (wall.w / 2 + t.w / 2 + rng.uniform(0.1, 0.16)) / ((1 - start) * (1 - 0.08))
        if end_range(x0, v, 1 - start)[1] + t.w / 2 > 0.98 or not travel_ok(t, v * (1 - start)):
            return None
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [obj(t, (x0, rest_y(t, g)), (v, 0), start=start)],
            "occluders": [wall.scene()],
        }
        expect = {"objects": [exp(t), wall.expect()], "motion": [{"subject": t.id, "direction": "right"}]}
        slots = {**base_slots(rng, st), **ts(t, "a"), "occ": wall.phrase}
        return heading(rng, Draft("", ["hidden-reveal", "occlusion"], scene, expect), slots, template)

    return retry(attempt)


CASES = (
    Case("permanence", "perm-occlude", 12, OCCLUDE, occlude("rectangle")),
    Case("permanence", "perm-box", 8, OCCLUDE, occlude("square")),
    Case("permanence", "perm-cross", 12, CROSS, cross),
    Case("permanence", "perm-exit", 8, EXIT, exit_),
    Case("permanence", "perm-enter", 8, ENTER, enter),
    Case("permanence", "perm-hidden", 8, HIDDEN, hidden),
)
