"""Local shards forked from the warm fork server: the launcher's environment and folder, results
and failures back through their files, logs on the shard's own files."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from bench.local_shards import LocalShard


def where(index: int) -> tuple[int, str, str, str]:
    print(f"shard {index} says hello")
    return index, os.getcwd(), os.environ.get("T2V_TEST_SHARD_VAR", ""), os.environ.get("OMP_NUM_THREADS", "")


def boom(index: int) -> None:
    raise ValueError(f"shard {index} cannot")


def vanish(index: int) -> None:
    sys.stdout.flush()
    os._exit(7)


def sleepy(index: int) -> int:
    time.sleep(30)
    return index


def test_a_shard_runs_in_the_launchers_folder_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("T2V_TEST_SHARD_VAR", "set after the server started")  # a server may be running
    job = LocalShard(where, 3, tmp_path / "logs", env={"OMP_NUM_THREADS": "1"})
    assert job.result() == (3, str(tmp_path), "set after the server started", "1")
    assert "shard 3 says hello" in job.paths.stdout.read_text()
    assert "shard 3: started at" in job.paths.stderr.read_text()


def test_a_failure_comes_back_with_its_traceback_in_the_log(tmp_path: Path) -> None:
    job = LocalShard(boom, 0, tmp_path / "logs")
    with pytest.raises(ValueError, match="shard 0 cannot"):
        job.result()
    assert isinstance(job.exception(), ValueError)
    assert "Traceback" in job.paths.stderr.read_text()


def test_a_process_that_ends_without_a_result_says_its_exit_code(tmp_path: Path) -> None:
    job = LocalShard(vanish, 1, tmp_path / "logs")
    assert _wait(job) and "exit code 7 and no result" in str(job.exception())


def test_cancel_stops_a_running_shard(tmp_path: Path) -> None:
    job = LocalShard(sleepy, 2, tmp_path / "logs")
    job.cancel()
    assert _wait(job) and job.exception() is not None


def _wait(job: LocalShard, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while not job.done():
        assert time.monotonic() < end, "the shard did not end"
        time.sleep(0.05)
    return True
