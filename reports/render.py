"""Jinja2 environments (HTML autoescaped everywhere, Markdown with its own cell escaping), the
number filters every page shares, and the page's inline CSS and script."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"


def fmt_num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value != value:
            return "–"
        if value != 0 and (abs(value) >= 10**6 or abs(value) < 10**-(digits)):
            return f"{value:.{digits}g}"
        return f"{value:.{digits}f}"
    return str(value)


def fmt_signed(value: Any, digits: int = 3) -> str:
    """A change with its sign (``+0.120``, ``−0.050``)."""
    if value is None:
        return "–"
    text = fmt_num(float(value), digits)
    return text.replace("-", "−") if value < 0 else f"+{text}"


def fmt_ci(ci: Any, digits: int = 3) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "–"
    return f"[{fmt_num(float(ci[0]), digits)}, {fmt_num(float(ci[1]), digits)}]"


def fmt_p(p: Any) -> str:
    if p is None:
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


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
    env.filters.update(num=fmt_num, signed=fmt_signed, ci=fmt_ci, p=fmt_p, bytes=fmt_bytes, ms=fmt_ms, md=md_cell)
    return env


@cache
def web_env() -> Environment:
    """HTML pages: every value autoescaped."""
    return _env(True)


@cache
def md_env() -> Environment:
    """Markdown: values pass through :func:`md_cell` where they may hold text."""
    return _env(False)


@cache
def page_assets() -> dict[str, Markup]:
    """The CSS and script every HTML page inlines (pages are single files)."""
    return {
        "css": Markup((TEMPLATES / "page.css").read_text(encoding="utf-8")),
        "js": Markup((TEMPLATES / "gallery.js").read_text(encoding="utf-8")),
    }
