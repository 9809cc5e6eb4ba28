"""A run that cannot shrink, a locked run directory, signals, time limits and files others can read."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench.runner import RunConfig, run
from t2vbase.errors import UsageError
from t2vbase.rundir import RunDir, RunLockedError
from tests.conftest import SMOKE_IDS

ROOT = Path(__file__).resolve().parents[2]
FAST = {"num_frames": 8, "height": 64, "width": 64}


def cfg(suite: Path | str, out: Path, **kw: Any) -> RunConfig:
    return RunConfig(**{"suite": str(suite), "out": out, "progress": False, **FAST, **kw})


def samples(out: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (out / "samples.jsonl").read_text().splitlines() if x]


def cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "bench", *argv], cwd=ROOT, env=env, stderr=subprocess.PIPE)


def run_args(suite: Path, out: Path, *extra: str) -> list[str]:
    return ["run", "--suite", str(suite), "--out", str(out), "--frames", "8", "--height", "64", "--width", "64",
            "--no-progress", *extra]  # fmt: skip


def test_resume_takes_the_seeds_of_the_run(tiny_suite: Path, tmp_path: Path) -> None:
    """`--resume` without `--seeds` on a 3-seed run continues that run: it never shrinks to one seed."""
    out = tmp_path / "run"
    run(cfg(tiny_suite, out, seeds="3", metrics="physics.count"))
    before = (out / "samples.jsonl").read_bytes()
    res = run(RunConfig(out=out, resume=True, progress=False))
    assert (res.processed, res.skipped, res.exit_code, res.counts["units"]) == (0, 9, 0, 9)
    assert (out / "samples.jsonl").read_bytes() == before and len(samples(out)) == 9
    assert json.loads((out / "manifest.json").read_text())["seeds"] == [0, 1, 2]


def test_resume_finishes_a_partial_run_with_its_own_options(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    spec = "module:tests.fakes:FailOn,prompt=smoke-count-three,interrupt=true"
    run(cfg(tiny_suite, out, seeds="2", generator=spec, metrics="physics.count"))
    res = run(RunConfig(out=out, resume=True, progress=False))  # no options: all from the manifest
    assert res.status == "interrupted" and res.counts["units"] == 6  # the same generator interrupts again
    with pytest.raises(UsageError, match=r"--generator reference: the run .* was made with --generator module"):
        run(RunConfig(out=out, resume=True, generator="reference", progress=False))


def test_force_new_keeps_the_old_run_beside(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    run(cfg(tiny_suite, out, metrics="none"))
    old_manifest = (out / "manifest.json").read_text()
    res = run(cfg(tiny_suite, out, metrics="physics.count", force_new=True))
    assert res.exit_code == 0 and len(samples(out)) == 3
    (aside,) = tmp_path.glob("run.replaced-*")
    assert (aside / "manifest.json").read_text() == old_manifest


def test_a_second_writer_is_refused_naming_the_holder(tmp_path: Path) -> None:
    rd = RunDir(tmp_path / "run")
    with rd.lock(), pytest.raises(RunLockedError, match=rf"pid {os.getpid()}\b"), rd.lock():
        pass
    with rd.lock():  # released: free again
        pass


def test_two_runs_into_one_folder_at_once(tiny_suite: Path, tmp_path: Path) -> None:
    """Started together, one run writes and the other exits 2 at once; every unit is done once."""
    out = tmp_path / "run"
    spec = "module:tests.fakes:Slow,seconds=0.5"
    procs = [cli(*run_args(tiny_suite, out, "--generator", spec, "--metrics", "none")) for _ in range(2)]
    codes = sorted(p.wait(timeout=300) for p in procs)
    errs = [p.stderr.read().decode() for p in procs if p.stderr is not None]
    assert codes == [0, 2], errs
    assert any("is writing this run" in e or "a run" in e for e in errs)
    assert json.loads((out / "manifest.json").read_text())["counts"]["done"] == 3


def test_the_lock_dies_with_its_holder(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = cli(*run_args(tiny_suite, out, "--generator", "module:tests.fakes:Slow,seconds=30", "--metrics", "none"))
    deadline = time.monotonic() + 120
    while not (out / "manifest.json").is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    with pytest.raises(RunLockedError), RunDir(out).lock():
        pass
    proc.kill()
    proc.wait(timeout=60)
    with RunDir(out).lock():  # kill -9 left no stale lock
        pass


def test_sigterm_stops_like_ctrl_c_and_resume_finishes(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = cli(*run_args(tiny_suite, out, "--generator", "module:tests.fakes:Slow,seconds=2", "--metrics", "none"))
    deadline = time.monotonic() + 120
    while not list((out / "units").rglob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 143
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and 1 <= manifest["counts"]["done"] < 3
    res = run(RunConfig(out=out, resume=True, progress=False))
    assert res.status == "finished" and res.processed == 3 - manifest["counts"]["done"]


def test_kill_9_at_random_points_then_resume_gives_identical_rows(tiny_suite: Path, tmp_path: Path) -> None:
    """Killed at random moments (mid-write included), resumed each time: the finished run's rows
    and clips are those of a run never killed, and no temporary file is left behind."""
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    extra = ("--seeds", "2", "--metrics", "physics.count,temporal.flicker", "--no-report")
    assert cli(*run_args(tiny_suite, whole, *extra)).wait(timeout=600) == 0
    rng = np.random.default_rng(7)
    for delay in rng.uniform(1.0, 4.0, size=4):
        proc = cli(*run_args(tiny_suite, killed, *extra), "--resume")
        time.sleep(float(delay))
        proc.kill()
        proc.wait(timeout=60)
    assert cli("run", "--out", str(killed), "--resume", "--no-progress", "--no-report").wait(timeout=600) == 0
    assert samples(killed) == samples(whole)
    for clip in (whole / "clips").rglob("*.mp4"):
        assert (killed / clip.relative_to(whole)).read_bytes() == clip.read_bytes()
    assert not [p for p in killed.rglob(".*.tmp")]


def test_resume_removes_stale_temp_files(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    run(cfg(tiny_suite, out, metrics="none"))
    stale = [out / "units" / SMOKE_IDS[0] / ".0.json.abc123.tmp", out / ".manifest.json.zz9.tmp"]
    in_flight = RunDir(out).shard_path(1, 2) / "units" / ".0.json.q1w2e3.tmp"  # a running shard's write
    for p in [*stale, in_flight]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")
    (out / "units" / SMOKE_IDS[0] / "0.json").unlink()  # one unit to redo, so the run is written
    run(cfg(tiny_suite, out, metrics="none", resume=True))
    assert not any(p.exists() for p in stale) and in_flight.exists()


def test_run_files_follow_the_umask(tiny_suite: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        import t2vbase.files as files

        files._UMASK.clear()
        out = tmp_path / "run"
        run(cfg(tiny_suite, out, metrics="physics.count"))
    finally:
        os.umask(old)
        files._UMASK.clear()
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file() and p.name != ".lock"}
    assert modes and set(modes.values()) == {0o644}, modes


def test_a_unit_past_its_time_limit_fails_alone(tiny_suite: Path, tmp_path: Path) -> None:
    """The 30 s unit is cut at the limit (its rows say so); the others finish. The heavy modules
    are imported first, so a loaded machine's first-unit imports do not spend the limit."""
    import metrics.physics.count
    import metrics.temporal.flicker  # noqa: F401

    out = tmp_path / "run"
    spec = f"module:tests.fakes:Slow,seconds=30,prompt={SMOKE_IDS[1]}"
    res = run(cfg(tiny_suite, out, generator=spec, metrics="physics.count,temporal.flicker", unit_timeout=5.0))
    assert res.exit_code == 3 and res.counts == {"units": 3, "done": 3, "failed": 1, "pending": 0}
    bad = [r for r in samples(out) if r["prompt_id"] == SMOKE_IDS[1]]
    assert len(bad) == 2 and all("timed out after 5 s" in r["error"] and "stage generate" in r["error"] for r in bad)
    assert not any(r["error"] for r in samples(out) if r["prompt_id"] != SMOKE_IDS[1])


def test_a_replaced_source_clip_is_scored_again(tiny_suite: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    run(cfg(tiny_suite, src, generator="reference:profile=clean", metrics="none", report=False))
    folder = tmp_path / "videos"
    import shutil

    shutil.copytree(src / "clips", folder)
    out = tmp_path / "run"
    spec = f"folder:{folder}"
    run(cfg(tiny_suite, out, generator=spec, metrics="physics.count", report=False))
    target = folder / SMOKE_IDS[2] / "0.mp4"
    other = folder / SMOKE_IDS[0] / "0.mp4"
    target.write_bytes(other.read_bytes())  # a new clip under the old name
    res = run(cfg(tiny_suite, out, generator=spec, resume=True, report=False))
    assert res.processed == 1
    assert (out / "clips" / SMOKE_IDS[2] / "0.mp4").read_bytes() == other.read_bytes()
