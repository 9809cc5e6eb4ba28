"""summary.json: per metric and per prompt family — mean, 95% CI, pass rate, n; the checks
pooled (all of them, per metric family, per prompt family); set-level values with their detail.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reports.metricinfo import MetricInfo
from reports.stats import mean_ci, pooled_rate_ci, rate_ci

Row = dict[str, Any]


def _block(rows: list[Row]) -> dict[str, Any]:
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


def pooled_block(rows: list[Row]) -> dict[str, Any]:
    """Checks pooled: pass rate over every pass/fail verdict in ``rows``, CI by resampling units."""
    per_unit: dict[tuple[str, Any], list[int]] = defaultdict(lambda: [0, 0])
    n_na = 0
    for r in rows:
        if r.get("error"):
            continue
        verdict = r.get("verdict")
        n_na += verdict == "n/a"
        if verdict in ("pass", "fail"):
            cell = per_unit[(r["prompt_id"], r.get("seed"))]
            cell[0] += verdict == "pass"
            cell[1] += 1
    passes = [c[0] for c in per_unit.values()]
    judged = [c[1] for c in per_unit.values()]
    rate, ci = pooled_rate_ci(passes, judged)
    return {
        "pass_rate": rate,
        "pass_rate_ci95": ci,
        "n_units": len(per_unit),
        "n_pass": sum(passes),
        "n_fail": sum(judged) - sum(passes),
        "n_na": n_na,
    }


def _pooled(check_rows: list[Row], infos: dict[str, MetricInfo]) -> dict[str, Any]:
    by_group: dict[str, list[Row]] = defaultdict(list)
    by_family: dict[str, list[Row]] = defaultdict(list)
    for r in check_rows:
        by_group[infos[r["metric"]].group].append(r)
        by_family[r.get("family") or "?"].append(r)
    return {
        "checks": pooled_block(check_rows),
        "groups": {g: pooled_block(rs) for g, rs in sorted(by_group.items())},
        "families": {f: pooled_block(rs) for f, rs in sorted(by_family.items())},
    }


def summarize_rows(rows: list[Row], infos: dict[str, MetricInfo] | None = None) -> dict[str, Any]:
    """``{"metrics": {m: block}, "families": {m: {family: block}}, "set": {m: {value, error,
    **detail}}, "pooled": {...}}``; ``pooled`` needs ``infos`` (which metrics are checks)."""
    by_metric: dict[str, list[Row]] = defaultdict(list)
    by_family: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    set_level: dict[str, Any] = {}
    for r in rows:
        if r.get("prompt_id") == "*":
            set_level[r["metric"]] = {"value": r.get("value"), "error": r.get("error"), **(r.get("detail") or {})}
            continue
        by_metric[r["metric"]].append(r)
        by_family[r["metric"]][r.get("family") or "?"].append(r)
    out: dict[str, Any] = {
        "metrics": {m: _block(rs) for m, rs in sorted(by_metric.items())},
        "families": {m: {f: _block(rs) for f, rs in sorted(fams.items())} for m, fams in sorted(by_family.items())},
        "set": set_level,
    }
    if infos is not None:
        checks = [r for m, rs in by_metric.items() if m in infos and infos[m].kind == "check" for r in rs]
        out["pooled"] = _pooled(checks, infos)
        out["info"] = {m: i.to_dict() for m, i in infos.items()}
    return out
