"""Unbiased squared MMD with the polynomial kernel (KID's estimator, applied to video features).

``k(x, y) = (xᵀy / D + 1)³`` (KID's kernel: ``gamma = 1/D``, ``coef = 1``, degree 3). The unbiased
estimator drops the ``k(x, x)`` terms, so its expectation is the population MMD² at any N — which
is why it stays usable at N = 50 where a 400-d covariance (FVD) is rank-deficient. It can be
slightly negative for two samples of one distribution; that is its unbiasedness, not an error.
"""

from __future__ import annotations

import numpy as np

DEGREE = 3
COEF = 1.0


def poly_kernel(x: np.ndarray, y: np.ndarray, degree: int = DEGREE, coef: float = COEF) -> np.ndarray:
    """``(N, M)`` kernel matrix of ``(N, D)`` and ``(M, D)`` features (float64)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return (x @ y.T / x.shape[1] + coef) ** degree


def _off_diagonal_mean(k: np.ndarray) -> float:
    n = k.shape[0]
    return float((k.sum() - np.trace(k)) / (n * (n - 1)))


def mmd2_from_kernels(kxx: np.ndarray, kyy: np.ndarray, kxy: np.ndarray) -> float:
    """Unbiased MMD² from the three kernel blocks (each sample needs at least 2 rows)."""
    if kxx.shape[0] < 2 or kyy.shape[0] < 2:
        raise ValueError(f"unbiased MMD needs at least 2 vectors per set, got {kxx.shape[0]} and {kyy.shape[0]}")
    return _off_diagonal_mean(kxx) + _off_diagonal_mean(kyy) - 2.0 * float(kxy.mean())


def mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased polynomial-kernel MMD² between ``(N, D)`` and ``(M, D)`` features."""
    return mmd2_from_kernels(poly_kernel(x, x), poly_kernel(y, y), poly_kernel(x, y))
