"""Compare two ``t2vbench validate`` runs clip by clip: identical verdicts and events?

    python benchmarks/diff_validate.py runs/validate-before runs/validate-after

Behaviour-preserving refactors of the checks must leave every clip's verdicts and events as
they were; this prints how many clips differ (and the first few), and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

IGNORED = ("track",)  # an event's drawn path (added for the gallery) is not a finding


def _events(r: dict) -> dict:
    return {c: [{k: v for k, v in e.items() if k not in IGNORED} for e in evs] for c, evs in r["events"].items()}


def load(run: Path) -> dict[tuple, dict]:
    rows = json.loads((run / "outcomes.json").read_text())
    out = {}
    for r in rows:
        r["events"] = _events(r)
        out[(r["prompt_id"], r["seed"], r["kind"], r["fault"], r["severity"])] = r
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--show", type=int, default=5, help="differing clips to print")
    args = ap.parse_args()
    a, b = load(args.before), load(args.after)
    if a.keys() != b.keys():
        print(f"different clip sets: {len(a.keys() - b.keys())} only before, {len(b.keys() - a.keys())} only after")
        return 1
    diff = [k for k in a if (a[k]["verdicts"], a[k]["events"]) != (b[k]["verdicts"], b[k]["events"])]
    for k in diff[: args.show]:
        for check in sorted(set(a[k]["verdicts"]) | set(b[k]["verdicts"])):
            va, vb = a[k]["verdicts"].get(check), b[k]["verdicts"].get(check)
            ea, eb = a[k]["events"].get(check), b[k]["events"].get(check)
            if (va, ea) != (vb, eb):
                print(f"{k} {check}: {va} {ea} -> {vb} {eb}")
    print(f"{len(a)} clips compared, {len(diff)} differ")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
