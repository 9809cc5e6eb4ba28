"""Commands that score nothing import no network library (their import time is what users wait
for; ``benchmarks/bench_startup.py`` measures the seconds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.runner import RunConfig, run

HEAVY = ("torch", "torchmetrics", "transformers")
PROBE = f"""
import json, sys
from bench.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
print(json.dumps({{"code": code, "heavy": loaded}}))
"""


def imported_by(*argv: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=300)
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("startup") / "run"
    cfg = RunConfig(suite="smoke", out=out, progress=False, num_frames=8, height=64, width=64)
    assert run(cfg).exit_code == 0
    return out


@pytest.mark.parametrize(
    "argv", [("--help",), ("--version",), ("metrics",), ("suites",), ("generators",), ("run", "--help")]
)
def test_listing_commands_import_no_network_library(argv: tuple[str, ...]) -> None:
    got = imported_by(*argv)
    assert got["code"] == 0 and got["heavy"] == []


def test_report_imports_no_network_library(finished_run: Path) -> None:
    got = imported_by("report", str(finished_run))
    assert got["code"] == 0 and got["heavy"] == []


def test_resume_with_nothing_to_do_imports_no_network_library(finished_run: Path) -> None:
    argv = ("run", "--out", str(finished_run), "--resume", "--no-progress", "--frames", "8", "--height", "64")
    got = imported_by(*argv, "--width", "64")
    assert got == {"code": 0, "heavy": []}


def test_the_probe_sees_a_heavy_import() -> None:
    """The probe itself notices torch when a command does import it (so the tests above can fail)."""
    code = PROBE.replace("from bench.cli import main", "import torch\nfrom bench.cli import main")
    proc = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True, text=True, timeout=300)
    assert json.loads(proc.stdout.strip().splitlines()[-1])["heavy"] == ["torch"]
