"""``t2vbench run``: generate, encode, decode and score every work unit; write the run directory.

Units are independent: an error in one becomes that unit's error rows and never stops the others.
Each finished unit is recorded atomically, so an interrupted run resumes where it stopped. The
pieces: :mod:`bench.manifest` (where the run lives, what it records), :mod:`bench.execute` (one
unit), :mod:`bench.collect` (records to rows, set-level rows, profile); this module runs them.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.collect import collect, profile, set_rows
from bench.env import environment
from bench.execute import UnitExecutor, one_line
from bench.manifest import build_manifest, resolve_out
from bench.profile import Profiler
from bench.units import WorkUnit, gen_key, make_units, parse_seeds, parse_shard, score_key, shard_units
from metrics.base import Metric, SetMetric
from metrics.registry import build_metrics, resolve_metrics
from model import describe, get_generator
from prompts import Suite, load_suite
from t2vbase.errors import UsageError
from t2vbase.files import to_jsonable
from t2vbase.rundir import RunDir

log = logging.getLogger("t2vbench")

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_UNITS_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
MACHINE_KEYS = ("cpu", "cpu_count", "memory_bytes", "gpu", "cuda", "torch", "platform")


@dataclass
class RunConfig:
    """Everything ``t2vbench run`` takes (see ``t2vbench run --help``)."""

    suite: str = "smoke"
    generator: str = "reference"
    seeds: str = "1"
    metrics: str = "all"
    backend: str = "color"  # observation backend spec of the physics checks
    out: Path | None = None
    resume: bool = False
    device: str = "auto"
    shard: str | None = None
    num_frames: int | None = None
    height: int | None = None
    width: int | None = None
    fps: float | None = None
    report: bool = True
    progress: bool | None = None  # None: a bar only on a terminal
    runs_root: Path = Path("runs")
    argv: list[str] = field(default_factory=list)


@dataclass
class RunOutcome:
    run_dir: Path
    status: str
    exit_code: int
    counts: dict[str, int]
    processed: int = 0
    skipped: int = 0
    wall_s: float = 0.0


def resolve_device(device: str, needed: bool) -> str:
    """``auto`` is ``cuda`` when a GPU is there and something can use it (a network in the
    generator or a metric), else ``cpu``; torch is imported only to answer that."""
    if device not in ("auto", "cpu", "cuda"):
        raise UsageError(f"--device {device!r}: expected auto, cpu or cuda")
    if device == "cpu" or (device == "auto" and not needed):
        return "cpu"
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available():
        raise UsageError("--device cuda: no CUDA device is available (use --device cpu or auto)")
    return device


def video_params(cfg: RunConfig, gen: Any) -> dict[str, Any]:
    """Frames, size and fps: the command line's, else the generator's defaults."""
    defaults = dict(getattr(gen, "defaults", {}) or {})
    return {
        "num_frames": cfg.num_frames or defaults.get("num_frames"),
        "height": cfg.height or defaults.get("height"),
        "width": cfg.width or defaults.get("width"),
        "fps": cfg.fps or defaults.get("fps"),
    }


class Runner:
    """One invocation of ``t2vbench run``: setup (all input checked before anything is
    written), then :meth:`run`."""

    def __init__(self, cfg: RunConfig) -> None:
        self.cfg = cfg
        self.suite: Suite = load_suite(cfg.suite)
        self.seeds = parse_seeds(cfg.seeds)
        self.shard = parse_shard(cfg.shard)
        self.generator = get_generator(cfg.generator)
        self.metrics: list[Metric] = build_metrics(resolve_metrics(cfg.metrics), backend=cfg.backend)
        needs_device = callable(getattr(self.generator, "to", None)) or any(m.uses_device for m in self.metrics)
        self.device = resolve_device(cfg.device, needs_device)
        self.gen_desc = {"spec": cfg.generator, **describe(self.generator)}
        self.video = video_params(cfg, self.generator)
        self.protocols = [m.protocol() for m in self.metrics]
        self.units = make_units(self.suite, self.seeds)
        self.rundir = RunDir(resolve_out(cfg.out, cfg.resume, cfg.runs_root, self.suite.suite, cfg.generator))
        self.profiler = Profiler(cuda=self.device == "cuda")
        gkeys = {u.key: gen_key(u, describe(self.generator), self.video) for u in self.units}
        self.keys = {u.key: (gkeys[u.key], score_key(gkeys[u.key], self.protocols)) for u in self.units}

    # helpers ---------------------------------------------------------------------------------
    def _manifest(self, previous: dict[str, Any] | None, status: str, counts: dict[str, int]) -> dict[str, Any]:
        return build_manifest(
            previous,
            self.rundir.root,
            suite=self.suite,
            generator=self.gen_desc,
            video=self.video,
            seeds=self.seeds,
            protocols=self.protocols,
            device=self.device,
            shard=self.shard,
            env=environment(),
            status=status,
            counts=counts,
            command=self.cfg.argv,
        )

    def _score_keys(self) -> dict[str, str]:
        return {k: v[1] for k, v in self.keys.items()}

    def _finished(self, unit: WorkUnit) -> bool:
        rec = self.rundir.read_unit(unit.prompt_id, unit.seed)
        return rec is not None and rec.get("score_key") == self.keys[unit.key][1] and rec.get("status") == "ok"

    def _executor(self) -> UnitExecutor:
        for m in self.metrics:
            m.to(self.device)
        if callable(getattr(self.generator, "to", None)):
            self.generator.to(self.device)
        return UnitExecutor(self.rundir, self.generator, self.gen_desc, self.video, self.metrics, self.profiler)

    # the run ---------------------------------------------------------------------------------
    def _start(self) -> dict[str, Any] | None:
        rd = self.rundir
        rd.root.mkdir(parents=True, exist_ok=True)
        previous = rd.read_manifest()
        suite_doc = self.suite.model_dump(mode="json", by_alias=True, exclude_none=True)
        rd.write_suite({**suite_doc, "sha256": self.suite.sha256})
        rd.write_manifest(self._manifest(previous, "running", collect(rd, self.units, self._score_keys()).counts))
        return previous

    def _loop(self, todo: list[WorkUnit]) -> tuple[int, bool]:
        """Process the units not yet finished; returns (processed, interrupted)."""
        from tqdm import tqdm

        show = sys.stderr.isatty() if self.cfg.progress is None else self.cfg.progress
        executor = self._executor()
        processed = 0
        try:
            for unit in tqdm(todo, desc=f"t2vbench {self.suite.suite}", unit="clip", disable=not show):
                gkey, skey = self.keys[unit.key]
                self.rundir.write_unit(unit.prompt_id, unit.seed, executor.process(unit, gkey, skey))
                processed += 1
        except KeyboardInterrupt:
            return processed, True
        return processed, False

    def _finish(self, previous: dict[str, Any] | None, interrupted: bool, wall0: float) -> tuple[str, dict[str, int]]:
        """Rebuild the tables, profile, manifest and report from the unit records."""
        rd = self.rundir
        got = collect(rd, self.units, self._score_keys())
        rows, counts = got.rows, got.counts
        status = "interrupted"
        if not interrupted:
            if counts["pending"]:
                status = "partial"
            else:
                with self.profiler.stage("set_metrics"):
                    rows += set_rows(rd, self.units, [m for m in self.metrics if isinstance(m, SetMetric)])
                status = "finished_with_failures" if counts["failed"] else "finished"
        with self.profiler.stage("tables"):
            rd.write_tables(rows)
        env = environment()
        machine = {k: env.get(k) for k in MACHINE_KEYS}
        nf = self.video.get("num_frames") or 0
        wall = time.perf_counter() - wall0
        rd.write_profile(profile(rd.root.name, self.device, got.timings, self.profiler.take(), nf, wall, machine))
        rd.write_manifest(self._manifest(previous, status, counts))
        if self.cfg.report and status != "interrupted":
            self._report()
        return status, counts

    def _report(self) -> None:
        try:
            from reports import build_report

            build_report(self.rundir.root)
        except Exception as err:  # the results are safe on disk; say what went wrong
            log.error("report: %s", one_line(err))

    def _up_to_date(self, previous: dict[str, Any] | None) -> bool:
        """A finished run whose outputs exist and that this invocation would not change."""
        rd = self.rundir
        if previous is None or previous.get("status") not in ("finished", "finished_with_failures"):
            return False
        outputs = [rd.samples_path, rd.results_path, rd.summary_path, rd.profile_path]
        outputs += [rd.report_html_path] if self.cfg.report else []
        same = (
            previous.get("metrics") == json.loads(json.dumps(to_jsonable(self.protocols)))
            and previous.get("seeds") == self.seeds
            and previous.get("suite", {}).get("sha256") == self.suite.sha256
            and previous.get("generator") == self.gen_desc
            and previous.get("video") == self.video
        )
        return same and all(p.is_file() for p in outputs)

    def run(self) -> RunOutcome:
        t0 = time.perf_counter()
        todo = shard_units(self.units, self.shard)
        pending = [u for u in todo if not self._finished(u)]
        skipped = len(todo) - len(pending)
        previous = self.rundir.read_manifest()
        if not pending and self._up_to_date(previous):  # nothing to do: leave every file as it is
            counts = previous.get("counts", {})
            code = EXIT_UNITS_FAILED if counts.get("failed") else EXIT_OK
            return RunOutcome(self.rundir.root, previous["status"], code, counts, 0, skipped, time.perf_counter() - t0)
        previous = self._start()
        processed, interrupted = self._loop(pending) if pending else (0, False)
        status, counts = self._finish(previous, interrupted, t0)
        exit_code = {"interrupted": EXIT_INTERRUPTED}.get(status, EXIT_UNITS_FAILED if counts["failed"] else EXIT_OK)
        return RunOutcome(self.rundir.root, status, exit_code, counts, processed, skipped, time.perf_counter() - t0)


def run(cfg: RunConfig) -> RunOutcome:
    """Build a :class:`Runner` (raising T2VError on bad input) and run it."""
    return Runner(cfg).run()
