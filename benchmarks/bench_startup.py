"""How long commands that score nothing keep a user waiting (whole process, imports included).

    python benchmarks/bench_startup.py [--repeat 5] [--run DIR] [--baseline DIR]

Times, as separate processes through the installed ``t2vbench`` script: ``t2vbench --help``,
``t2vbench report RUN`` and ``t2vbench run --resume`` on a finished smoke run (made first in a
temporary folder unless ``--run`` names one), ``t2vbench compare BASELINE RUN`` against a clean
smoke run (``reference:profile=clean``, made beside it unless ``--baseline`` names one) and
``t2vbench history`` over the folder holding both (indexed once before timing, as a nightly job
finds it). It prints the median of ``--repeat`` and whether each meets its target (1.0 s, 2.0 s,
2.5 s, 3.0 s, 3.0 s on a 2-core machine). It also lists which heavy
packages each command imported (``python -X importtime``): none of torch, torchmetrics or
transformers should appear.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("torch", "torchmetrics", "transformers", "matplotlib", "scipy", "pandas", "cv2")
TARGETS = {"help": 1.0, "report": 2.0, "resume": 2.5, "compare": 3.0, "history": 3.0}


def t2vbench() -> list[str]:
    exe = shutil.which("t2vbench") or str(Path(sys.executable).parent / "t2vbench")
    return [exe] if Path(exe).exists() else [sys.executable, "-m", "bench"]


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    return time.perf_counter() - t0


def heavy_imports(cmd: list[str]) -> list[str]:
    """Top-level heavy packages the command imports (from ``-X importtime``)."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    err = subprocess.run(cmd, capture_output=True, text=True, env=env).stderr
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in err.splitlines() if "import time:" in line}
    return sorted(n for n in names if n in HEAVY)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--run", type=Path, default=None, help="a finished smoke run (default: make one)")
    ap.add_argument("--baseline", type=Path, default=None, help="a run to compare it with (default: make a clean one)")
    args = ap.parse_args()
    base = t2vbench()
    tmp = Path(tempfile.mkdtemp(prefix="t2v-startup-"))
    run, baseline = args.run or tmp / "runs" / "smoke", args.baseline or tmp / "runs" / "clean"
    for path, given, generator in ((run, args.run, "reference"), (baseline, args.baseline, "reference:profile=clean")):
        if given is None:
            print(f"making a smoke run in {path} ({generator}) ...", flush=True)
            cmd = [*base, "run", "--generator", generator, "--out", str(path), "--no-progress"]
            subprocess.run(cmd, check=True, capture_output=True)
    history = [*base, "history", str(tmp / "runs"), "--db", str(tmp / "history.sqlite"), "--out", str(tmp / "history")]
    if args.run is not None or args.baseline is not None:  # index the runs where they are, by a link
        (tmp / "runs").mkdir(exist_ok=True)
        for path in (run, baseline):
            link = tmp / "runs" / path.name
            if not link.exists():
                link.symlink_to(path.resolve())
    subprocess.run(history, check=True, capture_output=True)  # the first indexing; later calls find no change
    commands = {
        "help": [*base, "--help"],
        "report": [*base, "report", str(run)],
        "resume": [*base, "run", "--out", str(run), "--resume", "--no-progress"],
        "compare": [*base, "compare", str(baseline), str(run), "--out", str(tmp / "compare")],
        "history": history,
    }
    ok = True
    for name, cmd in commands.items():
        times = [timed(cmd) for _ in range(args.repeat)]
        med = statistics.median(times)
        good = med <= TARGETS[name]
        ok &= good
        heavy = ", ".join(heavy_imports(cmd)) or "none"
        print(
            f"{name:7s} median {med:5.2f} s  (min {min(times):.2f}, max {max(times):.2f}; target {TARGETS[name]:.1f} s: "
            f"{'ok' if good else 'MISSED'})  heavy imports: {heavy}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
