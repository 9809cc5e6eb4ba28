"""``t2vbench launch``: shards through submitit. The local executor leaves the run directory that
``run`` leaves; a shard that runs out of time is requeued and resumes; Slurm gets a job array with
the requested resources; bad input stops before any job is submitted."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from bench.cli import main
from bench.config import RunConfig
from bench.launch import LaunchConfig, ShardJob, launch, parse_time, wait_all
from bench.runner import run
from t2vbase.errors import UsageError

# 128x128: a size whose H.264 bytes never depend on the heap (tests/t2vbase/test_video_bytes.py)
SMALL = ["--frames", "8", "--height", "128", "--width", "128", "--no-progress"]


def test_parse_time() -> None:
    assert parse_time("90") == 5400 and parse_time("1:30") == 90 and parse_time("1:30:00") == 5400
    assert parse_time("2-0") == 2 * 86400 and parse_time("1-2:03") == 86400 + 7200 + 180
    for bad in ("soon", "0", "1:2:3:4"):
        with pytest.raises(UsageError, match="--time"):
            parse_time(bad)


def test_local_launch_leaves_the_run_directory_run_leaves(tiny_suite: Path, tmp_path: Path, capsys: Any) -> None:
    options = ["--suite", str(tiny_suite), "--metrics", "physics.count,temporal.flicker", "--seeds", "2", *SMALL]
    out = tmp_path / "launched" / "run"
    launch_argv = ["launch", "--executor", "local", "--shards", "2", "--out", str(out), *options]
    code = main(launch_argv)
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "shard 0/2: " in printed and "shard 1/2: " in printed and "finished: 6/6 units done" in printed
    single = tmp_path / "single" / "run"
    assert main(["run", "--out", str(single), *options]) == 0
    for name in ("samples.jsonl", "summary.json", "suite.json"):
        assert (out / name).read_bytes() == (single / name).read_bytes(), name
    assert sorted(p.name for p in (out / "shards").iterdir()) == ["0-of-2", "1-of-2", "logs"]
    assert main(launch_argv) == 0  # launching again resumes finished shards: nothing to do, the same run


def _slow_config(tmp_path: Path, tiny_suite: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[RunConfig, Path]:
    """12 units of 0.7 s each; every generated unit is logged as ``pid prompt-seed``."""
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("T2V_TEST_GEN_LOG", str(calls))
    cfg = RunConfig(
        suite=str(tiny_suite),
        generator="module:tests.fakes:Slow,seconds=0.7",
        seeds="4",
        metrics="physics.count",
        out=tmp_path / "run",
        num_frames=8,
        height=64,
        width=64,
    )
    return cfg, calls


def _resumed(calls: Path) -> None:
    """More than one attempt made the 12 units, and at most the unit in flight was made twice."""
    attempts = {line.split()[0] for line in calls.read_text().splitlines()}
    made = [line.split()[1] for line in calls.read_text().splitlines()]
    assert len(attempts) >= 2  # it ran out of time at least once and came back
    assert len(set(made)) == 12 and len(made) <= 12 + len(attempts)


def test_a_timed_out_local_shard_is_restarted_and_resumes(
    tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, calls = _slow_config(tmp_path, tiny_suite, monkeypatch)
    res = launch(cfg, LaunchConfig(executor="local", shards=1, time="0:04", max_requeue=8))
    assert (res.exit_code, res.status, res.counts["done"]) == (0, "finished", 12)
    _resumed(calls)
    log = (tmp_path / "run" / "shards" / "logs" / "0_log.err").read_text()
    assert "timed out after 4 s (attempt 1)" in log and "requeued: attempt 2" in log


def test_a_local_shard_out_of_attempts_fails_naming_its_log(
    tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, _ = _slow_config(tmp_path, tiny_suite, monkeypatch)
    res = launch(cfg, LaunchConfig(executor="local", shards=1, time="0:03", max_requeue=0))
    assert res.exit_code == 4 and res.status == "failed"
    assert "timed out after 3 s, 1 attempt(s)" in res.message and "0_log.err" in res.message


def test_a_timed_out_submitit_job_is_requeued_and_resumes(
    tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Slurm shard's requeue (submitit's ``Checkpointable``), through submitit's local executor:
    the time-out signal comes 3 s before the 12 s limit and the requeued job resumes."""
    import submitit

    cfg, calls = _slow_config(tmp_path, tiny_suite, monkeypatch)
    folder = tmp_path / "run" / "shards" / "logs"
    ex = submitit.LocalExecutor(folder=folder, max_num_timeout=8)
    ex.update_parameters(timeout_min=12 / 60, signal_delay_s=3)
    jobs = ex.map_array(ShardJob(cfg, 1), range(1))
    assert [r.status for r in wait_all(jobs, 0.1)] == ["finished"]
    _resumed(calls)
    logs = "".join(p.read_text() for p in folder.glob("*_log.err"))
    assert "Caught signal SIGUSR2" in logs and "this job is timed-out" in logs


def test_bad_input_stops_before_any_job(tiny_suite: Path, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "run"
    base = ["launch", "--executor", "local", "--suite", str(tiny_suite)]
    for extra, message in [
        (["--out", str(out), "--frames", "1"], "--frames 1: must be 2 to"),
        (["--out", str(out), "--generator", "refrence"], "did you mean 'reference'"),
        (["--out", str(out), "--shards", "0"], "--shards 0: must be 1 to 10000"),
        (["--out", str(out), "--time", "later"], "--time 'later'"),
        (["--out", str(out), "--no-wait"], "--no-wait: local shards are this launch's own processes"),
        ([], "launch needs --out DIR"),
        (
            ["--out", str(out), "--executor", "slurm", "--slurm-param", "oops"],
            "--slurm-param 'oops': expected KEY=VALUE",
        ),
    ]:
        assert main(base + extra) == 2, extra
        assert message in capsys.readouterr().err
        assert not (out / "shards").exists()


def test_a_shard_that_cannot_start_names_why(tiny_suite: Path, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "run"
    code = main(
        [
            "launch",
            "--shards",
            "2",
            "--suite",
            str(tiny_suite),
            "--generator",
            f"folder:{tmp_path / 'none'}",
            "--out",
            str(out),
            *SMALL,
        ]
    )
    printed = capsys.readouterr().out
    assert code == 2 and "shard 0/2: error" in printed and "no such folder" in printed


@pytest.fixture
def fake_sbatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``sbatch`` on PATH that keeps the script it is given and answers like Slurm."""
    bindir, record = tmp_path / "bin", tmp_path / "sbatch-script.sh"
    bindir.mkdir()
    for name, body in (("sbatch", f'cp "$1" {record}\necho "Submitted batch job 4242"'), ("srun", "exit 1")):
        tool = bindir / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return record


def test_slurm_needs_a_slurm_machine(
    tiny_suite: Path, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no srun, no sbatch
    code = main(
        ["launch", "--executor", "slurm", "--suite", str(tiny_suite), "--out", str(tmp_path / "r"), "--no-wait"]
    )
    assert code == 2 and 'Could not detect "srun"' in capsys.readouterr().err


def test_slurm_gets_a_requeueable_job_array(tiny_suite: Path, tmp_path: Path, fake_sbatch: Path, capsys: Any) -> None:
    out = tmp_path / "run"
    argv = ["launch", "--executor", "slurm", "--shards", "4", "--gpus-per-shard", "2", "--partition", "h100"]
    argv += ["--time", "1:30:00", "--cpus-per-shard", "8", "--mem-gb", "64", "--slurm-param", "account=vision"]
    argv += ["--no-wait", "--suite", str(tiny_suite), "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "submitted 4 slurm job(s): 4242_0, 4242_1, 4242_2, 4242_3" in printed
    script = fake_sbatch.read_text()
    for line in (
        "#SBATCH --array=0-3%4",
        "#SBATCH --partition=h100",
        "#SBATCH --time=90",
        "#SBATCH --gpus-per-node=2",
        "#SBATCH --cpus-per-task=8",
        "#SBATCH --mem=64G",
        "#SBATCH --requeue",
        "#SBATCH --account=vision",
        "#SBATCH --signal=USR2@90",
        "#SBATCH --job-name=t2vbench-",
    ):
        assert line in script, line
    assert "submitit.core._submit" in script and str(out / "shards" / "logs") in script
    pickles = list((out / "shards" / "logs").glob("4242_*_submitted.pkl"))
    assert len(pickles) == 4


def test_shards_of_launch_resume_into_a_finished_single_shard(tiny_suite: Path, tmp_path: Path) -> None:
    """A shard already run by hand is skipped by launch (same folder, --resume)."""
    out = tmp_path / "run"
    cfg = RunConfig(
        suite=str(tiny_suite), out=out, metrics="physics.count", num_frames=8, height=64, width=64, progress=False
    )
    first = run(RunConfig(**{**cfg.__dict__, "shard": "0/2"}))
    assert first.status == "partial"
    res = launch(cfg, LaunchConfig(executor="local", shards=2))
    assert res.exit_code == 0 and res.status == "finished"
    assert [r.status for r in res.shards] == ["finished", "finished"]
    manifest = json.loads((out / "shards" / "0-of-2" / "manifest.json").read_text())
    assert manifest["counts"]["done"] == 2
