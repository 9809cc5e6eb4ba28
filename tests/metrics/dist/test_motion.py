"""Motion statistics on synthetic clips whose motion is known."""

from __future__ import annotations

import numpy as np

from metrics.dist import motion
from tests.conftest import disc_clip


def gray(clip: np.ndarray) -> np.ndarray:
    return clip.mean(axis=-1).astype(np.uint8)


def part(vec: np.ndarray, name: str) -> np.ndarray:
    start = 0
    for n, size in motion.FEATURES:
        if n == name:
            return vec[start : start + size]
        start += size
    raise KeyError(name)


def moving(xs: list[float], y: float = 32.0) -> np.ndarray:
    return gray(disc_clip([[(x, y)] for x in xs], [(30, 30, 30)], size=64, radius=7, bg=(170, 170, 170)))


def test_a_still_clip_has_no_motion() -> None:
    v = motion.motion_features(moving([32.0] * 10), fps=8)
    assert v.shape == (motion.DIM,)
    assert part(v, "speed")[0] == 1.0 and not part(v, "direction").any() and not part(v, "turn").any()


def test_a_disc_moving_right_moves_right_at_its_speed() -> None:
    v = motion.motion_features(moving([12 + 3 * t for t in range(12)]), fps=8)
    direction = part(v, "direction")
    assert np.argmax(direction) in (0, 7) and direction[[0, 7]].sum() > 0.6  # sector of angle 0
    # 3 px per frame at 8 fps in a 64 px frame: 0.375 frame sizes per second (bin 0.25..0.5)
    moving_speeds = part(v, "speed")[1:]
    assert np.argmax(moving_speeds) + 1 == 4
    assert part(v, "turn")[0] > 0.9  # keeps its heading


def test_a_reversal_turns_by_180_degrees_and_a_stall_makes_motion_uneven() -> None:
    steady = motion.motion_features(moving([12 + 3 * t for t in range(12)]), fps=8)
    back = motion.motion_features(moving([12 + 3 * t for t in range(7)] + [30 - 3 * t for t in range(1, 6)]), fps=8)
    stall = motion.motion_features(moving([12 + 3 * min(t, 4) + 3 * max(t - 8, 0) for t in range(12)]), fps=8)
    assert part(back, "turn")[-1] > 0.05 and part(steady, "turn")[-1] == 0
    assert part(back, "direction")[3:5].sum() > 0.1  # some motion to the left
    assert part(stall, "stalls")[1] > part(steady, "stalls")[1] + 0.2
