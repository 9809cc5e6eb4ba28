"""The issue's acceptance, through the command line on real runs of the smoke suite: the clean
reference world against the default one (faults in about 40% of clips), same seeds."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml

from bench.cli import main
from prompts import load_suite


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("nightly")
    smoke = load_suite("smoke")
    other = [
        smoke.prompt(p).model_dump(mode="json", by_alias=True, exclude_none=True)
        for p in ("smoke-count-three", "smoke-kin-fall")
    ]
    suite = root / "other.yaml"
    suite.write_text(yaml.safe_dump({"suite": "other", "version": 1, "description": "two prompts", "prompts": other}))
    db = root / "index.sqlite"
    for name, argv in {
        "clean": ["--generator", "reference:profile=clean"],
        "faulty": ["--generator", "reference"],
        "other": ["--suite", str(suite), "--generator", "reference:profile=clean"],
    }.items():
        assert main(["run", *argv, "--out", str(root / "runs" / name), "--no-progress", "--history", str(db)]) == 0
    return root


def test_compare_exit_codes_on_smoke_runs(runs: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    r = runs / "runs"
    assert main(["compare", str(r / "clean"), str(r / "faulty"), "--fail-on-regression"]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("regressions:"))
    assert "physics: all checks" in line  # the faults fail every check family they touch
    assert main(["compare", str(r / "faulty"), str(r / "clean"), "--fail-on-regression"]) == 0
    assert "regressions: none" in capsys.readouterr().out
    assert main(["compare", str(r / "clean"), str(r / "other"), "--fail-on-regression"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different suites" in err
    doc = json.loads((r / "compare-clean-vs-faulty" / "compare.json").read_text())
    assert doc["flipped"]["regressed"] > 0 and doc["flipped"]["fixed"] == 0


def test_history_over_three_runs(runs: Path) -> None:
    assert main(["history", str(runs / "runs")]) == 0
    html = (runs / "runs" / "history.html").read_text()
    assert all(f'<a href="{r}/report.html"><code>{r}</code></a>' in html for r in ("clean", "faulty", "other"))
    assert "smoke v2" in html and "other v1" in html
    with sqlite3.connect(runs / "index.sqlite") as con:  # run --history indexed every run as it finished
        assert sorted(r[0] for r in con.execute("SELECT run_id FROM runs")) == ["clean", "faulty", "other"]
