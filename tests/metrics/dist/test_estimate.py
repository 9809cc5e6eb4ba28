"""Value, floor and bootstrap CIs: known answers on Gaussian samples."""

from __future__ import annotations

import numpy as np
import pytest

from metrics.dist.estimate import estimate, frechet_pair, mmd_pair


def draw(rng: np.random.Generator, n: int, d: int, shift: float = 0.0) -> np.ndarray:
    return rng.normal(size=(n, d)) + shift


@pytest.mark.parametrize("pair,low", [(frechet_pair, 0.0), (mmd_pair, -np.inf)])
def test_run_from_the_reference_distribution_sits_in_the_floor_ci(pair, low) -> None:
    rng = np.random.default_rng(0)
    inside = 0
    for trial in range(8):
        e = estimate(draw(rng, 60, 6), draw(rng, 60, 6), draw(rng, 60, 6), pair, n_boot=60, seed=trial, low=low)
        inside += e.floor_ci95[0] <= e.value <= e.floor_ci95[1]
        assert e.ci95[0] <= e.value <= e.ci95[1] and e.n == 60 and e.n_reference == 120
    assert inside >= 7


@pytest.mark.parametrize("pair,low", [(frechet_pair, 0.0), (mmd_pair, -np.inf)])
def test_a_shifted_run_is_far_above_the_floor_and_grows_with_the_shift(pair, low) -> None:
    rng = np.random.default_rng(1)
    a, b = draw(rng, 60, 6), draw(rng, 60, 6)
    vals = [estimate(draw(rng, 60, 6, s), a, b, pair, n_boot=40, low=low) for s in (0.0, 0.5, 1.0)]
    assert vals[0].value < vals[1].value < vals[2].value
    assert vals[2].ci95[0] > vals[2].floor_ci95[1]


def test_frechet_value_is_the_mean_of_both_halves() -> None:
    rng = np.random.default_rng(2)
    x, a, b = draw(rng, 30, 3), draw(rng, 30, 3, 1.0), draw(rng, 30, 3, 2.0)
    f = frechet_pair
    one = np.ones(30)
    e = estimate(x, a, b, f, n_boot=0)
    assert e.value == pytest.approx(0.5 * (f(x, a)(one, one) + f(x, b)(one, one)))
    assert e.floor == pytest.approx(f(a, b)(one, one)) and e.ci95 is None


def test_bootstrap_is_reproducible() -> None:
    rng = np.random.default_rng(3)
    x, a, b = draw(rng, 20, 3), draw(rng, 20, 3), draw(rng, 20, 3)
    assert estimate(x, a, b, frechet_pair, n_boot=30).ci95 == estimate(x, a, b, frechet_pair, n_boot=30).ci95
