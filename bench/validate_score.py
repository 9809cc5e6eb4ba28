"""Scoring ``t2vbench validate``: from clip outcomes to recall, precision, false alarms,
confusion, detection by severity and the metamorphic invariants, with each check's gate.

Each physics check says which faults it must catch (``faults``), what it applies to
(``applicable``) and its gate; nothing here keeps a copy of those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from metrics.physics.base import PhysicsCheck
from prompts import Expect

MAX_FALSE_ALARMS_PER_100 = 1.0


@dataclass
class Job:
    prompt: dict[str, Any]
    seed: int
    kind: str  # clean | fault
    fault: str = ""
    severity: float = 1.0
    target: str | None = None  # the scene object the fault must hit (one the prompt expects)

    @cached_property
    def expect(self) -> Expect | None:
        exp = self.prompt.get("expect")
        return Expect.model_validate(exp) if exp is not None else None


@dataclass
class Outcome:
    job: Job
    labels: list[dict[str, Any]]
    groups: dict[str, str]  # scene object id -> expect group
    verdicts: dict[str, str | None]
    events: dict[str, list[dict[str, Any]]]
    flip: dict[str, str | None] = field(default_factory=dict)  # verdicts on the mirrored clip
    reverse: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # permanence on the reversed clip
    seconds: float = 0.0
    num_frames: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds: observation, each check


def responsible(checks: list[PhysicsCheck]) -> dict[str, tuple[str, ...]]:
    """Fault type -> the checks that must catch it (from each check's ``faults``)."""
    out: dict[str, tuple[str, ...]] = {}
    for c in sorted(checks, key=lambda c: c.name):
        for f in c.faults:
            out[f] = (*out.get(f, ()), c.name)
    return out


def matches(ev: dict[str, Any], label: dict[str, Any], groups: dict[str, str], tol: int) -> bool:
    """An event matches a label within ``tol`` frames of its start, on the labelled object, its
    partner (merge and mirror involve two) or no object (camera)."""
    if abs(int(ev["frame"]) - int(label["start_frame"])) > tol:
        return False
    if ev.get("object") is None or label.get("object") in (None, "camera"):
        return True
    hit = {groups.get(o, o) for o in (label["object"], label.get("partner")) if o}
    return ev["object"].split("#")[0] in hit


def _caught(o: Outcome, events: list[dict[str, Any]], faults: set[str] | None, tol: int) -> bool:
    """Some event matches some label (of ``faults``, or any)."""
    labels = [lab for lab in o.labels if faults is None or lab["type"] in faults]
    return any(matches(e, lab, o.groups, tol) for e in events for lab in labels)


def check_figures(check: PhysicsCheck, clean: list[Outcome], default: list[Outcome], tol: int) -> dict[str, Any]:
    """Recall, precision and false alarms of one check, and whether it passes its gate.

    Recall: faulty clips (default severity) of a fault it must catch whose prompt gives it
    something to verify, with a matching event (an ``n/a`` there is a miss). Precision: the share
    of its events that match, over clean clips and those faulty ones (how it reacts to *other*
    faults is the confusion matrix). False alarms: clean clips it fails, per 100 decided.
    """
    c, resp = check.name, set(check.faults)
    mine = [o for o in default if o.job.fault in resp and o.job.expect is not None and check.applicable(o.job.expect)]
    hit = sum(_caught(o, o.events.get(c, []), resp, tol) for o in mine)
    events = [(o, e) for o in clean + mine for e in o.events.get(c, [])]
    good = sum(_caught(o, [e], resp, tol) for o, e in events)
    decided = [o for o in clean if o.verdicts.get(c) not in (None, "n/a")]
    alarms = sum(o.verdicts.get(c) == "fail" for o in decided)
    recall = hit / len(mine) if mine else None
    precision = good / len(events) if events else None
    fa100 = 100.0 * alarms / len(decided) if decided else None
    ok = (recall is None or recall >= check.gate) and (precision is None or precision >= check.gate)
    ok = ok and (fa100 is None or fa100 <= MAX_FALSE_ALARMS_PER_100)
    return {
        "recall": recall,
        "precision": precision,
        "fault_clips": len(mine),
        "events": len(events),
        "false_alarms_per_100": fa100,
        "clean_clips": len(decided),
        "gate": check.gate,
        "passed": bool(ok and mine),
        "measured": bool(mine),
    }


def confusion(faulty: list[Outcome], default: list[Outcome], names: list[str]) -> dict[str, Any]:
    """Per fault type: how often each check fails on its clips (default severity)."""
    out: dict[str, Any] = {}
    for f in sorted({o.job.fault for o in faulty}):
        rows = [o for o in default if o.job.fault == f]
        rate = {c: (sum(o.verdicts.get(c) == "fail" for o in rows) / len(rows) if rows else None) for c in names}
        out[f] = {"clips": len(rows), **rate}
    return out


def by_severity(faulty: list[Outcome], resp: dict[str, tuple[str, ...]], tol: int) -> dict[str, Any]:
    """Per fault and severity: the share of clips where a responsible check caught it."""
    out: dict[str, Any] = {}
    for f in sorted({o.job.fault for o in faulty}):
        out[f] = {}
        for sev in sorted({o.job.severity for o in faulty if o.job.fault == f}):
            sel = [o for o in faulty if o.job.fault == f and o.job.severity == sev]
            caught = [_caught(o, [e for c in resp.get(f, ()) for e in o.events.get(c, [])], None, tol) for o in sel]
            out[f][str(sev)] = sum(caught) / len(caught) if caught else None
    return out


def invariants(clean: list[Outcome], default: list[Outcome], tol: int) -> dict[str, Any]:
    """A horizontal flip keeps the spatial verdict against mirrored expectations; a time-reversed
    vanish is a spawn (and back) at ``T - start_frame``."""
    flips = [o for o in clean if o.flip]
    held = [o.flip["physics.spatial"] == o.verdicts["physics.spatial"] for o in flips]
    swapped = []
    for o in (o for o in default if o.reverse and o.labels):
        lab = o.labels[0]
        want = "spawn" if lab["type"] == "vanish" else "vanish"
        frame = o.num_frames - int(lab["start_frame"])  # reversed, the incident lands here
        swapped.append(
            any(e["type"] == want and abs(e["frame"] - frame) <= tol for e in o.reverse["physics.permanence"])
        )
    return {
        "hflip_swaps_left_right": {"cases": len(held), "held": sum(held) / len(held) if held else None},
        "time_reversal_swaps_vanish_spawn": {
            "cases": len(swapped),
            "held": sum(swapped) / len(swapped) if swapped else None,
        },
    }


def score(outcomes: list[Outcome], checks: list[PhysicsCheck], tol: int, default_severity: float) -> dict[str, Any]:
    """Recall, precision, false alarms, confusion and invariants per check, with gate results."""
    checks = sorted(checks, key=lambda c: c.name)
    clean = [o for o in outcomes if o.job.kind == "clean"]
    faulty = [o for o in outcomes if o.job.kind == "fault"]
    default = [o for o in faulty if o.job.severity == default_severity]
    res: dict[str, Any] = {
        "checks": {c.name: check_figures(c, clean, default, tol) for c in checks},
        "confusion": confusion(faulty, default, [c.name for c in checks]),
        "severity": by_severity(faulty, responsible(checks), tol),
        "invariants": invariants(clean, default, tol),
    }
    any_alarm = [o for o in clean if any(v == "fail" for v in o.verdicts.values())]
    res["overall"] = {
        "clean_clips": len(clean),
        "fault_clips": len(faulty),
        "clips_with_any_false_alarm_per_100": 100.0 * len(any_alarm) / len(clean) if clean else None,
        "passed": all(v["passed"] for v in res["checks"].values()),
    }
    return res
