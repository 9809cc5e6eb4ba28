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
