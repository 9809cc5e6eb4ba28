"""One lifecycle analysis per clip, shared by ``physics.permanence`` and ``physics.count``."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import Clip, build_metric
from metrics.physics import lifecycle
from metrics.physics.lifecycle import LifecycleParams
from tests.metrics import synth
from tests.metrics.synth import Obj, linear

BALL = {"objects": [{"id": "ball", "noun": "ball", "color": "red", "shape": "circle"}]}


@pytest.fixture
def vanish_clip(tmp_path: Path) -> Clip:
    path = linear(20, 64, 5.5)
    ball = Obj("circle", (215, 38, 38), lambda t: path(t) if t < 9 else None)
    frames = synth.encode(synth.render(synth.Scene([ball], background="flat")), tmp_path / "c.mp4")
    return synth.clip(frames, BALL)


def test_permanence_and_count_share_one_analysis(vanish_clip: Clip, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = lifecycle.analyse
    monkeypatch.setattr(lifecycle, "analyse", lambda *a, **k: calls.append(a) or real(*a, **k))
    perm = build_metric("physics.permanence").score(vanish_clip)
    count = build_metric("physics.count").score(vanish_clip)
    assert len(calls) == 1
    assert [e.type for e in perm.events] == ["vanish"] and [e.type for e in count.events] == ["count_missing"]
    assert perm.events[0].frame == count.events[0].frame == 9


def test_other_lifecycle_parameters_are_another_analysis(vanish_clip: Clip, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = lifecycle.analyse
    monkeypatch.setattr(lifecycle, "analyse", lambda *a, **k: calls.append(a) or real(*a, **k))
    build_metric("physics.permanence").score(vanish_clip)
    build_metric("physics.count", lifecycle=LifecycleParams(stitch_sizes=2.0)).score(vanish_clip)
    assert len(calls) == 2


def _chain(pieces: int, frames_each: int = 10, gap: int = 3, apart: float = 0.0) -> list:
    """One ball moving right at 1 px per frame, observed as ``pieces`` tracks: each lost for
    ``gap`` frames and picked up again as a new track where its motion leads (``apart`` px lower
    for each piece: with 30, every piece is another ball far from where any lost one leads)."""
    import numpy as np

    from metrics.observe.base import Track

    T = pieces * (frames_each + gap)
    t = np.arange(T, dtype=float)
    c = np.stack([5 + t, 40 + 0 * t], 1)
    out = []
    for k in range(pieces):
        tr = Track.empty(f"ball#{k + 1}", "ball", T)
        s = k * (frames_each + gap)
        c[:, 1] = 40 + apart * k
        tr.visible[s : s + frames_each] = True
        tr.center[s : s + frames_each] = c[s : s + frames_each]
        tr.box[s : s + frames_each] = np.concatenate([c - 4, c + 4], 1)[s : s + frames_each]
        tr.area[s : s + frames_each] = 64.0
        tr.born_from = "start" if k == 0 else None
        out.append(tr)
    return out


@pytest.mark.parametrize(("pieces", "apart", "joined"), [(5, 0.0, 1), (40, 0.0, 1), (40, 30.0, 40)])
def test_stitching_is_linear_in_tracks(pieces: int, apart: float, joined: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ball lost and re-found ``pieces - 1`` times is stitched into one track; balls that each
    appear far from where the lost ones lead stay apart. Either way each track's path is
    predicted once (not once per newcomer and lost track: 40 balls would take ~800)."""
    calls = []
    real = lifecycle.predicted_boxes
    monkeypatch.setattr(lifecycle, "predicted_boxes", lambda *a, **k: calls.append(1) or real(*a, **k))
    out = lifecycle.stitch(_chain(pieces, apart=apart), LifecycleParams())
    assert len(out) == joined and sum(int(tr.visible.sum()) for tr in out) == pieces * 10
    assert len(calls) <= 2 * pieces


def test_passing_behind_a_wall_narrower_than_its_step_is_no_jump(tmp_path: Path) -> None:
    """A ball (20 px, 13 px per frame) behind a 22 px wall is never wholly hidden: cut by the wall
    on its left in one frame and on its right in the next, its visible parts are 22 px apart
    (more than 0.9 of its size, and 1.5 of its steps). The wall lies between them: no teleport."""
    ball = Obj("circle", (215, 38, 38), linear(6, 64, 13.0), size=20)
    scene = synth.Scene([ball], background="flat", occluders=[((54, 30, 76, 100), (128, 128, 128))])
    clip = synth.clip(synth.encode(synth.render(scene), tmp_path / "c.mp4"), BALL)
    (tr,) = lifecycle.analyse(build_metric("physics.permanence").observer.observe(clip), ["ball"]).tracks
    assert tr.partial[4] and tr.partial[5] and tr.visible[4:6].all()  # the case in question
    r = build_metric("physics.permanence").score(clip)
    assert r.verdict == "pass", r.events
