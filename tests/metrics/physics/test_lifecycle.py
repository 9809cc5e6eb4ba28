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
