"""Unbiased squared MMD with the polynomial kernel (KID's estimator, applied to video features).

``k(x, y) = (γ xᵀy + 1)³`` with KID's ``γ = 1/D`` (``coef = 1``, degree 3) for features whose
entries are of order 1 (I3D, VideoMAE); for unit vectors (the ``tiny`` encoder) ``γ = 1``, else
``xᵀy / D`` is so small that the kernel is nearly linear and the MMD nearly blind. The unbiased
estimator drops the ``k(x, x)`` terms, so its expectation is the population MMD² at any N — which
is why it stays usable at N = 50 where a 400-d covariance (FVD) is rank-deficient. It can be
slightly negative for two samples of one distribution; that is its unbiasedness, not an error.
"""

from __future__ import annotations

import numpy as np

DEGREE = 3
COEF = 1.0


def poly_kernel(x: np.ndarray, y: np.ndarray, gamma: float | None = None) -> np.ndarray:
    """``(N, M)`` kernel matrix of ``(N, D)`` and ``(M, D)`` features (float64); ``gamma`` None
    is KID's ``1/D``."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    g = 1.0 / x.shape[1] if gamma is None else gamma
    return (g * (x @ y.T) + COEF) ** DEGREE


def _off_diagonal_mean(k: np.ndarray) -> float:
    n = k.shape[0]
    return float((k.sum() - np.trace(k)) / (n * (n - 1)))


def mmd2_from_kernels(kxx: np.ndarray, kyy: np.ndarray, kxy: np.ndarray) -> float:
    """Unbiased MMD² from the three kernel blocks (each sample needs at least 2 rows)."""
    if kxx.shape[0] < 2 or kyy.shape[0] < 2:
        raise ValueError(f"unbiased MMD needs at least 2 vectors per set, got {kxx.shape[0]} and {kyy.shape[0]}")
    return _off_diagonal_mean(kxx) + _off_diagonal_mean(kyy) - 2.0 * float(kxy.mean())


def mmd2(x: np.ndarray, y: np.ndarray, gamma: float | None = None) -> float:
    """Unbiased polynomial-kernel MMD² between ``(N, D)`` and ``(M, D)`` features."""
    return mmd2_from_kernels(poly_kernel(x, x, gamma), poly_kernel(y, y, gamma), poly_kernel(x, y, gamma))
