"""Shards and ``t2vbench merge``: four merged shards of the nightly suite are the single-process
run (rows, set-level rows, summary); merging is idempotent; a shard re-runs alone; inputs from
another run, unfinished units and a busy or foreign ``--out`` are one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bench.cli import main
from bench.merge import merge_runs
from bench.runner import RunConfig, run
from t2vbase.errors import UsageError
from t2vbase.rundir import RunDir, RunDirError

# 128x128: a size whose H.264 bytes never depend on the heap (tests/t2vbase/test_video_bytes.py)
SMALL: dict[str, Any] = {"num_frames": 8, "height": 128, "width": 128, "progress": False}
NIGHTLY = {"suite": "nightly", "metrics": "physics.count,physics.spatial,temporal.flicker,test.mean_luma", **SMALL}


def rows(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (run_dir / "samples.jsonl").read_text().splitlines() if x]


def mtimes(run_dir: Path) -> dict[str, int]:
    files = [p for p in run_dir.rglob("*") if "shards" not in p.parts and p.name != ".lock"]
    return {str(p.relative_to(run_dir)): p.stat().st_mtime_ns for p in files}


def test_four_merged_shards_of_nightly_are_the_single_run(tmp_path: Path, mean_luma: Any) -> None:
    one, four = tmp_path / "one" / "run", tmp_path / "four" / "run"  # same name: same run_id
    single = run(RunConfig(out=one, **NIGHTLY))
    assert single.status == "finished" and single.counts["units"] == 100
    outcomes = [run(RunConfig(out=four, shard=f"{i}/4", **NIGHTLY)) for i in (2, 0, 3, 1)]
    assert [o.status for o in outcomes] == ["partial"] * 3 + ["finished"]  # the last shard merges
    assert all(o.exit_code == 0 for o in outcomes) and outcomes[-1].run_dir == four
    assert [o.counts["done"] for o in outcomes] == [25, 50, 75, 100]
    for name in ("samples.jsonl", "summary.json", "suite.json"):
        assert (one / name).read_bytes() == (four / name).read_bytes(), name
    pd.testing.assert_frame_equal(pd.read_parquet(one / "results.parquet"), pd.read_parquet(four / "results.parquet"))
    (set_row,) = [r for r in rows(four) if r["prompt_id"] == "*"]  # from all 100 units' features
    assert set_row["metric"] == "test.mean_luma" and set_row["detail"] == {"n": 100} and set_row["value"] > 0
    for clip in sorted(one.glob("clips/*/*.mp4")):
        assert clip.read_bytes() == (four / clip.relative_to(one)).read_bytes()
    m = json.loads((four / "manifest.json").read_text())
    assert m["status"] == "finished" and m["counts"] == single.counts and m["shard"] == "0/1"
    assert [s["shard"] for s in m["shards"]] == ["0/4", "1/4", "2/4", "3/4"]
    assert all(s["env"]["fingerprint"] == m["env"]["fingerprint"] for s in m["shards"])
    from reports.pairing import env_warnings

    single_manifest = json.loads((one / "manifest.json").read_text())
    assert env_warnings(m, single_manifest) == []  # compare sees one environment
    assert [s["path"] for s in m["shards"]] == [f"shards/{i}-of-4" for i in range(4)]
    shard_manifest = json.loads((four / "shards" / "1-of-4" / "manifest.json").read_text())
    assert shard_manifest["counts"] == {"units": 25, "done": 25, "failed": 0, "pending": 0}
    assert not (four / "shards" / "1-of-4" / "report.html").exists()  # only the merged run has one
    assert len(json.loads((four / "profile.json").read_text())["units"]) == 100


@pytest.fixture
def sharded(tiny_suite: Path, tmp_path: Path) -> tuple[Path, Path, dict[str, Any]]:
    """A 6-unit run made whole and as 3 shards (merged by the last)."""
    common = {"suite": str(tiny_suite), "seeds": "2", "metrics": "physics.count,temporal.flicker", **SMALL}
    whole, parts = tmp_path / "a" / "run", tmp_path / "b" / "run"
    run(RunConfig(out=whole, **common))
    for i in range(3):
        run(RunConfig(out=parts, shard=f"{i}/3", **common))
    return whole, parts, common


def test_merging_again_changes_nothing(sharded: tuple[Path, Path, dict[str, Any]], capsys: Any) -> None:
    _, parts, _ = sharded
    before = mtimes(parts)
    shutil.copytree(parts / "shards" / "0-of-3", parts / "shards" / "0-of-3.replaced-20260101T000000Z-ab12")
    assert main(["merge", str(parts)]) == 0  # a run holding shards/ is its own default --out
    assert "already up to date" in capsys.readouterr().out
    assert mtimes(parts) == before


def test_a_shard_reruns_alone_and_merges_again(sharded: tuple[Path, Path, dict[str, Any]]) -> None:
    whole, parts, _ = sharded
    shard = parts / "shards" / "1-of-3"
    (shard / "units" / "smoke-count-three" / "0.json").unlink()  # shard 1 of 3 holds units 1 and 4
    (shard / "clips" / "smoke-count-three" / "0.mp4").unlink()
    res = run(RunConfig(out=parts, shard="1/3", resume=True, **SMALL))  # options from its manifest
    assert (res.processed, res.skipped, res.status) == (1, 1, "finished")  # and it merged again
    assert (parts / "samples.jsonl").read_bytes() == (whole / "samples.jsonl").read_bytes()
    merged = json.loads((parts / "manifest.json").read_text())
    assert merged["merge"]["inputs"] == [f"shards/{i}-of-3" for i in range(3)]


def test_merge_to_another_folder_and_partial_merges(sharded: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    whole, parts, _ = sharded
    shards = [parts / "shards" / f"{i}-of-3" for i in range(3)]
    elsewhere = tmp_path / "c" / "run"
    res = merge_runs(shards, elsewhere)
    assert res is not None and res.merged and res.status == "finished"
    assert (elsewhere / "samples.jsonl").read_bytes() == (whole / "samples.jsonl").read_bytes()
    with pytest.raises(UsageError, match=r"2 of 6 units are not finished \(first: smoke-perm-occlude/1; no input"):
        merge_runs([shards[0], shards[2]], tmp_path / "d")
    (shards[1] / "units" / "smoke-count-three" / "0.json").unlink()
    with pytest.raises(
        UsageError, match=r"1 of 6 units are not finished \(first: smoke-count-three/0; its shard .*1-of-3"
    ):
        merge_runs(shards, tmp_path / "d")
    part = merge_runs([shards[0], shards[2]], tmp_path / "d", partial=True, report=False)
    assert part is not None and part.status == "partial" and part.counts["pending"] == 2
    assert {(r["prompt_id"], r["seed"]) for r in rows(tmp_path / "d")} == {
        ("smoke-perm-occlude", 0),
        ("smoke-spatial-left", 0),
        ("smoke-spatial-left", 1),
        ("smoke-count-three", 1),
    }


def test_merge_refuses_runs_of_another_configuration(
    sharded: tuple[Path, Path, dict[str, Any]], tmp_path: Path, tiny_suite: Path
) -> None:
    _, parts, common = sharded
    other = tmp_path / "other"
    run(RunConfig(out=other, shard="1/3", **{**common, "seeds": "3"}))
    with pytest.raises(UsageError, match=r"other/shards/1-of-3: its seeds differs from .*0-of-3's"):
        merge_runs([parts / "shards" / "0-of-3", other / "shards" / "1-of-3"], tmp_path / "m")
    with pytest.raises(UsageError, match="are both shard 1/3"):
        merge_runs([parts / "shards" / "1-of-3", parts / "shards" / "1-of-3"], tmp_path / "m")


def test_merge_out_rules(sharded: tuple[Path, Path, dict[str, Any]], tmp_path: Path) -> None:
    whole, parts, _ = sharded
    shards = [parts / "shards" / f"{i}-of-3" for i in range(3)]
    with pytest.raises(UsageError, match="holds a run that merge did not make"):
        merge_runs(shards, whole)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("x")
    with pytest.raises(UsageError, match=r"not empty and holds no run \(notes.txt\)"):
        merge_runs(shards, tmp_path / "junk")
    with pytest.raises(UsageError, match=r"is inside .*0-of-3, one of the runs to merge"):
        merge_runs(shards, shards[0] / "merged")
    with pytest.raises(RunDirError, match=r"no manifest\.json"):
        merge_runs([tmp_path / "junk"], tmp_path / "m")
    with RunDir(parts).lock():  # another merge holds the run
        assert main(["merge", str(parts)]) == 2
        assert merge_runs(shards, parts, on_locked="skip") is None


def test_a_shard_needs_out_and_refuses_a_plain_run(tiny_suite: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--shard 0/2: needs --out"):
        run(RunConfig(suite=str(tiny_suite), shard="0/2", **SMALL))
    run(RunConfig(suite=str(tiny_suite), out=tmp_path / "plain", metrics="none", **SMALL))
    with pytest.raises(UsageError, match="holds a run made without shards"):
        run(RunConfig(suite=str(tiny_suite), out=tmp_path / "plain", shard="0/2", metrics="none", **SMALL))


def test_merged_run_keeps_failed_units_and_exits_3(tiny_suite: Path, tmp_path: Path) -> None:
    spec = "module:tests.fakes:FailOn,prompt=smoke-spatial-left"
    common = {"suite": str(tiny_suite), "generator": spec, "metrics": "physics.count", **SMALL}
    first = run(RunConfig(out=tmp_path / "r", shard="1/2", **common))
    assert (first.status, first.exit_code) == ("partial", 0)  # a shard that does not merge exits 0
    last = run(RunConfig(out=tmp_path / "r", shard="0/2", **common))
    assert (last.status, last.exit_code) == ("finished_with_failures", 3)
    (bad,) = [r for r in rows(tmp_path / "r") if r["error"]]
    assert bad["prompt_id"] == "smoke-spatial-left" and "out of memory (simulated)" in bad["error"]
    shutil.rmtree(tmp_path / "r" / "shards" / "1-of-2" / "units")
    with pytest.raises(UsageError, match="not finished"):
        merge_runs([tmp_path / "r"], tmp_path / "r")


def test_shards_from_different_environments_are_said(
    sharded: tuple[Path, Path, dict[str, Any]], tmp_path: Path
) -> None:
    from reports.pairing import env_warnings

    whole, parts, _ = sharded
    path = parts / "shards" / "1-of-3" / "manifest.json"
    m = json.loads(path.read_text())
    m["env"]["fingerprint"] = {**m["env"]["fingerprint"], "device": "cuda", "gpu": "NVIDIA H100"}
    path.write_text(json.dumps(m))
    res = merge_runs([parts], tmp_path / "mixed")
    assert res is not None and res.merged
    merged = json.loads((tmp_path / "mixed" / "manifest.json").read_text())
    mixed = merged["env"]["fingerprint"]["mixed"]
    assert len(mixed) == 2 and {fp["gpu"] for fp in mixed} == {None, "NVIDIA H100"}
    warnings = env_warnings(merged, json.loads((whole / "manifest.json").read_text()))
    assert any(
        "run A's shards ran in different environments: fingerprint.device, fingerprint.gpu" in w for w in warnings
    )


def test_the_merged_run_not_its_shards_goes_into_the_history(tiny_suite: Path, tmp_path: Path) -> None:
    from reports.history_index import read_index

    db = tmp_path / "history.sqlite"
    common = {"suite": str(tiny_suite), "metrics": "physics.count", "history": db, **SMALL}
    for i in range(2):
        run(RunConfig(out=tmp_path / "run", shard=f"{i}/2", **common))
    runs, _ = read_index(db)
    assert [r["run_id"] for r in runs] == ["run"]  # one entry: the merged run
