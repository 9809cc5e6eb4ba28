from __future__ import annotations

import numpy as np
import pytest

from metrics.observe.color import CLASS_OF, NONE, class_map, classify_hsv, color_mask, rgb_to_hsv
from prompts import COLOR_NAMES, PALETTE
from tests.metrics.synth import shade


@pytest.mark.parametrize("name", COLOR_NAMES)
def test_palette_and_its_shades_key_as_themselves(name: str) -> None:
    rng = np.random.default_rng(3)
    colours = [PALETTE[name]] + [shade(name, rng) for _ in range(40)]
    for f in (0.92, 1.0, 1.06):  # the reference world's shading
        colours.append(tuple(int(min(255, c * f)) for c in PALETTE[name]))
    px = np.array(colours, np.uint8)[None]
    assert (class_map(px) == CLASS_OF[name]).all(), [
        c for c, k in zip(colours, class_map(px)[0], strict=True) if k != CLASS_OF[name]
    ]


@pytest.mark.parametrize("bg", ["#c9cdd2", "#aab2bb", "#c4bcae", "#b5a283", "#a9c7e6", "#d0c8b8"])
def test_background_tones_key_as_no_colour(bg: str) -> None:
    rgb = np.array([[[int(bg[i : i + 2], 16) for i in (1, 3, 5)]]], np.uint8)
    assert class_map(rgb)[0, 0] == NONE


def test_lut_agrees_with_the_rules() -> None:
    rng = np.random.default_rng(0)
    px = rng.integers(0, 256, (1, 5000, 3), dtype=np.uint8)
    q = (px // 4) * 4 + 1.5  # the LUT evaluates each 6-bit bin at its centre
    direct = classify_hsv(*rgb_to_hsv(q))
    assert (class_map(px) == direct).mean() == 1.0


def test_color_mask_shape_and_errors() -> None:
    frames = np.zeros((2, 4, 5, 3), np.uint8)
    frames[:, 1:3, 1:4] = PALETTE["red"]
    m = color_mask(frames, "red")
    assert m.shape == (2, 4, 5) and m.sum() == 12
    with pytest.raises(ValueError, match="unknown colour"):
        color_mask(frames, "teal")
