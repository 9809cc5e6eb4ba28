"""Float64 sufficient statistics of a feature set, mergeable across shards and batches.

A Fréchet distance needs only ``n``, ``Σx`` and ``Σxxᵀ``; kept in float64 they add exactly enough
that shards (or a training loop's batches) can be summed in any order and give the distance a
single pass would. This is torchmetrics' FID state (``*_features_sum``, ``*_features_cov_sum``,
``*_features_num_samples``) without torch, so the harness can merge shard runs without it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics.frechet import frechet_distance


@dataclass(frozen=True)
class GaussianStats:
    """``n`` vectors of dimension ``D`` summarised by ``total`` ``(D,)`` and ``outer`` ``(D, D)``."""

    n: float
    total: np.ndarray
    outer: np.ndarray

    @classmethod
    def of(cls, features: np.ndarray, weights: np.ndarray | None = None) -> GaussianStats:
        """Statistics of ``(N, D)`` features; ``weights`` ``(N,)`` counts each row that often (a
        bootstrap resample is its multinomial counts, with no copy of the features)."""
        x = np.asarray(features, np.float64)
        if x.ndim != 2:
            raise ValueError(f"features must be (N, D), got {x.shape}")
        w = np.ones(len(x)) if weights is None else np.asarray(weights, np.float64)
        return cls(float(w.sum()), w @ x, (x * w[:, None]).T @ x)

    @classmethod
    def empty(cls, dim: int) -> GaussianStats:
        return cls(0.0, np.zeros(dim), np.zeros((dim, dim)))

    def __add__(self, other: GaussianStats) -> GaussianStats:
        """The statistics of both sets together (shards merge by addition)."""
        if self.total.shape != other.total.shape:
            raise ValueError(f"cannot merge statistics of dimension {self.total.size} and {other.total.size}")
        return GaussianStats(self.n + other.n, self.total + other.total, self.outer + other.outer)

    @property
    def dim(self) -> int:
        return int(self.total.size)

    def mean(self) -> np.ndarray:
        return self.total / self.n

    def cov(self) -> np.ndarray:
        """Unbiased covariance (``n − 1`` in the denominator, as ``np.cov`` and torchmetrics)."""
        if self.n < 2:
            raise ValueError(f"a covariance needs at least 2 vectors, got {self.n:g}")
        mu = self.mean()
        return (self.outer - self.n * np.outer(mu, mu)) / (self.n - 1)


def frechet(a: GaussianStats, b: GaussianStats) -> float:
    """Fréchet distance between the Gaussians fitted to two feature sets."""
    return frechet_distance(a.mean(), a.cov(), b.mean(), b.cov())
