from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bench.runner import RunConfig, run
from metrics.base import Clip
from metrics.registry import resolve_metrics
from t2vbase.errors import GeneratorError, MetricError, SuiteError, UsageError, WeightsError
from t2vbase.rundir import ROW_FIELDS
from tests.conftest import write_suite

ROOT = Path(__file__).resolve().parents[2]
FAST = {"num_frames": 8, "height": 64, "width": 64}
RUN_FILES = (
    "manifest.json",
    "samples.jsonl",
    "results.parquet",
    "summary.json",
    "profile.json",
    "report.html",
    "report.md",
    "suite.json",
)


def cfg(suite: Path | str, out: Path, **kw: Any) -> RunConfig:
    base: dict[str, Any] = {"suite": str(suite), "out": out, "progress": False, **FAST}
    base.update(kw)
    return RunConfig(**base)


def rows_of(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (run_dir / "samples.jsonl").read_text().splitlines() if x]


def clip_mtimes(run_dir: Path) -> dict[str, int]:
    return {str(p.relative_to(run_dir)): p.stat().st_mtime_ns for p in sorted((run_dir / "clips").rglob("*.mp4"))}


def test_end_to_end_writes_the_whole_run_directory(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = run(cfg(tiny_suite, out, seeds="2", generator="reference:profile=clean"))
    assert res.exit_code == 0 and res.status == "finished"
    for name in RUN_FILES:
        assert (out / name).is_file(), name
    for pid in ("smoke-perm-occlude", "smoke-spatial-left", "smoke-count-three"):
        for seed in (0, 1):
            assert (out / "clips" / pid / f"{seed}.mp4").is_file()
            side = json.loads((out / "clips" / pid / f"{seed}.json").read_text())
            assert side["faults"] == [] and "scene" in side and side["t2vbench"]["seed"] == seed
    m = json.loads((out / "manifest.json").read_text())
    assert m["schema_version"] == 1 and m["status"] == "finished"
    assert m["suite"]["name"] == "tiny" and len(m["suite"]["sha256"]) == 64
    assert m["generator"]["spec"] == "reference:profile=clean" and m["seeds"] == [0, 1]
    assert set(m["env"]) >= {"python", "torch", "cuda", "gpu", "cpu", "platform", "git_commit"}
    assert m["counts"] == {"units": 6, "done": 6, "failed": 0, "pending": 0}
    rows = rows_of(out)
    assert len(rows) == 6 * len(m["metrics"])
    assert all(set(r) == set(ROW_FIELDS) for r in rows) and ROW_FIELDS[-1] == "detail"
    assert {r["metric"] for r in rows} == set(resolve_metrics("all")) == {p["name"] for p in m["metrics"]}
    assert all(p["backend_spec"] == "color" for p in m["metrics"] if p["name"].startswith("physics."))
    assert all(r["verdict"] == "pass" for r in rows if r["metric"] == "physics.count")
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == len(rows)
    assert [json.loads(e) for e in table["events"]] == [r["events"] for r in rows]
    prof = json.loads((out / "profile.json").read_text())
    assert {"generate", "encode", "decode", "metric:physics.count", "metric:temporal.flicker"} <= set(prof["stages"])
    assert prof["stages"]["generate"]["count"] == 6
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metrics"]["physics.count"]["pass_rate"] == 1.0


def test_resume_on_a_finished_run_recomputes_nothing(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    run(cfg(tiny_suite, out))
    before_rows = (out / "samples.jsonl").read_bytes()
    before_clips = clip_mtimes(out)
    units_before = {p: p.stat().st_mtime_ns for p in (out / "units").rglob("*.json")}
    res = run(cfg(tiny_suite, out, resume=True))
    assert (res.processed, res.skipped, res.exit_code) == (0, 3, 0)
    assert (out / "samples.jsonl").read_bytes() == before_rows
    assert clip_mtimes(out) == before_clips
    assert {p: p.stat().st_mtime_ns for p in (out / "units").rglob("*.json")} == units_before


def test_backend_reaches_the_physics_checks(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = run(
        cfg(
            tiny_suite,
            out,
            metrics="physics.count,temporal.flicker",
            backend="oracle",
            generator="reference:profile=clean",
        )
    )
    assert res.exit_code == 0
    protocols = {p["name"]: p for p in json.loads((out / "manifest.json").read_text())["metrics"]}
    assert protocols["physics.count"]["backend_spec"] == "oracle" and protocols["physics.count"]["backend"] == "oracle"
    assert "backend_spec" not in protocols["temporal.flicker"]
    assert all(r["verdict"] == "pass" for r in rows_of(out) if r["metric"] == "physics.count")


def test_changed_metric_protocol_rescores_without_regenerating(
    tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A metric whose protocol changed (a new version, a threshold) re-scores the run's clips."""
    from metrics.physics.count import CountCheck

    out = tmp_path / "run"
    run(cfg(tiny_suite, out, metrics="physics.count"))
    clips = clip_mtimes(out)
    monkeypatch.setattr(CountCheck, "version", "99")
    res = run(cfg(tiny_suite, out, resume=True))
    assert res.processed == 3 and res.exit_code == 0
    assert clip_mtimes(out) == clips
    assert json.loads((out / "manifest.json").read_text())["metrics"][0]["version"] == "99"


def test_killed_run_resumes_to_identical_rows(tiny_suite: Path, tmp_path: Path) -> None:
    spec = "module:tests.fakes:KillingReference"
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    args = [sys.executable, "-m", "bench", "run", "--suite", str(tiny_suite), "--generator", spec]
    args += ["--seeds", "2", "--out", str(killed), "--frames", "8", "--height", "64", "--width", "64"]
    env = {**os.environ, "T2V_TEST_KILL_AT": "4", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, timeout=300)
    assert proc.returncode == -9  # SIGKILL on the 4th clip
    finished = sorted((killed / "units").rglob("*.json"))
    assert len(finished) == 3
    done_clips = {k: v for k, v in clip_mtimes(killed).items()}
    assert len(done_clips) == 3
    assert json.loads((killed / "manifest.json").read_text())["status"] == "running"

    res = run(cfg(tiny_suite, killed, generator=spec, seeds="2", resume=True))
    assert (res.processed, res.skipped, res.exit_code) == (3, 3, 0)
    after = clip_mtimes(killed)
    assert all(after[k] == v for k, v in done_clips.items())  # nothing finished was regenerated
    run(cfg(tiny_suite, whole, generator=spec, seeds="2"))
    assert (killed / "samples.jsonl").read_bytes() == (whole / "samples.jsonl").read_bytes()
    for rel in clip_mtimes(whole):
        assert (killed / rel).read_bytes() == (whole / rel).read_bytes()


def test_interrupt_keeps_finished_units(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    spec = "module:tests.fakes:FailOn,prompt=smoke-count-three,interrupt=true"
    res = run(cfg(tiny_suite, out, generator=spec, metrics="physics.count,temporal.flicker"))
    assert res.status == "interrupted" and res.exit_code == 130
    assert res.counts["done"] == 2
    assert len(rows_of(out)) == 2 * 2
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"


def _folder_of_clips(tiny_suite: Path, tmp_path: Path) -> Path:
    src_run = tmp_path / "src"
    run(cfg(tiny_suite, src_run, generator="reference:profile=clean", metrics="none", report=False))
    folder = tmp_path / "videos"
    shutil.copytree(src_run / "clips", folder)
    return folder


def test_folder_run_with_a_corrupt_clip_exits_3_and_scores_the_rest(tiny_suite: Path, tmp_path: Path) -> None:
    folder = _folder_of_clips(tiny_suite, tmp_path)
    (folder / "smoke-spatial-left" / "0.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(2000))
    (folder / "smoke-count-three" / "0.mp4").write_bytes(b"")
    out = tmp_path / "run"
    res = run(cfg(tiny_suite, out, generator=f"folder:{folder}", metrics="physics.count,temporal.flicker"))
    assert res.exit_code == 3 and res.status == "finished_with_failures"
    assert res.counts == {"units": 3, "done": 3, "failed": 2, "pending": 0}
    rows = {(r["prompt_id"], r["metric"]): r for r in rows_of(out)}
    for pid in ("smoke-spatial-left", "smoke-count-three"):
        for metric in ("physics.count", "temporal.flicker"):
            err = rows[(pid, metric)]["error"]
            assert err.startswith("decode: ") and f"{pid}/0.mp4" in err and "\n" not in err
    good = rows[("smoke-perm-occlude", "physics.count")]
    assert good["error"] is None and good["verdict"] == "pass"
    assert "Errors (4)" in (out / "report.html").read_text()
    # the sidecar of the source folder travels with the clip (truth and faults stay known)
    assert json.loads((out / "clips" / "smoke-perm-occlude" / "0.json").read_text())["faults"] == []
    # the source .mp4 is copied byte for byte, never re-encoded
    src = folder / "smoke-perm-occlude" / "0.mp4"
    assert (out / "clips" / "smoke-perm-occlude" / "0.mp4").read_bytes() == src.read_bytes()


def test_folder_run_with_a_missing_clip(tiny_suite: Path, tmp_path: Path) -> None:
    folder = _folder_of_clips(tiny_suite, tmp_path)
    shutil.rmtree(folder / "smoke-count-three")
    res = run(cfg(tiny_suite, tmp_path / "run", generator=f"folder:{folder}", metrics="physics.count"))
    assert res.exit_code == 3
    (row,) = [r for r in rows_of(tmp_path / "run") if r["prompt_id"] == "smoke-count-three"]
    assert row["error"].startswith("generate: ") and "smoke-count-three" in row["error"]


def test_one_failing_unit_never_stops_the_others(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = run(
        cfg(tiny_suite, out, generator="module:tests.fakes:FailOn,prompt=smoke-spatial-left", metrics="physics.*")
    )
    assert res.exit_code == 3 and res.counts["failed"] == 1 and res.counts["done"] == 3
    bad = [r for r in rows_of(out) if r["error"]]
    assert len(bad) == len(resolve_metrics("physics.*"))
    assert all("out of memory (simulated)" in r["error"] for r in bad)
    # --resume retries failed units (a transient failure may pass now) and skips the good ones
    res2 = run(
        cfg(
            tiny_suite,
            out,
            generator="module:tests.fakes:FailOn,prompt=smoke-spatial-left",
            metrics="physics.*",
            resume=True,
        )
    )
    assert (res2.processed, res2.skipped) == (1, 2)


def test_generator_returning_garbage(tiny_suite: Path, tmp_path: Path) -> None:
    res = run(cfg(tiny_suite, tmp_path / "run", generator="module:tests.fakes:NotAVideo", metrics="none"))
    assert res.exit_code == 3
    rows = rows_of(tmp_path / "run")
    assert len(rows) == 3 and all(r["metric"] == "generate" and "not a t2vbase.video.Video" in r["error"] for r in rows)


def test_metrics_none_only_generates(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = run(cfg(tiny_suite, out, metrics="none"))
    assert res.exit_code == 0 and rows_of(out) == [] and len(clip_mtimes(out)) == 3


def test_a_crashing_metric_only_errors_its_own_row(
    tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metrics.temporal.flicker import FlickerScore

    def boom(self: Any, clip: Clip) -> Any:
        raise RuntimeError("flow exploded")

    monkeypatch.setattr(FlickerScore, "score", boom)
    out = tmp_path / "run"
    assert run(cfg(tiny_suite, out)).exit_code == 3
    rows = rows_of(out)
    assert all(
        r["error"] == "temporal.flicker: RuntimeError: flow exploded" for r in rows if r["metric"] == "temporal.flicker"
    )
    assert all(r["error"] is None for r in rows if r["metric"] == "physics.count")


def test_shards_add_up_to_the_whole_run(tiny_suite: Path, tmp_path: Path) -> None:
    whole, sharded = tmp_path / "whole", tmp_path / "sharded"
    run(cfg(tiny_suite, whole, seeds="2"))
    first = run(cfg(tiny_suite, sharded, seeds="2", shard="0/2"))
    assert first.status == "partial" and first.counts["pending"] == 3
    second = run(cfg(tiny_suite, sharded, seeds="2", shard="1/2", resume=True))
    assert second.status == "finished" and second.processed == 3
    assert (sharded / "samples.jsonl").read_bytes() == (whole / "samples.jsonl").read_bytes()


def test_set_level_metric_row(tiny_suite: Path, tmp_path: Path, mean_luma: Any) -> None:
    out = tmp_path / "run"
    assert run(cfg(tiny_suite, out, metrics="test.mean_luma")).exit_code == 0
    (row,) = rows_of(out)
    assert row["prompt_id"] == "*" and row["seed"] is None and row["metric"] == "test.mean_luma"
    from t2vbase.video import read_video

    clips = sorted((out / "clips").rglob("*.mp4"))
    expected = np.mean([read_video(p).frames.astype(np.float64) @ [0.299, 0.587, 0.114] for p in clips])
    assert row["value"] == pytest.approx(expected, abs=0.6)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["set"]["test.mean_luma"]["value"] == pytest.approx(row["value"])
    assert row["detail"] == {"n": len(clips)} and summary["set"]["test.mean_luma"]["n"] == len(clips)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"generator": "refrence"}, GeneratorError, "did you mean 'reference'"),
        ({"metrics": "physics.cont"}, MetricError, "did you mean 'physics.count'"),
        ({"backend": "colr"}, MetricError, "did you mean 'color'"),
        ({"backend": "owl:path=/no/such/owl"}, WeightsError, "no weights at /no/such/owl"),
        ({"seeds": "0"}, UsageError, "--seeds"),
        ({"shard": "2/2"}, UsageError, "--shard"),
    ],
)
def test_bad_input_fails_before_anything_is_written(
    tiny_suite: Path, tmp_path: Path, kwargs: dict[str, Any], error: type, match: str
) -> None:
    out = tmp_path / "run"
    with pytest.raises(error, match=match):
        run(cfg(tiny_suite, out, **kwargs))
    assert not out.exists()


def test_malformed_suite_is_rejected(tmp_path: Path) -> None:
    bad = write_suite(tmp_path / "bad.yaml", [{"id": "x1!", "text": "t", "family": "count"}])
    with pytest.raises(SuiteError, match=r"bad\.yaml: prompt 'x1!': id"):
        run(cfg(bad, tmp_path / "run"))


def test_existing_run_needs_resume(tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    run(cfg(tiny_suite, out, metrics="none"))
    with pytest.raises(UsageError, match="--resume"):
        run(cfg(tiny_suite, out, metrics="none"))


def test_resume_without_out_finds_the_latest_run(tiny_suite: Path, tmp_path: Path) -> None:
    root = tmp_path / "runs"
    first = run(RunConfig(suite=str(tiny_suite), runs_root=root, progress=False, metrics="none", **FAST))
    again = run(RunConfig(suite=str(tiny_suite), runs_root=root, progress=False, metrics="none", resume=True, **FAST))
    assert again.run_dir == first.run_dir and again.processed == 0
    with pytest.raises(UsageError, match="no run of suite"):
        run(RunConfig(suite="smoke", runs_root=root, resume=True, progress=False, **FAST))


def test_align_model_option_scores_align_metrics_with_it_and_defines_the_run(tiny_suite: Path, tmp_path: Path) -> None:
    """``--align-model clip:DIR``: align.video_text and align.mirror_gap score with that CLIP (their
    protocols name it), other metrics are untouched, and ``--resume`` keeps it."""
    from bench.cli import main
    from tests.metrics.align.tiny import tiny_clip

    folder = tiny_clip(tmp_path / "clip")
    out = tmp_path / "run"
    base = ["run", "--suite", str(tiny_suite), "--frames", "8", "--height", "64", "--width", "64", "--no-progress"]
    argv = [*base, "--metrics", "align.video_text,align.mirror_gap,temporal.flicker", "--out", str(out)]
    assert main([*argv, "--align-model", f"clip:{folder}"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["align_model"] == f"clip:{folder}"
    models = {p["name"]: p.get("align_model", {}).get("model") for p in manifest["metrics"]}
    assert models == {"align.video_text": "clip", "align.mirror_gap": "clip", "temporal.flicker": None}
    tiny = tmp_path / "tiny"
    assert main([*base, "--metrics", "align.video_text", "--out", str(tiny)]) == 0

    def scores(run: Path) -> dict[str, float]:
        rows = [json.loads(x) for x in (run / "samples.jsonl").read_text().splitlines()]
        return {r["prompt_id"]: r["value"] for r in rows if r["metric"] == "align.video_text"}

    clip, own = scores(out), scores(tiny)
    assert clip.keys() == own.keys() and len(clip) == 3
    assert all(abs(clip[k] - own[k]) > 1e-6 for k in clip)  # another model, other scores
    assert main([*argv, "--resume"]) == 0  # resume takes the model from the run


def test_bad_align_model_is_one_line_naming_the_option(tiny_suite: Path, tmp_path: Path, capsys: Any) -> None:
    from bench.cli import main

    base = ["run", "--suite", str(tiny_suite), "--metrics", "align.mirror_gap", "--no-progress"]
    assert main([*base, "--align-model", "nope", "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("t2vbench: error: --align-model nope:") and "known: clip, tiny" in err and "\n" not in err
    assert main([*base, "--align-model", f"clip:{tmp_path / 'none'}", "--out", str(tmp_path / "b")]) == 2
    assert "--align-model clip:" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path / "c")]) == 0
    assert main([*base, "--out", str(tmp_path / "c"), "--resume", "--align-model", "clip"]) == 2
    assert "was made with --align-model tiny" in capsys.readouterr().err
