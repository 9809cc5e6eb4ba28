"""Causal: a contact followed by a state change that persists (colour, bite, crack, fall), and no
change before the contact. The striker stops at the contact; scenes are laid out left to right
and flipped for strikes from the right; some strikers drop from above."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prompts.gen.layout import Case, Draft, base_slots, exp, flip, obj, r3, rest_y, retry, travel_ok
from prompts.gen.vocab import CHROMA, COLOR_WORDS, NOUN
from prompts.gen.words import Thing, fill, make_thing, setting
from prompts.gen.words import thing_slots as ts

COLOR = (
    "{a} {hit} {b}, and {effect}.",
    "When {a} touches {b}, {effect}.",
    "{a} {a_verb} into {b}; the moment they touch, {effect} and stays that way.",
    "{b} sits still until {a} bumps into it; then {effect}.",
    "{a} taps {b} and {effect} right away.",
    "{on}, {a} {hit} {b}. Instantly {effect}.",
    "Nothing changes until {a} {hit} {b}; after that, {effect} for good.",
    "{a} {hit} {b}; {effect} and stays that way.",
)
BITE = (
    "{a} {a_verb} up to {b} and {bite} it.",
    "{b} stays whole until {a} arrives and {bite} it.",
    "{a} reaches {b} and {bite} it, leaving a gap that stays.",
    "{on}, {a} {a_verb} toward {b}, then {bite} it.",
    "{a} {a_verb} over to {b}; once it gets there, it {bite} it.",
    "A piece goes missing from {b} the moment {a} reaches it.",
    "{a} {bite} {b}, and the missing piece never comes back.",
)
CRACK = (
    "{a} {hit} {b} and {effect}.",
    "{b} is intact until {a} {hit} it; then {effect}.",
    "{a} {hit} {b} hard, and {effect}.",
    "{on}, {a} {hit} {b}. On impact, {effect}.",
    "The moment {a} {hit} {b}, {effect}; the crack stays.",
    "{a} {hit} {b}, leaving a crack that does not go away.",
)
FALL = (
    "{a} {hit} {b}, and {effect}.",
    "{b} {hang} until {a} hits it; then {effect}.",
    "{a} knocks {b} loose, and {effect}.",
    "{on}, {a} {hit} {b} and {effect}.",
    "{b} {hang}, perfectly still, until {a} strikes it and {effect}.",
    "When {a} reaches {b}, {effect}.",
)

#: How strikers hit: swinging and flying ones meet the target at its height, rolling ones on the ground.
HIT = {
    "hammer": ("swings into", "strikes", "smashes into"),
    "bat": ("swings into", "strikes", "smacks"),
    "stick": ("swings into", "pokes", "knocks into"),
    "ball": ("rolls into", "bumps into", "slams into"),
    "bowling ball": ("rolls into", "crashes into", "slams into"),
    "block": ("slides into", "bumps into"),
    "toy car": ("drives into", "bumps into", "rolls into"),
    "wand": ("touches", "taps"),
    "torch": ("touches", "is pressed against"),
    "paintbrush": ("brushes against", "touches"),
    "rock": ("drops onto", "falls onto", "lands on"),
    "stone": ("drops onto", "falls onto", "lands on"),
}
GROUNDED_STRIKERS = {"ball", "bowling ball", "block", "toy car"}
THROWN = {"ball": ("flies into", "hits", "smacks into")}
DROPPERS = ("rock", "stone", "bowling ball")
#: Colour changes: target -> (new colours, strikers, effect phrases).
RECOLOR: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "laptop": (("black",), ("hammer", "bat", "stick"), ("{the_b}'s screen goes black", "{the_b} goes dark")),
    "monitor": (("black",), ("hammer", "stick"), ("{the_b}'s screen goes black", "{the_b} turns black")),
    "television": (("black",), ("hammer", "bat"), ("{the_b} goes black", "{the_b}'s screen goes dark")),
    "lamp": (
        ("yellow",),
        ("ball", "toy car", "block"),
        ("{the_b} lights up yellow", "{the_b} switches on and glows yellow"),
    ),
    "button": (
        ("green",),
        ("ball", "block", "toy car"),
        ("{the_b} turns green", "{the_b} switches from red to green"),
    ),
    "panel": (("green",), ("ball", "block"), ("{the_b} turns green", "{the_b} flips to green")),
    "pumpkin": (("purple",), ("wand",), ("{the_b} turns purple", "{the_b} changes from orange to purple")),
    "log": (("black",), ("torch",), ("{the_b} is scorched black", "{the_b} turns black")),
    "canvas": (
        ("blue", "red", "green", "yellow", "purple"),
        ("paintbrush",),
        ("{the_b} turns {to}", "{the_b} is painted {to}"),
    ),
    "box": (CHROMA, ("wand",), ("{the_b} turns {to}", "{the_b} changes color to {to}")),
    "cube": (CHROMA, ("wand", "block"), ("{the_b} turns {to}", "{the_b} changes color to {to}")),
}
BITERS = {
    "caterpillar": ("takes a bite out of", "bites a chunk out of", "nibbles a piece off"),
    "worm": ("takes a bite out of", "nibbles a piece off"),
    "snail": ("takes a bite out of", "nibbles at"),
    "spoon": ("scoops a piece out of", "digs a chunk out of"),
}
#: Bitten things are round: the world's notch is too small to see on thin, pointed or square shapes.
BITTEN = ("apple", "cookie", "donut", "melon", "muffin", "burger", "plum", "tomato")
#: Cracked things (True: can be hit from above), in colours whose darkened crack lines key as another
#: colour after compression (on red, blue, cyan or magenta they blur back into the object's colour).
CRACKED = {"tile": True, "plate": True, "egg": True, "stone block": True, "vase": False, "melon": False,
           "coconut": False}  # fmt: skip
CRACK_COLORS = ("green", "yellow", "orange", "brown", "gray", "purple")
CRACK_EFFECTS = ("{the_b} cracks", "a crack appears across {the_b}", "{the_b} cracks down the middle")
HANGING = {
    "apple": "hangs from a branch",
    "coconut": "hangs from a palm tree",
    "paper lantern": "hangs in the air",
    "picture frame": "hangs on the wall",
    "kite": "hangs in the air",
    "star": "hangs from a string",
    "star ornament": "hangs from a string",
}
FALL_EFFECTS = ("{the_b} falls to the ground", "{the_b} drops to the floor", "{the_b} comes loose and falls")


@dataclass
class Hit:
    """A laid-out causal scene: striker ``s``, target ``o``, their scene objects and the change."""

    s: Thing
    o: Thing
    objects: list[dict[str, Any]]
    motion: list[dict[str, Any]]
    change: str
    to: str | None = None
    tags: list[str] = field(default_factory=list)
    slots: dict[str, str] = field(default_factory=dict)
    scene: dict[str, Any] = field(default_factory=dict)  # gravity, ground

    def draft(self, text: str, background: dict[str, Any]) -> Draft:
        to = {"to": self.to} if self.to else {}
        event = {"subject": self.s.id, "object": self.o.id, "change": self.change, **to, "on_contact": "stop"}
        scene = {"background": background, "objects": self.objects, "events": [event], **self.scene}
        expect: dict[str, Any] = {
            "objects": [exp(self.s), exp(self.o)],
            "events": [
                {"type": "contact", "subject": self.s.id, "object": self.o.id},
                {
                    "type": "state_change",
                    "object": self.o.id,
                    "after": "contact",
                    "change": self.change,
                    **to,
                },
            ],
        }
        if self.motion:
            expect["motion"] = self.motion
        return Draft(text, self.tags, scene, expect)


Placed = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _thing(rng: random.Random, key: str, avoid: tuple[str, ...] = ()) -> Thing | None:
    noun = NOUN[key]
    colors = [c for c in noun.colors if c not in avoid]
    return make_thing(rng, noun, rng.choice(colors)) if colors else None


def strike(rng: random.Random, s: Thing, o: Thing, g: float, *, hanging: bool = False) -> Placed | None:
    """Objects of ``s`` moving right into ``o`` (resting on ``g``, or hanging), and motion if clear.

    Swinging and flying strikers meet the target at its height; rolling ones travel on the ground.
    """
    yo = rng.uniform(0.3, 0.4) if hanging else rest_y(o, g)
    ys = rest_y(s, g) if s.noun.key in GROUNDED_STRIKERS and not hanging else yo
    xo = rng.uniform(0.58, 0.7)
    xs = rng.uniform(s.w / 2 + 0.03, 0.2)
    gap = xo - xs - (s.w + o.w) / 2
    if gap < 0.15 or xo + o.w / 2 > 0.96:
        return None
    v = gap / rng.uniform(0.32, 0.5)
    objects = [obj(s, (xs, ys), (v, 0), z=1), obj(o, (xo, yo))]
    return objects, [{"subject": s.id, "direction": "right"}] if travel_ok(s, gap) else []


def drop(rng: random.Random, s: Thing, o: Thing, g: float) -> tuple[Placed, float] | None:
    """Objects of ``s`` falling onto ``o`` resting on ``g``, and the scene gravity that times it."""
    yo = rest_y(o, g)
    ys = rng.uniform(0.12, 0.2)
    dist = (yo - o.h / 2) - (ys + s.h / 2)
    if dist < 0.22:
        return None
    x = rng.uniform(0.35, 0.65)
    gravity = 2 * dist / rng.uniform(0.42, 0.6) ** 2
    objects = [obj(s, (x + rng.uniform(-0.02, 0.02), ys), gravity=True, z=1), obj(o, (x, yo))]
    return (objects, [{"subject": s.id, "direction": "down"}] if travel_ok(s, dist) else []), r3(gravity)


def _made(
    settings: tuple[str, ...], build: Callable[[random.Random, float], Hit | None]
) -> Callable[[random.Random, str], list[Draft]]:
    """A case maker: ``build`` lays out a hit left to right; half the horizontal ones are flipped."""

    def make(rng: random.Random, template: str) -> list[Draft]:

        def attempt() -> list[Draft] | None:
            st = setting(rng, settings)
            hit = build(rng, rng.uniform(*st.ground))
            if hit is None:
                return None
            text = fill(template, {**base_slots(rng, st), **ts(hit.s, "a"), **ts(hit.o, "b"), **hit.slots})
            draft = hit.draft(text, rng.choice(st.backgrounds))
            return [flip(draft) if "drop" not in hit.tags and rng.random() < 0.5 else draft]

        return retry(attempt)

    return make


def recolor(rng: random.Random, g: float) -> Hit | None:
    key = rng.choice(sorted(RECOLOR))
    tos, strikers, effects = RECOLOR[key]
    o = _thing(rng, key)
    assert o is not None
    to = rng.choice([c for c in tos if c != o.color])
    s = _thing(rng, rng.choice(strikers), (o.color, to))
    placed = strike(rng, s, o, g) if s else None
    if s is None or placed is None:
        return None
    effect = rng.choice(effects).format(the_b=o.the, to=rng.choice(COLOR_WORDS[to]))
    slots = {"hit": rng.choice(HIT[s.noun.key]), "effect": effect}
    return Hit(s, o, *placed, "color", to, ["contact", "color"], slots)


def bite(rng: random.Random, g: float) -> Hit | None:
    o = _thing(rng, rng.choice(BITTEN))
    assert o is not None
    s = _thing(rng, rng.choice(sorted(BITERS)), (o.color,))
    placed = strike(rng, s, o, g) if s else None
    if s is None or placed is None:
        return None
    return Hit(s, o, *placed, "bite", None, ["contact", "bite"], {"bite": rng.choice(BITERS[s.noun.key])})


def crack(rng: random.Random, g: float) -> Hit | None:
    key = rng.choice(sorted(CRACKED))
    o = _thing(rng, key, tuple(c for c in NOUN[key].colors if c not in CRACK_COLORS))
    if o is None:
        return None
    above = CRACKED[key] and rng.random() < 0.5
    s = _thing(
        rng,
        rng.choice(DROPPERS if above else ("hammer", "bat", "stick", "bowling ball", "ball", "block")),
        (o.color,),
    )
    if s is None:
        return None
    effect = rng.choice(CRACK_EFFECTS).format(the_b=o.the)
    if above:
        dropped = drop(rng, s, o, g)
        if dropped is None:
            return None
        slots = {"hit": rng.choice(("drops onto", "falls onto", "lands on")), "effect": effect}
        return Hit(s, o, *dropped[0], "crack", None, ["contact", "crack", "drop"], slots, {"gravity": dropped[1]})
    placed = strike(rng, s, o, g)
    if placed is None:
        return None
    return Hit(
        s,
        o,
        *placed,
        "crack",
        None,
        ["contact", "crack"],
        {"hit": rng.choice(HIT[s.noun.key]), "effect": effect},
    )


def fall(rng: random.Random, g: float) -> Hit | None:
    key = rng.choice(sorted(HANGING))
    o = _thing(rng, key)
    assert o is not None
    s = _thing(rng, rng.choice(("ball", "stick", "bat")), (o.color,))
    placed = strike(rng, s, o, g, hanging=True) if s else None
    if s is None or placed is None:
        return None
    slots = {
        "hit": rng.choice(THROWN.get(s.noun.key, HIT[s.noun.key])),
        "hang": HANGING[key],
        "effect": rng.choice(FALL_EFFECTS).format(the_b=o.the),
    }
    scene = {"gravity": r3(rng.uniform(3.0, 4.0)), "ground": r3(g)}
    return Hit(s, o, *placed, "fall", None, ["contact", "fall"], slots, scene)


CASES = (
    Case(
        "causal",
        "causal-color",
        16,
        COLOR,
        _made(("table", "desk", "room", "studio", "field", "floor"), recolor),
    ),
    Case("causal", "causal-bite", 12, BITE, _made(("table", "kitchen"), bite)),
    Case("causal", "causal-crack", 14, CRACK, _made(("table", "floor", "studio", "field"), crack)),
    Case("causal", "causal-fall", 14, FALL, _made(("field", "room", "beach", "studio"), fall)),
)
