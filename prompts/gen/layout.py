"""Scene and ``expect`` entries as plain data, and the mirror image of a drafted prompt."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prompts.gen.vocab import OccluderWord, Setting
from prompts.gen.words import SIDE_SWAP, NoChoice, Thing, direction, fill
from prompts.mirror import mirror_expect, mirror_scene


def r3(x: float) -> float:
    """Round to 3 decimals (and never write -0.0)."""
    return round(float(x), 3) + 0.0


def xy(v: tuple[float, float] | list[float]) -> list[float]:
    return [r3(v[0]), r3(v[1])]


@dataclass
class Draft:
    """A prompt before it has an id: text, tags, scene and expect as plain data."""

    text: str
    tags: list[str]
    scene: dict[str, Any]
    expect: dict[str, Any]
    mirror_of: Draft | None = field(default=None, repr=False, compare=False)


def obj(t: Thing, pos: tuple[float, float], vel: tuple[float, float] = (0.0, 0.0), **extra: Any) -> dict[str, Any]:
    """A scene object for thing ``t`` (``group``, ``id`` and other fields through ``extra``)."""
    d: dict[str, Any] = {"id": extra.pop("id", t.id)}
    if "group" in extra:
        d["group"] = extra.pop("group")
    d.update(shape=t.shape, color=t.color, size=r3(t.size))
    if t.aspect != 1.0:
        d["aspect"] = t.aspect
    d["pos"] = xy(pos)
    if any(vel):
        d["vel"] = xy(vel)
    for k, v in extra.items():
        if v is not None and v is not False:
            d[k] = xy(v) if k in ("acc",) else r3(v) if isinstance(v, float) else v
    return d


def exp(t: Thing, count: int = 1, oid: str | None = None) -> dict[str, Any]:
    """An ``expect.objects`` entry for thing ``t``."""
    d = {"id": oid or t.id, "noun": t.noun.key, "color": t.color, "shape": t.shape}
    if count != 1:
        d["count"] = count
    return d


@dataclass(frozen=True)
class Wall:
    """A placed occluder: the word, its phrase and its box."""

    word: OccluderWord
    phrase: str
    x: float
    y: float
    height: float
    aspect: float
    id: str = "wall"

    @property
    def w(self) -> float:
        return self.height * self.aspect if self.word.shape == "rectangle" else self.height

    def scene(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "shape": self.word.shape, "color": self.word.color}
        d.update(pos=xy((self.x, self.y)), size=r3(self.height))
        if self.word.shape == "rectangle":
            d["aspect"] = r3(self.aspect)
        if self.word.texture != "none":
            d["texture"] = self.word.texture
        return d

    def expect(self) -> dict[str, Any]:
        return {"id": self.id, "noun": self.word.noun, "color": self.word.color, "shape": self.word.shape}


def flip(d: Draft, text: str | None = None) -> Draft:
    """``d`` seen in a horizontal mirror (scene x, velocities, pans, relations, motion swapped)."""
    scene, expect = mirror_scene(d.scene, rnd=r3), mirror_expect(d.expect)
    return Draft(d.text if text is None else text, list(d.tags), scene, expect)


def mirror_pair(d: Draft, text: str) -> list[Draft]:
    """``d`` and its mirror image with ``text``, naming each other as mirrors."""
    m = flip(d, text)
    d.mirror_of, m.mirror_of = m, d
    return [d, m]


@dataclass(frozen=True)
class Case:
    """One sub-case of a family: ``make(rng, template)`` drafts one prompt or a mirror pair."""

    family: str
    prefix: str  # prompt ids are ``<prefix>-<nnn>``
    count: int
    templates: tuple[str, ...]
    make: Callable[[random.Random, str], list[Draft]]


SPEED_JITTER = 0.08  # the reference world scales each speed by up to this much per seed
POS_JITTER = 0.025  # ... and shifts positions by up to this much


def end_range(x0: float, v: float, t_move: float = 1.0) -> tuple[float, float]:
    """Lowest and highest end position of ``x0 + v * t_move`` under the per-seed jitter."""
    a, b = x0 + v * t_move * (1 - SPEED_JITTER), x0 + v * t_move * (1 + SPEED_JITTER)
    return min(a, b) - POS_JITTER, max(a, b) + POS_JITTER


def travel_ok(t: Thing, v: float) -> bool:
    """A travel of ``v`` stays clearly visible under the jitter: at least 0.15 and 1.5 sizes, with margin."""
    return abs(v) * (1 - SPEED_JITTER) >= max(0.15, 1.5 * max(t.w, t.h)) + 0.02


def rest_y(t: Thing, ground: float) -> float:
    """Centre y of ``t`` standing on a surface at ``ground``."""
    return ground - t.h / 2


def retry(attempt: Callable[[], list[Draft] | None], tries: int = 400) -> list[Draft]:
    """Call ``attempt`` until it lays out a scene (random choices that break a constraint retry)."""
    for _ in range(tries):
        try:
            out = attempt()
        except NoChoice:
            continue
        if out is not None:
            return out
    raise RuntimeError("no layout found")


def heading(
    rng: random.Random,
    draft: Draft,
    slots: dict[str, str],
    template: str,
    more: Callable[[str], dict[str, str]] | None = None,
) -> list[Draft]:
    """Fill the template for a rightward or (flipped) leftward version of a rightward draft.

    Sets ``{side}``, ``{from_side}`` and ``{dir}``; ``more(side)`` adds direction-dependent slots.
    """
    d = rng.choice(("right", "left"))
    slots.update(side=d, from_side=SIDE_SWAP[d], dir=direction(rng, d, slots.get("place", "")))
    if more is not None:
        slots.update(more(d))
    draft.text = fill(template, slots)
    return [draft if d == "right" else flip(draft)]


def base_slots(rng: random.Random, st: Setting) -> dict[str, str]:
    return {"place": rng.choice(st.at), "on": rng.choice(st.on)}
