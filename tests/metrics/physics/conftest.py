"""Rendering conditions every check must hold under (clips our generator never made)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from metrics import build_metric
from tests.metrics import synth


@dataclass(frozen=True)
class Condition:
    name: str
    background: str
    noise: float
    crf: int
    shade: float  # how far palette shades wander


CONDITIONS = [
    Condition("plain", "flat", 1.0, 18, 0.0),
    Condition("noisy-textured", "texture", 5.0, 23, 0.5),
    Condition("hard-compression", "gradient", 3.0, 35, 0.5),
    Condition("other-shades", "texture", 2.0, 23, 1.0),
]


@pytest.fixture(params=CONDITIONS, ids=lambda c: c.name)
def cond(request: pytest.FixtureRequest) -> Condition:
    return request.param


class Studio:
    """Renders a synthetic scene under a condition and scores it."""

    def __init__(self, cond: Condition, tmp_path: Path) -> None:
        self.cond, self.tmp = cond, tmp_path
        self.rng = np.random.default_rng(7)

    def color(self, name: str) -> tuple[int, int, int]:
        if self.cond.shade == 0:
            from prompts import PALETTE

            return PALETTE[name]
        return synth.shade(name, self.rng, self.cond.shade)

    def frames(self, objects: list[synth.Obj], **kw: Any) -> np.ndarray:
        sc = synth.Scene(objects, background=self.cond.background, noise=self.cond.noise, **kw)
        return synth.encode(synth.render(sc), self.tmp / "c.mp4", crf=self.cond.crf)

    def score(self, metric: str, frames: np.ndarray, expect: dict, **kw: Any) -> Any:
        return build_metric(metric, **kw).score(synth.clip(frames, expect))


@pytest.fixture
def studio(cond: Condition, tmp_path: Path) -> Studio:
    return Studio(cond, tmp_path)
