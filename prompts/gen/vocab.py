"""Vocabulary of the generated suites: nouns mapped to shapes, colour words, verbs, settings.

Every noun names the shape the reference world draws for it (ball, orb, marble, apple -> circle;
crate, box, block -> square; car, truck, taxi, bus -> vehicle; ...), the palette colours it can
plausibly have, how it moves (its verb class), where it plausibly is, and the roles it can play in
a scene (a striker in a causal prompt, a target that cracks, something that hangs or floats...).
Backgrounds are in the neutral zone of docs/DESIGN.md (checked by ``prompts.validate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHROMA = ("red", "green", "blue", "yellow", "orange", "purple", "cyan", "magenta")
BRIGHT = ("red", "green", "blue", "yellow", "orange", "purple", "magenta")

#: Words for palette colours; the plain name is the most likely.
COLOR_WORDS: dict[str, tuple[str, ...]] = {
    "red": ("red", "red", "red", "red", "crimson", "scarlet", "bright red"),
    "green": ("green", "green", "green", "green", "emerald", "bright green"),
    "blue": ("blue", "blue", "blue", "blue", "cobalt", "royal blue"),
    "yellow": ("yellow", "yellow", "yellow", "yellow", "lemon-yellow", "bright yellow"),
    "orange": ("orange", "orange", "orange", "orange", "tangerine", "bright orange"),
    "purple": ("purple", "purple", "purple", "violet"),
    "cyan": ("cyan", "cyan", "turquoise", "aqua"),
    "magenta": ("magenta", "magenta", "hot-pink", "fuchsia"),
    "gray": ("gray", "gray", "gray", "silver"),
    "brown": ("brown", "brown", "brown", "chocolate-brown"),
    "black": ("black", "black", "jet-black"),
}

#: Verb classes: (third person, plural, gerund) per verb.
VERBS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "roll": (
        ("rolls", "roll", "rolling"),
        ("rolls along", "roll along", "rolling along"),
        ("trundles", "trundle", "trundling"),
    ),
    "slide": (
        ("slides", "slide", "sliding"),
        ("glides", "glide", "gliding"),
        ("skids", "skid", "skidding"),
        ("is pushed", "are pushed", "being pushed"),
    ),
    "drive": (
        ("drives", "drive", "driving"),
        ("cruises", "cruise", "cruising"),
        ("travels", "travel", "traveling"),
        ("rolls", "roll", "rolling"),
    ),
    "float": (
        ("drifts", "drift", "drifting"),
        ("floats", "float", "floating"),
        ("glides", "glide", "gliding"),
    ),
    "crawl": (
        ("crawls", "crawl", "crawling"),
        ("creeps", "creep", "creeping"),
        ("inches", "inch", "inching"),
    ),
    "sail": (("sails", "sail", "sailing"), ("glides", "glide", "gliding"), ("cuts", "cut", "cutting")),
    "swing": (("swings", "swing", "swinging"), ("moves", "move", "moving")),
    "lift": (("moves", "move", "moving"),),
}
#: Vertical verbs; a direction phrase follows them ("rises straight up", "sinks downward").
UP_VERBS = (
    ("rises", "rise", "rising"),
    ("floats", "float", "floating"),
    ("climbs", "climb", "climbing"),
    ("drifts", "drift", "drifting"),
    ("moves", "move", "moving"),
)
DOWN_VERBS = (
    ("sinks", "sink", "sinking"),
    ("drifts", "drift", "drifting"),
    ("descends", "descend", "descending"),
    ("is lowered", "are lowered", "being lowered"),
    ("moves", "move", "moving"),
)

#: Direction phrases for motion in the viewer's frame.
DIRECTIONS: dict[str, tuple[str, ...]] = {
    "right": (
        "to the right",
        "from left to right",
        "rightward",
        "toward the right",
        "across the frame from left to right",
        "toward the right edge of the frame",
    ),
    "left": (
        "to the left",
        "from right to left",
        "leftward",
        "toward the left",
        "across the frame from right to left",
        "toward the left edge of the frame",
    ),
    "up": ("upward", "straight up", "toward the top of the frame"),
    "down": ("downward", "straight down", "toward the bottom of the frame"),
}
NUMBERS = {2: ("two", "a pair of"), 3: ("three",), 4: ("four",), 5: ("five",), 6: ("six", "half a dozen")}


@dataclass(frozen=True)
class Noun:
    """A noun and what the world draws for it."""

    key: str
    shape: str
    colors: tuple[str, ...]
    move: str  # verb class (see VERBS), or "rest" for things that do not travel on their own
    where: tuple[str, ...]
    roles: frozenset[str] = frozenset()
    adj: tuple[str, ...] = ()
    plural: str = ""
    aspect: float = 1.0
    size: tuple[float, float] = (0.12, 0.15)
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # noun-specific colour words
    implied: str | None = None  # the colour the noun names on its own (taxi, tomato)

    @property
    def plural_form(self) -> str:
        if self.plural:
            return self.plural
        return self.key + ("es" if self.key.endswith(("s", "x", "ch", "sh")) else "s")


#: The colour checks see an object as solid pixels after a 3x3 opening, at 128 px: every noun is at
#: least this big (fraction of the frame) and this thick, so it keeps its shape after compression.
MIN_SIZE = {
    "circle": 0.12,
    "square": 0.11,
    "rectangle": 0.11,
    "triangle": 0.16,
    "star": 0.19,
    "vehicle": 0.16,
}
MIN_THICKNESS = 0.06
MIN_VEHICLE_LENGTH = 1.9  # length / height: shorter, taller vehicles fool today's camera estimate


def _n(key: str, shape: str, colors: tuple[str, ...], move: str, where: str, roles: str = "", **kw: Any) -> Noun:
    lo, hi = kw.pop("size", (0.12, 0.15))
    lo = max(lo, MIN_SIZE[shape])
    hi = max(hi, lo + 0.02)
    aspect = kw.pop("aspect", 1.0)
    if aspect < 1:
        aspect = max(aspect, round(MIN_THICKNESS / lo + 0.005, 2))
    elif aspect > 1 and shape == "rectangle":
        aspect = min(aspect, round(lo / MIN_THICKNESS - 0.005, 2))
    if shape == "vehicle":
        aspect = max(aspect, MIN_VEHICLE_LENGTH)
    return Noun(key, shape, colors, move, tuple(where.split()), frozenset(roles.split()), size=(lo, hi),
                aspect=aspect, **kw)  # fmt: skip


GROUND = "floor table street field studio room"
# fmt: off
NOUNS: tuple[Noun, ...] = (
    _n("ball", "circle", CHROMA, "roll", "floor table field studio playroom court street beach",
       "bouncer collider count mover striker thrown", adj=("rubber", "shiny", "bouncy", "small")),
    _n("marble", "circle", CHROMA, "roll", "table floor desk", "collider count mover", adj=("glass", "shiny"),
       size=(0.09, 0.11)),
    _n("orb", "circle", CHROMA, "float", "studio room sky", "count floater mover",
       adj=("glowing", "glossy", "smooth")),
    _n("apple", "circle", ("red", "green", "yellow"), "roll", "table floor field",
       "count faller hanger mover target_bite", adj=("ripe", "shiny")),
    _n("balloon", "circle", BRIGHT, "float", "sky room field", "count floater riser",
       adj=("helium", "party")),
    _n("coin", "circle", ("yellow",), "roll", "table desk", "count faller mover", size=(0.09, 0.11),
       words={"yellow": ("gold", "golden", "brass")}),
    _n("wheel", "circle", ("red", "blue", "orange", "green"), "roll", "street floor", "mover",
       adj=("loose",)),
    _n("tomato", "circle", ("red",), "roll", "table", "count mover target_bite", adj=("ripe",),
       implied="red"),
    _n("plum", "circle", ("purple",), "roll", "table", "count mover target_bite", size=(0.1, 0.12),
       implied="purple"),
    _n("lime", "circle", ("green",), "roll", "table", "count mover", size=(0.1, 0.12), implied="green"),
    _n("tennis ball", "circle", ("yellow", "green"), "roll", "court floor", "bouncer count mover thrown",
       size=(0.1, 0.12)),
    _n("bowling ball", "circle", ("blue", "purple", "magenta", "red", "green"), "roll", "floor court",
       "collider dropper mover striker", size=(0.14, 0.16)),
    _n("beach ball", "circle", ("red", "blue", "yellow", "orange", "magenta"), "roll", "beach field",
       "bouncer mover thrown", size=(0.15, 0.18)),
    _n("pumpkin", "circle", ("orange",), "roll", "field floor", "count target_color", size=(0.15, 0.18),
       implied="orange"),
    _n("billiard ball", "circle", ("red", "blue", "yellow", "purple", "green", "orange"), "roll", "table",
       "collider count", size=(0.1, 0.12)),
    _n("cookie", "circle", ("brown", "yellow"), "rest", "table", "count target_bite",
       words={"yellow": ("golden",)}),
    _n("donut", "circle", ("magenta", "brown", "yellow"), "rest", "table", "count target_bite",
       words={"magenta": ("pink-frosted", "pink"), "brown": ("chocolate",)}),
    _n("melon", "circle", ("green",), "rest", "table", "target_bite target_crack", size=(0.16, 0.19),
       implied="green"),
    _n("paper lantern", "circle", ("red", "orange", "yellow"), "float", "sky room",
       "faller floater hanger riser"),
    _n("coconut", "circle", ("brown",), "rest", "field beach", "faller hanger target_crack", implied="brown"),
    _n("lamp", "circle", ("gray",), "rest", "room", "target_color", words={"gray": ("gray", "unlit")}),
    _n("button", "circle", ("red",), "rest", "studio room desk", "target_color", size=(0.1, 0.12),
       words={"red": ("big red", "red")}),
    _n("egg", "circle", ("brown",), "rest", "table", "target_crack", size=(0.11, 0.13)),
    _n("plate", "circle", ("blue", "yellow", "green"), "rest", "table", "target_crack", adj=("ceramic",),
       size=(0.16, 0.19)),
    _n("snail", "circle", ("brown", "yellow"), "crawl", "table field", "biter", size=(0.1, 0.12)),
    _n("rock", "circle", ("gray", "brown"), "rest", "field studio", "dropper striker", adj=("heavy", "round"),
       words={"gray": ("gray",)}),
    _n("stone", "circle", ("gray",), "rest", "field", "dropper", adj=("smooth", "heavy"),
       words={"gray": ("gray",)}),
    _n("spoon", "circle", ("gray",), "slide", "table", "biter", size=(0.1, 0.12),
       words={"gray": ("silver", "steel")}),
    _n("globe", "circle", ("blue",), "roll", "desk room", "mover", size=(0.15, 0.17)),
    _n("puck", "circle", ("red", "blue", "orange"), "slide", "floor court", "collider mover",
       size=(0.1, 0.12)),
    _n("crate", "square", ("brown", "blue", "red", "green", "orange"), "slide", "floor street warehouse",
       "count mover stacker", adj=("wooden", "plastic", "sturdy")),
    _n("box", "square", ("brown", "blue", "red", "green", "purple"), "slide", "floor table warehouse studio",
       "count mover stacker target_color", adj=("cardboard", "metal", "plastic")),
    _n("block", "square", CHROMA, "slide", "table floor playroom", "collider count mover stacker striker",
       adj=("toy", "wooden", "foam")),
    _n("cube", "square", CHROMA, "slide", "studio table floor", "count mover stacker target_color",
       adj=("glossy", "plastic", "small")),
    _n("die", "square", ("red", "green", "blue", "purple"), "slide", "table", "count mover",
       adj=("big", "oversized"), plural="dice"),
    _n("gift box", "square", ("red", "blue", "purple", "green", "magenta"), "slide", "floor table room",
       "count mover stacker"),
    _n("parcel", "square", ("brown",), "slide", "floor warehouse", "count mover"),
    _n("tile", "square", ("blue", "green", "orange", "cyan", "yellow"), "rest", "floor table", "target_crack",
       adj=("ceramic",)),
    _n("cracker", "square", ("yellow",), "rest", "table", "target_bite", size=(0.14, 0.16),
       words={"yellow": ("golden",)}),
    _n("laptop", "square", ("blue", "gray", "purple"), "rest", "desk table", "target_color",
       words={"gray": ("silver", "gray")}),
    _n("monitor", "square", ("blue", "gray"), "rest", "desk", "target_color"),
    _n("panel", "square", ("red",), "rest", "room studio", "target_color",
       words={"red": ("red", "glowing red")}),
    _n("stone block", "square", ("gray",), "rest", "field studio", "target_crack", size=(0.16, 0.19)),
    _n("book", "rectangle", ("red", "blue", "green", "purple", "orange"), "slide", "table desk",
       "count mover", adj=("thick", "hardcover"), aspect=0.72),
    _n("brick", "rectangle", ("red", "orange", "brown"), "slide", "floor street", "count mover", aspect=2.0),
    _n("suitcase", "rectangle", ("red", "blue", "green", "orange", "purple"), "slide", "floor street",
       "count mover", aspect=1.35, size=(0.15, 0.18)),
    _n("phone", "rectangle", ("blue", "red", "purple"), "slide", "table desk", "mover", aspect=0.5),
    _n("door", "rectangle", ("brown", "red", "blue", "green"), "rest", "room", "ground_rest", aspect=0.48,
       size=(0.3, 0.36)),
    _n("sofa", "rectangle", ("red", "green", "blue", "orange", "purple"), "rest", "room", "ground_rest",
       aspect=2.3, size=(0.3, 0.36)),
    _n("bench", "rectangle", ("brown", "green", "red"), "rest", "field street", "ground_rest", aspect=2.8,
       size=(0.28, 0.32)),
    _n("table", "rectangle", ("brown", "orange"), "rest", "room studio", "ground_rest", aspect=2.0,
       size=(0.28, 0.32)),
    _n("television", "rectangle", ("gray",), "rest", "room", "ground_rest target_color", aspect=1.35,
       size=(0.18, 0.22), words={"gray": ("gray", "old gray")}),
    _n("bottle", "rectangle", ("green", "blue", "brown"), "slide", "table", "count mover", aspect=0.36),
    _n("can", "rectangle", ("red", "blue", "green"), "slide", "table", "count mover", adj=("soda",),
       aspect=0.6, size=(0.11, 0.13)),
    _n("cereal box", "rectangle", ("red", "yellow", "blue", "orange"), "slide", "table", "count mover",
       aspect=0.68, size=(0.15, 0.18)),
    _n("picture frame", "rectangle", ("brown", "yellow"), "rest", "room", "faller hanger", aspect=1.3,
       size=(0.15, 0.18), words={"yellow": ("gilded", "golden")}),
    _n("vase", "rectangle", ("blue", "red", "green", "orange", "purple"), "rest", "table room",
       "target_crack", adj=("porcelain", "tall"), aspect=0.55, size=(0.16, 0.19)),
    _n("cake", "square", ("magenta", "brown", "yellow"), "rest", "table", "target_bite", size=(0.17, 0.19),
       words={"magenta": ("pink", "strawberry-pink"), "brown": ("chocolate",)}),
    _n("sandwich", "square", ("yellow", "orange"), "rest", "table", "target_bite", size=(0.16, 0.18)),
    _n("waffle", "square", ("yellow",), "rest", "table", "target_bite", size=(0.15, 0.17),
       words={"yellow": ("golden",)}),
    _n("muffin", "circle", ("brown",), "rest", "table", "target_bite", size=(0.15, 0.17),
       words={"brown": ("brown", "chocolate")}),
    _n("burger", "circle", ("brown",), "rest", "table", "target_bite", size=(0.16, 0.18), implied="brown"),
    _n("log", "rectangle", ("brown",), "rest", "field", "target_color", aspect=2.4, size=(0.2, 0.24)),
    _n("canvas", "rectangle", ("gray",), "rest", "room studio", "target_color", aspect=1.3, size=(0.18, 0.22),
       words={"gray": ("blank gray",)}),
    _n("hammer", "rectangle", ("brown", "red"), "swing", "table desk", "striker", aspect=0.5,
       size=(0.18, 0.2)),
    _n("bat", "rectangle", ("brown",), "swing", "field court", "striker", aspect=0.22, size=(0.22, 0.25),
       words={"brown": ("wooden", "brown")}),
    _n("stick", "rectangle", ("brown",), "swing", "field floor", "striker", aspect=0.2, size=(0.2, 0.24)),
    _n("torch", "rectangle", ("orange",), "swing", "field room", "burner", aspect=0.25, size=(0.18, 0.2),
       words={"orange": ("flaming", "burning", "orange")}),
    _n("paintbrush", "rectangle", ("brown",), "swing", "room studio", "painter", aspect=0.2,
       size=(0.18, 0.2)),
    _n("wand", "rectangle", ("purple", "black"), "swing", "studio room", "painter", aspect=0.16,
       size=(0.18, 0.2), words={"purple": ("purple", "sparkly purple")}),
    _n("caterpillar", "rectangle", ("green", "yellow"), "crawl", "table field", "biter",
       adj=("hungry", "little"), aspect=2.6, size=(0.16, 0.18)),
    _n("worm", "rectangle", ("magenta", "brown"), "crawl", "field table", "biter", aspect=3.0,
       size=(0.15, 0.17), words={"magenta": ("pink",)}),
    _n("elevator", "rectangle", ("gray", "blue", "red"), "lift", "room", "sinker", aspect=0.7,
       size=(0.18, 0.2), words={"gray": ("steel",)}),
    _n("pyramid", "triangle", ("yellow", "orange", "purple", "blue"), "slide", "studio table field",
       "count mover", adj=("small", "toy")),
    _n("tent", "triangle", ("orange", "green", "blue", "red", "yellow"), "rest", "field beach", "ground_rest",
       size=(0.24, 0.28)),
    _n("traffic cone", "triangle", ("orange",), "slide", "street floor", "count mover", implied="orange"),
    _n("wedge", "triangle", CHROMA, "slide", "table studio", "count mover", adj=("wooden", "rubber")),
    _n("party hat", "triangle", ("magenta", "purple", "blue", "green"), "slide", "table", "count mover",
       words={"magenta": ("pink",)}),
    _n("toy sailboat", "triangle", ("red", "blue", "yellow", "orange"), "sail", "pond", "count mover"),
    _n("shark fin", "triangle", ("gray",), "sail", "pond", "mover", size=(0.12, 0.14)),
    _n("kite", "triangle", ("red", "yellow", "magenta", "blue"), "float", "sky", "faller floater hanger"),
    _n("rocket", "triangle", ("red", "orange", "blue"), "lift", "sky field", "riser", adj=("toy", "model")),
    _n("sign", "triangle", ("yellow", "red"), "rest", "street", "ground_rest",
       words={"yellow": ("yellow warning",)}),
    _n("star", "star", CHROMA, "float", "sky studio room", "count faller floater hanger mover",
       adj=("shiny", "glowing", "paper")),
    _n("starfish", "star", ("orange", "red", "purple", "magenta"), "crawl", "beach pond", "count mover",
       plural="starfish"),
    _n("badge", "star", ("yellow",), "slide", "table desk", "mover", adj=("sheriff's",), size=(0.1, 0.12),
       words={"yellow": ("gold", "brass")}),
    _n("star ornament", "star", ("yellow", "red", "blue", "purple"), "float", "room", "count faller hanger"),
    _n("car", "vehicle", ("red", "blue", "green", "orange", "purple", "magenta"), "drive",
       "street snow parking", "collider count mover vehicle", aspect=2.0, size=(0.2, 0.24),
       words={"magenta": ("pink",)}),
    _n("truck", "vehicle", ("red", "blue", "green", "orange"), "drive", "street snow parking",
       "count mover vehicle", aspect=2.4, size=(0.24, 0.28)),
    _n("taxi", "vehicle", ("yellow",), "drive", "street snow", "count mover vehicle", plural="taxis",
       aspect=2.0, size=(0.2, 0.23), implied="yellow"),
    _n("bus", "vehicle", ("yellow", "blue", "green", "red"), "drive", "street snow", "count mover vehicle",
       aspect=2.6, size=(0.26, 0.3), words={"yellow": ("yellow school",)}),
    _n("van", "vehicle", ("blue", "red", "green", "orange"), "drive", "street parking", "count mover vehicle",
       adj=("delivery",), aspect=1.8, size=(0.2, 0.23)),
    _n("jeep", "vehicle", ("green", "orange", "red"), "drive", "field beach street", "mover vehicle",
       aspect=1.7, size=(0.2, 0.22)),
    _n("pickup truck", "vehicle", ("red", "blue", "green", "orange"), "drive", "street field",
       "mover vehicle", aspect=2.2, size=(0.22, 0.26)),
    _n("sports car", "vehicle", ("red", "yellow", "orange", "blue"), "drive", "street", "mover vehicle",
       aspect=2.3, size=(0.2, 0.23)),
    _n("race car", "vehicle", ("red", "blue", "green", "yellow"), "drive", "street", "mover vehicle",
       aspect=2.4, size=(0.2, 0.23)),
    _n("police car", "vehicle", ("blue",), "drive", "street snow", "mover vehicle", aspect=2.0,
       size=(0.2, 0.23)),
    _n("fire truck", "vehicle", ("red",), "drive", "street", "mover vehicle", aspect=2.5, size=(0.26, 0.3),
       implied="red"),
    _n("tractor", "vehicle", ("green", "red"), "drive", "field", "mover vehicle", aspect=1.6,
       size=(0.2, 0.23)),
    _n("toy car", "vehicle", CHROMA, "drive", "floor table playroom", "collider count mover striker vehicle",
       aspect=1.9, size=(0.16, 0.19)),
    _n("bumper car", "vehicle", ("red", "blue", "yellow", "green", "magenta"), "drive", "court",
       "collider vehicle", aspect=1.6, size=(0.17, 0.19)),
)
# fmt: on

NOUN = {n.key: n for n in NOUNS}


@dataclass(frozen=True)
class Setting:
    """Where a scene happens: phrases for the text and the backgrounds that fit it.

    ``ground`` is the y of the surface things rest on; ``at`` are prepositional phrases for
    motion ("across a wooden table"), ``on`` for resting things ("on a wooden table").
    """

    key: str
    at: tuple[str, ...]
    on: tuple[str, ...]
    backgrounds: tuple[dict[str, object], ...]
    ground: tuple[float, float]
    texture: tuple[str, str]  # two tones of a textured variant, for scenes with camera motion

    @property
    def textured(self) -> dict[str, object]:
        return {"kind": "texture", "color": self.texture[0], "color2": self.texture[1]}


def _sky(ground: str, sky: str = "#a9c6dc") -> tuple[dict[str, object], ...]:
    return tuple({"kind": "sky_ground", "color": sky, "color2": ground, "horizon": h} for h in (0.5, 0.55, 0.6))


def _flat(color: str) -> dict[str, object]:
    return {"kind": "flat", "color": color}


def _grad(top: str, bottom: str) -> dict[str, object]:
    return {"kind": "gradient", "color": top, "color2": bottom}


def _tex(a: str, b: str) -> dict[str, object]:
    return {"kind": "texture", "color": a, "color2": b}


# fmt: off
SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("table",
            ("across a wooden table", "across the kitchen table", "along a tabletop",
             "across a dining table"),
            ("on a wooden table", "on the kitchen table", "on a tabletop", "on a dining table"),
            (_flat("#c9c0b2"), _grad("#cfc6b8", "#bdb3a4")), (0.62, 0.72), ("#cfc6b8", "#bdb3a4")),
    Setting("desk", ("across an office desk", "across a cluttered desk", "along a writing desk"),
            ("on an office desk", "on a writing desk", "on a cluttered desk"),
            (_flat("#c4c8cc"), _grad("#ccd0d3", "#b9bec2")), (0.62, 0.72), ("#ccd0d3", "#b9bec2")),
    Setting("kitchen",
            ("along the kitchen counter", "across a countertop"),
            ("on the kitchen counter", "on a countertop"),
            (_flat("#cdd0c8"),), (0.62, 0.72), ("#cdd0c8", "#bcbfb6")),
    Setting("floor",
            ("across the living-room floor", "across a tiled floor", "over a polished wooden floor",
             "across the carpet"),
            ("on the living-room floor", "on a tiled floor", "on a polished wooden floor", "on the carpet"),
            (_tex("#cdc4b4", "#b8ae9e"), _tex("#d4b896", "#c4a886")), (0.7, 0.8), ("#cdc4b4", "#b8ae9e")),
    Setting("playroom", ("across the playroom floor", "over a soft play mat", "across a nursery rug"),
            ("on the playroom floor", "on a soft play mat", "on a nursery rug"),
            (_tex("#bfcbb4", "#b1bea5"), _flat("#cbbfce")), (0.7, 0.8), ("#bfcbb4", "#b1bea5")),
    Setting("warehouse",
            ("across a warehouse floor", "through a loading bay"),
            ("on a warehouse floor", "in a loading bay"),
            (_tex("#c2bfb8", "#b6b2aa"),), (0.72, 0.8), ("#c2bfb8", "#b6b2aa")),
    Setting("studio",
            ("across a bright studio", "in front of a plain backdrop", "across a seamless backdrop"),
            ("in a bright studio", "against a plain backdrop", "on a seamless studio backdrop"),
            (_flat("#c9cdd2"), _grad("#c9cdd2", "#b7bcc1")), (0.62, 0.75), ("#c9cdd2", "#b7bcc1")),
    Setting("room", ("across an empty room", "through a quiet living room", "down a sunlit hallway"),
            ("in an empty room", "in a quiet living room", "in a sunlit hallway"),
            (_grad("#d2cbc0", "#bdb5a8"), _flat("#c8c1cd")), (0.75, 0.82), ("#d2cbc0", "#bdb5a8")),
    Setting("street",
            ("along a quiet street", "down an empty road", "through a city street", "along a country road"),
            ("on a quiet street", "by an empty road", "on a city street", "beside a country road"),
            _sky("#b8b9bd"), (0.76, 0.84), ("#c4c6ca", "#b3b5b9")),
    Setting("snow", ("down a snowy street", "along a snow-covered road", "through a snowy village"),
            ("on a snowy street", "beside a snow-covered road", "in a snowy village"),
            _sky("#c4cacf", "#b7c4cf"), (0.76, 0.84), ("#c4cacf", "#b7bec5")),
    Setting("parking", ("across an empty parking lot", "through a parking garage"),
            ("in an empty parking lot", "in a parking garage"),
            (_tex("#c0c0c4", "#b6b7bb"),), (0.72, 0.82), ("#c0c0c4", "#b6b7bb")),
    Setting("field", ("across a grassy field", "over a green meadow", "across the lawn", "through a park"),
            ("in a grassy field", "on a green meadow", "on the lawn", "in a park"),
            _sky("#aacb94"), (0.76, 0.84), ("#aacb94", "#b9d3a6")),
    Setting("beach", ("along a sandy beach", "across the sand"), ("on a sandy beach", "on the sand"),
            _sky("#dcc9a0"), (0.76, 0.84), ("#dcc9a0", "#cfbd93")),
    Setting("court",
            ("across a basketball court", "across a gym floor"), ("on a basketball court", "in an empty gym"),
            (_tex("#d4b896", "#c9ab85"), _flat("#d6bf9c")), (0.72, 0.82), ("#d4b896", "#c9ab85")),
    Setting("sky", ("across a pale sky", "through a hazy sky", "high across the sky"),
            ("in a pale sky", "high in a hazy sky", "in the sky"),
            (_grad("#a9c6dc", "#a9bfcf"),), (0.5, 0.6), ("#a9c6dc", "#a9bfcf")),
    Setting("pond", ("across a calm pond", "across the surface of a pool", "across a still lake"),
            ("on a calm pond", "on the surface of a pool", "on a still lake"),
            (_flat("#a6cfd6"), _grad("#a6cfd6", "#aecdd3")), (0.6, 0.72), ("#a6cfd6", "#aecdd3")),
)}
# fmt: on


@dataclass(frozen=True)
class OccluderWord:
    """A wall or box things can pass behind (drawn as a rectangle or square)."""

    noun: str
    phrase: tuple[str, ...]  # without article, colour first where it has one
    color: str
    shape: str
    aspect: tuple[float, float]
    texture: str
    where: tuple[str, ...]


# fmt: off
OCCLUDERS: tuple[OccluderWord, ...] = (
    OccluderWord("wall", ("gray concrete wall", "low gray wall", "gray stone wall"), "gray", "rectangle",
                 (0.35, 0.5), "none", ("street", "field", "studio", "snow")),
    OccluderWord("wall", ("red brick wall", "crumbling red brick wall"), "red", "rectangle", (0.4, 0.55),
                 "bricks", ("street", "field", "snow")),
    OccluderWord("fence", ("brown wooden fence", "weathered brown fence"), "brown", "rectangle", (0.6, 0.9),
                 "planks", ("field", "street", "beach")),
    OccluderWord("pillar", ("gray stone pillar",), "gray", "rectangle", (0.3, 0.36), "none",
                 ("room", "studio", "street")),
    OccluderWord("column", ("thick gray column",), "gray", "rectangle", (0.3, 0.36), "none",
                 ("room", "studio", "street")),
    OccluderWord("hedge", ("green hedge", "dense green hedge"), "green", "rectangle", (0.6, 0.9), "none",
                 ("field", "street")),
    OccluderWord("tree trunk", ("thick brown tree trunk", "brown tree trunk"), "brown", "rectangle",
                 (0.3, 0.38), "none", ("field",)),
    OccluderWord("curtain", ("purple curtain", "heavy purple curtain"), "purple", "rectangle", (0.45, 0.6),
                 "none", ("room", "studio")),
    OccluderWord("curtain", ("red velvet curtain", "heavy red curtain"), "red", "rectangle", (0.45, 0.6),
                 "none", ("room", "studio")),
    OccluderWord("cabinet", ("brown wooden cabinet", "tall brown cabinet"), "brown", "rectangle", (0.45, 0.6),
                 "planks", ("room", "floor")),
    OccluderWord("box", ("large brown cardboard box", "big brown box"), "brown", "square", (1.0, 1.0), "none",
                 ("floor", "warehouse", "table", "room", "playroom")),
    OccluderWord("crate", ("big brown wooden crate", "large brown crate"), "brown", "square", (1.0, 1.0),
                 "planks", ("floor", "warehouse", "street")),
    OccluderWord("box", ("large blue storage box",), "blue", "square", (1.0, 1.0), "none",
                 ("floor", "warehouse", "playroom")),
    OccluderWord("bin", ("big blue bin",), "blue", "square", (1.0, 1.0), "none",
                 ("floor", "warehouse", "playroom")),
    OccluderWord("screen", ("green folding screen",), "green", "rectangle", (0.5, 0.7), "none",
                 ("room", "studio")),
    OccluderWord("room divider", ("tall green room divider",), "green", "rectangle", (0.5, 0.7), "none",
                 ("room", "studio")),
)
# fmt: on
