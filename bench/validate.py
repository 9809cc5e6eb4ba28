"""``t2vbench validate``: measure the physics checks on labelled faults, clean clips and legal events.

Every clip is rendered by the reference world, encoded as H.264 and decoded, then scored by every
physics check through the chosen observation backend. Per check it reports event-level recall and
precision (an event matches an injected fault of a type the check is responsible for when it lands
within ``tolerance`` seconds of the fault's first frame, on the same object), false alarms per 100
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

from bench.formats import TINY, Format
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
    tolerance: float = 0.25  # seconds between an event and its label's first frame (2 frames at 8 fps)
    backend: str = "color"
    crf: int = 18
    workers: int = 0  # 0: one per core
    out: Path = Path("runs/validate")
    faults: tuple[str, ...] = ()  # empty: every fault the world has
    format: Format = TINY  # frames, size and rate every clip is rendered at

    @property
    def tolerance_frames(self) -> int:
        """The matching tolerance in frames of this format."""
        return max(1, round(self.tolerance * self.format.fps))


def run_job(job: Job, cfg: ValidateConfig, workdir: str) -> Outcome:
    """Render, encode, decode and score one clip (and its metamorphic variants)."""
    from model import get_generator

    t0 = time.perf_counter()
    prompt = Prompt.model_validate(job.prompt)
    spec = "reference:profile=clean"
    if job.kind == "fault":
        spec = f"reference:faults={job.fault},rate=1,severity={job.severity}"
        spec += f",object={job.target}" if job.target else ""
    f = cfg.format
    video = get_generator(spec).generate(
        prompt, seed=job.seed, num_frames=f.frames, height=f.height, width=f.width, fps=f.fps
    )
    path = Path(workdir) / f"{os.getpid()}.mp4"
    frames = read_video(write_video(path, video, crf=cfg.crf)).frames
    clip = Clip(frames, video.fps, prompt, video.metadata)
    verdicts, events, cpu = _score_all(clip, physics_checks(cfg.backend))
    groups = {o["id"]: o["group"] for o in video.metadata["truth"]["objects"]}
    out = Outcome(job, video.metadata["faults"], groups, verdicts, events, num_frames=len(frames), cpu=cpu)
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


def _score_all(clip: Clip, checks: list[PhysicsCheck]) -> tuple[dict, dict, dict[str, float]]:
    """Verdicts, events and CPU seconds of every check on one clip (the shared observation, made
    once, under ``observation``)."""
    from metrics.observe import observe

    verdicts, events, cpu = {}, {}, {}
    t0 = time.process_time()
    if clip.prompt.expect is not None and checks:
        observe(clip, checks[0].observer)
    cpu["observation"] = time.process_time() - t0
    for m in checks:
        t0 = time.process_time()
        r = m.score(clip)
        cpu[m.name] = time.process_time() - t0
        verdicts[m.name] = r.verdict
        events[m.name] = [e.to_dict() for e in r.events]
    return verdicts, events, cpu


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
        target = _target(gen, p, s, rng, cfg.format)
        if target is not None:
            jobs.append(Job(p.model_dump(mode="json", by_alias=True), s, "fault", name, sev, target))
    return jobs


def _target(gen: Any, prompt: Prompt, seed: int, rng: np.random.Generator, fmt: Format) -> str | None:
    """An object the world can hit with the generator's fault on this prompt and seed, that the
    prompt expects (a fault on an object nobody asked about is invisible to every check); None
    when there is none."""
    (name,) = gen.plan
    cands = gen.fault_candidates(prompt, seed, fmt.frames, fmt.width / fmt.height, fmt.fps).get(name, {})
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
    result = score(outcomes, checks, cfg.tolerance_frames, cfg.default_severity)
    result["protocol"] = {
        "suite": cfg.suite,
        "suite_sha256": load_suite(cfg.suite).sha256,
        "seeds": cfg.seeds,
        "severities": list(cfg.severities),
        "default_severity": cfg.default_severity,
        "format": {"name": cfg.format.name, "spec": cfg.format.spec},
        "tolerance_seconds": cfg.tolerance,
        "tolerance_frames": cfg.tolerance_frames,
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
        "cpu_s_per_clip": cpu_per_clip(outcomes),
    }
    for name, c in result["checks"].items():
        c["cpu_s_per_clip"] = result["timing"]["cpu_s_per_clip"].get(name)
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


def cpu_per_clip(outcomes: list[Outcome]) -> dict[str, float]:
    """Mean CPU seconds per clip of the observation and of each check (the checks' own work:
    the observation is counted once, under ``observation``), over every clip: what a run of such
    clips costs."""
    names = sorted({k for o in outcomes for k in o.cpu})
    return {k: float(np.mean([o.cpu[k] for o in outcomes if k in o.cpu])) for k in names}


def validate_formats(cfg: ValidateConfig, formats: list[Format]) -> dict[str, Any]:
    """:func:`validate` at each format in turn (each under ``cfg.out / <format name>``), then one
    table under ``cfg.out``: per format and check, recall, precision, clean false alarms per 100
    and CPU seconds per clip; passed when every format passes its gates."""
    import dataclasses

    from reports.validate import build_validate_report

    rows: dict[str, Any] = {}
    for f in formats:
        sub = dataclasses.replace(cfg, format=f, out=cfg.out / f.name)
        res = validate(sub)
        build_validate_report(sub.out)
        keep = ("recall", "precision", "false_alarms_per_100", "cpu_s_per_clip", "measured", "passed")
        rows[f.name] = {
            "spec": f.spec,
            "seconds": f.seconds,
            "passed": res["overall"]["passed"],
            "clean_clips": res["overall"]["clean_clips"],
            "fault_clips": res["overall"]["fault_clips"],
            "observation_cpu_s_per_clip": res["timing"]["cpu_s_per_clip"].get("observation"),
            "checks": {name: {k: c.get(k) for k in keep} for name, c in res["checks"].items()},
        }
    result = {
        "formats": rows,
        "protocol": {"suite": cfg.suite, "per_fault": cfg.per_fault, "backend": cfg.backend, "crf": cfg.crf},
        "overall": {"passed": all(r["passed"] for r in rows.values())},
    }
    atomic_write_json(cfg.out / "validate.json", result)
    return result
