"""``t2vbench compare RUN_A RUN_B``: what changed from a baseline run A to a candidate run B.

Per metric, the change Δ = B − A over the units both runs scored, with a paired bootstrap 95% CI
(units resampled together); for checks, the pass rate's Δ and McNemar's exact test on the units
whose verdict flipped; per metric family and per prompt family, all checks pooled. Distances are
one number per run: Δ is set against their sampling floor.

A change is a **regression** (or an improvement) when it goes the worse (better) way, its CI
excludes 0, and it is at least a threshold:

- a pass rate (a check, or checks pooled): ``|Δ| ≥ min_rate_delta`` (default 0.05, five points);
- a score: ``|Δ| ≥ min_rel_delta × |baseline mean|`` (default 5%; any significant change from 0);
- a distance: the CIs of A and B do not overlap (when both are known), ``|Δ|`` exceeds the larger
  of the two runs' floors (when known) and ``min_rel_delta × A``.

Metrics without a known direction are reported as changed, never as regressions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from reports.metricinfo import MetricInfo, metric_infos
from reports.pairing import env_warnings, other_warnings, unpaired_reasons
from reports.stats import (
    independent_delta_ci,
    mcnemar_exact,
    paired_delta_ci,
    paired_permutation_p,
    paired_pooled_delta_ci,
    pooled_rate_ci,
)
from reports.summary import summarize_rows
from t2vbase.errors import UsageError
from t2vbase.rundir import RunDir

Row = dict[str, Any]
Unit = tuple[str, Any]


@dataclass(frozen=True)
class Thresholds:
    """How large and how certain a change must be to count (documented in the module)."""

    confidence: float = 0.95
    min_rate_delta: float = 0.05
    min_rel_delta: float = 0.05


class Side:
    """One run as a comparison reads it: manifest, rows by unit and metric, prompts, metric info."""

    def __init__(self, path: str | Path) -> None:
        self.rd = RunDir(path)
        self.manifest = self.rd.load_manifest()
        self.rows = self.rd.read_samples()
        self.infos = metric_infos(self.manifest, self.rows)
        self.summary = summarize_rows(self.rows, self.infos)
        self.cells: dict[tuple[str, Any, str], Row] = {
            (r["prompt_id"], r.get("seed"), r["metric"]): r for r in self.rows if r.get("prompt_id") != "*"
        }
        suite = self.rd.read_suite()
        self.prompts = {p["id"]: p for p in suite.get("prompts", []) if isinstance(p, dict) and "id" in p}

    @property
    def name(self) -> str:
        return str(self.manifest.get("run_id") or self.rd.root.name)

    def describe(self) -> dict[str, Any]:
        m = self.manifest
        return {
            "run_id": self.name,
            "root": str(self.rd.root),
            "created": m.get("created"),
            "status": m.get("status"),
            "suite": m.get("suite"),
            "generator": m.get("generator"),
            "seeds": m.get("seeds"),
        }


def judge(
    info: MetricInfo, delta: float | None, ci: list[float] | None, threshold: float, p: float | None, alpha: float
) -> str:
    """``regression`` | ``improvement`` | ``changed`` (direction unknown) | ``same``: a change counts
    when its CI excludes 0, the exact paired test (``p``; None where the units are not paired)
    rejects no change at ``alpha``, and ``|delta|`` reaches ``threshold``."""
    if delta is None or ci is None or not (ci[0] > 0 or ci[1] < 0) or abs(delta) < threshold or delta == 0:
        return "same"
    if p is not None and p >= alpha:
        return "same"
    if info.higher_is_better is None:
        return "changed"
    return "regression" if info.worse(delta) else "improvement"


def _ok(row: Row | None) -> bool:
    return row is not None and not row.get("error")


def paired_units(a: Side, b: Side, same_suite: bool) -> list[Unit]:
    """Units both runs scored; across different suites only those whose prompt is identical."""
    units_a = {(k[0], k[1]) for k in a.cells}
    units_b = {(k[0], k[1]) for k in b.cells}
    both = sorted(units_a & units_b, key=lambda u: (u[0], str(u[1])))
    if same_suite:
        return both
    return [u for u in both if u[0] in a.prompts and a.prompts[u[0]] == b.prompts.get(u[0])]


def _run_level(side: Side, name: str, info: MetricInfo) -> dict[str, Any]:
    blk = side.summary["metrics"].get(name, {})
    if info.kind == "check":
        return {
            "value": blk.get("pass_rate"),
            "ci95": blk.get("pass_rate_ci95"),
            "n": blk.get("n_pass", 0) + blk.get("n_fail", 0),
        }
    return {"value": blk.get("mean"), "ci95": blk.get("ci95"), "n": blk.get("n")}


def compare_check(name: str, info: MetricInfo, a: Side, b: Side, units: list[Unit], th: Thresholds) -> dict[str, Any]:
    """Pass rate Δ (paired bootstrap), McNemar's exact test, verdict transitions."""
    xa, xb, moves = [], [], Counter()
    for u in units:
        ra, rb = a.cells.get((*u, name)), b.cells.get((*u, name))
        if not (_ok(ra) and _ok(rb)):
            continue
        va, vb = ra.get("verdict"), rb.get("verdict")
        if va != vb:
            moves[f"{va}→{vb}"] += 1
        if va in ("pass", "fail") and vb in ("pass", "fail"):
            xa.append(float(va == "pass"))
            xb.append(float(vb == "pass"))
    paired = bool(xa)
    if paired:
        delta, ci = paired_delta_ci(xa, xb, th.confidence)
    else:
        pa = [
            float(r.get("verdict") == "pass")
            for k, r in a.cells.items()
            if k[2] == name and r.get("verdict") in ("pass", "fail")
        ]
        pb = [
            float(r.get("verdict") == "pass")
            for k, r in b.cells.items()
            if k[2] == name and r.get("verdict") in ("pass", "fail")
        ]
        delta, ci = independent_delta_ci(pa, pb, th.confidence)
    p2f, f2p = moves.get("pass→fail", 0), moves.get("fail→pass", 0)
    p = mcnemar_exact(p2f, f2p) if paired else None
    return {
        "measure": "pass rate",
        "delta": delta,
        "delta_ci95": ci,
        "n_paired": len(xa),
        "paired": paired,
        "mcnemar": {"pass_to_fail": p2f, "fail_to_pass": f2p, "p": p},
        "p": p,
        "transitions": dict(sorted(moves.items())),
        "verdict": judge(info, delta, ci, th.min_rate_delta, p, 1 - th.confidence),
    }


def compare_score(name: str, info: MetricInfo, a: Side, b: Side, units: list[Unit], th: Thresholds) -> dict[str, Any]:
    """Mean Δ of a per-clip score (paired bootstrap over units)."""
    va, vb = [], []
    for u in units:
        ra, rb = a.cells.get((*u, name)), b.cells.get((*u, name))
        if _ok(ra) and _ok(rb) and ra.get("value") is not None and rb.get("value") is not None:
            va.append(float(ra["value"]))
            vb.append(float(rb["value"]))
    paired = bool(va)
    p = paired_permutation_p(va, vb) if paired else None
    if paired:
        delta, ci = paired_delta_ci(va, vb, th.confidence)
        base = abs(sum(va) / len(va)) or abs(sum(vb) / len(vb))
    else:
        own_a = [
            float(r["value"]) for k, r in a.cells.items() if k[2] == name and _ok(r) and r.get("value") is not None
        ]
        own_b = [
            float(r["value"]) for k, r in b.cells.items() if k[2] == name and _ok(r) and r.get("value") is not None
        ]
        delta, ci = independent_delta_ci(own_a, own_b, th.confidence)
        base = abs(sum(own_a) / len(own_a)) if own_a else 0.0
    verdict = judge(info, delta, ci, th.min_rel_delta * base, p, 1 - th.confidence)
    return {
        "measure": "mean",
        "delta": delta,
        "delta_ci95": ci,
        "n_paired": len(va),
        "paired": paired,
        "p": p,
        "threshold": th.min_rel_delta * base,
        "verdict": verdict,
    }


def compare_distance(name: str, info: MetricInfo, a: Side, b: Side, th: Thresholds) -> dict[str, Any]:
    """Δ of a set-level distance against its floor (the distance two samples of one model show)."""
    sa, sb = a.summary["set"].get(name) or {}, b.summary["set"].get(name) or {}
    va, vb = sa.get("value"), sb.get("value")
    floors = [f for f in (sa.get("floor"), sb.get("floor")) if f is not None]
    floor = max(floors) if floors else None
    out: dict[str, Any] = {
        "measure": "distance",
        "floor": floor,
        "delta": None,
        "delta_over_floor": None,
        "verdict": "same",
    }
    if va is None or vb is None:
        return out
    delta = float(vb) - float(va)
    cia, cib = sa.get("ci95"), sb.get("ci95")
    disjoint = not (cia and cib) or cia[1] < cib[0] or cib[1] < cia[0]
    beyond = (floor is None or abs(delta) > floor) and abs(delta) >= th.min_rel_delta * abs(float(va)) and delta != 0
    verdict = "same"
    if disjoint and beyond:
        verdict = "changed" if info.higher_is_better is None else "regression" if info.worse(delta) else "improvement"
    out.update(
        delta=delta,
        delta_over_floor=delta / floor if floor else None,
        verdict=verdict,
        disjoint_ci=bool(cia and cib and disjoint),
    )
    return out


def compare_metric(name: str, a: Side, b: Side, units: list[Unit], th: Thresholds) -> dict[str, Any]:
    info = b.infos.get(name) or a.infos[name]
    if info.kind == "distance":
        sa, sb = a.summary["set"].get(name) or {}, b.summary["set"].get(name) or {}
        sides = {
            "a": {k: sa.get(k) for k in ("value", "ci95", "n", "floor", "floor_ci95", "warning", "error")},
            "b": {k: sb.get(k) for k in ("value", "ci95", "n", "floor", "floor_ci95", "warning", "error")},
        }
        body = compare_distance(name, info, a, b, th)
    else:
        sides = {"a": _run_level(a, name, info), "b": _run_level(b, name, info)}
        fn = compare_check if info.kind == "check" else compare_score
        body = fn(name, info, a, b, units, th)
    return {"metric": name, **info.to_dict(), "arrow": info.arrow, **sides, **body}


def compare_pooled(
    label: str, keep: Any, a: Side, b: Side, units: list[Unit], checks: list[str], th: Thresholds
) -> dict[str, Any]:
    """All checks pooled over the units ``keep(unit, row)`` accepts: pass rates and paired Δ."""
    ka, kb, n, moves = [], [], [], Counter()
    for u in units:
        cell = [0, 0, 0]
        for name in checks:
            ra, rb = a.cells.get((*u, name)), b.cells.get((*u, name))
            if not (_ok(ra) and _ok(rb) and keep(ra)):
                continue
            va, vb = ra.get("verdict"), rb.get("verdict")
            if va in ("pass", "fail") and vb in ("pass", "fail"):
                cell[0] += va == "pass"
                cell[1] += vb == "pass"
                cell[2] += 1
                moves[(va, vb)] += va != vb
        if cell[2]:
            ka.append(cell[0])
            kb.append(cell[1])
            n.append(cell[2])
    delta, ci = paired_pooled_delta_ci(ka, kb, n, th.confidence)
    p = paired_permutation_p(ka, kb)
    ra_, ca = pooled_rate_ci(ka, n, th.confidence)
    rb_, cb = pooled_rate_ci(kb, n, th.confidence)
    pooled = MetricInfo(label, label, "check", True, "")
    return {
        "label": label,
        "a": {"value": ra_, "ci95": ca},
        "b": {"value": rb_, "ci95": cb},
        "n_units": len(n),
        "n_verdicts": sum(n),
        "delta": delta,
        "delta_ci95": ci,
        "pass_to_fail": moves[("pass", "fail")],
        "fail_to_pass": moves[("fail", "pass")],
        "p": p,
        "verdict": judge(pooled, delta, ci, th.min_rate_delta, p, 1 - th.confidence),
    }


def flips(a: Side, b: Side, units: list[Unit], checks: list[str]) -> list[tuple[str, Row, Row]]:
    """Units and checks whose verdict is pass in one run and fail in the other (regressions first)."""
    out = []
    for u in units:
        for name in checks:
            ra, rb = a.cells.get((*u, name)), b.cells.get((*u, name))
            if _ok(ra) and _ok(rb) and {ra.get("verdict"), rb.get("verdict")} == {"pass", "fail"}:
                out.append(("regressed" if rb.get("verdict") == "fail" else "fixed", ra, rb))
    return sorted(out, key=lambda t: (t[0] != "regressed", t[1]["metric"], t[1]["prompt_id"], str(t[1].get("seed"))))


def compare_runs(
    a_path: str | Path, b_path: str | Path, *, force: bool = False, th: Thresholds | None = None
) -> tuple[dict[str, Any], Side, Side, list]:
    """The comparison document (what compare.json holds), the two sides and the flipped units.

    Raises :class:`UsageError` (exit 2) with a one-line reason when the runs are not paired and
    ``force`` is false.
    """
    th = th or Thresholds()
    a, b = Side(a_path), Side(b_path)
    reasons = unpaired_reasons(a.manifest, b.manifest)
    if reasons and not force:
        raise UsageError(
            f"cannot compare {a.rd.root} with {b.rd.root}: {reasons[0]}"
            + (f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else "")
            + "; pass --force to compare anyway"
        )
    same_suite = (a.manifest.get("suite") or {}).get("sha256") == (b.manifest.get("suite") or {}).get("sha256")
    units = paired_units(a, b, same_suite)
    scored = {r["metric"] for r in a.rows + b.rows}
    common = sorted(set(a.infos) & set(b.infos) & scored)
    metrics = [compare_metric(m, a, b, units, th) for m in common]
    checks = [m for m in common if b.infos[m].kind == "check"]
    groups = sorted({b.infos[m].group for m in checks})
    families = sorted({r.get("family") or "?" for k, r in b.cells.items() if k[2] in checks})
    pooled_groups = [
        compare_pooled(f"{g}: all checks", lambda r, g=g: r["metric"].startswith(g + "."), a, b, units, checks, th)
        for g in groups
    ]
    pooled_families = [
        compare_pooled(f, lambda r, f=f: (r.get("family") or "?") == f, a, b, units, checks, th) for f in families
    ]
    flipped = flips(a, b, units, checks)
    pooled_families = [f for f in pooled_families if f["n_verdicts"]]
    every = metrics + pooled_groups + pooled_families
    doc = {
        "schema_version": 1,
        "baseline": a.describe(),
        "candidate": b.describe(),
        "paired": not reasons,
        "forced": bool(reasons) and force,
        "unpaired_reasons": reasons,
        "warnings": env_warnings(a.manifest, b.manifest) + other_warnings(a.manifest, b.manifest),
        "thresholds": asdict(th),
        "n_units_paired": len(units),
        "metrics": metrics,
        "groups": pooled_groups,
        "families": pooled_families,
        "regressions": [x.get("metric") or x["label"] for x in every if x["verdict"] == "regression"],
        "improvements": [x.get("metric") or x["label"] for x in every if x["verdict"] == "improvement"],
        "flipped": {
            "regressed": sum(f[0] == "regressed" for f in flipped),
            "fixed": sum(f[0] == "fixed" for f in flipped),
        },
    }
    return doc, a, b, flipped
