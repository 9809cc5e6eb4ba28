"""Occlusion from geometry: an object cut along a fixed edge as it moves went behind something,
even where that something keys as no region, or as one the object was seen over elsewhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metrics import build_metric
from metrics.observe import observe
from metrics.observe.base import Track
from metrics.observe.occlusion import Cut, emerging, find_cut
from tests.metrics import synth
from tests.metrics.synth import Obj

BALL = [{"id": "ball", "noun": "ball", "color": "red", "shape": "circle"}]
RED = (220, 40, 40)
NEUTRAL = (204, 200, 193)  # a wall in the background's own tones: keys as no colour
GRAY = (128, 128, 128)

#: (path through the wall, wall box): rightwards, leftwards, downwards
CROSSINGS = {
    "right": (lambda t: (14 + 7.0 * t, 64), (54, 30, 78, 100)),
    "left": (lambda t: (114 - 7.0 * t, 60), (50, 28, 74, 98)),
    "down": (lambda t: (64, 12 + 7.0 * t), (28, 52, 100, 76)),
}


def _score(tmp_path: Path, sc: synth.Scene, crf: int = 23) -> tuple[dict, list]:
    frames = synth.encode(synth.render(sc), tmp_path / "c.mp4", crf=crf)
    clip = synth.clip(frames, {"objects": BALL})
    out = {m: build_metric(m).score(clip) for m in ("physics.permanence", "physics.count")}
    return out, observe(clip, "color").tracks


@pytest.mark.parametrize("way", sorted(CROSSINGS))
@pytest.mark.parametrize("background", ["texture", "gradient"])
def test_a_neutral_wall_hides_without_a_vanish(tmp_path: Path, way: str, background: str) -> None:
    path, wall = CROSSINGS[way]
    sc = synth.Scene([Obj("circle", RED, path)], background=background, occluders=[(wall, NEUTRAL)])
    res, tracks = _score(tmp_path, sc)
    assert res["physics.permanence"].verdict == "pass", res["physics.permanence"].events
    assert res["physics.count"].verdict == "pass", res["physics.count"].events
    hidden = {h for tr in tracks for h in tr.hidden_by if h}
    assert hidden and all(h.startswith("occluder:cut@") for h in hidden)


def test_a_wall_whose_colour_the_background_also_has(tmp_path: Path) -> None:
    """The gray wall touches gray patches painted on the background that the ball rolls over: as
    one region it is behind the ball by depth order, yet the ball is cut along the wall's edge."""
    path, wall = CROSSINGS["right"]
    patches = [((20, 56, 54, 80), GRAY), ((84, 90, 120, 110), GRAY)]  # the first runs into the wall
    sc = synth.Scene([Obj("circle", RED, path)], occluders=[(wall, GRAY)], patches=patches)
    res, _ = _score(tmp_path, sc)
    assert res["physics.permanence"].verdict == "pass", res["physics.permanence"].events


def test_a_vanish_in_front_of_the_wall_is_still_a_vanish(tmp_path: Path) -> None:
    gone = lambda t: (14 + 5.0 * t, 64) if t < 6 else None  # noqa: E731 - whole at 5, gone at 6, 20 px short
    sc = synth.Scene([Obj("circle", RED, gone)], occluders=[((70, 30, 94, 100), NEUTRAL)])
    res, _ = _score(tmp_path, sc)
    events = res["physics.permanence"].events
    assert [(e.type, e.frame) for e in events] == [("vanish", 6)]


def _track(boxes: list[list[float]]) -> Track:
    T = len(boxes)
    tr = Track.empty("ball", "ball", T)
    for t, b in enumerate(boxes):
        if b:
            tr.visible[t], tr.box[t] = True, b
            tr.center[t] = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]
            tr.area[t] = (b[2] - b[0]) * (b[3] - b[1])
    return tr


def test_find_cut_and_emerging_on_boxes() -> None:
    cut = [[10 + 6 * t, 50, 28 + 6 * t, 68] for t in range(5)] + [[40, 50, 54, 68], [46, 50, 54, 68], [], []]
    tr = _track([*cut, [70, 50, 76, 68], [70, 50, 82, 68], [76, 50, 94, 68]])
    c = find_cut(tr, 7)
    assert c == Cut(0, 54.0, 1, 6) and c.id == "cut@x=54"
    assert c.hidden_share(np.array([50.0, 0, 60, 10])) == pytest.approx(0.6)
    assert emerging(tr, 9, c) and not emerging(tr, 10, c)  # grows out of x=70 from 9; by 11 it is out
    # a shrink that moves with the object (a fade, a vanish in place) is no cut
    fade = [[10 + 6 * t, 50, 28 + 6 * t, 68] for t in range(5)] + [[42, 52, 56, 66], [50, 55, 60, 63], []]
    assert find_cut(_track(fade), 7) is None
    # nor a stop: the trailing side does not advance
    stop = [[10 + 6 * t, 50, 28 + 6 * t, 68] for t in range(5)] + [[34, 50, 52, 68], [34, 50, 52, 68], []]
    assert find_cut(_track(stop), 7) is None


def test_a_cut_is_read_from_its_own_sightings_only() -> None:
    """Two crates slide into one (a merge): the one that goes is ``shared`` for its last frames,
    its box where its prediction meets the merged blob; that box keeps the blob's far side and
    shrinks, like a cut, but it is no sighting of its own outline: no edge hid it."""
    cut = [[10 + 6 * t, 50, 28 + 6 * t, 68] for t in range(5)] + [[40, 50, 54, 68], [46, 50, 54, 68], [], []]
    tr = _track(cut)
    assert find_cut(tr, 7) is not None
    tr.shared[5:7] = True
    assert find_cut(tr, 7) is None


def test_an_object_zoomed_out_of_sight_is_no_vanish(tmp_path: Path) -> None:
    """A camera zooming out for long shrinks a ball until it no longer keys: not a vanish. One that
    disappears whole while the zoom has barely started still is."""
    shrink = lambda t: 0.93**t  # noqa: E731 - the scene's scale: 0.3 by frame 16, 0.12 by 29
    ball = Obj("circle", RED, lambda t: (64 + 30 * (shrink(t) - 1), 64), size=22, scale=shrink)
    T = 34
    zoom = synth.Scene([ball], T=T, background="texture")
    frames = synth.encode(synth.render(zoom), tmp_path / "z.mp4")
    # the background holds still in the synthetic clip: give the observation the zoom it would
    # have measured on a real one
    clip = synth.clip(frames, {"objects": BALL})
    obs = observe(clip, "color")
    steps = np.tile(np.array([[0.93, 0.0, 64 * 0.07], [0.0, 0.93, 64 * 0.07]]), (T - 1, 1, 1))
    obs.camera = type(obs.camera)(steps, np.ones(T - 1, bool))
    from metrics.observe.explain import explain

    for tr in obs.tracks:
        tr.hidden_by = [None] * T
    explain(obs.tracks, obs.occluders, obs.camera, obs.height, obs.width)
    (tr,) = obs.tracks
    gone = np.flatnonzero(~tr.visible)
    assert gone.size and all(tr.hidden_by[t] == "small" for t in gone)
    early = [tr.hidden_by[t] for t in gone if 0.93**t > 0.6]
    assert not early  # it was still large when the zoom began: nothing to excuse there
