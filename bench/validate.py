"""``t2vbench validate``: measure the physics checks on labelled faults, clean clips and legal events.

Every clip is rendered by the reference world, encoded as H.264 and decoded, then scored by every
physics check through the chosen observation backend. Per check it reports event-level recall and
precision (an event matches an injected fault of a type the check is responsible for when it lands
within ``tolerance`` frames of the fault's first frame, on the same object), false alarms per 100
clean or legal clips, which checks react to which fault types (the confusion matrix), and two
metamorphic invariants: a horizontal flip swaps left/right verdicts, and a time reversal swaps
vanish and spawn. Gates decide the exit code.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.files import atomic_write_json
from bench.video import read_video, write_video
from metrics.base import Clip
from metrics.registry import build_metric, resolve_metrics
from prompts import Prompt, load_suite

#: Which check must catch each fault (the world's fault names -> physics checks).
RESPONSIBLE: dict[str, tuple[str, ...]] = {
    "vanish": ("physics.permanence", "physics.count"),
    "spawn": ("physics.permanence", "physics.count"),
    "merge": ("physics.permanence", "physics.count"),
    "split": ("physics.permanence", "physics.count"),
    "duplicate": ("physics.permanence", "physics.count"),
    "teleport": ("physics.permanence",),
    "mirror": ("physics.spatial",),
    "reverse": ("physics.direction",),
    "camera_reverse": ("physics.camera",),
    "recolor": ("physics.shape",),
    "morph": ("physics.shape",),
    "resize": ("physics.shape",),
    "flip": ("physics.shape",),
    "no_effect": ("physics.causal",),
    "early_effect": ("physics.causal",),
    "revert": ("physics.causal",),
    "gravity": ("physics.kinematics",),
    "speed": ("physics.kinematics",),
    "freeze": ("physics.kinematics",),
}

#: Recall and precision each check must reach; false alarms allowed per 100 clean/legal clips.
GATES: dict[str, float] = {
    "physics.permanence": 0.95,
    "physics.count": 0.95,
    "physics.spatial": 0.95,
    "physics.direction": 0.95,
    "physics.camera": 0.95,
    "physics.shape": 0.90,
    "physics.causal": 0.90,
    "physics.kinematics": 0.90,
}
MAX_FALSE_ALARMS_PER_100 = 1.0


@dataclass
class ValidateConfig:
    suite: str = "core"
    seeds: int = 2
    severities: tuple[float, ...] = (0.5, 1.0, 2.0)
    default_severity: float = 1.0
    per_fault: int = 40  # clips per fault and severity at most
    tolerance: int = 2
    backend: str = "color"
    crf: int = 18
    workers: int = 0  # 0: one per core
    out: Path = Path("runs/validate")
    faults: tuple[str, ...] = ()  # empty: every fault the world has


@dataclass
class Job:
    prompt: dict[str, Any]
    seed: int
    kind: str  # clean | fault
    fault: str = ""
    severity: float = 1.0
    target: str | None = None  # the scene object the fault must hit (one the prompt expects)


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


def _mirror_expect(expect: dict[str, Any]) -> dict[str, Any]:
    """The expectation of a left-right mirrored clip: left_of <-> right_of, left <-> right."""
    swap = {
        "left_of": "right_of",
        "right_of": "left_of",
        "left": "right",
        "right": "left",
        "pan_left": "pan_right",
        "pan_right": "pan_left",
    }
    out = dict(expect)
    out["relations"] = [{**r, "relation": swap.get(r["relation"], r["relation"])} for r in expect.get("relations", [])]
    out["motion"] = [{**m, "direction": swap.get(m["direction"], m["direction"])} for m in expect.get("motion", [])]
    if expect.get("camera"):
        out["camera"] = swap.get(expect["camera"], expect["camera"])
    return out


def run_job(job: Job, cfg: ValidateConfig, workdir: str) -> Outcome:
    """Render, encode, decode and score one clip (and its metamorphic variants)."""
    from model import get_generator

    t0 = time.perf_counter()
    prompt = Prompt.model_validate(job.prompt)
    spec = "reference:profile=clean"
    if job.kind == "fault":
        spec = f"reference:faults={job.fault},rate=1,severity={job.severity}"
        spec += f",object={job.target}" if job.target else ""
    video = get_generator(spec).generate(prompt, seed=job.seed)
    path = Path(workdir) / f"{os.getpid()}.mp4"
    frames = read_video(write_video(path, video, crf=cfg.crf)).frames
    metrics = [build_metric(n, backend=cfg.backend) for n in resolve_metrics("physics.*")]
    clip = Clip(frames, video.fps, prompt, video.metadata)
    verdicts, events = {}, {}
    for m in metrics:
        r = m.score(clip)
        verdicts[m.name] = r.verdict
        events[m.name] = [e.to_dict() for e in r.events]
    groups = {o["id"]: o["group"] for o in video.metadata["truth"]["objects"]}
    out = Outcome(job, video.metadata["faults"], groups, verdicts, events, num_frames=len(frames))
    exp = job.prompt.get("expect") or {}
    lr = [r for r in exp.get("relations", []) if r["relation"] in ("left_of", "right_of")]
    if job.kind == "clean" and lr:
        mirrored = Prompt.model_validate({**job.prompt, "expect": _mirror_expect(exp)})
        flipped = Clip(np.ascontiguousarray(frames[:, :, ::-1]), video.fps, mirrored, {})
        out.flip = {"physics.spatial": build_metric("physics.spatial", backend=cfg.backend).score(flipped).verdict}
    if job.kind == "fault" and job.fault in ("vanish", "spawn"):
        rev = Clip(np.ascontiguousarray(frames[::-1]), video.fps, prompt, {})
        r = build_metric("physics.permanence", backend=cfg.backend).score(rev)
        out.reverse = {"physics.permanence": [e.to_dict() for e in r.events]}
    out.seconds = time.perf_counter() - t0
    return out


def plan(cfg: ValidateConfig) -> list[Job]:
    """Clean clips of every prompt and seed; for each fault and severity, up to ``per_fault``
    prompt/seed pairs where the world can apply it."""
    from model.reference import ReferenceGenerator
    from model.world.faults import FAULTS

    suite = load_suite(cfg.suite)
    prompts = [p for p in suite.prompts if p.expect is not None and p.family != "showcase"]
    jobs = [Job(p.model_dump(mode="json", by_alias=True), s, "clean") for p in prompts for s in range(cfg.seeds)]
    names = cfg.faults or tuple(n for n in FAULTS.names() if n in RESPONSIBLE)
    for name in names:
        for sev in cfg.severities:
            # a sample of its own per fault and severity: the same whichever other faults run
            rng = np.random.default_rng(list(f"{name}@{sev}".encode()))
            gen = ReferenceGenerator(faults=name, rate=1.0, severity=sev)
            order = rng.permutation(len(prompts) * cfg.seeds)
            picked = 0
            for k in order:
                if picked >= cfg.per_fault:
                    break
                p, s = prompts[k // cfg.seeds], int(k % cfg.seeds)
                target = _target(gen, p, s, rng)
                if target is None:
                    continue
                jobs.append(Job(p.model_dump(mode="json", by_alias=True), s, "fault", name, sev, target))
                picked += 1
    return jobs


def _target(gen: Any, prompt: Prompt, seed: int, rng: np.random.Generator) -> str | None:
    """An object the world can hit with the generator's fault on this prompt and seed, that the
    prompt expects (a fault on an object nobody asked about is invisible to every check), where a
    check responsible for the fault has something to verify; None when there is none."""
    (name,) = gen.plan
    cands = gen.fault_candidates(prompt, seed).get(name, {})
    exp = prompt.expect
    needs = {
        "physics.spatial": bool(exp.relations),
        "physics.direction": bool(exp.motion),
        "physics.camera": exp.camera is not None,
        "physics.causal": bool(exp.events),
        "physics.kinematics": bool(exp.kinematics),
    }
    if not any(needs.get(c, bool(exp.objects)) for c in RESPONSIBLE[name]):
        return None
    expected = {o.id for o in exp.objects}
    groups = {o.id: o.group_id for o in gen.scene(prompt, seed).objects}
    ok = sorted(obj for obj in cands if obj == "camera" or groups.get(obj) in expected)
    return ok[int(rng.integers(len(ok)))] if ok else None


def _verifiable(prompt: dict[str, Any], check: str) -> bool:
    """Whether the prompt's ``expect`` gives ``check`` something to verify."""
    exp = prompt.get("expect") or {}
    need = {
        "physics.spatial": "relations",
        "physics.direction": "motion",
        "physics.camera": "camera",
        "physics.causal": "events",
        "physics.kinematics": "kinematics",
    }.get(check, "objects")
    return bool(exp.get(need))


def _matches(ev: dict[str, Any], label: dict[str, Any], groups: dict[str, str], tol: int) -> bool:
    if abs(int(ev["frame"]) - int(label["start_frame"])) > tol:
        return False
    if ev.get("object") is None or label.get("object") in (None, "camera"):
        return True
    hit = {groups.get(o, o) for o in (label["object"], label.get("partner")) if o}  # two-object faults
    return ev["object"].split("#")[0] in hit


def score(outcomes: list[Outcome], cfg: ValidateConfig) -> dict[str, Any]:
    """Recall, precision, false alarms, confusion and invariants per check, with gate results."""
    checks = sorted(GATES)
    tol = cfg.tolerance
    res: dict[str, Any] = {"checks": {}, "confusion": {}, "severity": {}, "invariants": {}}
    clean = [o for o in outcomes if o.job.kind == "clean"]
    faulty = [o for o in outcomes if o.job.kind == "fault"]
    default = [o for o in faulty if o.job.severity == cfg.default_severity]
    for c in checks:
        resp = {f for f, cs in RESPONSIBLE.items() if c in cs}
        # every faulty clip whose prompt gives this check something to verify: an n/a there (the
        # check could not observe what the prompt promised) is a miss, not an excuse
        mine = [o for o in default if o.job.fault in resp and _verifiable(o.job.prompt, c)]
        hit = sum(
            any(_matches(e, lab, o.groups, tol) for e in o.events.get(c, []) for lab in o.labels if lab["type"] in resp)
            for o in mine
        )
        # precision over clips that are clean or carry a fault this check must catch; how checks
        # react to other faults (a vanished object cannot move right) is the confusion matrix
        all_events = [(o, e) for o in clean + mine for e in o.events.get(c, [])]
        good = sum(
            any(_matches(e, lab, o.groups, tol) for lab in o.labels if lab["type"] in resp) for o, e in all_events
        )
        decided = [o for o in clean if o.verdicts.get(c) not in (None, "n/a")]
        alarms = sum(o.verdicts.get(c) == "fail" for o in decided)
        recall = hit / len(mine) if mine else None
        precision = good / len(all_events) if all_events else None
        fa100 = 100.0 * alarms / len(decided) if decided else None
        gate = GATES[c]
        ok = (recall is None or recall >= gate) and (precision is None or precision >= gate)
        ok = ok and (fa100 is None or fa100 <= MAX_FALSE_ALARMS_PER_100)
        res["checks"][c] = {
            "recall": recall,
            "precision": precision,
            "fault_clips": len(mine),
            "events": len(all_events),
            "false_alarms_per_100": fa100,
            "clean_clips": len(decided),
            "gate": gate,
            "passed": bool(ok and mine),
            "measured": bool(mine),
        }
    for f in sorted({o.job.fault for o in faulty}):
        rows = [o for o in default if o.job.fault == f]
        res["confusion"][f] = {
            "clips": len(rows),
            **{c: (sum(o.verdicts.get(c) == "fail" for o in rows) / len(rows) if rows else None) for c in checks},
        }
        res["severity"][f] = {}
        for sev in sorted({o.job.severity for o in faulty if o.job.fault == f}):
            sel = [o for o in faulty if o.job.fault == f and o.job.severity == sev]
            caught = [
                any(
                    _matches(e, lab, o.groups, tol)
                    for c in RESPONSIBLE[f]
                    for e in o.events.get(c, [])
                    for lab in o.labels
                )
                for o in sel
            ]
            res["severity"][f][str(sev)] = sum(caught) / len(caught) if caught else None
    flips = [o for o in clean if o.flip]
    held = [o.flip["physics.spatial"] == o.verdicts["physics.spatial"] for o in flips]
    res["invariants"]["hflip_swaps_left_right"] = {"cases": len(held), "held": sum(held) / len(held) if held else None}
    revs = [o for o in default if o.reverse and o.labels]
    swapped = []
    for o in revs:
        lab = o.labels[0]
        want = "spawn" if lab["type"] == "vanish" else "vanish"
        # reversed, the frames from start_frame on come first: the incident lands at T - start_frame
        frame = o.num_frames - int(lab["start_frame"])
        swapped.append(
            any(e["type"] == want and abs(e["frame"] - frame) <= tol for e in o.reverse["physics.permanence"])
        )
    res["invariants"]["time_reversal_swaps_vanish_spawn"] = {
        "cases": len(swapped),
        "held": sum(swapped) / len(swapped) if swapped else None,
    }
    all_clean = [o for o in clean if any(v == "fail" for v in o.verdicts.values())]
    res["overall"] = {
        "clean_clips": len(clean),
        "fault_clips": len(faulty),
        "clips_with_any_false_alarm_per_100": 100.0 * len(all_clean) / len(clean) if clean else None,
        "passed": all(v["passed"] for v in res["checks"].values()),
    }
    return res


def _iter_outcomes(jobs: list[Job], cfg: ValidateConfig, workdir: str) -> Iterator[Outcome]:
    workers = cfg.workers or os.cpu_count() or 1
    if workers <= 1:
        for j in jobs:
            yield run_job(j, cfg, workdir)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(run_job, jobs, [cfg] * len(jobs), [workdir] * len(jobs), chunksize=4)


def validate(cfg: ValidateConfig) -> dict[str, Any]:
    """Run the whole validation; writes ``validate.json`` (and the clip outcomes) under ``cfg.out``."""
    import tempfile

    from tqdm import tqdm

    t0 = time.perf_counter()
    jobs = plan(cfg)
    cfg.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="t2v-validate-") as work:
        outcomes = list(tqdm(_iter_outcomes(jobs, cfg, work), total=len(jobs), desc="t2vbench validate", disable=None))
    result = score(outcomes, cfg)
    result["protocol"] = {
        "suite": cfg.suite,
        "suite_sha256": load_suite(cfg.suite).sha256,
        "seeds": cfg.seeds,
        "severities": list(cfg.severities),
        "default_severity": cfg.default_severity,
        "tolerance_frames": cfg.tolerance,
        "backend": cfg.backend,
        "crf": cfg.crf,
        "per_fault": cfg.per_fault,
        "gates": GATES,
        "max_false_alarms_per_100": MAX_FALSE_ALARMS_PER_100,
        "responsible": RESPONSIBLE,
    }
    result["timing"] = {
        "wall_s": time.perf_counter() - t0,
        "clip_seconds_median": float(np.median([o.seconds for o in outcomes])),
    }
    atomic_write_json(cfg.out / "validate.json", result)
    atomic_write_json(
        cfg.out / "outcomes.json",
        [
            {
                "prompt_id": o.job.prompt["id"],
                "seed": o.job.seed,
                "kind": o.job.kind,
                "fault": o.job.fault,
                "severity": o.job.severity,
                "labels": o.labels,
                "verdicts": o.verdicts,
                "events": o.events,
            }
            for o in outcomes
        ],
        indent=None,
    )
    return result
