"""``t2vbench merge`` and ``t2vbench launch`` (parsers and commands; heavy imports stay inside).

t2vbench merge RUN... [--out DIR] [--partial] [--no-report]
t2vbench launch --executor slurm|local --shards N --out DIR [--gpus-per-shard G]
                [--partition P] [--time T] [--cpus-per-shard C] [--mem-gb M]
                [--slurm-param KEY=VALUE ...] [--no-wait] [run options: --suite, --generator, ...]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def add_parsers(sub: argparse._SubParsersAction, add_run_options: Callable[..., None]) -> None:
    mp = sub.add_parser(
        "merge",
        help="fold shard run directories into one run (identical to a single-process run of the same units)",
        description="Merge runs: each RUN is a shard's run directory, or a run directory whose shards/ holds them.",
    )
    mp.add_argument("runs", nargs="+", type=Path, metavar="RUN")
    mp.add_argument("--out", type=Path, default=None, help="the merged run (default: RUN, when one RUN holds shards/)")
    mp.add_argument("--partial", action="store_true", help="merge even when some units are not finished")
    mp.add_argument("--no-report", action="store_true", help="skip report.html / report.md (and summary.json)")
    lp = sub.add_parser(
        "launch",
        help="run a suite as N shards (Slurm job array or local processes) and merge them",
        description="Run the shards of one run through submitit and merge them into --out.",
    )
    lp.add_argument("--executor", choices=["slurm", "local"], default="local")
    lp.add_argument("--shards", type=int, default=2, metavar="N", help="number of shards (jobs)")
    lp.add_argument("--gpus-per-shard", type=int, default=0, metavar="G")
    lp.add_argument("--partition", default=None, metavar="P", help="Slurm partition")
    lp.add_argument("--time", default=None, metavar="T", help="time limit per shard: minutes or [D-]HH:MM[:SS]")
    lp.add_argument("--cpus-per-shard", type=int, default=None, metavar="C")
    lp.add_argument("--mem-gb", type=float, default=None, metavar="M")
    lp.add_argument(
        "--slurm-param", action="append", default=[], metavar="KEY=VALUE", help="any other sbatch option (repeatable)"
    )
    lp.add_argument("--max-requeue", type=int, default=3, help="requeues after a time-out (default: 3)")
    lp.add_argument("--no-wait", action="store_true", help="submit and return (the last shard still merges)")
    add_run_options(lp, launch=True)


def main(args: argparse.Namespace, argv: list[str], run_config: Callable[..., Any]) -> int:
    if args.command == "merge":
        return cmd_merge(args, argv)
    return cmd_launch(args, argv, run_config)


def _counts_line(status: str, counts: dict[str, int]) -> str:
    return (
        f"{status}: {counts.get('done', 0)}/{counts.get('units', 0)} units done, "
        f"{counts.get('failed', 0)} failed, {counts.get('pending', 0)} pending"
    )


def cmd_merge(args: argparse.Namespace, argv: list[str]) -> int:
    from bench.merge import merge_runs
    from t2vbase.errors import UsageError
    from t2vbase.rundir import RunDir

    out = args.out
    if out is None:
        if len(args.runs) != 1 or not RunDir(args.runs[0]).shards_dir.is_dir():
            raise UsageError("merge: pass --out DIR (only a single RUN that holds shards/ is its own default)")
        out = args.runs[0]
    res = merge_runs(args.runs, out, report=not args.no_report, partial=args.partial, command=["t2vbench", *argv])
    assert res is not None
    print(_counts_line(res.status, res.counts) + ("" if res.merged else " (already up to date)"))
    print(f"run directory: {res.run_dir}")
    return res.exit_code


def _slurm_params(items: list[str]) -> dict[str, str]:
    from t2vbase.errors import UsageError

    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"--slurm-param {item!r}: expected KEY=VALUE (an sbatch option without its --)")
        out[key.strip()] = value.strip()
    return out


def cmd_launch(args: argparse.Namespace, argv: list[str], run_config: Callable[..., Any]) -> int:
    if args.executor == "local" and not args.no_wait:
        from bench.local_shards import start_server

        start_server()  # its imports overlap this process's own and the input checks
    try:
        from bench.launch import LaunchConfig, launch
    except ModuleNotFoundError as err:
        if err.name != "submitit":
            raise
        from t2vbase.errors import UsageError

        raise UsageError("launch needs submitit (a t2vbench dependency): pip install submitit") from None
    lc = LaunchConfig(
        executor=args.executor,
        shards=args.shards,
        gpus_per_shard=args.gpus_per_shard,
        partition=args.partition,
        time=args.time,
        cpus_per_shard=args.cpus_per_shard,
        mem_gb=args.mem_gb,
        slurm_params=_slurm_params(args.slurm_param),
        max_requeue=args.max_requeue,
        wait=not args.no_wait,
    )
    res = launch(run_config(args, argv), lc)
    print(f"submitted {len(res.jobs)} {lc.executor} job(s): {', '.join(res.jobs)}")
    for r in res.shards:
        extra = f": {r.message}" if r.message else ""
        print(f"  shard {r.index}/{lc.shards}: {r.status} in {r.wall_s:.1f} s{extra}")
    if not lc.wait:
        print(f"logs: {res.run_dir / 'shards' / 'logs'}; the last shard to finish merges into {res.run_dir}")
        return 0
    if res.message:
        print(f"t2vbench: error: {res.message}")
    else:
        print(_counts_line(res.status, res.counts))
    print(f"run directory: {res.run_dir}")
    return res.exit_code
