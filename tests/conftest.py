"""Shared fixtures: tiny suites, clips with known content, and quick runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from prompts import Prompt, load_suite

SMOKE_IDS = ("smoke-perm-occlude", "smoke-spatial-left", "smoke-count-three")


def write_suite(path: Path, prompts: list[dict[str, Any]], name: str = "tiny", version: int = 1) -> Path:
    path.write_text(yaml.safe_dump({"suite": name, "version": version, "description": "test", "prompts": prompts}))
    return path


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Path:
    """A 3-prompt suite file made of smoke prompts (permanence, spatial, count)."""
    smoke = load_suite("smoke")
    prompts = [smoke.prompt(pid).model_dump(mode="json", by_alias=True, exclude_none=True) for pid in SMOKE_IDS]
    for p in prompts:
        p.pop("mirror", None)
    return write_suite(tmp_path / "tiny.yaml", prompts)


def blank_prompt(expect: dict[str, Any] | None = None, pid: str = "test-prompt") -> Prompt:
    return Prompt.model_validate({"id": pid, "text": "test", "family": "count", "expect": expect})


def disc_clip(
    positions: list[list[tuple[float, float]]],
    colors: list[tuple[int, int, int]],
    size: int = 96,
    radius: float = 8.0,
    bg: tuple[int, int, int] = (200, 204, 208),
) -> np.ndarray:
    """``(T, size, size, 3)`` uint8 clip of anti-aliased discs; ``positions[t][k]`` is disc k's
    centre in pixels at frame t (``None`` hides it)."""
    T = len(positions)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    out = np.empty((T, size, size, 3), np.float32)
    for t in range(T):
        frame = np.broadcast_to(np.asarray(bg, np.float32), (size, size, 3)).copy()
        for k, pos in enumerate(positions[t]):
            if pos is None:
                continue
            a = np.clip(radius + 0.5 - np.hypot(xx - pos[0], yy - pos[1]), 0, 1)[..., None]
            frame = frame * (1 - a) + np.asarray(colors[k], np.float32) * a
        out[t] = frame
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


@pytest.fixture
def mean_luma() -> Any:
    """Registers the set-level test metric ``test.mean_luma`` (tests.fakes.MeanLuma) for one test."""
    from metrics.registry import METRICS
    from tests.fakes import MeanLuma

    METRICS.add(MeanLuma.name, MeanLuma)
    yield MeanLuma
    METRICS.remove(MeanLuma.name)
