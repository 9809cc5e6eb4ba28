"""CPU time of the physics checks (and ``temporal.flicker``) per clip, at any clip format.

    python benchmarks/bench_checks.py [--suite smoke] [--seeds 3] [--every 1] [--backend color]
                                      [--format 16x128x128@8] [--flicker] [--max-clips N]
    python benchmarks/bench_checks.py --loop 16,64,256,600  # one 16-frame clip looped to N frames

Renders each prompt with the default reference profile at ``--format`` (frames x height x width
@ fps), encodes and decodes it as H.264, then times the observation plus all ``physics.*`` checks
(plus ``temporal.flicker`` with ``--flicker``) with ``time.process_time`` (CPU seconds of this
process, all threads) on a fresh clip cache, pinned to one thread as on a loaded CI box.

``--loop N[,N...]`` repeats a 16-frame clip until it has N frames (the same size) and times each
check *alone* on a fresh cache (so each pays for the observation), with its cost relative to
N/16 times the first length's (x1.00: linear): a clip's cost must grow linearly with its frames.

Gates: 16x128x128 clips at most 0.1 s per clip (all checks); 81x480x832 clips median 1.0 s and
max 2.0 s (all checks and flicker); a looped clip at most 3 s per check. Exit 1 if a gate fails.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np

from metrics import Clip, resolve_metrics
from metrics.registry import build_metrics
from model import get_generator
from prompts import load_suite
from t2vbase.video import read_video, write_video

FORMAT = re.compile(r"^(\d+)x(\d+)x(\d+)@(\d+(?:\.\d+)?)$")
#: (median, max) CPU seconds per clip of all checks, by format
GATES = {(16, 128, 128): (0.1, 0.1), (81, 480, 832): (1.0, 2.0)}
LOOP_GATE = 3.0


def parse_format(text: str) -> tuple[int, int, int, float]:
    m = FORMAT.match(text.strip())
    if not m:
        raise SystemExit(f"--format {text!r}: expected FRAMESxHEIGHTxWIDTH@FPS, e.g. 81x480x832@16")
    return int(m[1]), int(m[2]), int(m[3]), float(m[4])


def render(gen, prompt, seed: int, fmt: tuple[int, int, int, float], tmp: str) -> Clip:
    T, H, W, fps = fmt
    v = gen.generate(prompt, seed=seed, num_frames=T, height=H, width=W, fps=fps)
    frames = read_video(write_video(Path(tmp) / "c.mp4", v)).frames
    return Clip(frames, v.fps, prompt, v.metadata)


def warm_up(metrics: list, suite: str) -> None:
    """Score one small clip untimed, so imports and lookup tables are not charged to a clip."""
    p = load_suite(suite).prompts[0]
    v = get_generator("reference").generate(p, seed=0)
    for m in metrics:
        m.score(Clip(v.frames, v.fps, p, v.metadata))


def time_clip(metrics: list, clip: Clip) -> tuple[float, dict[str, float]]:
    """CPU seconds of all ``metrics`` on one clip (shared cache), and of each."""
    per: dict[str, float] = {}
    t0 = time.process_time()
    for m in metrics:
        t1 = time.process_time()
        m.score(clip)
        per[m.name] = time.process_time() - t1
    return time.process_time() - t0, per


def bench_format(args, metrics: list, fmt: tuple[int, int, int, float]) -> int:
    gen = get_generator("reference")
    suite = load_suite(args.suite)
    cpu, ids, per_check = [], [], {m.name: [] for m in metrics}
    with tempfile.TemporaryDirectory() as tmp:
        for p in suite.prompts[:: args.every]:
            for seed in range(args.seeds):
                if args.max_clips and len(cpu) >= args.max_clips:
                    break
                clip = render(gen, p, seed, fmt, tmp)
                total, per = time_clip(metrics, clip)
                for n, s in per.items():
                    per_check[n].append(s)
                cpu.append(total)
                ids.append(f"{p.id}/{seed}")
    cpu_a = np.array(cpu)
    T, H, W, fps = fmt
    print(f"{len(cpu)} clips of {T}x{H}x{W} at {fps:g} fps, backend {args.backend}, 1 thread")
    gate = GATES.get((T, H, W))
    print(
        f"all checks, CPU s per clip: median {np.median(cpu_a):.4f}  p90 {np.percentile(cpu_a, 90):.4f}  "
        f"max {cpu_a.max():.4f}" + (f"  (gate median {gate[0]}, max {gate[1]})" if gate else "")
    )
    worst = np.argsort(cpu_a)[::-1][:3]
    print("slowest clips: " + ", ".join(f"{ids[i]} {cpu_a[i]:.4f}" for i in worst))
    print("per check, median / max CPU ms (the first check of a clip pays for the shared observation):")
    for n, v in per_check.items():
        print(f"  {n:22s} {np.median(v) * 1e3:9.2f} {np.max(v) * 1e3:9.2f}")
    ok = gate is None or (np.median(cpu_a) <= gate[0] and cpu_a.max() <= gate[1])
    return 0 if ok else 1


def bench_loop(args, metrics: list, fmt: tuple[int, int, int, float]) -> int:
    gen = get_generator("reference")
    suite = load_suite(args.suite)
    p = next(p for p in suite.prompts if p.id == args.loop_prompt) if args.loop_prompt else suite.prompts[0]
    with tempfile.TemporaryDirectory() as tmp:
        base = render(gen, p, 0, fmt, tmp)
    lengths = [int(n) for n in args.loop.split(",")]
    metrics = [m for m in metrics if not hasattr(m, "applicable") or (p.expect and m.applicable(p.expect))]
    print(f"{p.id}: a {base.num_frames}-frame {fmt[1]}x{fmt[2]} clip looped, 1 thread")
    print("each check alone on a fresh clip (it pays for the observation), CPU s; x = cost / (N/16 x 16-frame cost)")
    first: dict[str, float] = {}
    worst = 0.0
    for n in lengths:
        frames = np.concatenate([base.frames] * -(-n // base.num_frames))[:n]
        row = []
        for m in metrics:
            _, per = time_clip([m], Clip(frames, base.fps, p, {}))
            s = per[m.name]
            first.setdefault(m.name, s)
            ratio = s / (first[m.name] * n / lengths[0]) if first[m.name] > 1e-3 else float("nan")
            row.append(f"{m.name.split('.')[-1]} {s:.3f} (x{ratio:.2f})")
            worst = max(worst, s) if n == lengths[-1] else worst
        print(f"  {n:4d} frames: " + "  ".join(row))
    print(f"slowest check at {lengths[-1]} frames {worst:.3f} s (gate {LOOP_GATE} s at 600 frames)")
    return 0 if worst <= LOOP_GATE or lengths[-1] != 600 else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="smoke")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--every", type=int, default=1, help="take every n-th prompt of the suite")
    ap.add_argument("--backend", default="color")
    ap.add_argument("--format", default="16x128x128@8", help="FRAMESxHEIGHTxWIDTH@FPS of the rendered clips")
    ap.add_argument("--flicker", action="store_true", help="time temporal.flicker too")
    ap.add_argument("--max-clips", type=int, default=0, help="stop after this many clips (0: all)")
    ap.add_argument("--loop", default="", help="loop one clip of --format to these many frames (e.g. 16,64,600)")
    ap.add_argument("--loop-prompt", default="", help="the prompt to loop (default: the suite's first)")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    names = resolve_metrics("physics.*") + (["temporal.flicker"] if args.flicker else [])
    metrics = build_metrics(names, backend=args.backend)
    fmt = parse_format(args.format)
    warm_up(metrics, args.suite)
    return bench_loop(args, metrics, fmt) if args.loop else bench_format(args, metrics, fmt)


if __name__ == "__main__":
    sys.exit(main())
