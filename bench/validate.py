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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.validate_score import MAX_FALSE_ALARMS_PER_100, Job, Outcome, responsible, score
from metrics.base import Clip
from metrics.physics.base import PhysicsCheck
from metrics.registry import build_metric, build_metrics, resolve_metrics
from prompts import Prompt, load_suite
from prompts.mirror import mirror_expect
from t2vbase.files import atomic_write_json
from t2vbase.video import read_video, write_video


def physics_checks(backend: str = "color") -> list[PhysicsCheck]:
    """Every registered physics check; each says what it applies to, its faults and its gate."""
    return [m for m in build_metrics(resolve_metrics("physics.*"), backend=backend) if isinstance(m, PhysicsCheck)]


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
    metrics = physics_checks(cfg.backend)
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
        mirrored = Prompt.model_validate({**job.prompt, "expect": mirror_expect(exp)})
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
    from model.world.faults import FAULTS

    suite = load_suite(cfg.suite)
    prompts = [p for p in suite.prompts if p.expect is not None and p.family != "showcase"]
    jobs = [Job(p.model_dump(mode="json", by_alias=True), s, "clean") for p in prompts for s in range(cfg.seeds)]
    checks = physics_checks(cfg.backend)
    resp = responsible(checks)
    for name in cfg.faults or tuple(n for n in FAULTS.names() if n in resp):
        mine = [c for c in checks if c.name in resp.get(name, ())]
        for sev in cfg.severities:
            jobs += _fault_jobs(cfg, prompts, mine, name, sev)
    return jobs


def _fault_jobs(
    cfg: ValidateConfig, prompts: list[Prompt], checks: list[PhysicsCheck], name: str, sev: float
) -> list[Job]:
    """Up to ``per_fault`` clips of one fault at one severity: a sample of its own (seeded by
    the fault and severity), so it is the same whichever other faults run."""
    from model.reference import ReferenceGenerator

    rng = np.random.default_rng(list(f"{name}@{sev}".encode()))
    gen = ReferenceGenerator(faults=name, rate=1.0, severity=sev)
    jobs: list[Job] = []
    for k in rng.permutation(len(prompts) * cfg.seeds):
        if len(jobs) >= cfg.per_fault:
            break
        p, s = prompts[k // cfg.seeds], int(k % cfg.seeds)
        if not any(c.applicable(p.expect) for c in checks):
            continue
        target = _target(gen, p, s, rng)
        if target is not None:
            jobs.append(Job(p.model_dump(mode="json", by_alias=True), s, "fault", name, sev, target))
    return jobs


def _target(gen: Any, prompt: Prompt, seed: int, rng: np.random.Generator) -> str | None:
    """An object the world can hit with the generator's fault on this prompt and seed, that the
    prompt expects (a fault on an object nobody asked about is invisible to every check); None
    when there is none."""
    (name,) = gen.plan
    cands = gen.fault_candidates(prompt, seed).get(name, {})
    expected = {o.id for o in prompt.expect.objects}
    groups = {o.id: o.group_id for o in gen.scene(prompt, seed).objects}
    ok = sorted(obj for obj in cands if obj == "camera" or groups.get(obj) in expected)
    return ok[int(rng.integers(len(ok)))] if ok else None


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
    checks = physics_checks(cfg.backend)
    result = score(outcomes, checks, cfg.tolerance, cfg.default_severity)
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
        "gates": {c.name: c.gate for c in checks},
        "max_false_alarms_per_100": MAX_FALSE_ALARMS_PER_100,
        "responsible": responsible(checks),
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
