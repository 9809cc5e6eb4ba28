from __future__ import annotations

import numpy as np
import pytest

from reports import stats
from reports.stats import (
    independent_delta_ci,
    mcnemar_exact,
    paired_delta_ci,
    paired_permutation_p,
    paired_pooled_delta_ci,
    pooled_rate_ci,
    rate_ci,
)


def test_pairing_sees_a_small_shift_that_unit_spread_hides() -> None:
    """Units differ a lot from each other, the candidate is better by 0.1 on every one: paired,
    the CI is tight around 0.1; unpaired, the unit spread swamps it."""
    rng = np.random.default_rng(3)
    base = rng.normal(0, 2.0, 40)
    cand = base + 0.1 + rng.normal(0, 0.01, 40)
    delta, ci = paired_delta_ci(list(base), list(cand))
    assert delta == pytest.approx(0.1, abs=0.01) and 0.09 < ci[0] < ci[1] < 0.11
    _, ici = independent_delta_ci(list(base), list(cand))
    assert ici[0] < 0 < ici[1]
    assert paired_delta_ci([], []) == (None, None) and paired_delta_ci([1.0], [2.0]) == (1.0, None)
    assert paired_delta_ci([1.0, 2.0], [1.5, 2.5]) == (0.5, [0.5, 0.5])


def test_permutation_test_is_exact_and_agrees_with_mcnemar_on_verdicts() -> None:
    # three pairs all worse: 2 of the 8 sign patterns are as extreme, p = 0.25 exactly
    assert paired_permutation_p([1, 1, 1, 0], [0, 0, 0, 0]) == pytest.approx(0.25)
    for worse, better in [(8, 0), (12, 5), (15, 6), (30, 14)]:
        a = [1.0] * worse + [0.0] * better + [1.0] * 5
        b = [0.0] * worse + [1.0] * better + [1.0] * 5
        p, exact = paired_permutation_p(a, b), mcnemar_exact(worse, better)
        assert p == pytest.approx(exact, rel=0.05)  # exact up to 16 pairs, corrected normal limit beyond
    assert paired_permutation_p([1, 2], [1, 2]) is None and paired_permutation_p([1, 2], [1, 3]) == 1.0
    assert mcnemar_exact(0, 0) is None and mcnemar_exact(4, 0) == pytest.approx(0.125)


def test_pooled_rate_resamples_units_not_verdicts() -> None:
    """Ten clips, eight checks each, every check agreeing on a clip: the verdicts are really ten
    observations, so the pooled CI must be far wider than a Wilson interval over 80."""
    passes, judged = [8] * 5 + [0] * 5, [8] * 10
    rate, ci = pooled_rate_ci(passes, judged)
    _, wilson = rate_ci(40, 80)
    assert rate == 0.5 and (ci[1] - ci[0]) > 1.8 * (wilson[1] - wilson[0])
    assert pooled_rate_ci([3, 3], [3, 3]) == (1.0, rate_ci(6, 6)[1])  # nothing to resample: Wilson
    assert pooled_rate_ci([], []) == (None, None)


def test_pooled_delta() -> None:
    delta, ci = paired_pooled_delta_ci([4] * 10, [2] * 5 + [4] * 5, [4] * 10)
    assert delta == pytest.approx(-0.25) and ci[1] < 0
    assert paired_pooled_delta_ci([2, 3], [2, 3], [4, 4]) == (0.0, [0.0, 0.0])


def test_bootstrap_matches_scipy_percentile_bootstrap() -> None:
    """Ours (numpy, no scipy.stats import) resamples and takes percentiles as scipy does."""
    from scipy import stats as sps

    rng = np.random.default_rng(3)
    a, b = rng.normal(size=23), rng.normal(0.4, 1.0, size=23)
    c = rng.normal(size=17)
    for data, fn, paired in [
        ((a,), lambda x, axis: x.mean(axis=axis), False),
        ((a, b), lambda x, y, axis: (y - x).mean(axis=axis), True),
        ((a, c), lambda x, y, axis: y.mean(axis=axis) - x.mean(axis=axis), False),
    ]:
        ref = sps.bootstrap(
            data,
            fn,
            paired=paired,
            vectorized=True,
            confidence_level=0.9,
            n_resamples=stats.BOOTSTRAP_RESAMPLES,
            method="percentile",
            random_state=np.random.default_rng(stats.BOOTSTRAP_SEED),
        ).confidence_interval
        assert stats._bootstrap(data, fn, 0.9, paired) == pytest.approx([ref.low, ref.high], abs=1e-12)


@pytest.mark.parametrize(("k", "n"), [(0, 5), (3, 7), (7, 7), (45, 100), (1, 1000)])
def test_wilson_interval_matches_scipy(k: int, n: int) -> None:
    from scipy import stats as sps

    ref = sps.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert stats.rate_ci(k, n)[1] == pytest.approx([ref.low, ref.high], abs=1e-12)


def test_a_run_report_does_not_import_scipy_stats() -> None:
    """scipy.stats costs ~1 s of import; a run's report (and launch's merge) must not pay it."""
    import subprocess
    import sys

    code = "import sys, reports.build, reports.summary; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
