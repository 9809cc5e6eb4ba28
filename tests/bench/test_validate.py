from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.cli import main
from bench.validate import Job, Outcome, ValidateConfig, _matches, score, validate
from metrics.base import ClipResult
from reports.validate import build_validate_report
from tests.conftest import SMOKE_IDS


def cfg(tiny_suite: Path, out: Path, **kw: Any) -> ValidateConfig:
    base = {
        "suite": str(tiny_suite),
        "seeds": 1,
        "severities": (1.0,),
        "per_fault": 3,
        "workers": 1,
        "out": out,
        "faults": ("vanish",),
    }
    return ValidateConfig(**{**base, **kw})


def test_validate_measures_and_writes(tiny_suite: Path, tmp_path: Path) -> None:
    res = validate(cfg(tiny_suite, tmp_path / "v"))
    perm = res["checks"]["physics.permanence"]
    assert perm["fault_clips"] == 3 and perm["recall"] == 1.0 and perm["precision"] == 1.0
    assert perm["false_alarms_per_100"] == 0.0 and perm["passed"]
    assert res["overall"]["clean_clips"] == len(SMOKE_IDS)
    assert not res["overall"]["passed"]  # the checks no fault exercised are not measured, so no pass
    assert not res["checks"]["physics.camera"]["measured"]
    assert res["confusion"]["vanish"]["physics.permanence"] == 1.0
    assert res["protocol"]["tolerance_frames"] == 2 and res["protocol"]["backend"] == "color"
    on_disk = json.loads((tmp_path / "v" / "validate.json").read_text())
    assert on_disk["checks"]["physics.permanence"]["recall"] == 1.0
    md = build_validate_report(tmp_path / "v").read_text()
    assert "physics.permanence" in md and "| 1.000 | 1.000 |" in md


def test_a_blind_check_fails_its_gate(tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from metrics.physics.permanence import PhysicsPermanence

    monkeypatch.setattr(PhysicsPermanence, "score", lambda self, clip: ClipResult(verdict="pass"))
    res = validate(cfg(tiny_suite, tmp_path / "v"))
    assert res["checks"]["physics.permanence"]["recall"] == 0.0
    assert not res["checks"]["physics.permanence"]["passed"]


def test_cli_exits_1_when_a_gate_fails(tiny_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["validate", "--suite", str(tiny_suite), "--out", str(tmp_path / "v"), "--seeds", "1", "--severities", "1"]
    argv += ["--per-fault", "2", "--faults", "vanish", "--workers", "1"]
    assert main(argv) == 1  # only vanish was injected: most checks stay unmeasured
    out = capsys.readouterr().out
    assert "physics.permanence" in out and "pass" in out and "not measured" in out


def _outcome(
    kind: str, fault: str, labels: list[dict], events: dict[str, list[dict]], verdicts: dict[str, str]
) -> Outcome:
    prompt = {"id": "p", "text": "t", "family": "count", "expect": {"objects": [{"class": "marble", "count": 1}]}}
    job = Job(prompt, 0, kind, fault, 1.0)
    return Outcome(job, labels, {"m1": "marble"}, verdicts, events, num_frames=16)


def test_event_matching_and_scoring_rules() -> None:
    lab = {"type": "vanish", "object": "m1", "start_frame": 8, "end_frame": 15, "severity": 1.0}
    near = {"type": "vanish", "frame": 10, "object": "marble#2"}
    assert _matches(near, lab, {"m1": "marble"}, 2)
    assert not _matches({**near, "frame": 11}, lab, {"m1": "marble"}, 2)
    assert not _matches({**near, "object": "ball"}, lab, {"m1": "marble"}, 2)
    names = ["physics.permanence"]
    hit = _outcome("fault", "vanish", [lab], {"physics.permanence": [near]}, {"physics.permanence": "fail"})
    miss = _outcome(
        "fault", "vanish", [lab], {"physics.permanence": [{**near, "frame": 2}]}, {"physics.permanence": "fail"}
    )
    clean_ok = _outcome("clean", "", [], {"physics.permanence": []}, {"physics.permanence": "pass"})
    clean_bad = _outcome(
        "clean", "", [], {"physics.permanence": [{**near, "frame": 3}]}, {"physics.permanence": "fail"}
    )
    res = score([hit, miss, clean_ok, clean_bad], ValidateConfig())
    c = res["checks"][names[0]]
    assert c["recall"] == 0.5  # one of two vanishes caught at the right frame
    assert c["precision"] == pytest.approx(1 / 3)  # one right event out of three
    assert c["false_alarms_per_100"] == 50.0  # one of two clean clips failed
    # a prompt that promises no objects gives permanence nothing to verify: its clip is not counted
    bare = Outcome(Job({"id": "q", "text": "t", "family": "count"}, 0, "fault", "vanish", 1.0), [lab], {}, {}, {}, 16)
    assert score([hit, bare], ValidateConfig())["checks"][names[0]]["fault_clips"] == 1
