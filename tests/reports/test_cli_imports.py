"""compare and history, like report, score nothing: they must not import torch, torchmetrics or
transformers (their import time is what users wait for; benchmarks/bench_startup.py times them)."""

from __future__ import annotations

from pathlib import Path

from tests.bench.test_startup import imported_by
from tests.reports.rundirs import check_rows, make_run


def test_compare_and_history_import_no_network_library(tmp_path: Path) -> None:
    a = make_run(tmp_path / "runs" / "a", check_rows({"p0": "pass", "p1": "pass"}))
    b = make_run(tmp_path / "runs" / "b", check_rows({"p0": "fail", "p1": "pass"}), created="2026-01-02T00:00:00+00:00")
    assert imported_by("compare", str(a), str(b), "--out", str(tmp_path / "c")) == {"code": 0, "heavy": []}
    assert imported_by("history", str(tmp_path / "runs")) == {"code": 0, "heavy": []}
