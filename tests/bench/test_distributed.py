"""torchrun-style ranks: each takes its strided shard and its GPU, no rank waits on another, ranks
without units finish cleanly, and the last to finish merges (real processes, started together)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.config import RunConfig
from bench.distributed import RankEnv, apply_rank_env, device_for_rank, rank_env
from bench.runner import run
from t2vbase.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
# 128x128: a size whose H.264 bytes never depend on the heap (tests/t2vbase/test_video_bytes.py)
SMALL = ["--frames", "8", "--height", "128", "--width", "128", "--no-progress"]


def test_rank_env_from_torchrun_variables() -> None:
    assert rank_env({}) is None
    assert rank_env({"RANK": "3", "WORLD_SIZE": "8", "LOCAL_RANK": "1"}) == RankEnv(3, 8, 1)
    assert rank_env({"RANK": "0", "WORLD_SIZE": "1"}) == RankEnv(0, 1, None)
    for env, match in [
        ({"RANK": "1"}, "WORLD_SIZE is not set but RANK is"),
        ({"WORLD_SIZE": "2"}, "RANK is not set but WORLD_SIZE is"),
        ({"RANK": "x", "WORLD_SIZE": "2"}, "RANK='x': expected an integer"),
        ({"RANK": "2", "WORLD_SIZE": "2"}, r"RANK=2, WORLD_SIZE=2: need 0 <= RANK < WORLD_SIZE"),
        ({"RANK": "0", "WORLD_SIZE": "2", "LOCAL_RANK": "-1"}, "LOCAL_RANK=-1"),
    ]:
        with pytest.raises(UsageError, match=match):
            rank_env(env)


def test_a_rank_runs_its_shard_on_its_gpu() -> None:
    cfg = apply_rank_env(RunConfig(out=Path("x")), RankEnv(2, 4, 1))
    assert (cfg.shard, cfg.local_rank) == ("2/4", 1)
    alone = apply_rank_env(RunConfig(shard="0/2"), RankEnv(0, 1, 0))  # a world of one: --shard stays
    assert (alone.shard, alone.local_rank) == ("0/2", 0)
    with pytest.raises(UsageError, match=r"--shard 0/2 and RANK=1/WORLD_SIZE=4 \(torchrun\) both given"):
        apply_rank_env(RunConfig(shard="0/2"), RankEnv(1, 4, 1))


def test_device_for_rank(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    current: list[int] = []
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "set_device", current.append)
    assert device_for_rank("cpu", 1) == "cpu" and device_for_rank("cuda", None) == "cuda"
    assert device_for_rank("cuda", 1) == "cuda:1" and current == [1]  # and made the current device
    with pytest.raises(UsageError, match=r"LOCAL_RANK=2: only 2 CUDA device\(s\) are visible"):
        device_for_rank("cuda", 2)


def test_more_ranks_than_units_as_real_processes(tiny_suite: Path, tmp_path: Path) -> None:
    """5 ranks, 3 units, started at once: ranks 3 and 4 have nothing to do and exit 0 at once;
    every rank exits 0; the run is the single-process run."""
    out = tmp_path / "ranks" / "run"
    args = [sys.executable, "-m", "bench", "run", "--suite", str(tiny_suite), "--out", str(out), *SMALL]
    args += ["--metrics", "physics.count,temporal.flicker"]
    procs = []
    for rank in range(5):
        env = {**os.environ, "RANK": str(rank), "WORLD_SIZE": "5", "LOCAL_RANK": str(rank), "PYTHONPATH": str(ROOT)}
        procs.append(subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    results = [(p.wait(timeout=300), p.stdout.read().decode(), p.stderr.read().decode()) for p in procs]
    assert [code for code, _, _ in results] == [0] * 5, results
    for rank in (3, 4):
        m = json.loads((out / "shards" / f"{rank}-of-5" / "manifest.json").read_text())
        assert m["status"] == "finished" and m["counts"] == {"units": 0, "done": 0, "failed": 0, "pending": 0}
        assert m["shard"] == f"{rank}/5" and m["device"] == "cpu"
    single = tmp_path / "single" / "run"
    res = run(
        RunConfig(
            suite=str(tiny_suite),
            out=single,
            metrics="physics.count,temporal.flicker",
            progress=False,
            num_frames=8,
            height=128,
            width=128,
        )
    )
    assert res.exit_code == 0
    for name in ("samples.jsonl", "summary.json"):
        assert (out / name).read_bytes() == (single / name).read_bytes(), name
    merged = json.loads((out / "manifest.json").read_text())
    assert [s["shard"] for s in merged["shards"]] == [f"{r}/5" for r in range(5)]


def test_torchrun_needs_out(tiny_suite: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.cli import main

    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert main(["run", "--suite", str(tiny_suite), *SMALL]) == 2
    assert "--shard 0/2: needs --out DIR" in capsys.readouterr().err


@pytest.mark.gpu
@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs CUDA")
def test_a_rank_uses_cuda_local_rank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    local = torch.cuda.device_count() - 1
    cfg = RunConfig(suite="smoke", out=tmp_path / "r", shard="0/2", local_rank=local, device="cuda", metrics="none")
    res = run(RunConfig(**{**cfg.__dict__, "num_frames": 8, "height": 64, "width": 64, "progress": False}))
    assert res.exit_code == 0
    m = json.loads((tmp_path / "r" / "shards" / "0-of-2" / "manifest.json").read_text())
    assert m["device"] == f"cuda:{local}" and m["env"]["fingerprint"]["gpu"] == torch.cuda.get_device_name(local)
    assert m["env"]["fingerprint"]["cuda"] == torch.version.cuda
