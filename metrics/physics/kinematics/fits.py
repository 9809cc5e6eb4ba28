"""Polynomial fits of trajectories: one piece, the best two-piece split, and clock changes."""

from __future__ import annotations

import numpy as np


def fit(t: np.ndarray, y: np.ndarray, deg: int) -> tuple[np.ndarray, float]:
    """Coefficients of a degree-``deg`` polynomial fit and its RMS residual."""
    coef = np.polyfit(t, y, deg)
    resid = y - np.polyval(coef, t)
    return coef, float(np.sqrt(np.mean(resid**2)))


def change_point(
    t: np.ndarray, y: np.ndarray, deg: int, min_len: int = 3
) -> tuple[int, np.ndarray, np.ndarray, float, float]:
    """Best split of a trajectory into two polynomial pieces of at least ``min_len`` points:
    ``(index, coef_a, coef_b, rms_split, rms_one)`` (index -1 when no split beats one piece)."""
    _, one = fit(t, y, deg)
    best = (-1, np.zeros(deg + 1), np.zeros(deg + 1), one, one)
    for k in range(min_len, len(t) - min_len + 1):
        ca, ra = fit(t[:k], y[:k], deg)
        cb, rb = fit(t[k - 1 :], y[k - 1 :], deg)
        rms = float(np.sqrt((ra**2 * k + rb**2 * (len(t) - k + 1)) / (len(t) + 1)))
        if rms < best[3]:
            best = (k, ca, cb, rms, one)
    return best


def departure(t: np.ndarray, y: np.ndarray, k: int, early: np.ndarray, floor: float, noise_factor: float) -> int:
    """The first frame where the trajectory leaves the early piece's parabola by more than its
    own fitting noise allows (``noise_factor`` times it, at least ``floor``): the change point of
    a two-piece fit is blurred on short flights."""
    curve = np.polyval(early, t)
    noise = float(np.sqrt(np.mean((y[:k] - curve[:k]) ** 2))) if k else 0.0
    off = np.abs(y - curve) > max(floor, noise_factor * noise)
    after = np.flatnonzero(off[1:]) + 1
    return int(t[after[0] - 1]) if after.size else int(t[k - 1])


def time_warp(v1: float, v2: float, g1: float, g2: float, min_change: float, accel_tol: float) -> float | None:
    """The clock factor ``k`` when a flight's speed (×k) and acceleration (×k², within the ratio
    ``accel_tol``) change together at a split, as when an object runs faster or slower along its
    own path; None otherwise."""
    if v1 * v2 <= 0 or g1 * g2 <= 0:
        return None
    k = v2 / v1
    if abs(np.log(k)) < np.log1p(min_change) or abs(np.log(g2 / g1) - 2 * np.log(k)) > np.log(accel_tol):
        return None
    return float(k)
