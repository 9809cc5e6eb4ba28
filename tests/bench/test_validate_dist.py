"""``t2vbench validate --distances`` on a tiny suite: every condition scored, gates and documents
written (the nightly figures are in README; N = 3 here says nothing about the gates' outcome)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.validate_dist import CONDITIONS, DistValidateConfig, gates, validate_distances

SMALL = {"num_frames": 8, "height": 64, "width": 64, "fps": 8.0}


def test_every_condition_is_scored_against_the_clean_reference(tiny_suite: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cfg = DistValidateConfig(suite=str(tiny_suite), seeds=2, n_boot=20, out=tmp_path / "out", video=SMALL)
    doc = validate_distances(cfg)
    assert set(doc["conditions"]) == set(CONDITIONS)
    assert doc["conditions"]["clean"]["faulty_share"] == 0 and doc["conditions"]["rate=1"]["faulty_share"] > 0.5
    for r in doc["conditions"].values():
        assert r["clips"] == 6 and {"dist.fvd", "dist.kvd", "dist.motion"} <= set(r)
    assert len(doc["gates"]) == 7 and doc["passed"] == all(g["passed"] for g in doc["gates"].values())
    assert doc["timing"]["reference_cached_s"] < doc["timing"]["reference_s"]
    saved = json.loads((tmp_path / "out" / "validate_dist.json").read_text())
    assert saved["protocols"]["dist.fvd"]["features"]["backbone"] == "tiny"
    assert "| temporal |" in (tmp_path / "out" / "validate_dist.md").read_text()


def row(value: float, floor: float = 1.0, ci: tuple[float, float] = (0.5, 1.5)) -> dict:
    return {"value": value, "floor": floor, "floor_ci95": list(ci), "over_floor": value / floor}


@pytest.mark.parametrize("broken", ["clean", "rate", "motion"])
def test_gates_fail_when_a_claim_does_not_hold(broken: str) -> None:
    good = {"clean": 1.0, "rate=0.3": 2.0, "rate=1": 3.0, "severity=0.5": 2.5, "severity=2": 4.0}
    vals = dict(good, clean=0.2) if broken == "clean" else dict(good)  # below the floor CI [0.5, 1.5]
    if broken == "rate":
        vals["rate=0.3"] = 0.9
    res = {c: {n: row(v) for n in ("dist.fvd", "dist.kvd", "dist.motion")} for c, v in vals.items()}
    res["temporal"] = {n: row(3.0 if broken != "motion" else 1.0) for n in ("dist.fvd", "dist.kvd", "dist.motion")}
    res["appearance"] = {n: row(2.0) for n in ("dist.fvd", "dist.kvd", "dist.motion")}
    failed = [g for g, v in gates(res).items() if not v["passed"]]
    want = {
        "clean": ["dist.fvd: clean within the floor's CI", "dist.kvd: clean within the floor's CI"],
        "rate": ["dist.fvd: grows with fault rate 0, 0.3, 1", "dist.kvd: grows with fault rate 0, 0.3, 1"],
        "motion": ["dist.motion: temporal faults rise more over the floor than recolor"],
    }[broken]
    assert failed == want


def test_the_command_prints_the_table_and_exits_by_the_gates(
    tiny_suite: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    from bench.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    out = tmp_path / "v"
    code = main(
        ["validate", "--distances", "--suite", str(tiny_suite), "--seeds", "1", "--n-boot", "5", "--out", str(out)]
    )
    doc = json.loads((out / "validate_dist.json").read_text())
    assert code == (0 if doc["passed"] else 1)
    assert "# Distances validated" in capsys.readouterr().out
    assert main(["validate", "--distances", "--seeds", "0", "--out", str(out)]) == 2
