"""``build_report(run_dir)``: summary.json, report.md and report.html (+ assets/) from run files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reports.figures import pass_rate_figure
from reports.gallery import build_gallery
from reports.summary import summarize_rows
from t2vbase.rundir import RunDir

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_ERROR_ROWS = 200


def fmt_num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_ci(ci: Any, digits: int = 3) -> str:
    if not ci:
        return "–"
    return f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


def fmt_bytes(n: Any) -> str:
    if n is None:
        return "–"
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover


def fmt_ms(seconds: Any) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.1f}"


def md_cell(text: Any) -> str:
    """Make text safe inside a Markdown table cell (pipes, newlines, HTML)."""
    s = "" if text is None else str(text)
    s = s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return s.replace("<", "&lt;").replace(">", "&gt;")


def _env(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=fmt_num, ci=fmt_ci, bytes=fmt_bytes, ms=fmt_ms, md=md_cell)
    return env


def build_summary(run: Path, manifest: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
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
        **summarize_rows(rows),
    }


def build_report(run_dir: str | Path) -> Path:
    """Write summary.json, report.md, report.html and assets/ for a run; returns report.html."""
    rd = RunDir(run_dir)
    manifest = rd.load_manifest()
    rows = rd.read_samples()
    summary = build_summary(rd.root, manifest, rows)
    rd.write_summary(summary)
    suite_doc = rd.read_suite()
    prompts = {p["id"]: p for p in suite_doc.get("prompts", []) if isinstance(p, dict) and "id" in p}
    fig_path, fig_rel = rd.asset_path("pass_rates.png")
    figure = fig_rel if pass_rate_figure(summary, fig_path) else None
    cards = build_gallery(rd, rows, prompts)
    errors = [r for r in rows if r.get("error")][:MAX_ERROR_ROWS]
    n_errors = sum(1 for r in rows if r.get("error"))
    ctx = {
        "m": manifest,
        "summary": summary,
        "profile": rd.read_profile(),
        "figure": figure,
        "cards": cards,
        "n_fails": sum(1 for r in rows if r.get("verdict") == "fail"),
        "errors": errors,
        "n_errors": n_errors,
        "env": manifest.get("env") or {},
    }
    markdown = _env(False).get_template("report.md.j2").render(**ctx)
    return rd.write_reports(markdown, _env(True).get_template("report.html.j2").render(**ctx))
