"""Float64 sums merge across shards; the eigh Fréchet distance agrees with scipy's sqrtm and with
torchmetrics' FID state."""

from __future__ import annotations

import numpy as np
import pytest

from metrics.dist.stats import GaussianStats, frechet
from metrics.frechet import frechet_distance


def well_conditioned(rng: np.random.Generator, d: int, n: int) -> np.ndarray:
    return rng.normal(size=(n, d)) @ (np.eye(d) + 0.3 * rng.normal(size=(d, d)) / np.sqrt(d))


def test_shards_merge_to_the_single_pass_statistics() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 6))
    whole = GaussianStats.of(x)
    merged = GaussianStats.of(x[:20]) + GaussianStats.of(x[20:55]) + GaussianStats.of(x[55:])
    assert merged.n == 90
    np.testing.assert_allclose(merged.mean(), x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(merged.cov(), np.cov(x, rowvar=False), rtol=1e-10, atol=1e-12)
    assert frechet(merged, GaussianStats.of(x[::-1] + 1)) == pytest.approx(frechet(whole, GaussianStats.of(x + 1)))


def test_weights_count_rows_like_copies() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(10, 3))
    counts = np.array([0, 2, 1, 0, 3, 1, 1, 0, 1, 1], float)
    copies = np.repeat(x, counts.astype(int), axis=0)
    w, c = GaussianStats.of(x, counts), GaussianStats.of(copies)
    np.testing.assert_allclose(w.cov(), c.cov(), rtol=1e-12)
    with pytest.raises(ValueError, match="dimension"):
        _ = w + GaussianStats.empty(4)


@pytest.mark.parametrize("d", [8, 64, 256])
def test_within_1e6_of_scipy_sqrtm(d: int) -> None:
    from scipy import linalg

    rng = np.random.default_rng(d)
    a, b = well_conditioned(rng, d, 4 * d), well_conditioned(rng, d, 4 * d) + 0.2
    m1, s1, m2, s2 = a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)
    ref = ((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(linalg.sqrtm(s1 @ s2).real)
    assert frechet_distance(m1, s1, m2, s2) == pytest.approx(ref, rel=1e-6)


def test_identical_sets_give_zero_where_sqrtm_can_go_negative() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(20, 64))  # rank-deficient covariance (N < D)
    s = GaussianStats.of(x)
    assert frechet(s, s) == pytest.approx(0.0, abs=1e-8)


def test_agrees_with_torchmetrics_fid_on_custom_features() -> None:
    """torchmetrics' FID with a custom ``feature`` module accumulates the same float64 sums."""
    import torch
    from torchmetrics.image.fid import FrechetInceptionDistance

    class Identity(torch.nn.Module):
        num_features = 16

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

    rng = np.random.default_rng(4)
    a, b = well_conditioned(rng, 16, 200), well_conditioned(rng, 16, 150) + 0.5
    fid = FrechetInceptionDistance(feature=Identity(), normalize=False)
    fid.update(torch.from_numpy(a), real=True)
    fid.update(torch.from_numpy(b[:70]), real=False)
    fid.update(torch.from_numpy(b[70:]), real=False)  # two batches: sums merge
    assert float(fid.compute()) == pytest.approx(frechet(GaussianStats.of(a), GaussianStats.of(b)), rel=1e-5)


def test_fvd_metric_for_training_loops_matches_the_harness_distance(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import torch

    from metrics.dist.backbones import get_backbone
    from metrics.dist.torchmetric import fvd_metric
    from metrics.encoder import VideoTextEncoder, save_encoder

    torch.manual_seed(0)
    spec = f"tiny:path={save_encoder(VideoTextEncoder(), tmp_path / 'enc.pt')}"
    rng = np.random.default_rng(6)
    real = rng.integers(0, 256, size=(6, 8, 32, 32, 3), dtype=np.uint8)
    fake = np.clip(real.astype(int) + 60, 0, 255).astype(np.uint8)
    m = fvd_metric(spec)
    m.update(torch.from_numpy(real), real=True)
    m.update(torch.from_numpy(fake[:3]), real=False)
    m.update(torch.from_numpy(fake[3:]), real=False)
    net = get_backbone(spec)
    want = frechet(GaussianStats.of(net(real)), GaussianStats.of(net(fake)))
    assert float(m.compute()) == pytest.approx(want, rel=1e-3, abs=1e-6)
