"""CPU time of all physics checks together on 16-frame 128x128 clips (gate: 0.1 s per clip).

    python benchmarks/bench_checks.py [--suite smoke] [--seeds 3] [--every 1] [--backend color]

Renders each prompt with the default reference profile, encodes and decodes it as H.264, then
times the observation plus all ``physics.*`` checks with ``time.process_time`` (CPU seconds of
this process, all threads) on a fresh clip cache, pinned to one thread as on a loaded CI box.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np

from metrics import Clip, build_metric, resolve_metrics
from model import get_generator
from prompts import load_suite
from t2vbase.video import read_video, write_video


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="smoke")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--every", type=int, default=1, help="take every n-th prompt of the suite")
    ap.add_argument("--backend", default="color")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    names = resolve_metrics("physics.*")
    metrics = [build_metric(n, backend=args.backend) for n in names]
    gen = get_generator("reference")
    suite = load_suite(args.suite)
    cpu, ids, per_check = [], [], {n: [] for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        for p in suite.prompts[:: args.every]:
            for seed in range(args.seeds):
                v = gen.generate(p, seed=seed)
                frames = read_video(write_video(Path(tmp) / "c.mp4", v)).frames
                clip = Clip(frames, v.fps, p, v.metadata)
                t0 = time.process_time()
                for m in metrics:
                    t1 = time.process_time()
                    m.score(clip)
                    per_check[m.name].append(time.process_time() - t1)
                cpu.append(time.process_time() - t0)
                ids.append(f"{p.id}/{seed}")
    cpu_a = np.array(cpu)
    print(
        f"{len(cpu)} clips of {frames.shape[0]}x{frames.shape[1]}x{frames.shape[2]}, backend {args.backend}, 1 thread"
    )
    print(
        f"all physics checks, CPU s per clip: median {np.median(cpu_a):.4f}  p90 {np.percentile(cpu_a, 90):.4f}  max {cpu_a.max():.4f}  (gate 0.1)"
    )
    worst = np.argsort(cpu_a)[::-1][:3]
    print("slowest clips: " + ", ".join(f"{ids[i]} {cpu_a[i]:.4f}" for i in worst))
    print("per check, median CPU ms (the first check of a clip pays for the shared observation):")
    for n in names:
        print(f"  {n:22s} {np.median(per_check[n]) * 1e3:7.2f}")
    return 0 if cpu_a.max() <= 0.1 else 1


if __name__ == "__main__":
    sys.exit(main())
