"""compare.html, compare.md and compare.json: the comparison of two runs as a page, with a
side-by-side gallery of the units whose verdict flipped (both clips playing together)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.compare import Side, Thresholds, compare_runs
from reports.gallery import Card, ClipCache, anchor, filters, make_card, spread, unit_verdicts
from reports.headline import metric_order
from reports.render import md_env, page_assets, web_env
from t2vbase.rundir import CompareDir

MAX_PAIRS = 80


@dataclass
class PairCard:
    """Two cards of one unit and check, A (baseline) and B (candidate); one of them failed."""

    id: str
    change: str  # regressed | fixed
    a: Card
    b: Card

    @property
    def failing(self) -> Card:
        return self.b if self.change == "regressed" else self.a

    @property
    def family(self) -> str:
        return self.a.family

    @property
    def metric(self) -> str:
        return self.a.metric

    @property
    def event_types(self) -> list[str]:
        return self.failing.event_types


def default_out(b: Path, a: Path) -> Path:
    """``<B's parent>/compare-<A>-vs-<B>``."""
    return Path(b).parent / f"compare-{Path(a).name}-vs-{Path(b).name}"


def pair_cards(a: Side, b: Side, flipped: list, out: CompareDir) -> list[PairCard]:
    cache = ClipCache(out.asset_path, out.link_to)
    va, vb = unit_verdicts(a.rows), unit_verdicts(b.rows)
    cards = []
    for change, ra, rb in spread(flipped, lambda f: (f[0], f[1]["metric"]), MAX_PAIRS):
        unit = (ra["prompt_id"], ra.get("seed"))
        text = (b.prompts.get(unit[0]) or a.prompts.get(unit[0]) or {}).get("text", "")
        ca = make_card(ra, a.rd.clip_path(*unit), cache, text, va[unit], side="A")
        cb = make_card(rb, b.rd.clip_path(*unit), cache, text, vb[unit], side="B")
        cards.append(PairCard(anchor("pair", unit[0], unit[1], ra["metric"]), change, ca, cb))
    return cards


def ordered(doc: dict[str, Any], side: Side) -> list[dict[str, Any]]:
    """The metric rows in the report's order (families, consistency beside dynamics)."""
    rank = {i.name: k for k, i in enumerate(metric_order(side.infos))}
    return sorted(doc["metrics"], key=lambda m: rank.get(m["metric"], len(rank)))


def build_compare(
    a_path: str | Path,
    b_path: str | Path,
    out: str | Path | None = None,
    *,
    force: bool = False,
    th: Thresholds | None = None,
) -> tuple[dict[str, Any], Path]:
    """Compare run A (baseline) with run B (candidate); write the three files; return the
    document and compare.html's path. Unpaired runs raise ``UsageError`` unless ``force``."""
    doc, a, b, flipped = compare_runs(a_path, b_path, force=force, th=th)
    cd = CompareDir(out or default_out(Path(b_path), Path(a_path)))
    cd.root.mkdir(parents=True, exist_ok=True)
    pairs = pair_cards(a, b, flipped, cd)
    all_cards = [c for p in pairs for c in (p.a, p.b)]
    f = filters(all_cards)
    f["event"] = sorted({t for p in pairs for t in p.event_types})
    ctx = {
        "doc": doc,
        "metrics": ordered(doc, b),
        "a": a.describe(),
        "b": b.describe(),
        "link_a": cd.link_to(a.rd.report_html_path),
        "link_b": cd.link_to(b.rd.report_html_path),
        "pairs": pairs,
        "n_flipped": len(flipped),
        "filters": f,
        "overlays": {c.id: c.overlay() for c in all_cards},
        **page_assets(),
    }
    markdown = md_env().get_template("compare.md.j2").render(**ctx)
    html = web_env().get_template("compare.html.j2").render(**ctx)
    return doc, cd.write(markdown, html, doc)
