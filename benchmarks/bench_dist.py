"""Cost of the ``dist.*`` distances: feature throughput, reference cache, set-row time.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_dist.py [--suite smoke] [--seeds 2] [--device cpu]
        [--backbone tiny] [--n-boot 200]

Prints, for clips rendered by the reference world at 16 frames of 128×128 (encoded and decoded):

- feature extraction throughput (clips/s) of each backbone (``tiny``, and ``--backbone`` if
  another) and of ``dist.motion``'s optical-flow statistics, on ``--device``;
- the reference set's cost uncached (render, encode, decode, featurise for all three distances,
  in a fresh cache folder) and cached (read back by a new process-level object);
- the time of the three set rows (value, floor and bootstrap CIs) at that N.

The validation of what the distances measure is ``t2vbench validate --distances``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def throughput(metric, clips: list) -> float:  # type: ignore[no-untyped-def]
    from bench.reference import featurise_all

    t0 = time.perf_counter()
    featurise_all([metric], iter(clips))
    return len(clips) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", default="smoke")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--backbone", default="tiny")
    ap.add_argument("--n-boot", type=int, default=200)
    args = ap.parse_args()
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="bench-dist-")
    os.environ.pop("T2VBENCH_REFERENCE_CACHE", None)

    from bench.reference import ReferenceSet, render
    from bench.units import make_units
    from metrics import build_metric
    from prompts import load_suite

    suite, seeds = load_suite(args.suite), list(range(args.seeds))
    video = {"num_frames": 16, "height": 128, "width": 128, "fps": 8.0}
    clips = list(render("reference:profile=clean", suite, seeds, video))
    print(
        f"{len(clips)} clips of {args.suite} (16 x 128 x 128), device {args.device}, cache {os.environ['XDG_CACHE_HOME']}"
    )
    backbones = ["tiny"] + ([args.backbone] if args.backbone != "tiny" else [])
    metrics = {b: build_metric("dist.fvd", backbone=b, n_boot=args.n_boot).to(args.device) for b in backbones}
    for b, m in metrics.items():
        throughput(m, clips[:4])  # warm-up: load the network
        print(f"features {b:>10}: {throughput(m, clips):8.2f} clips/s")
    motion = build_metric("dist.motion", n_boot=args.n_boot)
    print(f"features {'motion':>10}: {throughput(motion, clips):8.2f} clips/s")

    dist = [metrics[backbones[-1]], build_metric("dist.kvd", backbone=backbones[-1], n_boot=args.n_boot), motion]
    for label in ("uncached", "cached"):
        ref = ReferenceSet(suite, seeds, video, args.device)
        t0 = time.perf_counter()
        ref.prepare(dist)
        print(f"reference {label:>9}: {time.perf_counter() - t0:8.2f} s ({2 * len(clips)} reference clips)")
    units = make_units(suite, seeds)
    from bench.reference import featurise_all

    feats = featurise_all(dist, iter(clips))
    for m, f in zip(dist, feats, strict=True):
        x = np.stack([f[f"{u.prompt_id}/{u.seed}"] for u in units])
        t0 = time.perf_counter()
        res = m.compute_set(x, ref.halves(m, units))
        print(
            f"set row {m.name:>11}: {time.perf_counter() - t0:8.2f} s  value {res.value:.4g} "
            f"floor {res.detail['floor']:.4g} (N = {len(x)}, D = {x.shape[1]}, {args.n_boot} resamples)"
        )


if __name__ == "__main__":
    main()
