"""summary.json: per metric and per family — mean, 95% CI, pass rate, n; set-level values."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from scipy import stats

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0


def mean_ci(values: list[float], confidence: float = 0.95) -> tuple[float | None, list[float] | None]:
    """Mean and a percentile-bootstrap CI (``scipy.stats.bootstrap``, fixed seed: reproducible).

    Returns ``(None, None)`` for no values and a degenerate CI for constant values.
    """
    if not values:
        return None, None
    arr = np.asarray(values, np.float64)
    mean = float(arr.mean())
    if arr.size < 2:
        return mean, None
    if np.ptp(arr) == 0:
        return mean, [mean, mean]
    res = stats.bootstrap(
        (arr,),
        np.mean,
        confidence_level=confidence,
        n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile",
        random_state=np.random.default_rng(BOOTSTRAP_SEED),
    )
    return mean, [float(res.confidence_interval.low), float(res.confidence_interval.high)]


def rate_ci(k: int, n: int, confidence: float = 0.95) -> tuple[float | None, list[float] | None]:
    """Pass rate ``k/n`` and its Wilson score interval (``scipy.stats.binomtest``)."""
    if n == 0:
        return None, None
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return k / n, [float(ci.low), float(ci.high)]


def _block(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if not r.get("error")]
    values = [float(r["value"]) for r in ok if r.get("value") is not None]
    n_pass = sum(r.get("verdict") == "pass" for r in ok)
    n_fail = sum(r.get("verdict") == "fail" for r in ok)
    n_na = sum(r.get("verdict") == "n/a" for r in ok)
    mean, ci = mean_ci(values)
    rate, rci = rate_ci(n_pass, n_pass + n_fail)
    return {
        "n": len(ok),
        "mean": mean,
        "ci95": ci,
        "pass_rate": rate,
        "pass_rate_ci95": rci,
        "n_pass": n_pass,
        "n_fail": n_fail,
        "n_na": n_na,
        "n_error": len(rows) - len(ok),
    }


def summarize_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"metrics": {m: block}, "families": {m: {family: block}}, "set": {m: value}}``."""
    by_metric: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_family: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    set_level: dict[str, Any] = {}
    for r in rows:
        if r.get("prompt_id") == "*":
            set_level[r["metric"]] = {"value": r.get("value"), "error": r.get("error"), **(r.get("detail") or {})}
            continue
        by_metric[r["metric"]].append(r)
        by_family[r["metric"]][r.get("family") or "?"].append(r)
    return {
        "metrics": {m: _block(rs) for m, rs in sorted(by_metric.items())},
        "families": {m: {f: _block(rs) for f, rs in sorted(fams.items())} for m, fams in sorted(by_family.items())},
        "set": set_level,
    }
