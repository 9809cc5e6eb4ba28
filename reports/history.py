"""``t2vbench history RUNS_ROOT``: trends of every metric over runs, and where they stepped.

Runs are indexed into SQLite (:mod:`reports.history_index`); a *series* is one metric (or checks
pooled) of one suite version under one metric protocol, its points the runs in time order
(``created``). A change of suite content or of a protocol starts a new series: values measured
differently are never drawn as one line. Change points come from :mod:`reports.changepoints`.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from reports.changepoints import detect, library
from reports.charts import Step, TrendPoint, trend_chart
from reports.compare import Thresholds
from reports.history_index import index_run, index_tree, read_index
from reports.render import page_assets, web_env
from t2vbase.errors import UsageError
from t2vbase.rundir import HistoryDir, RunDir

__all__ = ["build_history", "index_run"]
GROUP_ORDER = ("physics", "temporal", "align", "dist")


def series_of(runs: list[dict[str, Any]], points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Points grouped by (suite, suite sha256, series, protocol), runs in time order."""
    order = {r["run_key"]: k for k, r in enumerate(runs)}
    by_key = {r["run_key"]: r for r in runs}
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for p in points:
        if p["value"] is None:
            continue
        r = by_key[p["run_key"]]
        groups[(r["suite"], r["suite_sha256"], p["series"], p["protocol"])].append(p)
    out = []
    for (suite, sha, name, proto), pts in groups.items():
        pts.sort(key=lambda p: order[p["run_key"]])
        first = pts[0]
        out.append(
            {
                "key": f"{suite}@{(sha or '')[:12]}:{name}:{proto}",
                "suite": suite,
                "suite_version": by_key[first["run_key"]]["suite_version"],
                "suite_sha256": sha,
                "series": name,
                "scope": first["scope"],
                "metric": first["metric"],
                "protocol": proto,
                "kind": first["kind"],
                "higher_is_better": None if first["higher_is_better"] is None else bool(first["higher_is_better"]),
                "unit": first["unit"] or "",
                "group": name.split(".", 1)[0].split(":", 1)[0] if first["scope"] != "family" else "family",
                "points": [
                    {
                        "run_id": by_key[p["run_key"]]["run_id"],
                        "run_key": p["run_key"],
                        "created": by_key[p["run_key"]]["created"],
                        "generator": by_key[p["run_key"]]["generator"],
                        "value": p["value"],
                        "lo": p["lo"],
                        "hi": p["hi"],
                        "n": p["n"],
                    }
                    for p in pts
                ],
            }
        )
    rank = {g: k for k, g in enumerate(GROUP_ORDER)}
    return sorted(
        out,
        key=lambda s: (s["suite"] or "", rank.get(s["group"], len(rank)), s["scope"] != "group", s["series"], s["key"]),
    )


def with_changes(series: list[dict[str, Any]], th: Thresholds) -> None:
    """Add ``steps`` (change points) to every series."""
    for s in series:
        pts = s["points"]
        rate = s["kind"] in ("check", "pooled")
        changes = detect(
            [p["value"] for p in pts],
            [p["lo"] for p in pts],
            [p["hi"] for p in pts],
            [p["run_id"] for p in pts],
            s["higher_is_better"],
            th.min_rate_delta if rate else th.min_rel_delta,
            relative=not rate,
        )
        s["steps"] = [c.to_dict() for c in changes]


def _chart(s: dict[str, Any], roots: dict[str, str]) -> Any:
    points = [
        TrendPoint(
            p["run_id"],
            p["value"],
            p["lo"],
            p["hi"],
            href=roots.get(p["run_key"]),
            note=f"{(p['created'] or '')[:16]} · {p['generator']}",
        )
        for p in s["points"]
    ]
    steps = [
        Step(
            c["index"],
            {"regression": True, "improvement": False}.get(c["verdict"]),
            f"{c['verdict']} at {c['run_id']}: {c['before']:.3g} → {c['after']:.3g}",
        )
        for c in s["steps"]
    ]
    bounds = (0.0, 1.0) if s["kind"] in ("check", "pooled") else None
    return trend_chart(points, steps, title=s["series"], unit=s["unit"], bounds=bounds)


def build_history(
    root: str | Path,
    *,
    db: str | Path | None = None,
    out: str | Path | None = None,
    suite: str | None = None,
    generator: str | None = None,
    th: Thresholds | None = None,
) -> tuple[dict[str, Any], Path]:
    """Index the runs under ``root`` (or read the index ``root`` names), find change points and
    write history.html and history.json; returns the document and the page's path."""
    th = th or Thresholds()
    root = Path(root)
    if not root.exists():
        raise UsageError(f"{root}: no such folder of runs or history index")
    skipped: list[str] = []
    if root.is_file():
        db_path, out_dir = Path(db or root), HistoryDir(out or root.parent)
    else:
        out_dir = HistoryDir(out or root)
        db_path = Path(db or HistoryDir(root).db_path)
        skipped = index_tree(db_path, root)[1]
    runs, points = read_index(db_path, suite, generator)
    series = series_of(runs, points)
    with_changes(series, th)
    latest = {r["run_id"] for r in runs[-1:]}
    latest_steps = [
        {**c, "series": s["series"], "label": f"{s['series']}: {c['before']:.3g} → {c['after']:.3g} at {c['run_id']}"}
        for s in series
        for c in s["steps"]
        if c["run_id"] in latest
    ]
    doc = {
        "schema_version": 1,
        "db": str(db_path),
        "changepoints": library() or "unavailable: install ruptures for change points",
        "thresholds": {"min_rate_delta": th.min_rate_delta, "min_rel_delta": th.min_rel_delta},
        "runs": runs,
        "series": series,
        "latest_steps": latest_steps,
        "skipped": skipped,
    }
    roots = {r["run_key"]: out_dir.link_to(RunDir(r["root"]).report_html_path) for r in runs}
    charts = {s["key"]: _chart(s, roots) for s in series}
    html = web_env().get_template("history.html.j2").render(doc=doc, charts=charts, roots=roots, **page_assets())
    out_dir.root.mkdir(parents=True, exist_ok=True)
    return doc, out_dir.write(html, doc)
