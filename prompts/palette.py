"""The fixed palette of named colours (data shared by the world renderer and the colour checks).

Each colour has a canonical sRGB value (what the reference world paints before shading) and a hue
family. Checks must recognise a colour by hue and tolerance, never by the exact RGB value:
generated and compressed video never hits the palette exactly.
"""

from __future__ import annotations

from typing import Literal, get_args

ColorName = Literal[
    "red", "green", "blue", "yellow", "orange", "purple",
    "cyan", "magenta", "white", "black", "gray", "brown",
]  # fmt: skip

COLOR_NAMES: tuple[str, ...] = get_args(ColorName)

#: Canonical sRGB of each named colour.
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (215, 38, 38),
    "green": (38, 166, 62),
    "blue": (40, 84, 216),
    "yellow": (238, 206, 36),
    "orange": (240, 132, 28),
    "purple": (128, 56, 176),
    "cyan": (36, 196, 214),
    "magenta": (214, 48, 178),
    "white": (244, 244, 244),
    "black": (22, 22, 22),
    "gray": (128, 128, 128),
    "brown": (124, 76, 38),
}

#: Colours defined by low saturation (recognised by value, not hue).
ACHROMATIC: frozenset[str] = frozenset({"white", "black", "gray"})


def rgb(name: str) -> tuple[int, int, int]:
    """Canonical sRGB of a palette colour name."""
    return PALETTE[name]


def parse_color(value: str) -> tuple[int, int, int]:
    """A palette name or ``#rrggbb`` as an sRGB triple; raises ValueError otherwise."""
    if value in PALETTE:
        return PALETTE[value]
    text = value.strip()
    if len(text) == 7 and text.startswith("#"):
        try:
            return (int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16))
        except ValueError:
            pass
    raise ValueError(f"{value!r} is neither a palette colour ({', '.join(COLOR_NAMES)}) nor #rrggbb")
