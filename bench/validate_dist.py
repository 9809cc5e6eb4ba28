"""``t2vbench validate --distances``: do the ``dist.*`` distances measure what they claim?

On a suite (nightly by default) rendered by the reference world, against the clean reference
(:mod:`bench.reference`, cached):

- a clean run's FVD and KVD sit inside the floor's 95% CI;
- FVD and KVD grow with the fault rate (0, 0.3, 1) and with the severity (0.5, 1, 2) of the
  default fault mix;
- ``dist.motion`` rises more above its floor for temporal-only faults (freeze, reverse, speed)
  than for appearance-only ones (recolor); FVD is reported beside it so the difference shows.

Writes ``validate_dist.json`` and ``validate_dist.md`` to ``--out``; exit 1 when a gate fails.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.reference import ReferenceSet, featurise_all, render
from bench.units import make_units
from metrics.dist.distances import Distance
from metrics.registry import build_metric
from prompts import Suite, load_suite
from t2vbase.files import atomic_write_json, atomic_write_text

CLEAN = "reference:profile=clean"
#: condition -> generator spec of the run's clips
CONDITIONS = {
    "clean": CLEAN,
    "rate=0.3": "reference:rate=0.3",
    "rate=1": "reference:rate=1",
    "severity=0.5": "reference:rate=1,severity=0.5",
    "severity=2": "reference:rate=1,severity=2",
    "temporal": "reference:faults=freeze+reverse+speed,rate=1",
    "appearance": "reference:faults=recolor,rate=1",
}
RATES = ("clean", "rate=0.3", "rate=1")
SEVERITIES = ("severity=0.5", "rate=1", "severity=2")


@dataclass
class DistValidateConfig:
    suite: str = "nightly"
    seeds: int = 1
    backbone: str = "tiny"
    n_boot: int = 100
    out: Path = Path("runs/validate-dist")
    video: dict[str, Any] = field(default_factory=lambda: {"num_frames": 16, "height": 128, "width": 128, "fps": 8.0})


def build(cfg: DistValidateConfig) -> list[Distance]:
    fvd = build_metric("dist.fvd", backbone=cfg.backbone, n_boot=cfg.n_boot)
    kvd = build_metric("dist.kvd", backbone=cfg.backbone, n_boot=cfg.n_boot)
    return [fvd, kvd, build_metric("dist.motion", n_boot=cfg.n_boot)]  # type: ignore[list-item]


def measure(spec: str, suite: Suite, seeds: list[int], metrics: list[Distance], ref: ReferenceSet, video: dict) -> dict:
    """Every metric's row for the clips ``spec`` renders, and the share of clips with a fault."""
    faulty: list[bool] = []

    def clips():  # type: ignore[no-untyped-def]
        for cid, clip in render(spec, suite, seeds, video):
            faulty.append(bool(clip.meta.get("faults")))
            yield cid, clip

    t0 = time.perf_counter()
    feats = featurise_all(metrics, clips())
    units = make_units(suite, seeds)
    out: dict[str, Any] = {"spec": spec, "clips": len(faulty), "faulty_share": float(np.mean(faulty))}
    out["featurise_s"] = time.perf_counter() - t0
    for m, f in zip(metrics, feats, strict=True):
        x = np.stack([f[f"{u.prompt_id}/{u.seed}"] for u in units])
        res = m.compute_set(x, ref.halves(m, units))
        d = res.detail or {}
        out[m.name] = {"value": res.value, **{k: d.get(k) for k in ("ci95", "floor", "floor_ci95", "n", "dim")}}
        out[m.name]["over_floor"] = res.value / d["floor"] if d.get("floor") else None
    return out


def gates(results: dict[str, dict]) -> dict[str, dict[str, Any]]:
    """Each claim of the module docstring, with the numbers it rests on and whether it holds."""
    out: dict[str, dict[str, Any]] = {}
    for name in ("dist.fvd", "dist.kvd"):
        clean = results["clean"][name]
        lo, hi = clean["floor_ci95"] or (None, None)
        out[f"{name}: clean within the floor's CI"] = {
            "value": clean["value"],
            "floor_ci95": clean["floor_ci95"],
            "passed": lo is not None and lo <= clean["value"] <= hi,
        }
        for label, order in (("fault rate 0, 0.3, 1", RATES), ("severity 0.5, 1, 2", SEVERITIES)):
            vals = [results[c][name]["value"] for c in order]
            out[f"{name}: grows with {label}"] = {"values": vals, "passed": bool(np.all(np.diff(vals) > 0))}
    ratios = {
        c: {n: results[c][n]["over_floor"] for n in ("dist.motion", "dist.fvd")} for c in ("temporal", "appearance")
    }
    t, a = ratios["temporal"]["dist.motion"], ratios["appearance"]["dist.motion"]
    out["dist.motion: temporal faults rise more over the floor than recolor"] = {
        "value/floor": ratios,
        "passed": t is not None and a is not None and t > a,
    }
    return out


def markdown(doc: dict[str, Any]) -> str:
    lines = [
        "# Distances validated",
        "",
        f"suite {doc['suite']} · seeds {doc['seeds']} · backbone {doc['backbone']}",
        "",
    ]
    lines += [
        "| condition | faulty | metric | value | 95% CI | floor | floor CI | value/floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cond, r in doc["conditions"].items():
        for n in ("dist.fvd", "dist.kvd", "dist.motion"):
            m = r[n]
            ci = "[" + ", ".join(f"{v:.4g}" for v in m["ci95"]) + "]" if m["ci95"] else "–"
            fci = "[" + ", ".join(f"{v:.4g}" for v in m["floor_ci95"]) + "]" if m["floor_ci95"] else "–"
            ratio = f"{m['over_floor']:.2f}" if m["over_floor"] is not None else "–"
            lines.append(
                f"| {cond} | {r['faulty_share']:.2f} | {n} | {m['value']:.4g} | {ci} | {m['floor']:.4g} | {fci} | {ratio} |"
            )
    lines += ["", "| gate | passed |", "|---|---|"]
    lines += [f"| {g} | {'yes' if v['passed'] else 'NO'} |" for g, v in doc["gates"].items()]
    return "\n".join(lines) + "\n"


def validate_distances(cfg: DistValidateConfig) -> dict[str, Any]:
    """Render every condition, score it against the clean reference, write the documents."""
    suite = load_suite(cfg.suite)
    seeds = list(range(cfg.seeds))
    metrics = build(cfg)
    ref = ReferenceSet(suite, seeds, cfg.video)
    t0 = time.perf_counter()
    ref.prepare(metrics)
    timing = {"reference_s": time.perf_counter() - t0}
    t0 = time.perf_counter()
    ref_again = ReferenceSet(suite, seeds, cfg.video)
    ref_again.prepare(metrics)
    timing["reference_cached_s"] = time.perf_counter() - t0
    results = {c: measure(spec, suite, seeds, metrics, ref, cfg.video) for c, spec in CONDITIONS.items()}
    doc = {
        "suite": suite.suite,
        "suite_sha256": suite.sha256,
        "seeds": seeds,
        "backbone": cfg.backbone,
        "video": cfg.video,
        "protocols": {m.name: m.protocol() for m in metrics},
        "timing": timing,
        "conditions": results,
        "gates": gates(results),
    }
    doc["passed"] = all(g["passed"] for g in doc["gates"].values())
    atomic_write_json(cfg.out / "validate_dist.json", doc)
    atomic_write_text(cfg.out / "validate_dist.md", markdown(doc))
    return doc
