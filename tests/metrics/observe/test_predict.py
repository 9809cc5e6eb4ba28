"""Predicted boxes of unseen frames: known extrapolations, and one fit per gap (linear cost)."""

from __future__ import annotations

import numpy as np
import pytest

from metrics.observe import predict
from metrics.observe.base import Track
from metrics.observe.predict import predicted_boxes


def _moving(T: int, seen: np.ndarray, v: tuple[float, float] = (2.0, -1.0), half: float = 3.0) -> Track:
    """A track moving at ``v`` px per frame from (10, 50), seen (whole) where ``seen``."""
    tr = Track.empty("ball", "ball", T)
    t = np.arange(T, dtype=float)
    c = np.stack([10 + v[0] * t, 50 + v[1] * t], 1)
    tr.visible[:] = seen
    tr.center[seen] = c[seen]
    tr.box[seen] = np.concatenate([c - half, c + half], 1)[seen]
    tr.area[seen] = (2 * half) ** 2
    return tr


def test_gaps_are_extrapolated_at_the_fitted_velocity() -> None:
    seen = np.ones(20, bool)
    seen[8:12] = False  # hidden for 4 frames
    seen[:3] = False  # appears at frame 3
    tr = _moving(20, seen)
    pred = predicted_boxes(tr)
    t = np.arange(20, dtype=float)
    truth = np.stack([10 + 2 * t - 3, 50 - t - 3, 10 + 2 * t + 3, 50 - t + 3], 1)
    np.testing.assert_allclose(pred, truth, atol=1e-9)


def test_one_fit_per_gap_not_per_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 600-frame track with 5 gaps fits its velocity at most 6 times (once per gap, and once
    for the frames before it is first seen), however long the gaps are."""
    calls = []
    real = np.polyfit
    monkeypatch.setattr(predict.np, "polyfit", lambda *a, **k: calls.append(1) or real(*a, **k))
    seen = np.ones(600, bool)
    seen[:40] = False
    for start in (100, 200, 300, 400, 500):
        seen[start : start + 60] = False
    predicted_boxes(_moving(600, seen, v=(0.1, 0.05)))
    assert 1 <= len(calls) <= 6
