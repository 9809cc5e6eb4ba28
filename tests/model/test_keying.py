"""The world's colours against the colour keying of metrics/observe/color.py: backgrounds and
decorations key as no palette colour, and every object keys as its own colour, in one piece."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metrics.observe.blobs import find_blobs
from metrics.observe.color import CLASS_OF, class_map, color_mask
from model.world.tones import neutral
from prompts.palette import COLOR_NAMES, PALETTE
from t2vbase.video import read_video, write_video
from tests.model.helpers import obj, render

MIN_AREA = 6  # pixels: smaller specks are noise to the colour backend

BACKGROUNDS = [
    {"kind": "flat"},
    {"kind": "flat", "color": "#ff0000"},
    {"kind": "flat", "color": "white"},
    {"kind": "flat", "color": "black"},
    {"kind": "flat", "color": "gray"},
    {"kind": "flat", "color": "brown"},
    {"kind": "gradient", "color": "#cfe3f5", "color2": "#eef4fa"},
    {"kind": "gradient", "color": "#00ff00", "color2": "#2040ff"},
    {"kind": "sky_ground", "color": "#bcd4ea", "color2": "#8c8f94", "horizon": 0.55},
    {"kind": "sky_ground", "color": "#dfe6ec", "color2": "#b5a283", "horizon": 0.88},
    {"kind": "sky_ground", "color": "#4a90e2", "color2": "#3c7a2a", "horizon": 0.6},
    {"kind": "texture", "color": "#d9d2c4", "color2": "#c4bcae"},
    {"kind": "texture", "color": "#202020", "color2": "#f0f0f0"},
]


def keyed(frames: np.ndarray) -> dict[str, int]:
    """Pixels of each palette colour in ``frames`` ``(T, H, W, 3)``."""
    hsv = frames
    return {c: int(color_mask(hsv, c).sum()) for c in COLOR_NAMES}


@pytest.mark.parametrize("camera", ["static", "pan_right", "zoom_out"])
@pytest.mark.parametrize("bg", BACKGROUNDS, ids=lambda b: f"{b['kind']}-{b.get('color', '')}")
def test_backgrounds_key_as_no_palette_colour(bg: dict, camera: str) -> None:
    v = render({"background": bg, "camera": {"motion": camera, "amount": 0.5}}, num_frames=6)
    assert all(n == 0 for n in keyed(v.frames).values())


def test_backgrounds_stay_unkeyed_through_h264(tmp_path: Path) -> None:
    for i, bg in enumerate(BACKGROUNDS):
        v = render({"background": bg, "camera": {"motion": "pan_left", "amount": 0.4}}, seed=i, jitter=1.0)
        frames = read_video(write_video(tmp_path / f"{i}.mp4", v)).frames
        hsv = frames
        for c in COLOR_NAMES:
            cmap = class_map(hsv)
            assert all(not find_blobs(m, CLASS_OF[c], t, MIN_AREA) for t, m in enumerate(cmap)), (bg, c)


def test_neutral_projects_any_colour_into_the_gaps() -> None:
    rng = np.random.default_rng(0)
    colours = np.concatenate([rng.uniform(0, 255, (4000, 3)), np.array(list(PALETTE.values()), float)])
    img = neutral(colours).reshape(-1, 1, 3)
    hsv = np.clip(img + 0.5, 0, 255).astype(np.uint8)[None]
    assert all(not color_mask(hsv, c).any() for c in COLOR_NAMES)
    same = neutral(np.array([[201.0, 205.0, 210.0]]))  # already in the gap: unchanged
    assert np.allclose(same, [[201, 205, 210]], atol=0.5)


DECOR = [
    {},
    {"texture": "stripes"},
    {"texture": "dots", "outline": True},
    {"texture": "checker"},
    {"outline": True},
]


@pytest.mark.parametrize("shape", ["circle", "square", "triangle", "rectangle", "star", "vehicle"])
def test_objects_key_as_their_colour_in_one_piece(shape: str) -> None:
    """Every colour with every texture, outline, bite and crack: the object keys as its own colour,
    nearly all of it in one component (a vehicle's windows may cut off a sliver of roof, which the
    tracker keeps as a part of it), and nothing keys as another palette colour."""
    aspect = {"rectangle": 0.5, "vehicle": 2.0}.get(shape, 1.0)
    for color in COLOR_NAMES:
        for k, decor in enumerate(DECOR):
            hammer = obj("hammer", shape="square", color=color, size=0.08, pos=[0.15, 0.5], vel=[1.2, 0.0])
            scene = {
                "objects": [hammer, obj("it", shape=shape, color=color, size=0.3, aspect=aspect, **decor)],
                "events": [
                    {
                        "subject": "hammer",
                        "object": "it",
                        "change": ("bite", "crack")[k % 2],
                        "on_contact": "bounce",
                    }
                ],
            }
            frame = render(scene, num_frames=4).frames[-1:]  # bitten or cracked; the hammer is gone
            hsv = frame
            for c in COLOR_NAMES:
                comps = find_blobs(class_map(hsv)[0], CLASS_OF[c], 0, MIN_AREA)
                if c == color:
                    areas = sorted((b.area for b in comps), reverse=True)
                    assert areas and areas[0] >= 0.85 * sum(areas), (shape, color, decor, "own colour", areas)
                else:
                    assert not comps, (shape, color, decor, c, comps)
