"""Run directories written by hand (through RunDir's writers) for the report, compare and history
tests: rows chosen by the test, clips whose content is known frame by frame."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from t2vbase.rundir import RunDir, make_row
from t2vbase.video import write_video

SHA = "a" * 64
CHECK = {"name": "physics.count", "version": "2", "higher_is_better": True, "unit": "", "min_run": 2}
SCORE = {"name": "temporal.flicker", "version": "1", "higher_is_better": False, "unit": "gray levels"}
ENV = {"t2vbench": "0.2.0", "python": "3.11.7", "torch": "2.13.0", "cuda": None, "gpu": None, "cpu": "test cpu",
       "cpu_count": 2, "platform": "linux", "git_commit": "abc", "libraries": {"numpy": "2.4.6"}}  # fmt: skip


def square_track(T: int, W: int = 160, H: int = 90, side: int = 18, step: int = 5) -> list[list[float]]:
    """The normalised box of :func:`square_clip`'s square per frame: ``[[t, x0, y0, x1, y1], ...]``."""
    y0 = (H - side) // 2
    return [[t, (4 + step * t) / W, y0 / H, (4 + step * t + side) / W, (y0 + side) / H] for t in range(T)]


def square_clip(T: int = 24, W: int = 160, H: int = 90, side: int = 18, step: int = 5) -> np.ndarray:
    """``(T, H, W, 3)`` uint8: a white square moving right ``step`` px a frame on dark gray (16:9)."""
    frames = np.full((T, H, W, 3), 40, np.uint8)
    for t, x0, y0, x1, y1 in square_track(T, W, H, side, step):
        frames[t, round(y0 * H) : round(y1 * H), round(x0 * W) : round(x1 * W)] = 255
    return frames


def prompt(pid: str, family: str = "count", text: str = "a white square moves right") -> dict[str, Any]:
    return {"id": pid, "text": text, "family": family, "tags": []}


def make_run(
    root: Path,
    rows: list[dict[str, Any]],
    *,
    prompts: list[dict[str, Any]] | None = None,
    suite_sha: str = SHA,
    seeds: list[int] | None = None,
    protocols: list[dict[str, Any]] | None = None,
    env: dict[str, Any] | None = None,
    status: str = "finished",
    created: str = "2026-01-01T00:00:00+00:00",
    clips: dict[tuple[str, int], np.ndarray] | None = None,
    fps: float = 8.0,
    generator: str = "reference",
    extra: dict[str, Any] | None = None,
) -> Path:
    """A finished run directory holding ``rows`` (and the clips given)."""
    rd = RunDir(root)
    root.mkdir(parents=True, exist_ok=True)
    pids = sorted({r["prompt_id"] for r in rows if r["prompt_id"] != "*"})
    prompts = prompts or [prompt(p, next(r["family"] for r in rows if r["prompt_id"] == p)) for p in pids]
    rd.write_suite({"suite": "tiny", "version": 1, "description": "test", "prompts": prompts, "sha256": suite_sha})
    units = len({(r["prompt_id"], r["seed"]) for r in rows if r["prompt_id"] != "*"})
    manifest = {
        "schema_version": 1,
        "run_id": root.name,
        "created": created,
        "updated": created,
        "t2vbench_version": "0.2.0",
        "suite": {"name": "tiny", "version": 1, "sha256": suite_sha, "source": "tiny.yaml", "prompts": len(prompts)},
        "generator": {"spec": generator, "name": generator, "version": "1"},
        "video": {"num_frames": 24, "height": 90, "width": 160, "fps": fps},
        "seeds": seeds if seeds is not None else [0],
        "metrics": copy.deepcopy(protocols if protocols is not None else [CHECK, SCORE]),
        "device": "cpu",
        "shard": "0/1",
        "env": copy.deepcopy(env if env is not None else ENV),
        "status": status,
        "counts": {"units": units, "done": units, "failed": 0, "pending": 0},
        "command": ["t2vbench", "run"],
        **(extra or {}),
    }
    rd.write_manifest(manifest)
    rd.write_tables(rows)
    for (pid, seed), frames in (clips or {}).items():
        write_video(rd.clip_path(pid, seed), frames, fps=fps)
    return root


def check_rows(
    verdicts: dict[str, str], metric: str = "physics.count", family: str = "count", events=None
) -> list[dict]:
    """One check row per unit ``"pid"`` (seed 0) with the given verdict."""
    out = []
    for pid, v in verdicts.items():
        ev = (events or {}).get(pid, []) if v == "fail" else []
        out.append(make_row(pid, 0, family, metric, {"pass": 1.0, "fail": 0.5}.get(v), v, ev))
    return out
