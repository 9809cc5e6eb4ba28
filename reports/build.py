"""``build_report(run_dir)``: summary.json, report.md and report.html (+ assets/) from run files."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from reports.charts import Bar, bar_chart, scatter_chart
from reports.gallery import MAX_CARDS, Card, ClipCache, filters, make_card, spread, unit_verdicts
from reports.headline import DYNAMICS, cost, headline, is_consistency, worst_families
from reports.metricinfo import MetricInfo, metric_infos
from reports.render import md_env, page_assets, web_env
from reports.summary import summarize_rows
from t2vbase.files import atomic_write_text
from t2vbase.rundir import RunDir

MAX_ERROR_ROWS = 200
TOP_FAILURES = 10


def manifest_view(manifest: dict[str, Any], run: Path) -> dict[str, Any]:
    """The manifest with every field a page shows present (older or partial manifests)."""
    m = dict(manifest)
    m.setdefault("run_id", run.name)
    for key, default in {"status": "?", "updated": "", "created": "", "device": "?", "shard": "0/1"}.items():
        m.setdefault(key, default)
    m["suite"] = {"name": "?", "version": "?", "prompts": "?", "sha256": "", **(m.get("suite") or {})}
    m["generator"] = {"spec": "?", "name": "?", "version": "", **(m.get("generator") or {})}
    m["video"] = {"num_frames": "?", "height": "?", "width": "?", "fps": "?", **(m.get("video") or {})}
    m["counts"] = {"done": 0, "units": 0, "failed": 0, **(m.get("counts") or {})}
    m["seeds"] = m.get("seeds") or []
    m["metrics"] = [p for p in m.get("metrics") or [] if isinstance(p, dict)]
    return m


def build_summary(
    run: Path, manifest: dict[str, Any], rows: list[dict[str, Any]], infos: dict[str, MetricInfo] | None = None
) -> dict[str, Any]:
    infos = metric_infos(manifest, rows) if infos is None else infos
    return {
        "schema_version": 1,
        "run_id": manifest.get("run_id", run.name),
        "status": manifest.get("status"),
        "counts": manifest.get("counts", {}),
        "provenance": {
            "suite": manifest.get("suite"),
            "generator": manifest.get("generator"),
            "seeds": manifest.get("seeds"),
            "video": manifest.get("video"),
            "metrics": manifest.get("metrics"),
            "t2vbench_version": manifest.get("t2vbench_version"),
            "git_commit": (manifest.get("env") or {}).get("git_commit"),
        },
        **summarize_rows(rows, infos),
    }


def charts(summary: dict[str, Any], infos: dict[str, MetricInfo], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The report's SVG charts: checks, prompt families, scores per family, consistency vs dynamics."""
    checks = [
        Bar(m, b["pass_rate"], *b["pass_rate_ci95"], note=f"n={b['n_pass'] + b['n_fail']}", href="#gallery")
        for m, b in summary["metrics"].items()
        if infos[m].kind == "check" and b.get("pass_rate") is not None
    ]
    fams = [
        Bar(f, b["pass_rate"], *b["pass_rate_ci95"], note=f"{b['n_units']} clips")
        for f, b in (summary.get("pooled") or {}).get("families", {}).items()
        if b.get("pass_rate") is not None
    ]
    scores = []
    for m, per_family in summary["families"].items():
        if infos[m].kind != "score":
            continue
        bars = [
            Bar(f, b["mean"], *(b["ci95"] or (None, None)), note=f"n={b['n']}")
            for f, b in per_family.items()
            if b["mean"] is not None
        ]
        if bars:
            scores.append((m, bar_chart(bars, title=f"{m} per prompt family")))
    return {
        "checks": bar_chart(checks, domain=(0.0, 1.0), title="pass rate per check"),
        "families": bar_chart(fams, domain=(0.0, 1.0), title="pass rate per prompt family"),
        "scores": scores,
        "dynamics": dynamics_scatters(infos, rows),
    }


def dynamics_scatters(infos: dict[str, MetricInfo], rows: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Per clip, each temporal consistency score against the dynamic degree."""
    if DYNAMICS not in infos:
        return []
    values: dict[tuple[str, Any], dict[str, float]] = {}
    for r in rows:
        if r.get("prompt_id") != "*" and r.get("value") is not None and not r.get("error"):
            values.setdefault((r["prompt_id"], r.get("seed")), {})[r["metric"]] = float(r["value"])
    out = []
    for name in (m for m in infos if is_consistency(m)):
        pts = [
            (v[DYNAMICS], v[name], f"{pid} seed {seed}")
            for (pid, seed), v in values.items()
            if DYNAMICS in v and name in v
        ]
        if pts:
            out.append((name, scatter_chart(pts, xlabel=DYNAMICS, ylabel=name)))
    return out


def gallery(rd: RunDir, rows: list[dict[str, Any]], prompts: dict[str, dict[str, Any]]) -> list[Card]:
    """Cards for failed checks (at most :data:`MAX_CARDS`), sorted by check then prompt.

    Cards are made a clip at a time on a few threads: a poster decodes a frame and encodes a PNG,
    both outside the GIL, and a report waits for them (half its time on a 100-clip run)."""
    fails = sorted(
        (r for r in rows if r.get("verdict") == "fail" and r.get("prompt_id") != "*"),
        key=lambda r: (r["metric"], r["prompt_id"], str(r.get("seed"))),
    )
    verdicts = unit_verdicts(rows)
    cache = ClipCache(rd.asset_path, lambda p: p.relative_to(rd.root).as_posix())
    picked = spread(fails, lambda r: r["metric"], MAX_CARDS)
    by_clip: dict[Path, list[int]] = {}
    for k, r in enumerate(picked):
        by_clip.setdefault(rd.clip_path(r["prompt_id"], r["seed"]), []).append(k)
    cards: list[Card] = [None] * len(picked)  # type: ignore[list-item]

    def one_clip(clip: Path, ks: list[int]) -> None:  # one clip's cards on one thread: no race on its assets
        for k in ks:
            r = picked[k]
            text = (prompts.get(r["prompt_id"]) or {}).get("text", "")
            cards[k] = make_card(r, clip, cache, text, verdicts[(r["prompt_id"], r.get("seed"))])

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        list(pool.map(lambda item: one_clip(*item), by_clip.items()))
    return cards


def build_report(run_dir: str | Path) -> Path:
    """Write summary.json, report.md, report.html and assets/ for a run; returns report.html."""
    rd = RunDir(run_dir)
    manifest = rd.load_manifest()
    rows = rd.read_samples()
    infos = metric_infos(manifest, rows)
    summary = build_summary(rd.root, manifest, rows, infos)
    rd.write_summary(summary)
    suite_doc = rd.read_suite()
    prompts = {p["id"]: p for p in suite_doc.get("prompts", []) if isinstance(p, dict) and "id" in p}
    figs = charts(summary, infos, rows)
    fig_path, fig_rel = rd.asset_path("pass_rates.svg")
    if figs["checks"]:
        atomic_write_text(fig_path, str(figs["checks"]).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    cards = gallery(rd, rows, prompts)
    profile = rd.read_profile()
    ctx = {
        "m": manifest_view(manifest, rd.root),
        "summary": summary,
        "headline": headline(summary, infos),
        "worst": worst_families(summary),
        "charts": figs,
        "figure": fig_rel if figs["checks"] else None,
        "profile": profile,
        "cost": cost(profile, manifest),
        "cards": cards,
        "top": spread(cards, lambda c: c.metric, TOP_FAILURES),
        "filters": filters(cards),
        "overlays": {c.id: c.overlay() for c in cards},
        "n_fails": sum(1 for r in rows if r.get("verdict") == "fail"),
        "errors": [r for r in rows if r.get("error")][:MAX_ERROR_ROWS],
        "n_errors": sum(1 for r in rows if r.get("error")),
        "env": manifest.get("env") or {},
        **page_assets(),
    }
    markdown = md_env().get_template("report.md.j2").render(**ctx)
    return rd.write_reports(markdown, web_env().get_template("report.html.j2").render(**ctx))
