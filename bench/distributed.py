"""Scale-out without collectives: torchrun ranks and ``--shard I/N`` as independent shards.

**One directory per shard.** Shard ``i`` of ``n`` of the run ``--out DIR`` is a complete run
directory of its own, ``DIR/shards/<i>-of-<n>/``, holding only its units (the strided share
``k % n == i``), its manifest (with its own environment fingerprint) and its own writers' lock.
When a shard finishes and finds every shard of ``n`` finished, it merges them into ``DIR``
(:mod:`bench.merge`) under ``DIR``'s lock; ``t2vbench merge`` does the same by hand.

Why not all shards in ``DIR`` itself: the run-directory lock (one writer per directory, a second
exits 2 naming the holder) stays simple and exact, and a shard stays a run that can be re-run,
resumed, copied off a node or merged on its own — what users of strided multi-GPU benchmarks
most miss. The lock and the shard folders fit together: a shard writes only under its own folder
and lock; only a merge takes ``DIR``'s lock, and takes it without waiting (if another shard is
merging, it merges the same finished shards).

**Ranks.** With ``RANK``/``WORLD_SIZE``/``LOCAL_RANK`` set (torchrun, accelerate, deepspeed), a
run is shard ``RANK/WORLD_SIZE`` on ``cuda:LOCAL_RANK``. No process group is created: nothing
waits on another rank, so a rank with no units (more ranks than units) finishes at once and an
uneven shard cannot hang. A shard that is not the last to finish exits 0 once its units are done,
failed units included (torchrun stops every rank when one exits non-zero); the shard that merges
exits as the whole run does (3 if any unit failed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.config import RunConfig
from bench.units import parse_shard
from t2vbase.errors import UsageError
from t2vbase.rundir import RunDir

if TYPE_CHECKING:
    from bench.runner import RunOutcome

FINAL = ("finished", "finished_with_failures")
RANK_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK")


@dataclass(frozen=True)
class RankEnv:
    """This process's place in a torchrun-style launch."""

    rank: int
    world_size: int
    local_rank: int | None


def rank_env(environ: Mapping[str, str] | None = None) -> RankEnv | None:
    """``RANK``/``WORLD_SIZE``/``LOCAL_RANK`` from the environment, or None when not launched so.
    A half-set or malformed triple is a one-line UsageError naming the variable."""
    env = os.environ if environ is None else environ
    if "RANK" not in env and "WORLD_SIZE" not in env:
        return None
    values: dict[str, int] = {}
    for name in RANK_VARS:
        if name not in env:
            if name == "LOCAL_RANK":
                continue
            raise UsageError(f"{name} is not set but {'RANK' if name == 'WORLD_SIZE' else 'WORLD_SIZE'} is")
        try:
            values[name] = int(env[name])
        except ValueError:
            raise UsageError(f"{name}={env[name]!r}: expected an integer (set by torchrun)") from None
    rank, world = values["RANK"], values["WORLD_SIZE"]
    if world < 1 or not 0 <= rank < world:
        raise UsageError(f"RANK={rank}, WORLD_SIZE={world}: need 0 <= RANK < WORLD_SIZE")
    local = values.get("LOCAL_RANK")
    if local is not None and local < 0:
        raise UsageError(f"LOCAL_RANK={local}: must be >= 0")
    return RankEnv(rank, world, local)


def apply_rank_env(cfg: RunConfig, env: RankEnv | None) -> RunConfig:
    """The run as rank ``RANK`` of ``WORLD_SIZE``: its shard and its local GPU."""
    if env is None:
        return cfg
    if cfg.shard is not None and env.world_size > 1:
        raise UsageError(
            f"--shard {cfg.shard} and RANK={env.rank}/WORLD_SIZE={env.world_size} (torchrun) both given; "
            "drop --shard: each rank takes its share"
        )
    shard = f"{env.rank}/{env.world_size}" if env.world_size > 1 else cfg.shard
    return replace(cfg, shard=shard, local_rank=env.local_rank)


def device_for_rank(device: str, local_rank: int | None) -> str:
    """``cuda`` -> ``cuda:LOCAL_RANK`` (made the current device, so code that says ``cuda``
    lands there too); anything else unchanged."""
    if device != "cuda" or local_rank is None:
        return device
    import torch

    count = torch.cuda.device_count()
    if local_rank >= count:
        raise UsageError(f"LOCAL_RANK={local_rank}: only {count} CUDA device(s) are visible to this process")
    torch.cuda.set_device(local_rank)
    return f"cuda:{local_rank}"


def is_merge_product(manifest: dict[str, Any]) -> bool:
    """Whether a run directory's manifest was written by a merge (``t2vbench merge`` or a shard)."""
    return isinstance(manifest.get("merge"), dict)


def check_parent(out: Path) -> None:
    """``--out`` of a sharded run: a new folder, one holding only ``shards/``, or a merged run."""
    rd = RunDir(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    if rd.exists():
        if not is_merge_product(rd.read_manifest() or {}):
            raise UsageError(
                f"--out {out}: holds a run made without shards; the shards of a run need an --out of their own"
            )
        return
    extra = sorted(p.name for p in out.iterdir() if p.name not in (RunDir.SHARDS, RunDir.LOCK)) if out.is_dir() else []
    if extra:
        raise UsageError(f"--out {out}: folder is not empty and holds no run ({extra[0]}); choose another --out")


def shard_config(cfg: RunConfig, always: bool = False) -> tuple[RunConfig, Path | None]:
    """For a shard (``--shard I/N`` or a rank, N > 1; any N with ``always``, as ``launch`` runs
    them): the config that runs it in ``--out/shards/I-of-N`` (no report: the merged run gets
    one) and the run's own ``--out``; otherwise ``(cfg, None)``."""
    i, n = parse_shard(cfg.shard)
    if n == 1 and not always:
        return cfg, None
    if cfg.out is None:
        raise UsageError(f"--shard {i}/{n}: needs --out DIR (the shards of one run share it)")
    out = Path(cfg.out)
    check_parent(out)
    # the merged run gets the report and the history entry, not each shard
    return replace(cfg, out=RunDir(out).shard_path(i, n), report=False, history=None), out


def sibling_shards(parent: Path, count: int) -> list[RunDir]:
    return [RunDir(RunDir(parent).shard_path(k, count)) for k in range(count)]


def after_shard(
    parent: Path, shard: tuple[int, int], outcome: RunOutcome, total: int, report: bool, history: Path | None = None
) -> RunOutcome:
    """After shard ``shard`` of the run in ``parent``: merge when every shard has finished (the
    last one to finish does it), else say how far the whole run is."""
    from bench.merge import merge_runs
    from bench.runner import RunOutcome

    if outcome.status not in FINAL:  # interrupted or stopped: its own outcome and exit code
        return outcome
    shards = sibling_shards(parent, shard[1])
    manifests = [s.read_manifest() for s in shards]
    complete = all(m is not None and m.get("status") in FINAL for m in manifests)
    if complete:
        merged = merge_runs([s.root for s in shards], parent, report=report, on_locked="skip", history=history)
        if merged is not None:
            out = RunOutcome(merged.run_dir, merged.status, merged.exit_code, merged.counts)
            return replace(
                out, processed=outcome.processed, skipped=outcome.skipped, wall_s=outcome.wall_s, merged=True
            )
    done = sum(int((m or {}).get("counts", {}).get("done", 0)) for m in manifests)
    failed = sum(int((m or {}).get("counts", {}).get("failed", 0)) for m in manifests)
    counts = {"units": total, "done": done, "failed": failed, "pending": total - done}
    # not the last shard (or another shard is merging these same finished shards right now): exit 0
    status = "partial" if not complete else ("finished_with_failures" if failed else "finished")
    return replace(outcome, run_dir=parent, status=status, exit_code=0, counts=counts)
