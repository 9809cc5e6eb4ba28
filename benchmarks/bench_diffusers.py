"""Per-stage time and peak GPU memory of a diffusers pipeline run through `t2vbench run`.

    python benchmarks/bench_diffusers.py [--path DIR] [--device cuda] [--batch 1,4] [--frames 9 --height 32 --width 32]

Without ``--path`` it builds the tiny random LTX-Video pipeline (``python -m model.tiny_diffusers``)
so the GPU code path can be measured on any machine with a GPU and no checkpoint. For each batch
size it runs the smoke suite (clips only, plus temporal.flicker) and prints, from profile.json,
each stage's count, total and median wall seconds, CUDA milliseconds and peak allocated/reserved
memory, and the units' generation seconds and peak memory (a batched unit's time is its share).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def mib(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:8.1f} MiB"


def report(run: Path) -> None:
    prof = json.loads((run / "profile.json").read_text())
    print(
        f"  {'stage':28s} {'n':>4s} {'total s':>9s} {'median s':>9s} {'cuda ms':>10s} {'peak alloc':>13s} {'peak resv':>13s}"
    )
    for name, st in prof["stages"].items():
        cuda = st.get("cuda_ms") or {}
        print(
            f"  {name:28s} {st['count']:4d} {st['wall_s']['total']:9.3f} {st['wall_s']['median'] or 0:9.3f} "
            f"{cuda.get('total', 0):10.1f} {mib(st.get('peak_allocated_bytes')):>13s} {mib(st.get('peak_reserved_bytes')):>13s}"
        )
    units = prof.get("units") or []
    gen = [u["generate_s"] for u in units if u.get("generate_s") is not None]
    peaks = [u["peak_allocated_bytes"] for u in units if u.get("peak_allocated_bytes") is not None]
    if gen:
        print(
            f"  units: {len(units)}, generate {sum(gen) / len(gen):.3f} s each, peak {mib(max(peaks) if peaks else None)}"
        )
    fp = json.loads((run / "manifest.json").read_text())["env"]["fingerprint"]
    print(f"  fingerprint: {fp}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", type=Path, default=None, help="a diffusers pipeline folder (default: build the tiny one)")
    ap.add_argument("--options", default="steps=2", help="more spec options (default: steps=2)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--batch", default="1,4", help="batch sizes to try (default: 1,4)")
    ap.add_argument("--suite", default="smoke")
    ap.add_argument("--frames", default="9")
    ap.add_argument("--height", default="32")
    ap.add_argument("--width", default="32")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="t2v-bench-diffusers-"))
    path = args.path
    if path is None:
        path = work / "tiny-ltx"
        subprocess.run([sys.executable, "-m", "model.tiny_diffusers", str(path)], cwd=ROOT, check=True)
    for batch in args.batch.split(","):
        out = work / f"run-b{batch}"
        cmd = [sys.executable, "-m", "bench", "run", "--suite", args.suite, "--out", str(out), "--no-progress"]
        cmd += ["--generator", f"diffusers:{path},{args.options}", "--device", args.device, "--batch", batch]
        cmd += [
            "--frames",
            args.frames,
            "--height",
            args.height,
            "--width",
            args.width,
            "--metrics",
            "temporal.flicker",
        ]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        print(f"batch {batch}: exit {proc.returncode}")
        if proc.returncode != 0:
            print(proc.stdout[-800:] + proc.stderr[-1500:])
            return 1
        report(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
