"""``--batch N``: clips made N at a time are the clips made one at a time; a failed batch falls
back to single units; every unit's profile carries its share of its batch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.batching import resolve_batch
from bench.runner import RunConfig, run
from model import get_generator
from t2vbase.errors import UsageError

# 128x128: a size whose H.264 bytes never depend on the heap (tests/t2vbase/test_video_bytes.py)
FAST: dict[str, Any] = {"num_frames": 8, "height": 128, "width": 128, "progress": False}
SPEC = "module:tests.fakes:BatchReference"


def rows(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (run_dir / "samples.jsonl").read_text().splitlines() if x]


def test_resolve_batch() -> None:
    plain = get_generator("reference")
    batching = get_generator(SPEC + ",batch=4")
    assert resolve_batch(None, plain) == 1 and resolve_batch(1, plain) == 1
    with pytest.raises(UsageError, match=r"--batch 2: generator 'reference' makes one clip at a time"):
        resolve_batch(2, plain)
    assert resolve_batch(None, batching) == 4  # the generator's own batch size
    assert resolve_batch(2, batching) == 2  # --batch wins
    with pytest.raises(UsageError, match="at least 1"):
        resolve_batch(0, batching)


def test_batched_run_equals_the_unbatched_run(
    tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("T2V_TEST_BATCH_LOG", str(calls))
    one = run(RunConfig(suite=str(tiny_suite), generator=SPEC, seeds="2", out=tmp_path / "one", **FAST))
    assert not calls.exists()  # batch 1: generate() per unit
    three = run(RunConfig(suite=str(tiny_suite), generator=SPEC, seeds="2", out=tmp_path / "three", batch=3, **FAST))
    assert one.exit_code == three.exit_code == 0
    assert calls.read_text().split() == ["3", "3"]  # 6 units in two calls
    assert (tmp_path / "one" / "samples.jsonl").read_bytes() == (tmp_path / "three" / "samples.jsonl").read_bytes()
    for clip in sorted((tmp_path / "one" / "clips").rglob("*.mp4")):
        assert clip.read_bytes() == (tmp_path / "three" / clip.relative_to(tmp_path / "one")).read_bytes()
    prof = json.loads((tmp_path / "three" / "profile.json").read_text())
    assert [u["batch"] for u in prof["units"]] == [3] * 6
    assert all(u["generate_s"] > 0 and u["wall_s"] >= u["generate_s"] for u in prof["units"])
    fp = json.loads((tmp_path / "three" / "manifest.json").read_text())["env"]["fingerprint"]
    assert fp["batch"] == 3 and fp["device"] == "cpu"


def test_a_failed_batch_falls_back_to_single_units(
    tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("T2V_TEST_BATCH_LOG", str(calls))
    res = run(
        RunConfig(suite=str(tiny_suite), generator=SPEC + ",fail_batch=true", out=tmp_path / "r", batch=3, **FAST)
    )
    assert res.exit_code == 0 and res.counts["done"] == 3  # every unit made alone after the batch failed
    assert calls.read_text().split() == ["3"]
    assert all(r["error"] is None for r in rows(tmp_path / "r"))
    units = json.loads((tmp_path / "r" / "profile.json").read_text())["units"]
    assert [u["batch"] for u in units] == [1, 1, 1]


def test_a_resumed_batch_makes_only_missing_clips(
    tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r"
    run(RunConfig(suite=str(tiny_suite), generator=SPEC, seeds="2", out=out, metrics="physics.count", **FAST))
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("T2V_TEST_BATCH_LOG", str(calls))
    (out / "clips" / "smoke-count-three" / "1.mp4").unlink()
    (out / "units" / "smoke-count-three" / "1.json").unlink()
    (out / "units" / "smoke-count-three" / "0.json").unlink()  # its clip is still there
    res = run(RunConfig(out=out, resume=True, batch=4, **FAST))
    assert res.exit_code == 0 and (res.processed, res.skipped) == (2, 4)
    assert not calls.exists()  # one clip to make: made alone, the other reused
