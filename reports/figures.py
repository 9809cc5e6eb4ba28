"""Report figures (matplotlib, Agg backend, PNG under ``assets/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def pass_rate_figure(summary: dict[str, Any], dest: Path) -> bool:
    """Horizontal bars: pass rate of each check with its 95% Wilson interval. False if no checks."""
    items = [(name, block) for name, block in summary.get("metrics", {}).items() if block.get("pass_rate") is not None]
    if not items:
        return False
    names = [n for n, _ in items]
    rates = [b["pass_rate"] for _, b in items]
    lo = [b["pass_rate"] - b["pass_rate_ci95"][0] for _, b in items]
    hi = [b["pass_rate_ci95"][1] - b["pass_rate"] for _, b in items]
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(items) + 1.2), dpi=110)
    ax.barh(names, rates, xerr=[lo, hi], color="#4c78a8", ecolor="#333333", capsize=3)
    ax.set_xlim(0, 1)
    ax.set_xlabel("pass rate (95% Wilson interval)")
    ax.invert_yaxis()
    for i, (r, (_, b)) in enumerate(zip(rates, items, strict=True)):
        ax.text(min(r + 0.02, 0.9), i, f"{r:.2f} (n={b['n_pass'] + b['n_fail']})", va="center", fontsize=8)
    fig.tight_layout()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(dest)
    plt.close(fig)
    return True
