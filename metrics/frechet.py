"""Fréchet distance between Gaussians (the core of FID/FVD)."""

from __future__ import annotations

import numpy as np
from scipy import linalg


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """``||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2})`` in float64.

    Args:
        mu1, mu2: ``(D,)`` means.
        sigma1, sigma2: ``(D, D)`` covariances.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    s1, s2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or s1.shape != s2.shape or s1.shape != (mu1.size, mu1.size):
        raise ValueError(f"shape mismatch: mu {mu1.shape} vs {mu2.shape}, sigma {s1.shape} vs {s2.shape}")
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(s1 @ s2, disp=False)
    if not np.isfinite(covmean).all():  # singular product: regularise as in the FID reference code
        eps = 1e-6 * np.eye(s1.shape[0])
        covmean = linalg.sqrtm((s1 + eps) @ (s2 + eps))
    covmean = np.real(covmean)
    return float(max(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean), 0.0))
