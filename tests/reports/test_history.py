from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bench.cli import main
from reports import changepoints
from reports.changepoints import detect
from reports.history import build_history
from reports.history_index import index_run, read_index
from t2vbase.rundir import make_row
from tests.reports.rundirs import CHECK, SCORE, make_run

UNITS = [f"p{i:02d}" for i in range(40)]


def nightly(root: Path, name: str, day: int, pass_share: float, **kw) -> Path:  # type: ignore[no-untyped-def]
    """A run on day ``day`` whose check passes on the first ``pass_share`` of 40 units."""
    k = round(pass_share * len(UNITS))
    rows = [make_row(u, 0, "count", "physics.count", 1.0, "pass" if i < k else "fail") for i, u in enumerate(UNITS)]
    rows += [make_row(u, 0, "count", "temporal.flicker", 0.5 + 0.01 * (i % 5)) for i, u in enumerate(UNITS)]
    return make_run(root / name, rows, created=f"2026-01-{day:02d}T03:00:00+00:00", **kw)


def test_index_is_wal_and_reindexing_a_run_replaces_it(tmp_path: Path) -> None:
    run = nightly(tmp_path / "runs", "n1", 1, 0.9)
    db = tmp_path / "h.sqlite"
    assert index_run(db, run) and index_run(db, run)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    _, points = read_index(db)
    series = {p["series"]: p for p in points}
    assert series["physics.count"]["value"] == pytest.approx(0.9) and series["physics.count"]["kind"] == "check"
    assert series["physics: all checks"]["scope"] == "group" and "family count: all checks" in series
    assert series["temporal.flicker"]["higher_is_better"] == 0
    unfinished = make_run(
        tmp_path / "runs" / "x", [make_row("p", 0, "count", "physics.count", 1.0, "pass")], status="partial"
    )
    assert not index_run(db, unfinished)


WRITER = """
import sys
from pathlib import Path
import time
from reports.history_index import index_run
db, start = sys.argv[1], float(sys.argv[2])
while time.time() < start:
    time.sleep(0.005)
for run in sys.argv[3:]:
    index_run(db, run)
print("ok")
"""


def test_runs_finishing_at_once_lose_nothing(tmp_path: Path) -> None:
    """Six processes index four runs each into one database at the same moment."""
    runs = [nightly(tmp_path / "runs", f"r{i:02d}", 1 + i % 28, 0.5 + 0.02 * i) for i in range(24)]
    db = tmp_path / "shared.sqlite"
    start = time.time() + 3.0
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(start), *map(str, runs[k::6])], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k in range(6)
    ]  # fmt: skip
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outs]
    got, points = read_index(db)
    assert sorted(r["run_id"] for r in got) == sorted(r.name for r in runs)
    assert len(points) == 24 * len({p["series"] for p in points})  # every run has every series


def test_change_point_names_the_run_where_the_step_happened() -> None:
    rng = np.random.default_rng(0)
    values = list(0.9 + rng.normal(0, 0.01, 8)) + list(0.6 + rng.normal(0, 0.01, 4))
    ids = [f"run{i}" for i in range(12)]
    lo, hi = [v - 0.05 for v in values], [v + 0.05 for v in values]
    (step,) = detect(values, lo, hi, ids, True, 0.05, relative=False)
    assert (step.index, step.run_id, step.verdict) == (8, "run8", "regression")
    assert step.before == pytest.approx(0.9, abs=0.01) and step.after == pytest.approx(0.6, abs=0.01)
    flat = list(0.9 + rng.normal(0, 0.02, 12))
    assert detect(flat, [v - 0.1 for v in flat], [v + 0.1 for v in flat], ids, True, 0.05, relative=False) == []
    # a step at the latest run is found the night it happens; lower-is-better makes a drop an improvement
    last = [0.9] * 6 + [0.5]
    (s,) = detect(last, [v - 0.05 for v in last], [v + 0.05 for v in last], ids[:7], False, 0.05, relative=True)
    assert (s.index, s.verdict) == (6, "improvement")


def test_history_over_runs_writes_the_page_and_flags_the_latest_step(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "runs"
    for day in range(1, 7):
        nightly(root, f"night{day}", day, 0.9)
    nightly(root, "night7", 7, 0.5)
    assert main(["history", str(root), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in doc["runs"]] == [f"night{d}" for d in range(1, 8)]
    steps = {s["series"]: s for s in doc["latest_steps"]}
    assert steps["physics.count"]["run_id"] == "night7" and steps["physics.count"]["verdict"] == "regression"
    assert "temporal.flicker" not in steps  # it did not move
    html = (root / "history.html").read_text()
    assert "regression at night7" in html and html.count('class="card series"') == len(doc["series"])
    assert 'href="night1/report.html"' in html  # each point links to its run's report
    assert main(["history", str(root), "--fail-on-regression"]) == 1
    assert main(["history", str(root / "history.sqlite"), "--out", str(tmp_path / "o")]) == 0  # from the index alone
    assert (tmp_path / "o" / "history.html").is_file()


def test_a_protocol_change_starts_a_new_series(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    for day in range(1, 4):
        nightly(root, f"old{day}", day, 0.9)
    for day in range(4, 7):
        nightly(root, f"new{day}", day, 0.5, protocols=[{**CHECK, "min_run": 3}, SCORE])
    doc, _ = build_history(root)
    counts = [s for s in doc["series"] if s["series"] == "physics.count"]
    assert len(counts) == 2 and all(len(s["points"]) == 3 and s["steps"] == [] for s in counts)


def test_without_ruptures_history_says_why_there_are_no_change_points(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(changepoints, "library", lambda: None)
    monkeypatch.setattr("reports.history.library", lambda: None)
    root = tmp_path / "runs"
    for day in range(1, 5):
        nightly(root, f"n{day}", day, 0.9 if day < 4 else 0.4)
    doc, path = build_history(root)
    assert all(s["steps"] == [] for s in doc["series"]) and "install ruptures" in doc["changepoints"]
    assert "install ruptures" in path.read_text()


def test_bad_roots_are_one_line_errors(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["history", str(tmp_path / "nope")]) == 2
    assert "nope: no such folder of runs or history index" in capsys.readouterr().err
    (tmp_path / "junk.sqlite").write_text("not a database at all, just text " * 100)
    assert main(["history", str(tmp_path / "junk.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "junk.sqlite: not a usable history index" in err and err.count("\n") == 1
    assert not (tmp_path / "nope").exists()
