"""``t2vbench run``: generate, encode, decode and score every work unit; write the run directory.

Units are independent: an error in one becomes that unit's error rows and never stops the others.
Each finished unit is recorded atomically, so an interrupted run resumes where it stopped. The
pieces: :mod:`bench.config` (options, checked first), :mod:`bench.manifest` (where the run lives,
what it records), :mod:`bench.resume` (a resumed run keeps its options), :mod:`bench.execute`
(one unit), :mod:`bench.collect` (records to rows, set-level rows, profile); this module runs them
under the run directory's lock.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.batching import Prefetcher, resolve_batch
from bench.collect import collect, profile, set_rows
from bench.config import DEFAULTS, RunConfig, check_values
from bench.distributed import after_shard, device_for_rank, shard_config
from bench.env import environment, fingerprint
from bench.execute import UnitExecutor, one_line
from bench.manifest import build_manifest, find_latest_run, move_aside, resolve_out
from bench.profile import Profiler
from bench.reference import ReferenceSet, check_spec
from bench.resume import reconcile, run_suite
from bench.signals import exit_code
from bench.units import WorkUnit, gen_key, make_units, parse_seeds, parse_shard, score_key, shard_units
from metrics.base import Metric, SetMetric
from metrics.registry import build_metrics, resolve_metrics
from model import describe, execution, get_generator, source_key
from prompts import Suite, load_suite
from t2vbase.errors import T2VError, UsageError
from t2vbase.files import to_jsonable
from t2vbase.rundir import RunDir
from t2vbase.video import start_decoder

__all__ = ["RunConfig", "RunOutcome", "Runner", "run"]

log = logging.getLogger("t2vbench")

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_UNITS_FAILED = 0, 1, 2, 3
MACHINE_KEYS = ("cpu", "cpu_count", "memory_bytes", "gpu", "cuda", "torch", "platform")
FINAL = ("finished", "finished_with_failures")


@dataclass
class RunOutcome:
    run_dir: Path
    status: str
    exit_code: int
    counts: dict[str, int]
    processed: int = 0
    skipped: int = 0
    wall_s: float = 0.0
    message: str | None = None  # why the run stopped early, one line
    merged: bool = False  # a shard's outcome: it merged every finished shard into the run


def _nvidia_present() -> bool:
    """Whether Linux shows an NVIDIA device node (no torch import: on a machine without one,
    ``auto`` is ``cpu`` at once, and a resume with nothing to do stays fast); elsewhere, ask torch."""
    import glob
    import sys

    return sys.platform != "linux" or bool(glob.glob("/dev/nvidia[0-9]*"))


def resolve_device(device: str, needed: bool) -> str:
    """``auto`` is ``cuda`` when a GPU is there and something can use it (a network in the
    generator or a metric), else ``cpu``; torch is imported only to answer that."""
    if device == "cpu" or (device == "auto" and not (needed and _nvidia_present())):
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
    return {k: getattr(cfg, k) if getattr(cfg, k) is not None else defaults.get(k) for k in DEFAULT_VIDEO}


DEFAULT_VIDEO = ("num_frames", "height", "width", "fps")


def locate(cfg: RunConfig) -> tuple[RunDir, dict[str, Any] | None]:
    """The run directory and, when continuing a run, its manifest (read strictly)."""
    if cfg.out is None and cfg.resume:
        suite, generator = cfg.suite or DEFAULTS["suite"], cfg.generator or DEFAULTS["generator"]
        found = find_latest_run(cfg.runs_root, load_suite(suite).suite, generator)
        if found is None:
            raise UsageError(
                f"--resume: no run of suite {suite!r} with generator {generator!r} under {cfg.runs_root}/; "
                "pass --out RUN_DIR"
            )
        rd = RunDir(found)
    else:
        default_suite = load_suite(cfg.suite or DEFAULTS["suite"]).suite if cfg.out is None else ""
        rd = RunDir(resolve_out(cfg.out, cfg.runs_root, default_suite, cfg.generator or DEFAULTS["generator"]))
    if not rd.exists():
        return rd, None
    if cfg.force_new:
        return rd, None
    if not cfg.resume:
        raise UsageError(
            f"{rd.root}: a run already lives here; pass --resume to continue it (with its own options), "
            "--force-new to start afresh (the old run is kept beside it), or another --out"
        )
    return rd, rd.load_manifest()


def with_align_model(metrics: list[Metric], spec: str | None) -> list[Metric]:
    """``--align-model NAME[:WEIGHTS]`` for the metrics scored by an alignment model
    (``align.video_text``, ``align.mirror_gap``; their protocols name it and its weights' sha256)."""
    if spec is None:
        return metrics
    from metrics.align.video_text import AlignMetric

    name, _, weights = (x.strip() for x in spec.partition(":"))
    return [replace(m, model=name, weights=weights or None) if isinstance(m, AlignMetric) else m for m in metrics]


class Runner:
    """One invocation of ``t2vbench run``: setup (every input checked before anything is
    written), then :meth:`run` under the run directory's lock."""

    def __init__(self, cfg: RunConfig) -> None:
        check_values(cfg)
        self.rundir, self.previous = locate(cfg)
        self.cfg = reconcile(cfg, self.rundir, self.previous) if self.previous else cfg.with_defaults()
        c = self.cfg
        if self.previous is not None:
            self.suite: Suite = run_suite(self.rundir, self.previous, str(c.suite))
        else:
            self.suite = load_suite(c.suite)
        self.seeds = parse_seeds(c.seeds)
        self.shard = parse_shard(c.shard)
        self.generator = get_generator(c.generator)
        self.batch = resolve_batch(c.batch, self.generator)
        self.metrics: list[Metric] = with_align_model(
            build_metrics(resolve_metrics(c.metrics), backend=c.backend, reference=c.reference, backbone=c.backbone),
            c.align_model,
        )
        needs_device = callable(getattr(self.generator, "to", None)) or any(m.uses_device for m in self.metrics)
        self.device = device_for_rank(resolve_device(c.device, needs_device), c.local_rank)
        self.gen_desc = {"spec": c.generator, **describe(self.generator)}
        self.video = video_params(c, self.generator)
        for spec in sorted({m.reference for m in self.metrics if getattr(m, "needs_reference", False)}):
            check_spec(spec)
        self.protocols = self._protocols()
        self.units = shard_units(make_units(self.suite, self.seeds), self.shard)  # this shard's units
        cuda = self.device.startswith("cuda")
        self.profiler = Profiler(cuda=cuda, device=self.device if cuda else None)
        self.keys = self._keys()

    def _protocols(self) -> list[dict[str, Any]]:
        """Every metric's protocol (an alignment model is built here: a bad ``--align-model`` is
        a one-line error naming it before any unit runs)."""
        out = []
        for m in self.metrics:
            try:
                out.append(m.protocol())
            except T2VError as err:
                if self.cfg.align_model is None or not hasattr(m, "aligner"):
                    raise
                raise UsageError(f"--align-model {self.cfg.align_model}: {err}") from None
        return out

    def _keys(self) -> dict[str, tuple[str, str]]:
        """Each unit's (gen_key, score_key)."""
        desc = describe(self.generator)
        out = {}
        for u in self.units:
            g = gen_key(u, desc, self.video, source_key(self.generator, u.prompt_id, u.seed))
            out[u.key] = (g, score_key(g, self.protocols))
        return out

    # helpers ---------------------------------------------------------------------------------
    def _config_block(self) -> dict[str, Any]:
        """The defining options, as ``--resume`` will read them back."""
        return {
            "suite": str(self.cfg.suite),
            "generator": self.cfg.generator,
            "seeds": self.seeds,
            "metrics": [m.name for m in self.metrics],
            "backend": self.cfg.backend,
            "reference": self.cfg.reference,
            "backbone": self.cfg.backbone,
            "align_model": self.cfg.align_model,
            "video": self.video,
        }

    def _manifest(self, previous: dict[str, Any] | None, status: str, counts: dict[str, int]) -> dict[str, Any]:
        doc = build_manifest(
            previous,
            self.rundir.root,
            suite=self.suite,
            generator=self.gen_desc,
            video=self.video,
            seeds=self.seeds,
            protocols=self.protocols,
            device=self.device,
            shard=self.shard,
            env={**environment(), "fingerprint": fingerprint(self.device, self.batch, execution(self.generator))},
            status=status,
            counts=counts,
            command=self.cfg.argv,
        )
        return {**doc, "config": self._config_block()}

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
        return UnitExecutor(
            self.rundir, self.generator, self.gen_desc, self.video, self.metrics, self.profiler, self.cfg.unit_timeout
        )

    def _up_to_date(self, previous: dict[str, Any] | None) -> bool:
        """A finished run whose outputs exist and that this invocation would not change."""
        rd = self.rundir
        if previous is None or previous.get("status") not in FINAL:
            return False
        outputs = [rd.samples_path, rd.results_path, rd.summary_path, rd.profile_path]
        outputs += [rd.report_html_path] if self.cfg.report else []
        same = (
            previous.get("metrics") == json.loads(json.dumps(to_jsonable(self.protocols)))
            and previous.get("seeds") == self.seeds
            and (previous.get("suite") or {}).get("sha256") == self.suite.sha256
            and previous.get("generator") == json.loads(json.dumps(to_jsonable(self.gen_desc)))
            and previous.get("video") == self.video
        )
        return same and all(p.is_file() for p in outputs)

    # the run ---------------------------------------------------------------------------------
    def _start(self) -> dict[str, Any] | None:
        rd = self.rundir
        previous = rd.read_manifest()
        if previous is not None and self.previous is None:  # a run appeared here since setup
            raise UsageError(f"{rd.root}: a run started here meanwhile; pass --resume to continue it")
        removed = rd.remove_stale_temps()
        if removed:
            log.info("removed %d temporary files left by a killed run", removed)
        start_decoder()
        suite_doc = self.suite.model_dump(mode="json", by_alias=True, exclude_none=True)
        rd.write_suite({**suite_doc, "sha256": self.suite.sha256})
        rd.write_manifest(self._manifest(previous, "running", collect(rd, self.units, self._score_keys()).counts))
        return previous

    def _loop(self, todo: list[WorkUnit]) -> tuple[int, str | None, BaseException | None]:
        """Process the units not yet finished: (processed, why it stopped early, the signal)."""
        from tqdm import tqdm

        show = sys.stderr.isatty() if self.cfg.progress is None else self.cfg.progress
        executor = self._executor()
        batches = Prefetcher(executor, self.keys, self.batch, cuda=self.device.startswith("cuda"))
        processed = 0
        try:
            for k, unit in enumerate(tqdm(todo, desc=f"t2vbench {self.suite.suite}", unit="clip", disable=not show)):
                batches.ensure(todo, k)
                gkey, skey = self.keys[unit.key]
                self.rundir.write_unit(unit.prompt_id, unit.seed, executor.process(unit, gkey, skey))
                processed += 1
        except KeyboardInterrupt as err:
            return processed, None, err
        except OSError as err:  # the run directory cannot be written (a full disk, a read-only mount)
            return processed, f"cannot write the run directory: {one_line(err)}", None
        return processed, None, None

    def _finish(self, previous: dict[str, Any] | None, stopped: str, wall0: float) -> dict[str, int]:
        """Tables, profile, manifest and report from the unit records (``stopped``: ``""`` for a
        run that went through, else the status it stopped with)."""
        rd = self.rundir
        got = collect(rd, self.units, self._score_keys())
        rows, counts = got.rows, got.counts
        status = stopped
        if not stopped:
            if counts["pending"]:
                status = "partial"
            else:
                if self.shard[1] == 1:  # set-level rows are the whole run's: a merge computes them
                    with self.profiler.stage("set_metrics"):
                        rows += set_rows(rd, self.units, self.set_metrics(), self.reference_set())
                status = "finished_with_failures" if counts["failed"] else "finished"
        with self.profiler.stage("tables"):
            rd.write_tables(rows)
        env = environment()
        machine = {k: env.get(k) for k in MACHINE_KEYS}
        nf = self.video.get("num_frames") or 0
        wall = time.perf_counter() - wall0
        prof = profile(rd.root.name, self.device, got.timings, self.profiler.take(), nf, wall, machine, got.units)
        rd.write_profile(prof)
        rd.write_manifest(self._manifest(previous, status, counts))
        if self.cfg.report and status not in ("interrupted", "stopped"):
            self._report()
        if self.cfg.history is not None and status in FINAL:
            self._index()
        return counts

    def set_metrics(self) -> list[SetMetric]:
        return [m for m in self.metrics if isinstance(m, SetMetric)]

    def reference_set(self) -> ReferenceSet | None:
        """The reference the ``dist.*`` rows compare with (None when no metric needs one)."""
        if not any(m.needs_reference for m in self.set_metrics()):
            return None
        return ReferenceSet(self.suite, self.seeds, self.video, self.device, self.profiler)

    def _report(self) -> None:
        try:
            from reports import build_report

            build_report(self.rundir.root)
        except Exception as err:  # the results are safe on disk; say what went wrong
            log.error("report: %s", one_line(err))

    def _index(self) -> None:
        try:
            from reports.history import index_run

            index_run(self.cfg.history, self.rundir.root)
        except Exception as err:  # the run is safe on disk; say why it is not in the index
            log.error("history: %s", one_line(err))

    def _stop(self, previous: dict[str, Any] | None, why: str, t0: float, processed: int, skipped: int) -> RunOutcome:
        """The run directory could not be written: record what is finished, as far as possible."""
        counts: dict[str, int] = {}
        try:
            counts = self._finish(previous, "stopped", t0)
        except OSError as err:
            log.error("could not record the stop either: %s", one_line(err))
        message = f"{self.rundir.root}: {why}; finished units are kept, free the space and --resume"
        return RunOutcome(self.rundir.root, "stopped", EXIT_USAGE, counts, processed, skipped, 0.0, message)

    def run(self) -> RunOutcome:
        t0 = time.perf_counter()
        if self.cfg.force_new and self.rundir.exists():
            aside = move_aside(self.rundir)
            log.warning("the previous run in %s was moved to %s", self.rundir.root, aside)
        try:
            with self.rundir.lock():
                return self._run_locked(t0)
        except OSError as err:  # the folder cannot be created or written at all
            raise UsageError(f"--out {self.rundir.root}: cannot write there ({one_line(err)})") from None

    def _run_locked(self, t0: float) -> RunOutcome:
        todo = self.units
        pending = [u for u in todo if not self._finished(u)]
        skipped = len(todo) - len(pending)
        previous = self.rundir.read_manifest()
        if not pending and self._up_to_date(previous):  # nothing to do: leave every file as it is
            counts = previous.get("counts", {})
            code = EXIT_UNITS_FAILED if counts.get("failed") else EXIT_OK
            return RunOutcome(self.rundir.root, previous["status"], code, counts, 0, skipped, time.perf_counter() - t0)
        previous = self._start()
        processed, why, interrupt = self._loop(pending) if pending else (0, None, None)
        if why is not None:
            return self._stop(previous, why, t0, processed, skipped)
        counts = self._finish(previous, "interrupted" if interrupt else "", t0)
        if interrupt is not None:
            code = exit_code(interrupt)
            return RunOutcome(
                self.rundir.root, "interrupted", code, counts, processed, skipped, time.perf_counter() - t0
            )
        code = EXIT_UNITS_FAILED if counts["failed"] else EXIT_OK
        status = "partial" if counts["pending"] else ("finished_with_failures" if counts["failed"] else "finished")
        return RunOutcome(self.rundir.root, status, code, counts, processed, skipped, time.perf_counter() - t0)


def run(cfg: RunConfig, as_shard: bool = False) -> RunOutcome:
    """Build a :class:`Runner` (raising T2VError on bad input) and run it. A shard (``--shard``,
    a torchrun rank, or any ``launch`` job: ``as_shard``) runs in ``--out/shards/I-of-N`` and the
    last to finish merges them into ``--out`` (:mod:`bench.distributed`)."""
    shard_cfg, parent = shard_config(cfg, always=as_shard)
    runner = Runner(shard_cfg)
    outcome = runner.run()
    if parent is None:
        return outcome
    total = len(runner.suite.prompts) * len(runner.seeds)
    return after_shard(parent, runner.shard, outcome, total, report=cfg.report, history=cfg.history)
