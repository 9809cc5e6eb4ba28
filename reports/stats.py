"""The statistics of reports and comparisons, with fixed seeds (so a report rebuilt from the same
rows prints the same intervals).

A run's report needs only the bootstrap and the Wilson interval, written here in numpy (the same
resampling and percentiles as ``scipy.stats.bootstrap(method="percentile")``, which a test checks):
importing ``scipy.stats`` costs about a second, which every run's report, merge and ``launch``
would pay. The tests of comparisons (permutation, binomial) import it when they are used.

- :func:`mean_ci`: mean with a percentile bootstrap CI.
- :func:`rate_ci`: a pass rate with its Wilson score interval.
- :func:`pooled_rate_ci`: the pass rate of several checks pooled, with a bootstrap over units
  (a unit's checks see the same clip, so they are resampled together).
- :func:`paired_delta_ci`: mean of candidate − baseline over paired units, with a paired
  bootstrap CI (``scipy.stats.bootstrap(..., paired=True)``).
- :func:`paired_pooled_delta_ci`: the change of a pooled pass rate, units resampled in pairs.
- :func:`independent_delta_ci`: difference of means of unpaired samples (``compare --force``).
- :func:`paired_permutation_p`: a sign-flip permutation test over units (exact at small n).
- :func:`mcnemar_exact`: McNemar's exact test of paired pass/fail verdicts
  (``scipy.stats.binomtest`` on the discordant pairs).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist

import numpy as np

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0
EXACT_PAIRS = 16  # sign flips enumerated up to this many differing pairs
Interval = list[float]


def _bootstrap(data: tuple[np.ndarray, ...], statistic: Callable, confidence: float, paired: bool) -> Interval:
    """Percentile bootstrap CI of ``statistic(*samples, axis=-1)``: ``paired`` resamples the units of
    equal-length samples together, otherwise each sample on its own (in order, from one seeded
    generator), :data:`BOOTSTRAP_RESAMPLES` times."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    if paired:
        idx = rng.integers(0, data[0].shape[-1], (BOOTSTRAP_RESAMPLES, data[0].shape[-1]))
        resamples = [x[idx] for x in data]
    else:
        resamples = [x[rng.integers(0, x.shape[-1], (BOOTSTRAP_RESAMPLES, x.shape[-1]))] for x in data]
    with np.errstate(all="ignore"):  # degenerate resamples are handled by the callers
        theta = statistic(*resamples, axis=-1)
    alpha = (1 - confidence) / 2
    low, high = np.percentile(theta, [100 * alpha, 100 * (1 - alpha)])
    return [float(low), float(high)]


def mean_ci(values: list[float], confidence: float = 0.95) -> tuple[float | None, Interval | None]:
    """Mean and a percentile-bootstrap CI; ``(None, None)`` for no values, no CI for one value and
    a degenerate CI for constant values."""
    if not values:
        return None, None
    arr = np.asarray(values, np.float64)
    mean = float(arr.mean())
    if arr.size < 2:
        return mean, None
    if np.ptp(arr) == 0:
        return mean, [mean, mean]
    return mean, _bootstrap((arr,), lambda x, axis: x.mean(axis=axis), confidence, paired=False)


def rate_ci(k: int, n: int, confidence: float = 0.95) -> tuple[float | None, Interval | None]:
    """Pass rate ``k/n`` and its Wilson score interval (as ``scipy.stats.binomtest(k, n)
    .proportion_ci(method="wilson")``, clipped to [0, 1])."""
    if n == 0:
        return None, None
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    centre = (k + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(k * (n - k) / n + z * z / 4)
    return k / n, [max(0.0, centre - half), min(1.0, centre + half)]


def pooled_rate_ci(
    passes: list[int], judged: list[int], confidence: float = 0.95
) -> tuple[float | None, Interval | None]:
    """Pooled pass rate ``Σpasses / Σjudged`` over units, with a bootstrap CI that resamples units.

    Units where every check agrees on every clip leave nothing to resample; the Wilson interval of
    the pooled counts is given then (it treats the verdicts as independent).
    """
    k = np.asarray(passes, np.float64)
    n = np.asarray(judged, np.float64)
    keep = n > 0
    k, n = k[keep], n[keep]
    if n.size == 0:
        return None, None
    rate = float(k.sum() / n.sum())
    if n.size < 2 or np.ptp(k / n) == 0:
        return rate, rate_ci(int(k.sum()), int(n.sum()), confidence)[1]
    ci = _bootstrap((k, n), lambda a, b, axis: a.sum(axis=axis) / b.sum(axis=axis), confidence, paired=True)
    return rate, ci


def paired_delta_ci(
    baseline: list[float], candidate: list[float], confidence: float = 0.95
) -> tuple[float | None, Interval | None]:
    """Mean of ``candidate − baseline`` over paired units and its paired-bootstrap CI.

    Returns ``(None, None)`` without pairs, no CI for one pair, and a degenerate CI when every
    pair differs by the same amount.
    """
    a = np.asarray(baseline, np.float64)
    b = np.asarray(candidate, np.float64)
    if a.size == 0:
        return None, None
    d = b - a
    delta = float(d.mean())
    if a.size < 2:
        return delta, None
    if np.ptp(d) == 0:
        return delta, [delta, delta]
    return delta, _bootstrap((a, b), lambda x, y, axis: (y - x).mean(axis=axis), confidence, paired=True)


def paired_pooled_delta_ci(
    passes_a: list[int], passes_b: list[int], judged: list[int], confidence: float = 0.95
) -> tuple[float | None, Interval | None]:
    """Change of a pooled pass rate, ``(Σpasses_b − Σpasses_a) / Σjudged``, over units judged by
    the same checks in both runs; the CI resamples units (their checks see the same clip)."""
    ka = np.asarray(passes_a, np.float64)
    kb = np.asarray(passes_b, np.float64)
    n = np.asarray(judged, np.float64)
    if n.sum() <= 0:
        return None, None
    delta = float((kb.sum() - ka.sum()) / n.sum())
    if n.size < 2:
        return delta, None
    if np.ptp((kb - ka) / np.maximum(n, 1)) == 0 and np.ptp(n) == 0:
        return delta, [delta, delta]
    ci = _bootstrap(
        (ka, kb, n),
        lambda a, b, m, axis: (b.sum(axis=axis) - a.sum(axis=axis)) / m.sum(axis=axis),
        confidence,
        paired=True,
    )
    return delta, ci


def independent_delta_ci(
    baseline: list[float], candidate: list[float], confidence: float = 0.95
) -> tuple[float | None, Interval | None]:
    """Difference of means of two independent samples and its bootstrap CI (unpaired runs)."""
    a = np.asarray(baseline, np.float64)
    b = np.asarray(candidate, np.float64)
    if a.size == 0 or b.size == 0:
        return None, None
    delta = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return delta, None
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return delta, [delta, delta]
    ci = _bootstrap((a, b), lambda x, y, axis: y.mean(axis=axis) - x.mean(axis=axis), confidence, paired=False)
    return delta, ci


def paired_permutation_p(baseline: list[float], candidate: list[float]) -> float | None:
    """Two-sided p-value that paired values do not differ on average: the sign-flip permutation
    test over units. Pairs that do not differ cannot change sign and are left out. Up to
    :data:`EXACT_PAIRS` differing pairs, every sign flip is enumerated
    (``scipy.stats.permutation_test``, ``permutation_type="samples"``): exact, and valid at any
    number of units, which is why a regression needs it as well as a bootstrap CI. Beyond, the
    same flip distribution by its normal limit (mean 0, variance Σd²), with a continuity
    correction of the smallest |d| (1 for counts of verdicts). None when no pair differs."""
    d = np.asarray(candidate, np.float64) - np.asarray(baseline, np.float64)
    d = d[d != 0]
    if d.size == 0:
        return None
    if d.size == 1:
        return 1.0  # flipping the one sign gives the same |mean|
    if d.size > EXACT_PAIRS:
        z = max(0.0, abs(d.sum()) - np.abs(d).min()) / np.sqrt((d * d).sum())
        return float(min(1.0, math.erfc(z / math.sqrt(2))))  # 2 * the normal tail beyond z
    from scipy import stats

    res = stats.permutation_test(
        (np.zeros_like(d), d),
        lambda x, y, axis: (y - x).mean(axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=2**EXACT_PAIRS,
        alternative="two-sided",
    )
    return float(min(1.0, res.pvalue))


def mcnemar_exact(pass_to_fail: int, fail_to_pass: int) -> float | None:
    """Two-sided p-value of McNemar's exact test: under no change, each discordant pair is a fair
    coin. None without discordant pairs (nothing to test)."""
    n = pass_to_fail + fail_to_pass
    if n == 0:
        return None
    from scipy import stats

    return float(stats.binomtest(fail_to_pass, n, 0.5).pvalue)
