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

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from metrics.dist.kernel import poly_kernel
from metrics.dist.stats import GaussianStats, frechet

#: ``f(counts_x, counts_y) -> distance`` between two index sets of one prepared pool.
PairDistance = Callable[[np.ndarray, np.ndarray], float]
#: ``pair(x, y, groups_x, groups_y) -> PairDistance``; a group is a row's prompt (or None).
Pair = Callable[..., PairDistance]


def frechet_pair(
    x: np.ndarray, y: np.ndarray, gx: np.ndarray | None = None, gy: np.ndarray | None = None
) -> PairDistance:
    """Fréchet distance between weighted rows of ``x`` and of ``y`` (groups play no part)."""
    return lambda cx, cy: frechet(GaussianStats.of(x, cx), GaussianStats.of(y, cy))


def _mean_over(k: np.ndarray, mask: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> float:
    pairs = cx @ mask @ cy
    return float((cx @ (k * mask) @ cy) / pairs) if pairs > 0 else float("nan")


def mmd_pair(
    x: np.ndarray, y: np.ndarray, gx: np.ndarray | None = None, gy: np.ndarray | None = None, gamma: float | None = None
) -> PairDistance:
    """Unbiased polynomial MMD² between weighted rows of ``x`` and ``y``.

    Pairs within one group are left out of all three kernel means: a clip with itself (or its
    copy in a resample), as the unbiased estimator drops ``k(x, x)``, and — when ``gx``/``gy``
    give each row's prompt — two clips of one prompt. Run and reference render the same prompts,
    so a cross pair of one prompt is two near-copies that no within pair has: kept, it biases
    the estimate downward by about ``2/N`` of the kernel's same-prompt excess (we measured
    −0.39 on smoke with N = 30).
    """
    gx = np.arange(len(x)) if gx is None else np.asarray(gx)
    gy = np.arange(len(y)) + len(x) if gy is None else np.asarray(gy)
    kxx, kyy, kxy = poly_kernel(x, x, gamma), poly_kernel(y, y, gamma), poly_kernel(x, y, gamma)
    mxx, myy, mxy = (ga[:, None] != gb[None, :] for ga, gb in ((gx, gx), (gy, gy), (gx, gy)))
    mxx, myy, mxy = (m.astype(np.float64) for m in (mxx, myy, mxy))

    def f(cx: np.ndarray, cy: np.ndarray) -> float:
        return _mean_over(kxx, mxx, cx, cx) + _mean_over(kyy, myy, cy, cy) - 2.0 * _mean_over(kxy, mxy, cx, cy)

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

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined resamples are dropped below
        res = stats.bootstrap(
            data,
            stat,
            paired=False,
            vectorized=False,
            n_resamples=n_boot,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    dist = np.asarray(res.bootstrap_distribution, np.float64)
    dist = dist[np.isfinite(dist)]  # a resample of tiny groups can leave a kernel mean undefined
    if len(dist) < max(10, n_boot // 2):
        return None
    lo, hi = np.percentile(dist, [2.5, 97.5])
    shift = float(np.median(dist)) - float(stat(*(np.arange(len(d)) for d in data)))
    return [float(max(lo - shift, low)), float(max(hi - shift, low))]


def estimate(
    run: np.ndarray,
    ref_a: np.ndarray,
    ref_b: np.ndarray,
    pair: Pair,
    *,
    n_boot: int = 200,
    seed: int = 0,
    low: float = 0.0,
    groups: tuple[list[str], list[str], list[str]] | None = None,
) -> Estimate:
    """Value, floor and their CIs for ``(N, D)`` run features against halves ``ref_a``, ``ref_b``.

    ``pair(x, y, gx, gy)`` prepares a distance between weighted rows of ``x`` and ``y``; ``low``
    is the least value the distance takes (0 for Fréchet; MMD² estimates may dip below 0:
    ``-inf``); ``groups``: each row's prompt in run, A and B (None: every clip its own).
    """
    nr, na, nb = len(run), len(ref_a), len(ref_b)
    if groups is None:
        g = np.arange(nr + na + nb)
        gr, ga, gb = g[:nr], g[nr : nr + na], g[nr + na :]
    else:
        codes = {p: i for i, p in enumerate(sorted({*groups[0], *groups[1], *groups[2]}))}
        gr, ga, gb = (np.array([codes[p] for p in grp]) for grp in groups)
    d_ra, d_rb, d_ab = pair(run, ref_a, gr, ga), pair(run, ref_b, gr, gb), pair(ref_a, ref_b, ga, gb)

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
