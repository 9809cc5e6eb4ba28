"""``t2vbench launch``: the shards of one run as a Slurm job array through submitit, or as local
processes forked from a warm fork server (:mod:`bench.local_shards`).

Each shard is :class:`ShardJob`: ``t2vbench run --shard I/N --resume`` in-process, writing
``--out/shards/I-of-N`` (:mod:`bench.distributed`). It is a submitit ``Checkpointable``: when
Slurm preempts it or its time runs out, submitit requeues the same shard, which resumes where it
stopped (finished units are skipped). Unless ``--no-wait``, ``launch`` waits for every shard and
merges them into ``--out`` (the last shard to finish has usually done it already; the merge is
idempotent), so ``launch --shards N --out DIR`` leaves the run directory ``run --out DIR`` would.

Local shards share the machine's cores: each gets ``cores // N`` threads for torch, OpenCV and
OpenMP/BLAS, so N processes do not fight over the same cores. Past ``--time`` a local shard is
stopped and started again, resuming the same way.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import submitit

from bench.config import DEFAULTS, RunConfig, check_values
from bench.distributed import check_parent, sibling_shards
from t2vbase.errors import T2VError, UsageError
from t2vbase.rundir import RunDir

log = logging.getLogger("t2vbench")

EXECUTORS = ("slurm", "local")
DEFAULT_TIME_MIN = 240
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
EXIT_SHARD_FAILED = 4


@dataclass
class LaunchConfig:
    """How the shards run (``t2vbench launch --help``)."""

    executor: str = "local"
    shards: int = 2
    gpus_per_shard: int = 0
    partition: str | None = None
    time: str | None = None  # minutes, or Slurm's [D-]HH:MM[:SS]
    cpus_per_shard: int | None = None
    mem_gb: float | None = None
    slurm_params: dict[str, str] = field(default_factory=dict)
    max_requeue: int = 3
    wait: bool = True
    poll_s: float | None = None  # how often to look at the jobs (default: 0.1 s local, 30 s Slurm)


@dataclass
class ShardResult:
    index: int
    status: str
    exit_code: int
    counts: dict[str, int]
    message: str | None = None
    wall_s: float = 0.0
    merged: tuple[str, int, dict[str, int]] | None = None  # this shard merged: (status, exit code, counts)


@dataclass
class LaunchOutcome:
    run_dir: Path
    status: str
    exit_code: int
    counts: dict[str, int]
    jobs: list[str]
    shards: list[ShardResult]
    message: str | None = None


def parse_time(text: str) -> int:
    """Slurm's time formats -> seconds: ``90`` (minutes), ``MM:SS``, ``HH:MM:SS``, ``D-HH``,
    ``D-HH:MM``, ``D-HH:MM:SS``."""
    m = re.fullmatch(r"(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?", text.strip())
    if m is None:
        raise UsageError(f"--time {text!r}: expected minutes or [D-]HH:MM[:SS] (Slurm's formats)")
    days, a, b, c = (int(x) if x else None for x in m.groups())
    if days is not None:  # D-HH[:MM[:SS]]
        seconds = days * 86400 + a * 3600 + (b or 0) * 60 + (c or 0)
    elif c is not None:  # HH:MM:SS
        seconds = a * 3600 + b * 60 + c
    elif b is not None:  # MM:SS
        seconds = a * 60 + b
    else:
        seconds = a * 60
    if seconds <= 0:
        raise UsageError(f"--time {text!r}: must be more than 0")
    return seconds


def check_launch(cfg: RunConfig, lc: LaunchConfig) -> None:
    """Everything that can be checked before any job is submitted (bad input: exit 2 now, not
    N failed jobs later)."""
    from bench.units import parse_seeds
    from metrics.registry import resolve_metrics
    from model.registry import GENERATORS, load_bundled
    from prompts import load_suite
    from t2vbase.registry import did_you_mean

    if lc.executor not in EXECUTORS:
        raise UsageError(f"--executor {lc.executor!r}: expected slurm or local")
    if not 1 <= lc.shards <= 10_000:
        raise UsageError(f"--shards {lc.shards}: must be 1 to 10000")
    if lc.gpus_per_shard < 0 or (lc.cpus_per_shard is not None and lc.cpus_per_shard < 1):
        raise UsageError("--gpus-per-shard must be >= 0 and --cpus-per-shard >= 1")
    if lc.executor == "local" and not lc.wait:
        raise UsageError("--no-wait: local shards are this launch's own processes; it waits for them")
    if lc.mem_gb is not None and not lc.mem_gb > 0:
        raise UsageError(f"--mem-gb {lc.mem_gb}: must be above 0")
    if cfg.out is None:
        raise UsageError("launch needs --out DIR: the shards write DIR/shards/ and are merged into DIR")
    if cfg.shard is not None:
        raise UsageError("launch: --shard is set per job; use --shards N")
    check_values(cfg)
    check_parent(Path(cfg.out))
    load_suite(cfg.suite or DEFAULTS["suite"])
    parse_seeds(cfg.seeds or DEFAULTS["seeds"])
    resolve_metrics(cfg.metrics or DEFAULTS["metrics"])
    name = (cfg.generator or DEFAULTS["generator"]).partition(":")[0].strip()
    load_bundled()
    if name not in GENERATORS:
        raise UsageError(f"--generator {cfg.generator!r}: " + did_you_mean(name, GENERATORS.names(), "generator"))


class ShardJob(submitit.helpers.Checkpointable):
    """One shard of the run, as submitit runs it (requeued as is on preemption or time-out:
    ``--resume`` makes the new attempt skip what the last one finished)."""

    def __init__(self, cfg: RunConfig, count: int, threads: int | None = None) -> None:
        self.cfg, self.count, self.threads = cfg, count, threads

    def __call__(self, index: int) -> ShardResult:
        from bench.runner import run

        if self.threads:  # local shards: their share of the cores (the env vars reach BLAS/OpenMP)
            import cv2
            import torch

            cv2.setNumThreads(self.threads)
            torch.set_num_threads(self.threads)
        cfg = replace(self.cfg, shard=f"{index}/{self.count}", resume=True, progress=False, local_rank=None)
        try:
            out = run(cfg, as_shard=True)
        except T2VError as err:  # bad input: a one-line reason, not a traceback in a log
            return ShardResult(index, "error", err.exit_code, {}, str(err))
        own = RunDir(RunDir(Path(self.cfg.out)).shard_path(index, self.count)).read_manifest() or {}
        status, counts = own.get("status", out.status), own.get("counts", out.counts)
        merged = (out.status, out.exit_code, out.counts) if out.merged else None
        return ShardResult(index, status, out.exit_code, counts, out.message, out.wall_s, merged)


def make_executor(lc: LaunchConfig, folder: Path, job_name: str) -> Any:
    """submitit's Slurm executor for the shards' job array (logs and pickles in ``folder``)."""
    seconds = parse_time(lc.time) if lc.time else None
    try:
        ex = submitit.SlurmExecutor(folder=folder, max_num_timeout=lc.max_requeue)
    except RuntimeError as err:  # submitit looks for srun
        raise UsageError(f"--executor slurm: {err} (run launch on a Slurm login node)") from None
    minutes = -(-seconds // 60) if seconds else DEFAULT_TIME_MIN
    params: dict[str, Any] = {"job_name": job_name, "time": minutes}
    params |= {"array_parallelism": lc.shards, "additional_parameters": {"requeue": True, **lc.slurm_params}}
    if lc.partition:
        params["partition"] = lc.partition
    if lc.gpus_per_shard:
        params["gpus_per_node"] = lc.gpus_per_shard
    if lc.cpus_per_shard:
        params["cpus_per_task"] = lc.cpus_per_shard
    if lc.mem_gb:
        params["mem"] = f"{int(-(-lc.mem_gb // 1))}G"
    try:
        ex.update_parameters(**params)
    except ValueError as err:
        raise UsageError(f"--slurm-param: {' '.join(str(err).split()[:12])} ...") from None
    return ex


def _failure(job: Any, index: int) -> ShardResult:
    err = job.exception()
    lines = [x.strip() for x in str(err or "").splitlines() if x.strip()]
    why = next((x for x in reversed(lines) if not x.startswith(("File ", "raise", "^"))), "no result")
    log_path = getattr(getattr(job, "paths", None), "stderr", None)
    return ShardResult(index, "failed", EXIT_SHARD_FAILED, {}, f"{why[:300]} (log: {log_path})")


def wait_all(jobs: list[Any], poll_s: float) -> list[ShardResult]:
    """Every shard's result as its job ends (a job that raised or was killed: ``failed``)."""
    results: dict[int, ShardResult] = {}
    pending = dict(enumerate(jobs))
    while pending:
        for i, job in list(pending.items()):
            if job.done():
                del pending[i]
                try:
                    results[i] = job.result()
                except Exception:
                    results[i] = _failure(job, i)
        if pending:
            time.sleep(poll_s)
    return [results[i] for i in sorted(results)]


def start_local(job: ShardJob, lc: LaunchConfig, folder: Path, threads: int | None) -> list[Any]:
    """Local shards forked from a server that has imported what they need
    (:mod:`bench.local_shards`), each with its share of threads and of ``--gpus-per-shard`` GPUs."""
    from bench.local_shards import LocalShard

    gpus = _visible_gpus(lc.gpus_per_shard)
    limit = parse_time(lc.time) if lc.time else None
    jobs = []
    for i in range(lc.shards):
        env = {k: str(threads) for k in THREAD_VARS if threads and k not in os.environ}
        if lc.gpus_per_shard:
            first = i * lc.gpus_per_shard
            env["CUDA_VISIBLE_DEVICES"] = ",".join(str(gpus[(first + k) % len(gpus)]) for k in range(lc.gpus_per_shard))
        jobs.append(LocalShard(job, i, folder, env, limit, lc.max_requeue))
    return jobs


def _visible_gpus(per_shard: int) -> list[int]:
    if not per_shard:
        return []
    import torch

    visible = list(range(torch.cuda.device_count()))
    if len(visible) < per_shard:
        raise UsageError(f"--gpus-per-shard {per_shard}: this machine has {len(visible)} GPU(s)")
    return visible


def launch(cfg: RunConfig, lc: LaunchConfig) -> LaunchOutcome:
    """Submit the shards; unless ``lc.wait`` is off, wait for them and merge into ``cfg.out``."""
    check_launch(cfg, lc)
    parent = Path(cfg.out)
    folder = RunDir(parent).shards_dir / "logs"
    threads = max(1, (os.cpu_count() or 1) // lc.shards) if lc.executor == "local" else None
    job = ShardJob(cfg, lc.shards, threads)
    if lc.executor == "local":
        jobs = start_local(job, lc, folder, threads)
    else:
        ex = make_executor(lc, folder, f"t2vbench-{cfg.suite or DEFAULTS['suite']}")
        jobs = list(ex.map_array(job, range(lc.shards)))
    ids = [str(j.job_id) for j in jobs]
    empty = {"units": 0, "done": 0, "failed": 0, "pending": 0}
    if not lc.wait:
        return LaunchOutcome(parent, "submitted", 0, empty, ids, [])
    from bench.merge import merge_runs  # imported while the shards run, not before they start

    try:
        results = wait_all(jobs, lc.poll_s or (0.05 if lc.executor == "local" else 30.0))
    except KeyboardInterrupt:
        if lc.executor == "local":
            for j in jobs:
                j.cancel(check=False)
        raise
    bad = [r for r in results if r.status not in ("finished", "finished_with_failures", "partial")]
    if bad:
        code = max(r.exit_code for r in bad)
        return LaunchOutcome(parent, "failed", code, empty, ids, results, bad[0].message)
    done = next((r.merged for r in results if r.merged), None)
    if done is not None:  # the last shard to finish merged every shard: nothing left to merge
        return LaunchOutcome(parent, done[0], done[1], done[2], ids, results)
    shards = [s.root for s in sibling_shards(parent, lc.shards)]
    merged = merge_runs(shards, parent, report=cfg.report, on_locked="wait", command=cfg.argv, history=cfg.history)
    assert merged is not None  # on_locked="wait" never skips
    return LaunchOutcome(parent, merged.status, merged.exit_code, merged.counts, ids, results)
