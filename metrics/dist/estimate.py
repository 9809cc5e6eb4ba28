"""A distance between a run's clips and the reference, with its bootstrap CI and its floor.

The reference comes as two disjoint halves ``A`` and ``B`` of the run's size N (prompt-matched
when the reference is rendered from the run's suite). The **value** is ``½ (d(run, A) + d(run,
B))`` and the **floor** is ``d(A, B)``: every term compares N clips with N clips, so a run drawn
from the reference distribution is exchangeable with ``B`` and its value has the floor's
distribution — distances are biased by N, and this puts the bias on both sides equally.

CIs resample clips (``scipy.stats.bootstrap``, run and halves independently). A distance is
computed from *counts*: a resample is a vector of how often each clip was drawn, so a Fréchet
distance reuses float64 weighted sums and a kernel distance reuses one Gram matrix. The interval
is the percentile interval moved by the bootstrap's shift (its median minus the estimate): a
resample repeats clips, which adds noise, and a distance grows with noise, so resampled distances
sit above the estimate (at N = 100, D = 32 the plain percentile interval of two samples of one
Gaussian lay wholly above the estimate, and the basic interval wholly below it, around the
population distance 0). Moved back, the interval says how much the N-clip estimate varies with
the clips drawn, which is what comparing two runs at the same N needs; it is conservative (about
twice the spread of independent draws in ``tests/metrics/dist/test_estimate.py``'s simulation).
Bounds are clipped at the distance's lower limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from metrics.dist.kernel import poly_kernel
from metrics.dist.stats import GaussianStats, frechet

#: ``f(counts_x, counts_y) -> distance`` between two index sets of one prepared pool.
PairDistance = Callable[[np.ndarray, np.ndarray], float]


def frechet_pair(x: np.ndarray, y: np.ndarray) -> PairDistance:
    """Fréchet distance between weighted rows of ``x`` and of ``y``."""
    return lambda cx, cy: frechet(GaussianStats.of(x, cx), GaussianStats.of(y, cy))


def mmd_pair(x: np.ndarray, y: np.ndarray, gamma: float | None = None) -> PairDistance:
    """Unbiased polynomial MMD² between weighted rows of ``x`` and ``y``: pairs of a clip with
    itself (or its copy in a resample) are dropped, as the unbiased estimator drops ``k(x, x)``."""
    kxx, kyy, kxy = poly_kernel(x, x, gamma), poly_kernel(y, y, gamma), poly_kernel(x, y, gamma)
    dx, dy = np.diag(kxx).copy(), np.diag(kyy).copy()

    def within(k: np.ndarray, diag: np.ndarray, c: np.ndarray) -> float:
        same = (c * c) @ diag
        return float((c @ k @ c - same) / (c.sum() ** 2 - c @ c))

    def f(cx: np.ndarray, cy: np.ndarray) -> float:
        return within(kxx, dx, cx) + within(kyy, dy, cy) - 2.0 * float(cx @ kxy @ cy / (cx.sum() * cy.sum()))

    return f


@dataclass
class Estimate:
    """What a distance row carries besides its value."""

    value: float
    ci95: list[float] | None
    floor: float
    floor_ci95: list[float] | None
    n: int
    n_reference: int

    def detail(self) -> dict[str, Any]:
        return {
            "ci95": self.ci95,
            "n": self.n,
            "floor": self.floor,
            "floor_ci95": self.floor_ci95,
            "n_reference": self.n_reference,
        }


def _counts(idx: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(np.asarray(idx, np.int64), minlength=n).astype(np.float64)


def _interval(data: tuple[np.ndarray, ...], stat: Callable[..., float], n_boot: int, seed: int, low: float):
    if n_boot <= 0 or min(len(d) for d in data) < 3:
        return None
    from scipy import stats  # imported when a set is scored: listing metrics stays light

    res = stats.bootstrap(
        data,
        stat,
        paired=False,
        vectorized=False,
        n_resamples=n_boot,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    lo, hi = res.confidence_interval
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    shift = float(np.median(res.bootstrap_distribution)) - float(stat(*(np.arange(len(d)) for d in data)))
    return [float(max(lo - shift, low)), float(max(hi - shift, low))]


def estimate(
    run: np.ndarray,
    ref_a: np.ndarray,
    ref_b: np.ndarray,
    pair: Callable[[np.ndarray, np.ndarray], PairDistance],
    *,
    n_boot: int = 200,
    seed: int = 0,
    low: float = 0.0,
) -> Estimate:
    """Value, floor and their CIs for ``(N, D)`` run features against halves ``ref_a``, ``ref_b``.

    ``pair(x, y)`` prepares a distance between weighted rows of ``x`` and ``y``; ``low`` is the
    least value the distance takes (0 for Fréchet; MMD² estimates may dip below 0: ``-inf``).
    """
    nr, na, nb = len(run), len(ref_a), len(ref_b)
    d_ra, d_rb, d_ab = pair(run, ref_a), pair(run, ref_b), pair(ref_a, ref_b)

    def value(ir: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> float:
        cr = _counts(ir, nr)
        return 0.5 * (d_ra(cr, _counts(ia, na)) + d_rb(cr, _counts(ib, nb)))

    def floor(ia: np.ndarray, ib: np.ndarray) -> float:
        return d_ab(_counts(ia, na), _counts(ib, nb))

    ir, ia, ib = np.arange(nr), np.arange(na), np.arange(nb)
    return Estimate(
        value=value(ir, ia, ib),
        ci95=_interval((ir, ia, ib), value, n_boot, seed, low),
        floor=floor(ia, ib),
        floor_ci95=_interval((ia, ib), floor, n_boot, seed + 1, low),
        n=nr,
        n_reference=na + nb,
    )
