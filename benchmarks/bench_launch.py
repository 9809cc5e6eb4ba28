"""Time `t2vbench launch --executor local --shards N` against one `t2vbench run` process.

    python benchmarks/bench_launch.py [--suite nightly] [--shards 2] [--repeat 3] [-- RUN OPTIONS]

Each repeat runs both commands back to back (one process first, then the shards) as a user would
meet them: whole processes, imports, merge and report included. Prints every wall time, the
medians, the speed-up (one process / launch; the issue's target is >= 1.6x for 2 shards on a
2-core machine with the default metrics), the load average around each command (the figures only
mean something on a quiet machine), and checks that both runs wrote the same samples.jsonl and
summary.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> tuple[float, float, int, str, float]:
    """(wall seconds, 1-minute load average before, exit code, output tail, start time)."""
    load = os.getloadavg()[0]
    start, t0 = time.time(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - t0, load, proc.returncode, (proc.stdout + proc.stderr)[-600:], start


def _started(log: Path, t0: float) -> float:
    """When a local shard's process started (its log's first line), seconds after t0."""
    m = re.search(r"started at ([\d.]+)", log.read_text())
    return float(m.group(1)) - t0 if m else float("nan")


def timeline(run: Path, t0: float, wall: float) -> str:
    """Where a launch spent its time: job starts, each shard's first and last unit, the merge
    (tables, report) and the end, in seconds after the command started."""
    marks = []
    for log in sorted((run / "shards" / "logs").glob("*_log.err")):
        marks.append(f"shard start {_started(log, t0):.1f}")
    for shard in sorted((run / "shards").glob("*-of-*")):
        times = sorted(p.stat().st_mtime - t0 for p in (shard / "units").rglob("*.json"))
        if times:
            marks.append(f"{shard.name} units {times[0]:.1f}-{times[-1]:.1f}")
    for name in ("samples.jsonl", "report.html"):
        if (run / name).exists():
            marks.append(f"merged {name} {(run / name).stat().st_mtime - t0:.1f}")
    return "  timeline (s): " + ", ".join(marks) + f", end {wall:.1f}"


def same_results(a: Path, b: Path) -> bool:
    if (a / "samples.jsonl").read_bytes() != (b / "samples.jsonl").read_bytes():
        return False
    sa, sb = (json.loads((d / "summary.json").read_text()) for d in (a, b))
    return {k: v for k, v in sa.items() if k != "run_id"} == {k: v for k, v in sb.items() if k != "run_id"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="nightly")
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("extra", nargs="*", help="more run options (after --)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="t2v-bench-launch-"))
    t2v = [sys.executable, "-m", "bench"]
    common = ["--suite", args.suite, "--no-progress", *args.extra]
    one, many = [], []
    print(f"suite {args.suite}, {args.shards} local shards, {os.cpu_count()} cores; {work}")
    try:
        for k in range(args.repeat):
            a, b = work / f"one-{k}", work / f"launch-{k}"
            wall_a, load_a, code_a, tail_a, _ = timed([*t2v, "run", *common, "--out", str(a)])
            cmd = [*t2v, "launch", "--executor", "local", "--shards", str(args.shards), *common, "--out", str(b)]
            wall_b, load_b, code_b, tail_b, start_b = timed(cmd)
            if code_a or code_b:
                print(f"a command failed (run {code_a}, launch {code_b}):\n{tail_a}\n{tail_b}")
                return 1
            same = same_results(a, b)
            one.append(wall_a)
            many.append(wall_b)
            print(
                f"repeat {k}: one process {wall_a:6.2f} s (load {load_a:.2f})   "
                f"launch {wall_b:6.2f} s (load {load_b:.2f})   x{wall_a / wall_b:.2f}   same results: {same}"
            )
            print(timeline(b, start_b, wall_b))
            if not same:
                return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med_a, med_b = statistics.median(one), statistics.median(many)
    print(f"median: one process {med_a:.2f} s, launch --shards {args.shards} {med_b:.2f} s: x{med_a / med_b:.2f}")
    print(
        f"best:   one process {min(one):.2f} s, launch --shards {args.shards} {min(many):.2f} s: x{min(one) / min(many):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
