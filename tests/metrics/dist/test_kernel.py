"""Unbiased polynomial MMD²: agrees with torchmetrics' KID, is unbiased, usable at N = 50, D = 400."""

from __future__ import annotations

import numpy as np
import pytest

from metrics.dist.estimate import mmd_pair
from metrics.dist.kernel import mmd2, poly_kernel


def test_matches_torchmetrics_kid_on_one_full_subset() -> None:
    import torch
    from torchmetrics.image.kid import KernelInceptionDistance

    class Identity(torch.nn.Module):
        num_features = 12

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 12)), rng.normal(0.3, 1.0, size=(40, 12))
    kid = KernelInceptionDistance(feature=Identity(), subsets=1, subset_size=40, normalize=False)
    kid.update(torch.from_numpy(x), real=True)
    kid.update(torch.from_numpy(y), real=False)
    mean, _ = kid.compute()
    assert float(mean) == pytest.approx(mmd2(y, x), rel=1e-6)


def test_unbiased_for_one_distribution_and_positive_for_two() -> None:
    rng = np.random.default_rng(1)
    same = [mmd2(rng.normal(size=(30, 8)), rng.normal(size=(30, 8))) for _ in range(200)]
    spread = np.std(same) / np.sqrt(len(same))
    assert abs(np.mean(same)) < 3 * spread  # the plug-in (biased) estimate would sit well above 0
    assert mmd2(rng.normal(size=(30, 8)), rng.normal(0.5, 1.0, size=(30, 8))) > 10 * spread


def test_usable_at_50_clips_of_400_features() -> None:
    rng = np.random.default_rng(2)
    x, y, z = (rng.normal(size=(50, 400)) for _ in range(3))
    shifted = z + 0.3
    assert abs(mmd2(x, y)) < mmd2(x, shifted) / 5
    assert np.isfinite(mmd2(x, y))


def test_counted_rows_drop_pairs_of_one_clip() -> None:
    """A resample that draws each clip once equals the plain estimate; a clip drawn twice is not
    paired with its copy."""
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(6, 4)), rng.normal(size=(5, 4))
    f = mmd_pair(x, y)
    assert f(np.ones(6), np.ones(5)) == pytest.approx(mmd2(x, y))
    cx = np.array([2.0, 1, 1, 0, 1, 1])
    k = poly_kernel(x, x)
    rows = np.repeat(np.arange(6), cx.astype(int))
    pairs = [(i, j) for a, i in enumerate(rows) for b, j in enumerate(rows) if a != b and i != j]
    within_x = np.mean([k[i, j] for i, j in pairs])
    expected = (
        within_x + (poly_kernel(y, y).sum() - np.trace(poly_kernel(y, y))) / 20 - 2 * poly_kernel(x[rows], y).mean()
    )
    assert f(cx, np.ones(5)) == pytest.approx(expected)


def test_prompt_groups_remove_the_bias_of_matched_sets() -> None:
    """One clip per prompt in each set, clips of a prompt alike: cross pairs of one prompt are
    near-copies no within pair has; leaving them in drags the estimate below 0."""
    from metrics.dist.estimate import estimate

    rng = np.random.default_rng(5)
    centres = rng.normal(size=(40, 8))
    run, a, b = (centres + 0.1 * rng.normal(size=centres.shape) for _ in range(3))
    pids = [f"p{i}" for i in range(40)]
    plain = estimate(run, a, b, mmd_pair, n_boot=0, low=-np.inf)
    grouped = estimate(run, a, b, mmd_pair, n_boot=0, low=-np.inf, groups=(pids, pids, pids))
    scale = mmd2(centres[:20], centres[20:] + 1.0)
    assert plain.value < -0.02 * scale
    assert abs(grouped.value) < 0.005 * scale and abs(grouped.floor) < 0.005 * scale
