"""Time `t2vbench run` on the smoke suite with the default reference generator.

    python benchmarks/bench_smoke.py [--repeat 3] [--fresh-venv]

Prints the wall time of each whole command (process start to exit, report included), the stage
breakdown from profile.json, and, with --fresh-venv, the time to create a venv and install the
project (the README's first command) before the run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - t0, proc.returncode, proc.stdout + proc.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fresh-venv", action="store_true", help="create a venv and install first (timed)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="t2v-bench-"))
    t2v = [sys.executable, "-m", "bench"]
    if args.fresh_venv:
        venv = work / "venv"
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "pip"), "install", "-q", "torch==2.13.0"],
            [str(venv / "bin" / "pip"), "install", "-q", "-e", str(ROOT)],
        ]
        total = 0.0
        for step in steps:
            dt, rc, out = timed(step, work)
            total += dt
            print(
                f"install step {' '.join(Path(step[0]).name if i == 0 else s for i, s in enumerate(step))}: {dt:.1f} s"
            )
            if rc != 0:
                print(out[-2000:])
                return 1
        print(f"fresh venv + install: {total:.1f} s")
        t2v = [str(venv / "bin" / "t2vbench")]
    walls = []
    for i in range(args.repeat):
        out_dir = work / f"run{i}"
        dt, rc, out = timed([*t2v, "run", "--out", str(out_dir), "--no-progress"], work)
        if rc not in (0, 3):
            print(out[-3000:])
            return 1
        walls.append(dt)
        print(f"run {i}: {dt:.2f} s (exit {rc})")
    print(f"t2vbench run (smoke, reference): median {statistics.median(walls):.2f} s, max {max(walls):.2f} s")
    prof = json.loads((work / f"run{args.repeat - 1}" / "profile.json").read_text())
    print(f"{'stage':28s} {'count':>5s} {'total s':>8s} {'median ms':>10s} {'p90 ms':>8s}")
    for name, s in prof["stages"].items():
        w = s["wall_s"]
        print(f"{name:28s} {s['count']:5d} {w['total']:8.3f} {w['median'] * 1e3:10.1f} {w['p90'] * 1e3:8.1f}")
    tp = prof["throughput"]
    print(f"throughput: {tp['clips_per_s']:.1f} clips/s, {tp['frames_per_s']:.0f} frames/s (unit stages only)")
    print(f"peak RSS: {prof['invocation']['peak_rss_bytes'] / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
