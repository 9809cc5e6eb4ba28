"""The physics checks' thresholds as a Markdown table (docs/DESIGN.md holds it; a test keeps it in
step with the code): every parameter of every check, its default value, its unit and what it does.

    python -m metrics.physics.table            # print the table
    python -m metrics.physics.table --write    # replace it in docs/DESIGN.md
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from metrics.observe.params import Params, protocol_value
from metrics.physics.units import TO_CLIP, TUNED
from metrics.registry import build_metric, resolve_metrics

BEGIN, END = "<!-- thresholds:begin -->", "<!-- thresholds:end -->"
DESIGN = Path(__file__).resolve().parents[2] / "docs" / "DESIGN.md"


def _rows(obj: Any, prefix: str = "") -> list[tuple[str, Any, str, str]]:
    """``(name, value, unit, doc)`` of every protocol parameter, groups by dotted name."""
    out = []
    for f in dataclasses.fields(obj):
        if not f.metadata.get("protocol", True) or not f.init:
            continue
        value = getattr(obj, f.name)
        if isinstance(value, Params):
            out += _rows(value, f"{prefix}{f.name}.")
            continue
        out.append((prefix + f.name, protocol_value(value), f.metadata.get("unit", ""), f.metadata.get("doc", "")))
    return out


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "–".join(_cell(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


#: what a physical unit is in the clip at the tuned format
_CLIP_UNIT = {"seconds": "frames", "frame sizes": "px", "frame sizes per second": "px/frame"}


def _tuned(value: Any, unit: str) -> str:
    """The value in frames and pixels at the tuned format (16x128x128 at 8 fps), or empty."""
    if unit not in TO_CLIP:
        return ""
    v = TO_CLIP[unit](value, *TUNED)
    return f"{v:g} {_CLIP_UNIT.get(unit, 'px/frame²')}"


def threshold_table() -> str:
    """The Markdown table: check, parameter, default, unit, the value at the tuned format, meaning."""
    lines = [
        "| check | parameter | default | unit | at 16×128²@8 | meaning |",
        "|---|---|---:|---|---:|---|",
    ]
    for name in resolve_metrics("physics.*"):
        for param, value, unit, doc in _rows(build_metric(name)):
            doc = doc.replace("|", "\\|")
            row = f"| `{name}` | `{param}` | {_cell(value)} | {unit or '—'} | {_tuned(value, unit)} | {doc} |"
            lines.append(row)
    return "\n".join(lines) + "\n"


def replace_in(text: str, table: str) -> str:
    """``text`` with the block between the markers replaced by ``table``."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{table}{END}{tail}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="replace the table in docs/DESIGN.md")
    table = threshold_table()
    if ap.parse_args().write:
        DESIGN.write_text(replace_in(DESIGN.read_text(), table))
    else:
        print(table, end="")


if __name__ == "__main__":
    main()
