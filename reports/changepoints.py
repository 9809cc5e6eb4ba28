"""Change points of a series of runs: where a metric stepped to a new level, and which run it was.

Detection is ruptures' PELT with a least-squares (mean shift) cost. Its penalty is the BIC-like
``2 σ² ln n``, with σ the noise of one run's value: the larger of what its own 95% CI says
(half-width / 1.96, the sampling noise of that run) and the robust spread of run-to-run
differences (1.4826 · MAD / √2, noise the CI does not see, such as nondeterminism). A single run
may form a segment, so a step at the latest run is found the night it happens. A step is kept when
the level moves by at least the same threshold ``compare`` uses (0.05 for a pass rate, 5% for a
score or distance). Without ruptures (it has no wheel for Python 3.14 yet) no change points are
reported, and the page says why.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

MIN_POINTS = 3


@dataclass
class Change:
    """The series is at ``before`` up to run ``index − 1`` and at ``after`` from run ``index`` on."""

    index: int
    run_id: str
    before: float
    after: float
    verdict: str  # regression | improvement | changed

    @property
    def delta(self) -> float:
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "delta": self.delta}


def library() -> str | None:
    """``ruptures <version>``, or None when it is not installed."""
    try:
        import ruptures
    except ImportError:
        return None
    return f"ruptures {str(ruptures.__version__).lstrip('v')}"


def noise(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """σ of one run's value: its CI's half-width / 1.96, or the run-to-run spread, whichever is larger."""
    widths = (hi - lo)[np.isfinite(hi - lo)]
    from_ci = float(np.median(widths)) / (2 * 1.96) if widths.size else 0.0
    diffs = np.diff(values)
    mad = float(np.median(np.abs(diffs - np.median(diffs)))) if diffs.size else 0.0
    return max(from_ci, 1.4826 * mad / math.sqrt(2))


def detect(
    values: list[float],
    lo: list[float | None],
    hi: list[float | None],
    run_ids: list[str],
    higher_is_better: bool | None,
    min_delta: float,
    relative: bool,
) -> list[Change]:
    """Change points of ``values`` (runs in time order); ``min_delta`` absolute, or relative to
    the level before when ``relative``."""
    if len(values) < MIN_POINTS or library() is None:
        return []
    import ruptures

    y = np.asarray(values, np.float64)
    sigma = noise(y, np.asarray(lo, np.float64), np.asarray(hi, np.float64))
    pen = 2 * max(sigma, 1e-9) ** 2 * math.log(len(y))
    ends = ruptures.Pelt(model="l2", min_size=1, jump=1).fit(y.reshape(-1, 1)).predict(pen=pen)
    starts = [0, *ends[:-1]]
    out = []
    for k in range(1, len(starts)):
        before = float(y[starts[k - 1] : starts[k]].mean())
        after = float(y[starts[k] : ends[k]].mean())
        step = after - before
        if abs(step) < (min_delta * abs(before) if relative else min_delta) or step == 0:
            continue
        verdict = (
            "changed" if higher_is_better is None else "improvement" if (step > 0) == higher_is_better else "regression"
        )
        out.append(Change(starts[k], run_ids[starts[k]], before, after, verdict))
    return out
