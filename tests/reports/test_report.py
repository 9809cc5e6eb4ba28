from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.runner import RunConfig, run
from reports import build_report, mean_ci, rate_ci, summarize_rows
from tests.conftest import write_suite

XSS = "<script>alert(1)</script>"


def test_mean_ci_is_reproducible_and_sane() -> None:
    values = list(np.random.default_rng(0).normal(5.0, 1.0, 200))
    m, ci = mean_ci(values)
    assert m == pytest.approx(np.mean(values))
    assert ci[0] < m < ci[1] and ci[1] - ci[0] < 0.4
    assert mean_ci(values) == (m, ci)
    assert mean_ci([]) == (None, None) and mean_ci([2.0]) == (2.0, None) and mean_ci([3.0, 3.0])[1] == [3.0, 3.0]


def test_rate_ci_wilson() -> None:
    rate, ci = rate_ci(8, 10)
    assert rate == 0.8 and ci == pytest.approx([0.4902, 0.9433], abs=1e-3)  # Wilson interval
    assert rate_ci(0, 0) == (None, None)


def test_summary_counts_verdicts_and_excludes_errors() -> None:
    def row(pid: str, fam: str, metric: str, **kw: object) -> dict:
        return {"prompt_id": pid, "seed": 0, "family": fam, "metric": metric, "value": None, "verdict": None,
                "events": [], "error": None, **kw}  # fmt: skip

    rows = [
        row("a", "count", "physics.count", verdict="pass", value=1.0),
        row("b", "count", "physics.count", verdict="fail", value=0.5),
        row("c", "spatial", "physics.count", verdict="n/a"),
        row("d", "spatial", "physics.count", error="decode: broken"),
        row("*", "*", "dist.x", value=3.0, seed=None),
    ]
    s = summarize_rows(rows)
    b = s["metrics"]["physics.count"]
    assert (b["n"], b["n_pass"], b["n_fail"], b["n_na"], b["n_error"]) == (3, 1, 1, 1, 1)
    assert b["pass_rate"] == 0.5 and b["mean"] == 0.75
    assert s["families"]["physics.count"]["count"]["n_pass"] == 1
    assert s["set"] == {"dist.x": {"value": 3.0, "error": None}}


@pytest.fixture
def run_with_failures(tmp_path: Path) -> Path:
    from prompts import load_suite

    smoke = load_suite("smoke")
    p = smoke.prompt("smoke-count-three").model_dump(mode="json", by_alias=True, exclude_none=True)
    p["text"] = f"Three marbles {XSS} | rest"
    q = smoke.prompt("smoke-kin-fall").model_dump(mode="json", by_alias=True, exclude_none=True)
    suite = write_suite(tmp_path / "s.yaml", [p, q])
    out = tmp_path / "run"
    run(RunConfig(suite=str(suite), generator="reference:faults=vanish,rate=1", seeds="2", out=out, progress=False))
    return out


def test_report_escapes_prompt_text(run_with_failures: Path) -> None:
    html = (run_with_failures / "report.html").read_text()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = (run_with_failures / "report.md").read_text()
    assert XSS not in md and "\\| rest" in md


def test_report_has_provenance_tables_figure_profile_and_gallery(run_with_failures: Path) -> None:
    out = run_with_failures
    html = (out / "report.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["suite"]["sha256"] in html and "reference:faults=vanish,rate=1" in html
    assert "physics.count" in html and "By prompt family" in html and "Cost: time and memory" in html
    assert html.index('id="headline"') < html.index('id="results"') < html.index('id="gallery"')  # the answer first
    svg = (out / "assets" / "pass_rates.svg").read_text()
    assert svg.startswith("<svg") and "physics.count" in svg
    posters = sorted((out / "assets").glob("poster-*.png"))
    fails = [x for x in map(json.loads, (out / "samples.jsonl").read_text().splitlines()) if x["verdict"] == "fail"]
    assert len(posters) == len(fails) >= 4  # 2 prompts x 2 seeds, each lost an object
    md = (out / "report.md").read_text()
    assert all(f"(assets/{p.name})" in md for p in posters[:10])
    assert 'src="clips/smoke-count-three/0.mp4"' in html
    assert html.count('<article class="card"') == len(fails)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metrics"]["physics.count"]["pass_rate"] == 0.0
    assert summary["provenance"]["suite"]["sha256"] == manifest["suite"]["sha256"]


def test_report_rebuilds_from_files_alone(run_with_failures: Path) -> None:
    for name in ("report.html", "report.md", "summary.json"):
        (run_with_failures / name).unlink()
    build_report(run_with_failures)
    assert (run_with_failures / "report.html").is_file() and (run_with_failures / "summary.json").is_file()


def test_headline_opens_with_families_and_reads_consistency_beside_dynamics(tmp_path: Path) -> None:
    """Rows of the coming metric families (written here): the headline orders them, shows each
    direction, puts dynamic degree right after the consistency scores and distances with their floor."""
    from reports.headline import headline
    from reports.metricinfo import metric_infos
    from t2vbase.rundir import make_row
    from tests.reports.rundirs import CHECK, make_run

    protos = [
        CHECK,
        {"name": "temporal.warp_error", "version": "1", "higher_is_better": False, "unit": "gray levels"},
        {"name": "temporal.dynamic_degree", "version": "1", "higher_is_better": None, "unit": ""},
        {"name": "temporal.feature_consistency", "version": "1", "higher_is_better": True, "unit": ""},
        {"name": "temporal.smoothness", "version": "1", "higher_is_better": True, "unit": ""},
        {"name": "align.clip_score", "version": "1", "higher_is_better": True, "unit": ""},
        {"name": "dist.fvd", "version": "1", "higher_is_better": False, "unit": ""},
    ]
    rows = []
    for k in range(12):
        pid = f"p{k:02d}"
        rows.append(make_row(pid, 0, "count", "physics.count", 1.0, "pass" if k % 4 else "fail"))
        rows.append(make_row(pid, 0, "count", "temporal.warp_error", 2.0 + 0.1 * k))
        rows.append(make_row(pid, 0, "count", "temporal.dynamic_degree", 0.05 * k))
        rows.append(make_row(pid, 0, "count", "temporal.feature_consistency", 0.99 - 0.01 * k))
        rows.append(make_row(pid, 0, "count", "temporal.smoothness", 0.9 - 0.02 * k))
        rows.append(make_row(pid, 0, "count", "align.clip_score", 0.3))
    detail = {"ci95": [90.0, 110.0], "n": 12, "floor": 40.0, "floor_ci95": [35.0, 45.0], "warning": "N=12 is small"}
    rows.append(make_row("*", None, "*", "dist.fvd", 100.0, detail=detail))
    run = make_run(tmp_path / "run", rows, protocols=protos)
    build_report(run)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["set"]["dist.fvd"]["floor"] == 40.0 and summary["set"]["dist.fvd"]["ci95"] == [90.0, 110.0]
    labels = [r.label for r in headline(summary, metric_infos(json.loads((run / "manifest.json").read_text()), rows))]
    assert labels == ["physics: all checks", "physics.count", "temporal.feature_consistency", "temporal.smoothness",
                      "temporal.warp_error", "temporal.dynamic_degree", "align.clip_score", "dist.fvd"]  # fmt: skip
    md = (run / "report.md").read_text()
    assert (
        "| `dist.fvd` | ↓ | distance | 100.000 | [90.000, 110.000] | 12 | 40.000 [35.000, 45.000] | 2.5× its floor, above its floor's CI ⚠ N=12 is small |"
        in md
    )
    assert "| `temporal.warp_error` | ↓ | mean (gray levels) |" in md and "| `temporal.dynamic_degree` | · |" in md
    html = (run / "report.html").read_text()
    assert html.count('class="chart scatter"') == 3  # each consistency score against dynamic degree
    assert html.index('data-metric="temporal.warp_error"') < html.index('data-metric="temporal.dynamic_degree"')


def test_charts_escape_labels_and_draw_each_interval() -> None:
    from reports.charts import Bar, Step, TrendPoint, bar_chart, nice_ticks, trend_chart

    svg = str(bar_chart([Bar(XSS, 0.5, 0.4, 0.6), Bar("b", 0.9, 0.8, 1.0)], domain=(0, 1)))
    assert XSS not in svg and "&lt;script&gt;" in svg and svg.count("<rect") == 2 and svg.count("<path") == 2
    trend = str(
        trend_chart([TrendPoint(f"r{i}", v) for i, v in enumerate([1, 1, 0.5])], [Step(2, True, "regression at r2")])
    )
    assert "regression at r2" in trend and trend.count("<circle") == 3
    assert nice_ticks(0.13, 0.92) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_cost_per_second_of_video_and_gpu_memory_per_stage(tmp_path: Path) -> None:
    """profile.json as a CUDA run writes it: the report shows seconds of compute per second of
    generated video and each stage's peak GPU memory."""
    from t2vbase.rundir import RunDir
    from tests.reports.rundirs import check_rows, make_run

    run = make_run(tmp_path / "run", check_rows({f"p{i}": "pass" for i in range(10)}), fps=8.0)
    gib = 1024**3

    def stage(total: float, alloc: int) -> dict:
        return {"count": 10, "wall_s": {"total": total, "median": total / 10, "p90": total / 8},
                "cuda_ms": {"total": total * 900}, "peak_allocated_bytes": alloc,
                "peak_reserved_bytes": alloc * 2, "peak_rss_bytes": 3 * gib}  # fmt: skip

    RunDir(run).write_profile({
        "stages": {"generate": stage(15.0, int(1.5 * gib)), "metric:dist.fvd": stage(5.0, gib // 2)},
        "throughput": {"units_timed": 10, "unit_wall_s": 20.0, "clips_per_s": 0.5, "frames_per_s": 12.0},
        "invocation": {"wall_s": 21.0, "peak_rss_bytes": 3 * gib}, "machine": {"cpu": "x", "gpu": "NVIDIA H200"},
    })  # fmt: skip
    build_report(run)
    html = (run / "report.html").read_text()
    # 10 clips of 24 frames at 8 fps are 30 s of video; 20 s of unit time: 0.67 s per second
    assert "0.67 s of compute per second of generated video" in html and "0.50 clips/s" in html
    assert "peak GPU memory 1.5 GiB" in html and "3.0 GiB" in html and "NVIDIA H200" in html
    assert '<td class="n">512.0 MiB</td>' in html  # the distance stage's own peak
    assert "**Cost:** 0.67 s of compute per second of video" in (run / "report.md").read_text()


@pytest.mark.parametrize(
    ("value", "floor", "ci", "note"),
    [
        (100.0, 40.0, [35.0, 45.0], "2.5× its floor, above its floor's CI"),
        (42.0, 40.0, [35.0, 45.0], "1.1× its floor, within its floor's CI"),
        (0.004, 0.0002, [-0.0009, 0.0013], "above its floor's CI"),  # KVD: no ratio to a floor of ~0
        (0.0005, 0.0002, [-0.0009, 0.0013], "within its floor's CI"),
        (None, 40.0, [35.0, 45.0], ""),
    ],
)
def test_floor_note(value: float | None, floor: float, ci: list[float], note: str) -> None:
    from reports.headline import floor_note

    assert floor_note(value, floor, ci) == note
