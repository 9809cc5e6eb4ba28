"""Charts as inline SVG: bars with confidence intervals, trends with change points, scatters.

SVG rather than a plotting library's PNG because the charts live inside one self-contained HTML
file, carry a tooltip and a link on every mark, stay sharp when zoomed, and cost no import time
(``t2vbench report`` is a command users wait for). Every label is XML-escaped here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
BAR, CI, GOOD, BAD, GRID, TEXT = "#4c78a8", "#333", "#1a7f37", "#c62828", "#e3e3e3", "#222"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering ``[lo, hi]`` (1, 2 or 5 times a power of ten apart)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(k * step, 12) for k in range(first, last + 1)]


def fmt(v: float | None, digits: int = 3) -> str:
    if v is None or not math.isfinite(v):
        return "–"
    return f"{v:.{digits}g}" if abs(v) >= 1000 or (v != 0 and abs(v) < 0.001) else f"{v:.{digits}f}"


@dataclass
class Bar:
    """One bar: ``value`` with its interval ``[lo, hi]`` (either may be None)."""

    label: str
    value: float | None
    lo: float | None = None
    hi: float | None = None
    note: str = ""
    href: str | None = None


def _link(inner: str, href: str | None) -> str:
    return f"<a href={quoteattr(href)}>{inner}</a>" if href else inner


def bar_chart(bars: list[Bar], *, domain: tuple[float, float] | None = None, title: str = "") -> Markup:
    """Horizontal bars with CI whiskers; ``domain`` defaults to [0, 1] for rates, else the data."""
    if not bars:
        return Markup("")
    vals = [v for b in bars for v in (b.value, b.lo, b.hi) if v is not None and math.isfinite(v)]
    lo, hi = domain or (min([0.0, *vals]), max([*vals, 1e-9]))
    ticks = nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    left, width, row = 190, 340, 22
    height = row * len(bars) + 34

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * width

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {left + width + 150} {height}" width="{left + width + 150}" height="{height}" {FONT}>'
    ]
    parts.append(f"<title>{escape(title)}</title>")
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="4" y2="{height - 22}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x(t):.1f}" y="{height - 8}" text-anchor="middle" fill="#666">{fmt(t, 2)}</text>')
    for i, b in enumerate(bars):
        y = 6 + i * row
        tip = (
            f"{b.label}: {fmt(b.value)}"
            + (f" [{fmt(b.lo)}, {fmt(b.hi)}]" if b.lo is not None else "")
            + (f" · {b.note}" if b.note else "")
        )
        mark = [f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" fill="{TEXT}">{escape(b.label)}</text>']
        if b.value is not None:
            x0, x1 = x(max(lo, min(0.0, hi))), x(b.value)
            mark.append(
                f'<rect x="{min(x0, x1):.1f}" y="{y + 3}" width="{abs(x1 - x0):.1f}" height="{row - 8}" fill="{BAR}"/>'
            )
        if b.lo is not None and b.hi is not None:
            a, c, m = x(b.lo), x(b.hi), y + row / 2 - 1
            mark.append(
                f'<path d="M{a:.1f},{m - 4}v8M{a:.1f},{m}H{c:.1f}M{c:.1f},{m - 4}v8" stroke="{CI}" fill="none"/>'
            )
        mark.append(
            f'<text x="{left + width + 6}" y="{y + 13}" fill="{TEXT}">{escape(fmt(b.value) + ("  " + b.note if b.note else ""))}</text>'
        )
        parts.append(_link(f"<g><title>{escape(tip)}</title>{''.join(mark)}</g>", b.href))
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass
class TrendPoint:
    """One run on a trend: its value and interval, a label, a link."""

    label: str
    value: float | None
    lo: float | None = None
    hi: float | None = None
    href: str | None = None
    note: str = ""


@dataclass
class Step:
    """A change point: the series changes level at point ``index`` (the first run of the new level)."""

    index: int
    worse: bool | None
    label: str


def trend_chart(
    points: list[TrendPoint],
    steps: list[Step],
    *,
    title: str = "",
    unit: str = "",
    bounds: tuple[float, float] | None = None,
) -> Markup:
    """A line over runs in time order with its CI band, links on the points, and change points
    as vertical lines named after the run where the step happened; ``bounds`` keeps the axis
    inside what the values can be (``(0, 1)`` for a rate)."""
    vals = [v for p in points for v in (p.value, p.lo, p.hi) if v is not None and math.isfinite(v)]
    if not vals:
        return Markup("")
    lo, hi = min(vals), max(vals)
    pad = (hi - lo) * 0.08 or max(abs(hi) * 0.05, 0.01)
    lo, hi = lo - pad, hi + pad
    if bounds:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    ticks = nice_ticks(lo, hi)
    if bounds:
        ticks = [t for t in ticks if bounds[0] <= t <= bounds[1]] or ticks
    lo, hi = min(ticks[0], lo), max(ticks[-1], hi)
    left, width, top, plot_h = 56, 560, 22, 150
    n = len(points)

    def x(i: int) -> float:
        return left + (width * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h - (v - lo) / (hi - lo or 1) * plot_h

    parts = [
        f'<svg class="chart trend" role="img" viewBox="0 0 {left + width + 10} {top + plot_h + 30}" width="{left + width + 10}" height="{top + plot_h + 30}" {FONT}>'
    ]
    parts.append(f"<title>{escape(title)}</title>")
    for t in ticks:
        parts.append(f'<line x1="{left}" x2="{left + width}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 4}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#666">{fmt(t, 3)}</text>')
    band = [(i, p) for i, p in enumerate(points) if p.lo is not None and p.hi is not None]
    if len(band) > 1:
        upper = " ".join(f"{x(i):.1f},{y(p.hi):.1f}" for i, p in band)
        lower = " ".join(f"{x(i):.1f},{y(p.lo):.1f}" for i, p in reversed(band))
        parts.append(f'<polygon points="{upper} {lower}" fill="{BAR}" fill-opacity="0.15"/>')
    line = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points) if p.value is not None)
    parts.append(f'<polyline points="{line}" fill="none" stroke="{BAR}" stroke-width="1.5"/>')
    for s in steps:
        color = BAD if s.worse else GOOD if s.worse is False else "#777"
        sx = (x(s.index - 1) + x(s.index)) / 2
        parts.append(
            f'<g class="step"><title>{escape(s.label)}</title><line x1="{sx:.1f}" x2="{sx:.1f}" y1="{top - 4}" y2="{top + plot_h}" stroke="{color}" stroke-dasharray="4 3" stroke-width="1.5"/>'
        )
        parts.append(f'<text x="{sx + 3:.1f}" y="{top - 8}" fill="{color}">{escape(s.label)}</text></g>')
    for i, p in enumerate(points):
        if p.value is None:
            continue
        tip = (
            f"{p.label}: {fmt(p.value)}{(' ' + unit) if unit else ''}"
            + (f" [{fmt(p.lo)}, {fmt(p.hi)}]" if p.lo is not None else "")
            + (f" · {p.note}" if p.note else "")
        )
        dot = (
            f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="3.5" fill="{BAR}"><title>{escape(tip)}</title></circle>'
        )
        parts.append(_link(dot, p.href))
    parts.append(f'<text x="{left}" y="{top + plot_h + 20}" fill="#666">{escape(points[0].label)}</text>')
    parts.append(
        f'<text x="{left + width}" y="{top + plot_h + 20}" text-anchor="end" fill="#666">{escape(points[-1].label)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def scatter_chart(points: list[tuple[float, float, str]], *, xlabel: str, ylabel: str) -> Markup:
    """Points ``(x, y, tooltip)`` with both axes from the data (consistency against dynamics)."""
    pts = [(a, b, t) for a, b, t in points if math.isfinite(a) and math.isfinite(b)]
    if not pts:
        return Markup("")
    xt = nice_ticks(min(p[0] for p in pts), max(p[0] for p in pts) + 1e-9)
    yt = nice_ticks(min(p[1] for p in pts), max(p[1] for p in pts) + 1e-9)
    left, width, top, h = 56, 320, 10, 200

    def x(v: float) -> float:
        return left + (v - xt[0]) / ((xt[-1] - xt[0]) or 1) * width

    def y(v: float) -> float:
        return top + h - (v - yt[0]) / ((yt[-1] - yt[0]) or 1) * h

    parts = [
        f'<svg class="chart scatter" role="img" viewBox="0 0 {left + width + 20} {top + h + 40}" width="{left + width + 20}" height="{top + h + 40}" {FONT}>'
    ]
    for t in xt:
        parts.append(
            f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{top + h}" stroke="{GRID}"/><text x="{x(t):.1f}" y="{top + h + 14}" text-anchor="middle" fill="#666">{fmt(t, 2)}</text>'
        )
    for t in yt:
        parts.append(
            f'<line x1="{left}" x2="{left + width}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="{GRID}"/><text x="{left - 4}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#666">{fmt(t, 2)}</text>'
        )
    for a, b, tip in pts:
        parts.append(
            f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="3" fill="{BAR}" fill-opacity="0.7"><title>{escape(tip)}</title></circle>'
        )
    parts.append(f'<text x="{left + width / 2}" y="{top + h + 32}" text-anchor="middle">{escape(xlabel)}</text>')
    parts.append(
        f'<text transform="translate(12 {top + h / 2}) rotate(-90)" text-anchor="middle">{escape(ylabel)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
