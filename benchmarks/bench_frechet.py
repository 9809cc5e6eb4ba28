"""Fréchet distance: our eigh-based ``frechet_distance`` vs scipy's ``sqrtm`` and torchmetrics' FID.

    python benchmarks/bench_frechet.py [--dims 256,512,1024] [--reps 3]

For each dimension d: two well-conditioned covariances (4d samples each), the distance by

- ``eigh``: :func:`metrics.frechet_distance` (two symmetric eigendecompositions, float64);
- ``sqrtm``: the classic ``Tr(sqrtm(S1 S2))`` with ``scipy.linalg.sqrtm`` (pytorch-fid, StyleGAN-V);
- ``torchmetrics``: ``torchmetrics.image.fid._compute_fid`` (eigenvalues of the non-symmetric
  ``S1 S2``, float64);

prints the median wall time of each, the speed-up of ``eigh`` over ``sqrtm`` and each one's
relative difference from ``sqrtm``; then the same on identical rank-deficient inputs (N < d),
where the true distance is 0. BLAS threads are whatever the environment says (set
``OPENBLAS_NUM_THREADS=1`` on a shared machine: oversubscribed BLAS threads cost 100×).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from scipy import linalg

from metrics.frechet import frechet_distance


def by_sqrtm(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray, s2: np.ndarray) -> float:
    covmean = linalg.sqrtm(s1 @ s2)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(np.real(covmean)))


def by_torchmetrics(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray, s2: np.ndarray) -> float:
    import torch
    from torchmetrics.image.fid import _compute_fid

    t = [torch.from_numpy(a) for a in (mu1, s1, mu2, s2)]
    return float(_compute_fid(*t))


def timed(f: Callable[..., float], args: tuple, reps: int) -> tuple[float, float]:
    times, value = [], 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        value = f(*args)
        times.append(time.perf_counter() - t0)
    return value, float(np.median(times))


def inputs(d: int, n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    mix = np.eye(d) + 0.3 * rng.normal(size=(d, d)) / np.sqrt(d)
    a, b = rng.normal(size=(n, d)) @ mix, rng.normal(size=(n, d)) @ mix + 0.1
    return a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dims", default="256,512,1024")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    fns = {"eigh": frechet_distance, "sqrtm": by_sqrtm, "torchmetrics": by_torchmetrics}
    print(f"{'d':>5} {'method':>13} {'value':>14} {'time s':>9} {'rel. diff vs sqrtm':>19}")
    for d in (int(x) for x in args.dims.split(",")):
        args_ = inputs(d, 4 * d, d)
        got = {k: timed(f, args_, args.reps) for k, f in fns.items()}
        ref = got["sqrtm"][0]
        for k, (v, t) in got.items():
            print(f"{d:>5} {k:>13} {v:>14.8f} {t:>9.4f} {abs(v - ref) / abs(ref):>19.2e}")
        print(f"{d:>5} {'speed-up':>13} eigh is {got['sqrtm'][1] / got['eigh'][1]:.1f}x faster than sqrtm")
    d = 256
    x = np.random.default_rng(0).normal(size=(64, d))
    mu, s = x.mean(0), np.cov(x, rowvar=False)
    print(f"\nidentical inputs, N = 64 < d = {d} (true distance 0):")
    for k, f in fns.items():
        print(f"{k:>13} {f(mu, s, mu, s): .6g}")


if __name__ == "__main__":
    main()
