from __future__ import annotations

from pathlib import Path

import numpy as np

from metrics import Clip
from metrics.physics.count import CountCheck
from t2vbase.video import read_video, write_video
from tests.conftest import blank_prompt, disc_clip

RED = (215, 38, 38)
GRAY_WALL = (128, 128, 128)
THREE = {"objects": [{"id": "marble", "noun": "marble", "color": "red", "shape": "circle", "count": 3}]}
ONE = {"objects": [{"id": "ball", "noun": "ball", "color": "red", "shape": "circle", "count": 1}]}


def check(frames: np.ndarray, expect: dict, tmp_path: Path) -> object:
    frames = read_video(write_video(tmp_path / "c.mp4", frames, fps=8)).frames
    return CountCheck().score(Clip(frames, 8.0, blank_prompt(expect)))


def three(T: int = 12, drop: int | None = None, extra_from: int | None = None) -> np.ndarray:
    pos = []
    for t in range(T):
        row = [(20, 48), (48, 48), (76, 48) if drop is None or t < drop else None]
        if extra_from is not None:
            row.append((48, 80) if t >= extra_from else None)
        pos.append(row)
    return disc_clip(pos, [RED] * len(pos[0]))


def test_steady_three_pass(tmp_path: Path) -> None:
    r = check(three(), THREE, tmp_path)
    assert r.verdict == "pass" and r.value == 1.0 and not r.events


def test_vanish_fails_at_its_frame(tmp_path: Path) -> None:
    r = check(three(drop=6), THREE, tmp_path)
    assert r.verdict == "fail"
    (ev,) = r.events
    assert ev.type == "count_missing" and ev.frame == 6 and "expected 3, 2 present in frames 6-11" in ev.detail


def test_spawn_fails(tmp_path: Path) -> None:
    r = check(three(extra_from=5), THREE, tmp_path)
    assert r.verdict == "fail" and r.events[0].type == "count_extra" and r.events[0].frame == 5
    assert r.events[0].bbox is not None


def test_occlusion_and_reemergence_pass(tmp_path: Path) -> None:
    T = 12
    clip = disc_clip([[(8 + 8 * t, 48)] for t in range(T)], [RED])
    clip[:, 20:76, 38:58] = GRAY_WALL  # a wall in front, hiding the ball in the middle frames
    r = check(clip, ONE, tmp_path)
    assert r.verdict == "pass" and r.value == 1.0  # hidden behind the wall, still present


def test_leaving_the_frame_passes(tmp_path: Path) -> None:
    clip = disc_clip([[(40 + 9 * t, 48)] for t in range(12)], [RED])
    assert check(clip, ONE, tmp_path).verdict == "pass"


def test_na_without_colours(tmp_path: Path) -> None:
    r = check(three(), {"objects": [{"id": "cat", "noun": "cat"}]}, tmp_path)
    assert r.verdict == "n/a"
    assert CountCheck().score(Clip(three(), 8.0, blank_prompt(None))).verdict == "n/a"


def test_colour_change_does_not_change_the_count(tmp_path: Path) -> None:
    T = 12
    clip = disc_clip([[(48, 48)] for _ in range(T)], [(40, 84, 216)])
    clip[6:] = disc_clip([[(48, 48)] for _ in range(T - 6)], [(22, 22, 22)])
    expect = {
        "objects": [{"id": "box", "noun": "box", "color": "blue"}],
        "events": [{"type": "state_change", "object": "box", "change": "color", "to": "black"}],
    }
    assert check(clip, expect, tmp_path).verdict == "pass"
    # unexpected or not, the box is still there (colour constancy is physics.shape's business)
    assert check(clip, {"objects": expect["objects"]}, tmp_path).verdict == "pass"
    gone = clip.copy()
    gone[6:] = disc_clip([[None] for _ in range(T - 6)], [(0, 0, 0)])
    assert check(gone, expect, tmp_path).verdict == "fail"
