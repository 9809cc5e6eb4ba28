"""The colour tracker's bookkeeping of partly seen and shared objects, on clips of the independent
renderer (``tests/metrics/synth.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from metrics import build_metric
from metrics.observe import observe
from tests.metrics import synth
from tests.metrics.synth import Obj, linear

RED, BROWN = (220, 40, 40), (120, 72, 36)
FENCE = (60, 10, 136, 100)  # its lower edge runs through the top 28% of the ball's path


def _fence_clip(tmp_path: Path) -> tuple[synth.Scene, object]:
    ball = Obj("circle", RED, linear(18, 107, 4.0), size=32)
    sc = synth.Scene([ball], T=32, W=192, background="flat", occluders=[(FENCE, BROWN)])
    frames = synth.encode(synth.render(sc), tmp_path / "c.mp4", crf=18)
    expect = {
        "objects": [
            {"id": "ball", "noun": "ball", "color": "red", "shape": "circle"},
            {"id": "fence", "noun": "fence", "color": "brown", "shape": "rectangle"},
        ]
    }
    return sc, synth.clip(frames, expect)


def test_a_ball_rolling_under_a_fence_edge_is_partial_there(tmp_path: Path) -> None:
    """The fence's lower edge hides the ball's top: about a quarter of its area, less than the
    area rule's, but its height is cut along the fence's edge."""
    _, clip = _fence_clip(tmp_path)
    ball = next(tr for tr in observe(clip).tracks if tr.id == "ball")
    x0 = ball.box[:, 0]
    under = ball.visible & (x0 >= FENCE[0] + 1) & (ball.box[:, 2] <= FENCE[2] - 1)
    assert under.sum() >= 6
    assert (ball.area[under] > 0.75 * ball.typical_area()).all()  # the area rule alone misses it
    assert ball.partial[under].all()
    assert not ball.partial[ball.visible & (ball.box[:, 2] < FENCE[0] - 2)].any()
    assert build_metric("physics.shape").score(clip).verdict == "pass"


def test_two_of_a_kind_riding_together_stay_shared(tmp_path: Path) -> None:
    """A bottle catches up with its twin and rides overlapping it for two seconds: the joined blob
    is both bottles' (``shared``) all along, not one bottle twice its size."""

    def chaser(t: int) -> tuple[float, float]:
        return (20 + 6.0 * min(t, 10) + 3.0 * max(t - 10, 0), 64)

    twins = [Obj("rectangle", BROWN, linear(70, 64, 3.0), size=24), Obj("rectangle", BROWN, chaser, size=24)]
    sc = synth.Scene(twins, T=28, W=192, background="flat")
    frames = synth.encode(synth.render(sc), tmp_path / "c.mp4", crf=18)
    expect = {"objects": [{"id": "bottle", "noun": "bottle", "color": "brown", "shape": "rectangle", "count": 2}]}
    clip = synth.clip(frames, expect, family="count")
    tracks = observe(clip).tracks
    joined = np.arange(sc.T) >= 12  # they join at frame 9 and ride together from frame 10
    assert len(tracks) == 2
    for tr in tracks:
        assert tr.shared[joined & tr.visible].all() and tr.visible[joined].all()
    shape = build_metric("physics.shape").score(clip)
    assert shape.verdict == "pass", shape.events


def test_a_bite_beside_the_biter_is_no_cut(tmp_path: Path) -> None:
    """A caterpillar stops against a tomato and a strip of the tomato beside it goes: the tomato
    is shorter across the caterpillar's edge, but the strip it lost lies open, not under the
    caterpillar: it is seen whole (so the bite is there to judge)."""
    bg = (200, 192, 178)
    stop = lambda t: (24 + 6.0 * min(t, 8), 64)  # noqa: E731 - its front at 24 + 6 * 8 + 16 = 88
    sc = synth.Scene(
        [Obj("rectangle", (230, 200, 30), stop, size=32), Obj("circle", RED, lambda t: (104, 64), size=32)],
        T=16,
        H=256,  # the touch margin is 6 px here: the notch's depth lies within it
        W=320,
        background="flat",
        bg_color=bg,
        noise=1.0,
    )
    frames = synth.render(sc)
    for t in range(10, sc.T):  # the bite: a notch 5 px deep in the tomato's side facing the caterpillar
        frames[t, 48:81, 88:93] = bg
    clip = synth.clip(
        synth.encode(frames, tmp_path / "c.mp4", crf=18),
        {
            "objects": [
                {"id": "caterpillar", "noun": "caterpillar", "color": "yellow", "shape": "rectangle"},
                {"id": "tomato", "noun": "tomato", "color": "red", "shape": "circle"},
            ]
        },
    )
    tomato = next(tr for tr in observe(clip).tracks if tr.id == "tomato")
    bitten = np.arange(sc.T) >= 10
    assert (tomato.box[bitten, 2] - tomato.box[bitten, 0] < 0.85 * (tomato.box[0, 2] - tomato.box[0, 0])).all()
    assert not tomato.partial[bitten].any()
