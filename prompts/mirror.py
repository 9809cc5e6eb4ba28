"""The left/right mirror of prompts and scenes: one swap table for everything that flips.

Suite validation checks mirror pairs with it, the prompt generator writes them with it,
``t2vbench validate`` scores flipped clips against mirrored expectations with it, and
alignment metrics mirror prompts with it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

#: Every word of a prompt's ``expect`` or ``scene`` that a horizontal mirror swaps.
MIRROR: dict[str, str] = {
    "left_of": "right_of",
    "right_of": "left_of",
    "left": "right",
    "right": "left",
    "pan_left": "pan_right",
    "pan_right": "pan_left",
}


def mirrored(word: str) -> str:
    """The word a mirror shows instead (unchanged when it has no side)."""
    return MIRROR.get(word, word)


#: Words of a prompt's text that a horizontal mirror swaps (whole words, any case).
TEXT_MIRROR: dict[str, str] = {
    "left": "right",
    "right": "left",
    "leftward": "rightward",
    "rightward": "leftward",
    "leftwards": "rightwards",
    "rightwards": "leftwards",
}
_SIDE_WORD = re.compile(r"\b(" + "|".join(TEXT_MIRROR) + r")\b", re.IGNORECASE)


def mirror_text(text: str) -> str:
    """A prompt's text as a mirror shows it: left and right swapped (capitals kept); the text
    unchanged when it names no side."""

    def swap(m: re.Match[str]) -> str:
        word = TEXT_MIRROR[m.group(0).lower()]
        return word.capitalize() if m.group(0)[0].isupper() else word

    return _SIDE_WORD.sub(swap, text)


def mirror_expect(expect: dict[str, Any]) -> dict[str, Any]:
    """An ``expect`` (plain data) as seen in a mirror: relations, motion and pans swapped."""
    out = copy.deepcopy(expect)
    for r in out.get("relations", []):
        r["relation"] = mirrored(r["relation"])
    for m in out.get("motion", []):
        m["direction"] = mirrored(m["direction"])
    if out.get("camera"):
        out["camera"] = mirrored(out["camera"])
    return out


def mirror_scene(scene: dict[str, Any], rnd: Callable[[float], float] = float) -> dict[str, Any]:
    """A ``scene`` (plain data) seen in a horizontal mirror: x -> 1 - x, x velocities and
    accelerations negated, vehicle facing and pans swapped; ``rnd`` rounds the new numbers."""
    out = copy.deepcopy(scene)
    for o in out.get("objects", []):
        o["pos"][0] = rnd(1.0 - o["pos"][0])
        for k in ("vel", "acc"):
            if k in o:
                o[k][0] = rnd(-o[k][0])
        if o.get("facing") is not None:
            o["facing"] = mirrored(o["facing"])
    for o in out.get("occluders", []):
        o["pos"][0] = rnd(1.0 - o["pos"][0])
    if "camera" in out:
        out["camera"]["motion"] = mirrored(out["camera"]["motion"])
    return out
