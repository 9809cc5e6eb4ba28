from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.cli import main
from bench.validate import ValidateConfig, physics_checks, validate
from bench.validate_score import Job, Outcome, matches, responsible, score
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
    from metrics.physics.permanence import PermanenceCheck

    monkeypatch.setattr(PermanenceCheck, "score", lambda self, clip: ClipResult(verdict="pass"))
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
    prompt = {
        "id": "p",
        "text": "t",
        "family": "count",
        "expect": {"objects": [{"id": "marble", "noun": "marble", "count": 1}]},
    }
    job = Job(prompt, 0, kind, fault, 1.0)
    return Outcome(job, labels, {"m1": "marble"}, verdicts, events, num_frames=16)


def test_event_matching_and_scoring_rules() -> None:
    lab = {"type": "vanish", "object": "m1", "start_frame": 8, "end_frame": 15, "severity": 1.0}
    near = {"type": "vanish", "frame": 10, "object": "marble#2"}
    assert matches(near, lab, {"m1": "marble"}, 2)
    assert not matches({**near, "frame": 11}, lab, {"m1": "marble"}, 2)
    assert not matches({**near, "object": "ball"}, lab, {"m1": "marble"}, 2)
    names = ["physics.permanence"]
    hit = _outcome("fault", "vanish", [lab], {"physics.permanence": [near]}, {"physics.permanence": "fail"})
    miss = _outcome(
        "fault", "vanish", [lab], {"physics.permanence": [{**near, "frame": 2}]}, {"physics.permanence": "fail"}
    )
    clean_ok = _outcome("clean", "", [], {"physics.permanence": []}, {"physics.permanence": "pass"})
    clean_bad = _outcome(
        "clean", "", [], {"physics.permanence": [{**near, "frame": 3}]}, {"physics.permanence": "fail"}
    )
    checks = physics_checks()
    res = score([hit, miss, clean_ok, clean_bad], checks, 2, 1.0)
    c = res["checks"][names[0]]
    assert c["recall"] == 0.5  # one of two vanishes caught at the right frame
    assert c["precision"] == pytest.approx(1 / 3)  # one right event out of three
    assert c["false_alarms_per_100"] == 50.0  # one of two clean clips failed
    # a prompt that promises no objects gives permanence nothing to verify: its clip is not counted
    bare = Outcome(Job({"id": "q", "text": "t", "family": "count"}, 0, "fault", "vanish", 1.0), [lab], {}, {}, {}, 16)
    assert score([hit, bare], checks, 2, 1.0)["checks"][names[0]]["fault_clips"] == 1


def test_validate_asks_the_checks_what_they_catch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Responsibility and gates come from the checks themselves: changing a check changes them."""
    from metrics.physics.spatial import SpatialCheck

    resp = responsible(physics_checks())
    assert resp["vanish"] == ("physics.count", "physics.permanence") and resp["mirror"] == ("physics.spatial",)
    assert {c.name: c.gate for c in physics_checks()}["physics.shape"] == 0.90
    monkeypatch.setattr(SpatialCheck, "faults", ("mirror", "teleport"))
    assert responsible(physics_checks())["teleport"] == ("physics.permanence", "physics.spatial")


def test_causal_applies_only_to_state_changes() -> None:
    """A prompt with only a contact gives the causal check nothing to verify (validate agrees)."""
    from prompts import Expect

    causal = next(c for c in physics_checks() if c.name == "physics.causal")
    objects = [{"id": "a", "noun": "hammer", "color": "red"}, {"id": "b", "noun": "cup", "color": "blue"}]
    contact = {"type": "contact", "subject": "a", "object": "b"}
    change = {"type": "state_change", "object": "b", "after": "contact", "change": "color", "to": "black"}
    assert not causal.applicable(Expect.model_validate({"objects": objects, "events": [contact]}))
    assert causal.applicable(Expect.model_validate({"objects": objects, "events": [contact, change]}))


def test_validate_at_another_format(tiny_suite: Path, tmp_path: Path) -> None:
    """The same scenes at 12 fps and 96x160 (16:10): the fault is caught, the tolerance is the
    same 0.25 s (3 frames), and the report says which format it measured."""
    from bench.formats import parse_format

    res = validate(cfg(tiny_suite, tmp_path / "v", format=parse_format("24x96x160@12")))
    perm = res["checks"]["physics.permanence"]
    assert perm["recall"] == 1.0 and perm["false_alarms_per_100"] == 0.0
    assert res["protocol"]["format"] == {"name": "24x96x160@12", "spec": "24x96x160@12"}
    assert res["protocol"]["tolerance_frames"] == 3
    cpu = res["timing"]["cpu_s_per_clip"]
    assert cpu["observation"] > 0 and perm["cpu_s_per_clip"] == cpu["physics.permanence"] >= 0


def test_validate_formats_writes_one_table(
    tiny_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["validate", "--suite", str(tiny_suite), "--out", str(tmp_path / "v"), "--seeds", "1", "--severities", "1"]
    argv += ["--per-fault", "1", "--faults", "vanish", "--workers", "1", "--formats", "tiny,20x64x112@10"]
    assert main(argv) == 1  # most checks unmeasured, as at one format
    table = json.loads((tmp_path / "v" / "validate.json").read_text())
    assert list(table["formats"]) == ["tiny", "20x64x112@10"]
    for name in table["formats"]:
        assert (tmp_path / "v" / name / "validate.json").is_file()  # each format's own report
        assert table["formats"][name]["checks"]["physics.permanence"]["recall"] == 1.0
    md = (tmp_path / "v" / "validate.md").read_text()
    assert "`20x64x112@10`" in md and "`physics.count`" in md and " / " in md
    assert "20x64x112@10" in capsys.readouterr().out


@pytest.mark.parametrize("option", ["--format", "--formats"])
def test_a_bad_format_is_a_usage_error(option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--out", str(tmp_path / "v"), option, "81x480"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--format" in err[0] and "TxHxW@FPS" in err[0]
    assert main(["validate", "--out", str(tmp_path / "v"), "--format", "wann"]) == 2
    assert "did you mean 'wan'" in capsys.readouterr().err
