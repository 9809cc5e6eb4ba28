"""Words for generated prompts: things (a noun in a colour and size), noun phrases, templates."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from prompts.gen.vocab import COLOR_WORDS, DIRECTIONS, NOUNS, NUMBERS, SETTINGS, VERBS, Noun, Setting

SIDE_SWAP = {"left": "right", "right": "left"}


class NoChoice(ValueError):
    """The vocabulary has nothing left that fits (a layout attempt retries with other choices)."""


@dataclass(frozen=True)
class Thing:
    """A noun realised in one colour and size, with the words that describe it."""

    noun: Noun
    color: str
    size: float
    id: str
    phrase: str  # indefinite noun phrase: "a small red rubber ball"
    the: str  # definite reference: "the ball"
    verb: tuple[str, str, str]  # (third person, plural, gerund) of its verb class

    @property
    def shape(self) -> str:
        return self.noun.shape

    @property
    def aspect(self) -> float:
        return self.noun.aspect

    @property
    def w(self) -> float:
        """Full width (fraction of the frame)."""
        return self.size if self.aspect >= 1 else self.size * self.aspect

    @property
    def h(self) -> float:
        return self.size / self.aspect if self.aspect >= 1 else self.size


def article(phrase: str) -> str:
    """``phrase`` with ``a`` or ``an`` in front."""
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def ident(key: str) -> str:
    """An object id from a noun: ``tennis ball`` -> ``tennis_ball``."""
    return re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")[:32]


def color_word(rng: random.Random, noun: Noun, color: str) -> str:
    """How the text names ``color`` for ``noun`` ("" when the noun implies it)."""
    if noun.implied == color and rng.random() < 0.6:
        return ""
    return rng.choice(noun.words.get(color) or COLOR_WORDS[color])


#: Descriptive adjectives go before the colour ("a tall blue vase"); material ones after it.
BEFORE_COLOR = frozenset(
    [
        "small",
        "little",
        "big",
        "large",
        "tall",
        "heavy",
        "hungry",
        "thick",
        "round",
        "smooth",
        "ripe",
        "shiny",
        "bouncy",
        "glossy",
        "glowing",
        "sturdy",
        "oversized",
        "loose",
        "model",
    ]
)


def make_thing(
    rng: random.Random, noun: Noun, color: str, *, size: float | None = None, adj: bool = True, tid: str = ""
) -> Thing:
    """A thing of ``noun`` in ``color``; its size and phrase are drawn from the vocabulary."""
    lo, hi = noun.size
    s = round(size if size is not None else rng.uniform(lo, hi), 3)
    before, after = [], []
    colour = color_word(rng, noun, color)
    extra = rng.choice(noun.adj) if adj and noun.adj and rng.random() < 0.35 else ""
    if extra in BEFORE_COLOR:
        before.append(extra)
    elif extra:
        after.append(extra)
    if size is None and not before and " " not in colour and rng.random() < 0.2:
        before.append(rng.choice(("small", "little")) if s < (lo + hi) / 2 else rng.choice(("large", "big")))
    phrase = article(" ".join(w for w in (*before, colour, *after, noun.key) if w))
    verbs = VERBS.get(noun.move, VERBS["slide"])
    return Thing(noun, color, s, tid or ident(noun.key), phrase, "the " + noun.key, rng.choice(verbs))


def nouns(
    role: str | None = None,
    shapes: Iterable[str] | None = None,
    where: str | None = None,
    move: str | None = None,
) -> list[Noun]:
    """Nouns with a role, among shapes, fitting a setting, of a verb class (all optional)."""
    shapes = set(shapes) if shapes else None
    return [
        n
        for n in NOUNS
        if (role is None or role in n.roles)
        and (shapes is None or n.shape in shapes)
        and (where is None or where in n.where)
        and (move is None or n.move == move)
    ]


def pick_thing(
    rng: random.Random,
    pool: list[Noun],
    *,
    avoid_colors: Iterable[str] = (),
    avoid_nouns: Iterable[str] = (),
    colors: Iterable[str] | None = None,
    size: float | None = None,
    tid: str = "",
) -> Thing:
    """A thing from ``pool`` whose colour is not in ``avoid_colors`` (and noun not in ``avoid_nouns``)."""
    avoid = set(avoid_colors)
    allowed = set(colors) if colors is not None else None
    options = [
        (n, c)
        for n in pool
        if n.key not in set(avoid_nouns)
        for c in n.colors
        if c not in avoid and (allowed is None or c in allowed)
    ]
    if not options:
        raise NoChoice(f"no noun left in {[n.key for n in pool]} avoiding {sorted(avoid)}")
    keys = sorted({n.key for n, _ in options})
    key = rng.choice(keys)  # first the noun, then its colour: every noun is equally likely
    noun, color = rng.choice([(n, c) for n, c in options if n.key == key])
    return make_thing(rng, noun, color, size=size, tid=tid)


def setting(rng: random.Random, keys: Iterable[str]) -> Setting:
    return SETTINGS[rng.choice(sorted(set(keys) & set(SETTINGS)))]


def direction(rng: random.Random, d: str, avoid: str = "") -> str:
    """A phrase for direction ``d``; none that repeats the first word of ``avoid`` ("across ...")."""
    first = avoid.split(" ", 1)[0]
    options = [w for w in DIRECTIONS[d] if not first or first not in w.split()] or list(DIRECTIONS[d])
    return rng.choice(options)


def number(rng: random.Random, n: int) -> str:
    return rng.choice(NUMBERS[n])


def fill(template: str, slots: dict[str, str]) -> str:
    """Fill ``template`` and tidy it: spaces, capitals after sentence ends, one final stop."""
    text = template.format_map(slots)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" ([,.;:!?])", r"\1", text)
    text = re.sub(r"(^|[.!?] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return text


def thing_slots(t: Thing, key: str) -> dict[str, str]:
    """Slots ``{a}``, ``{the_a}``, ``{a_verb}``, ``{a_vpl}``, ``{a_ving}``, ``{a_noun}`` of thing ``t``."""
    return {
        key: t.phrase,
        f"the_{key}": t.the,
        f"{key}_verb": t.verb[0],
        f"{key}_vpl": t.verb[1],
        f"{key}_ving": t.verb[2],
        f"{key}_noun": t.noun.key,
    }


def side_slots(side: str) -> dict[str, str]:
    """``{side}``/``{oside}`` words and the relation phrases for a left/right template."""
    other = SIDE_SWAP[side]
    return {
        "side": side,
        "oside": other,
        "rel": f"to the {side} of",
        "orel": f"to the {other} of",
        "from_to": f"from {side} to {other}",
    }


def distinct(a: Thing, b: Thing) -> tuple[Thing, Thing]:
    """Two things of the same noun get ids and references that name their colours."""
    if a.id != b.id:
        return a, b
    return (
        replace(a, id=f"{a.color}_{a.id}", the=f"the {a.color} {a.noun.key}"),
        replace(b, id=f"{b.color}_{b.id}", the=f"the {b.color} {b.noun.key}"),
    )
