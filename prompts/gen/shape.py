"""Shape: vehicles whose front leads the way, rigid (often patterned) things keeping shape, size
and colour while they move, under a zoom, or while passing in front of another shape."""

from __future__ import annotations

import random
from dataclasses import replace

from prompts.gen.camera import GROUNDED
from prompts.gen.direction import opposite_slots, two_lanes
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
from prompts.gen.words import Thing, article, distinct, fill, nouns, pick_thing, setting
from prompts.gen.words import thing_slots as ts

ROADS = ("street", "snow", "parking", "field", "beach")
VEHICLE = (
    "{a} {a_verb} {dir} {place}.",
    "{a} pulls away and heads {side} {place}.",
    "Side view of {a} {a_ving} {dir} {place}.",
    "{a} with its headlights on {a_verb} {dir}.",
    "{a} {a_verb} {adv} {dir} {place}, seen from the side.",
    "{on}, {a} {a_verb} {side}, nose first.",
    "A long shot of {a} {a_ving} {dir}.",
    "{a} {a_verb} {dir} {place} without stopping.",
)
TRAFFIC = (
    "{a} {a_verb} {side_a} in the far lane while {b} {b_verb} {side_b} in the near lane.",
    "{a} and {b} pass each other {place}, going opposite ways.",
    "{on}, {a} heads {side_a} and {b} heads {side_b}.",
    "Two-way traffic {on}: {a} going {side_a}, {b} going {side_b}.",
    "{b} {b_verb} {dir_b} {place} as {a} {a_verb} {dir_a} behind it.",
)
RIGID = (
    "{a} {a_verb} {dir} {place}.",
    "{a} {a_verb} {adv} {dir} {place}, keeping its shape.",
    "{on}, {a} {a_verb} {side} without tipping or bending.",
    "{a} {a_ving} {dir} {place}.",
    "{a} travels {dir} {place} in one piece.",
    "{a} {a_verb} {dir}; it stays the same size and color the whole way.",
    "Close view of {a} {a_ving} {dir} {on}.",
    "{a} {a_verb} {dir} {place} and looks exactly the same at the end.",
)
ZOOM = (
    "The camera {zoom} {a} {on}.",
    "{a} sits {on} while the camera {zoom} it.",
    "A slow {shot} on {a} {on}.",
    "The camera {zoom} {a}; the {a_noun} itself does not change.",
    "{a} rests {on} as the camera {zoom} it.",
)
PASS = (
    "{a} and {b} move toward each other {place} and pass, {the_a} in front.",
    "{a} {a_verb} {dir_a} and {b} {b_verb} {dir_b}; they pass each other {place}.",
    "{a} slides past {b} {place}, one in front of the other.",
    "{on}, {a} heading {side_a} crosses paths with {b} heading {side_b}.",
    "{a} {a_verb} {dir_a}, passing right in front of {b}, which {b_verb} {dir_b}.",
    "{b} {b_verb} {side_b} behind {a}, which {a_verb} {side_a}.",
)
PATTERNS = {"stripes": ("striped",), "dots": ("polka-dot", "spotted"), "checker": ("checkered",)}
ADVERBS = {"": (0.5, 0.62), "slowly": (0.42, 0.5), "steadily": (0.48, 0.6), "quickly": (0.6, 0.7)}


def vehicle(rng: random.Random, template: str) -> list[Draft]:
    """A vehicle drives left or right (its front leads)."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ROADS)
        t = pick_thing(rng, nouns("vehicle", where=st.key))
        adv = rng.choice(sorted(ADVERBS))
        v = rng.uniform(*ADVERBS[adv])
        x0 = rng.uniform(t.w / 2 + 0.03, 0.3)
        if end_range(x0, v)[1] + t.w / 2 > 0.98 or not travel_ok(t, v):
            return None
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [obj(t, (x0, rest_y(t, rng.uniform(*st.ground))), (v, 0))],
        }
        expect = {"objects": [exp(t)], "motion": [{"subject": t.id, "direction": "right"}]}
        slots = {**base_slots(rng, st), **ts(t, "a"), "adv": adv}
        return heading(rng, Draft("", ["vehicle", "front"], scene, expect), slots, template)

    return retry(attempt)


def traffic(rng: random.Random, template: str) -> list[Draft]:
    """Two vehicles in two lanes drive in opposite directions."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ("street", "snow", "parking"))
        pool = [n for n in nouns("vehicle", where=st.key) if n.size[1] <= 0.26]
        b = pick_thing(rng, pool)
        a, b = distinct(pick_thing(rng, pool, avoid_colors=[b.color]), b)
        laid = two_lanes(rng, st, a, b)
        if laid is None:
            return None
        slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b")}
        return heading(
            rng,
            Draft("", ["vehicle", "front", "two"], *laid),
            slots,
            template,
            opposite_slots(rng, slots["place"]),
        )

    return retry(attempt)


#: Made things that plausibly come striped, spotted or checkered.
PATTERNABLE = frozenset(
    (
        "ball",
        "orb",
        "beach ball",
        "crate",
        "box",
        "block",
        "cube",
        "gift box",
        "book",
        "suitcase",
        "pyramid",
        "wedge",
        "party hat",
        "star",
        "puck",
        "tile",
        "toy sailboat",
    )
)


def patterned(rng: random.Random, t: Thing) -> tuple[Thing, dict[str, object]]:
    """Sometimes give ``t`` a texture (if it is a made thing) or an outline, and say so."""
    kind = rng.choice(("stripes", "dots", "checker", "outline", "none", "none"))
    if kind in PATTERNS and t.noun.key not in PATTERNABLE:
        kind = "none"
    if kind == "none":
        return t, {}
    rest = t.phrase.split(" ", 1)[1]
    if kind == "outline":
        return replace(t, phrase=t.phrase + " with a dark outline"), {"outline": True}
    return replace(t, phrase=article(f"{rng.choice(PATTERNS[kind])} {rest}")), {"texture": kind}


def rigid(rng: random.Random, template: str) -> list[Draft]:
    """A rigid, often patterned, non-vehicle thing moves left or right."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, [k for k in GROUNDED if nouns("mover", where=k)])
        t, extra = patterned(rng, pick_thing(rng, [n for n in nouns("mover", where=st.key) if n.shape != "vehicle"]))
        adv = rng.choice(sorted(ADVERBS))
        v = rng.uniform(*ADVERBS[adv])
        x0 = rng.uniform(t.w / 2 + 0.04, 0.3)
        if end_range(x0, v)[1] + t.w / 2 > 0.97 or not travel_ok(t, v):
            return None
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [obj(t, (x0, rest_y(t, rng.uniform(*st.ground))), (v, 0), **extra)],
        }
        expect = {"objects": [exp(t)], "motion": [{"subject": t.id, "direction": "right"}]}
        slots = {**base_slots(rng, st), **ts(t, "a"), "adv": adv}
        tags = ["rigid", str(extra.get("texture", "outline" if extra else "plain"))]
        return heading(rng, Draft("", tags, scene, expect), slots, template)

    return retry(attempt)


def zoomed(rng: random.Random, template: str) -> list[Draft]:
    """A still thing under a zoom: its size in the frame changes, its shape does not."""
    st = setting(rng, GROUNDED)
    way = rng.choice(("in", "out"))
    t, extra = patterned(rng, pick_thing(rng, [n for n in nouns(where=st.key) if n.size[1] <= 0.16]))
    amount = rng.uniform(0.45, 0.65)
    scene = {
        "background": st.textured,
        "camera": {"motion": f"zoom_{way}", "amount": r3(amount)},
        "objects": [obj(t, (0.5 + rng.uniform(-0.04, 0.04), 0.5 + rng.uniform(-0.04, 0.04)), **extra)],
    }
    expect = {"objects": [exp(t)], "camera": f"zoom_{way}"}
    zoom = rng.choice(
        ("zooms in on", "slowly zooms in on", "pushes in on")
        if way == "in"
        else ("zooms out from", "slowly zooms out from", "pulls back from")
    )
    slots = {
        **base_slots(rng, st),
        **ts(t, "a"),
        "zoom": zoom,
        "shot": "push-in" if way == "in" else "pull-back",
    }
    return [Draft(fill(template, slots), ["rigid", "zoom"], scene, expect)]


def passing(rng: random.Random, template: str) -> list[Draft]:
    """Two different shapes move toward each other in one lane; one passes in front of the other."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, ("table", "floor", "studio", "playroom", "court", "field"))
        pool = [n for n in nouns("mover", where=st.key) if n.shape != "vehicle" and n.size[1] <= 0.18]
        a = pick_thing(rng, pool)
        b = pick_thing(rng, [n for n in pool if n.shape != a.shape], avoid_colors=[a.color])
        g = rng.uniform(*st.ground)
        xa, xb = rng.uniform(0.12, 0.2), rng.uniform(0.8, 0.88)
        va, vb = rng.uniform(0.55, 0.65), rng.uniform(0.55, 0.65)
        if xa - a.w / 2 < 0.02 or xb + b.w / 2 > 0.98 or not (travel_ok(a, va) and travel_ok(b, vb)):
            return None
        if end_range(xa, va)[1] + a.w / 2 > 0.98 or end_range(xb, -vb)[0] - b.w / 2 < 0.02:
            return None
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [
                obj(a, (xa, rest_y(a, g + 0.015)), (va, 0), z=2),
                obj(b, (xb, rest_y(b, g)), (-vb, 0)),
            ],
        }
        expect = {
            "objects": [exp(a), exp(b)],
            "motion": [{"subject": a.id, "direction": "right"}, {"subject": b.id, "direction": "left"}],
        }
        slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b")}
        return heading(
            rng,
            Draft("", ["rigid", "crossing"], scene, expect),
            slots,
            template,
            opposite_slots(rng, slots["place"]),
        )

    return retry(attempt)


CASES: tuple[Case, ...] = (
    Case("shape", "shape-vehicle", 14, VEHICLE, vehicle),
    Case("shape", "shape-traffic", 6, TRAFFIC, traffic),
    Case("shape", "shape-rigid", 16, RIGID, rigid),
    Case("shape", "shape-zoom", 8, ZOOM, zoomed),
    Case("shape", "shape-pass", 12, PASS, passing),
)
