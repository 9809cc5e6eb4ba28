"""From unit records to the run's results: rows, counts and timings of every finished unit (all
shards), set-level rows from the saved features, and profile.json."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.execute import one_line
from bench.profile import peak_rss_bytes, summarize
from bench.units import WorkUnit
from metrics.base import SetMetric
from t2vbase.rundir import SCHEMA_VERSION, RunDir, make_row


@dataclass
class Collected:
    """What the unit records of a run hold for the current score keys."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    units: list[dict[str, Any]] = field(default_factory=list)  # one timing summary per unit


def unit_timing(unit: WorkUnit, timings: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """One unit's time and memory: wall seconds in all its stages and in generation, CUDA ms,
    the peak GPU memory of any of its stages (of its batch, when batched) and its batch size."""
    samples = [s for rows in timings.values() for s in rows]
    gen = timings.get("generate") or []
    cuda = [s["cuda_ms"] for s in samples if s.get("cuda_ms") is not None]
    peaks = [s["peak_allocated"] for s in samples if s.get("peak_allocated") is not None]
    return {
        "prompt_id": unit.prompt_id,
        "seed": unit.seed,
        "wall_s": float(sum(s["wall_s"] for s in samples)),
        "generate_s": float(sum(s["wall_s"] for s in gen)) if gen else None,
        "cuda_ms": float(sum(cuda)) if cuda else None,
        "peak_allocated_bytes": max(peaks) if peaks else None,
        "batch": max((s.get("batch") or 1 for s in gen), default=None),
    }


def collect(rundir: RunDir, units: list[WorkUnit], score_keys: dict[str, str]) -> Collected:
    """Rows, counts and timings from the records whose ``score_key`` is current."""
    out = Collected()
    done = failed = 0
    for u in units:
        rec = rundir.read_unit(u.prompt_id, u.seed)
        if rec is None or rec.get("score_key") != score_keys[u.key]:
            continue
        done += 1
        failed += rec.get("status") == "failed"
        out.rows.extend(rec["rows"])
        for stage, samples in (rec.get("timings") or {}).items():
            out.timings.setdefault(stage, []).extend(samples)
        out.units.append(unit_timing(u, rec.get("timings") or {}))
    out.counts = {"units": len(units), "done": done, "failed": failed, "pending": len(units) - done}
    return out


def set_rows(
    rundir: RunDir, units: list[WorkUnit], metrics: list[SetMetric], reference: Any = None
) -> list[dict[str, Any]]:
    """One ``prompt_id`` ``*`` row per set-level metric, from the features saved per unit;
    ``reference`` (a :class:`bench.reference.ReferenceSet`) gives the metrics that need one the
    reference features matched to the units that have features."""
    out = []
    needing = [sm for sm in metrics if sm.needs_reference]
    if reference is not None and needing:
        with contextlib.suppress(Exception):  # render once for all; errors come back per metric below
            reference.prepare(needing)
    for sm in metrics:
        have = [(u, rundir.features_path(sm.name, u.prompt_id, u.seed)) for u in units]
        have = [(u, p) for u, p in have if p.is_file()]
        try:
            if not have:
                raise ValueError("no clip produced features")
            feats = np.stack([np.load(p) for _, p in have])
            if sm.needs_reference:
                if reference is None:
                    raise ValueError("no reference set was given")
                res = sm.compute_set(feats, reference.halves(sm, [u for u, _ in have]))
            else:
                res = sm.compute_set(feats)
            out.append(make_row("*", None, "*", sm.name, res.value, None, [], None, detail=res.detail))
        except Exception as err:
            out.append(make_row("*", None, "*", sm.name, error=f"{sm.name}: {one_line(err)}"))
    return out


def profile(
    run_id: str,
    device: str,
    unit_timings: dict[str, list[dict[str, Any]]],
    run_timings: dict[str, list[dict[str, Any]]],
    num_frames: int,
    wall_s: float,
    machine: dict[str, Any],
    units: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """profile.json: per stage count, wall and CUDA time, peak memory; throughput; machine;
    ``units``: each unit's time and peak GPU memory (:func:`unit_timing`)."""
    stages = {k: list(v) for k, v in unit_timings.items()}
    for k, v in run_timings.items():
        stages.setdefault(k, []).extend(v)
    busy = sum(s["wall_s"] for k, v in unit_timings.items() if k != "tables" for s in v)
    done_units = len(unit_timings.get("decode", [])) or len(unit_timings.get("generate", []))
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "device": device,
        "stages": summarize(stages),
        "throughput": {
            "units_timed": done_units,
            "unit_wall_s": busy,
            "clips_per_s": done_units / busy if busy > 0 else None,
            "frames_per_s": done_units * num_frames / busy if busy > 0 else None,
        },
        "invocation": {"wall_s": wall_s, "peak_rss_bytes": peak_rss_bytes()},
        "machine": machine,
        "units": units or [],
    }
