"""Stage profiling: wall time, CUDA-event time, peak GPU memory (reset per stage), host RSS."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


def current_rss_bytes() -> int:
    """Resident set size of this process now (Linux ``/proc``; falls back to the peak)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return peak_rss_bytes()


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


@dataclass
class StageSample:
    """One timed execution of a stage."""

    wall_s: float
    cuda_ms: float | None = None
    peak_allocated: int | None = None
    peak_reserved: int | None = None
    rss: int | None = None
    batch: int | None = None  # units that shared this sample (``--batch``); its times are their share

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if out["batch"] is None:
            del out["batch"]
        return out


class Profiler:
    """Times named stages. On CUDA, each stage resets ``max_memory_allocated`` /
    ``max_memory_reserved`` and is timed with CUDA events as well as the wall clock."""

    def __init__(self, cuda: bool = False, device: str | None = None) -> None:
        self.cuda = cuda
        self.device = device  # e.g. "cuda:1" (a torchrun rank's GPU); None: the current one
        self.samples: dict[str, list[StageSample]] = {}
        self.current: str | None = None  # the stage running now (a time limit names it)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        outer, self.current = self.current, name
        torch = None
        start_ev = end_ev = None
        if self.cuda:
            import torch

            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            start_ev = torch.cuda.Event(enable_timing=True)
            end_ev = torch.cuda.Event(enable_timing=True)
            start_ev.record()
        t0 = time.perf_counter()
        try:
            yield
        finally:
            sample = StageSample(wall_s=0.0)
            if torch is not None:
                end_ev.record()
                torch.cuda.synchronize(self.device)
                sample.cuda_ms = float(start_ev.elapsed_time(end_ev))
                sample.peak_allocated = int(torch.cuda.max_memory_allocated(self.device))
                sample.peak_reserved = int(torch.cuda.max_memory_reserved(self.device))
            sample.wall_s = time.perf_counter() - t0
            sample.rss = current_rss_bytes()
            self.samples.setdefault(name, []).append(sample)
            self.current = outer

    def record(self, name: str, sample: dict[str, Any]) -> None:
        """Add a sample measured elsewhere (a unit's share of its batch)."""
        self.samples.setdefault(name, []).append(StageSample(**sample))

    def take(self) -> dict[str, list[dict[str, Any]]]:
        """Samples recorded since the last call, as dicts (and forget them)."""
        out = {k: [s.to_dict() for s in v] for k, v in self.samples.items()}
        self.samples = {}
        return out


def summarize(samples: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Per stage: count, wall seconds (total, median, p90), CUDA ms (total, median) and peaks."""
    out: dict[str, dict[str, Any]] = {}
    for name, rows in samples.items():
        wall = np.array([r["wall_s"] for r in rows], float)
        cuda = [r["cuda_ms"] for r in rows if r.get("cuda_ms") is not None]
        alloc = [r["peak_allocated"] for r in rows if r.get("peak_allocated") is not None]
        reserved = [r["peak_reserved"] for r in rows if r.get("peak_reserved") is not None]
        rss = [r["rss"] for r in rows if r.get("rss") is not None]
        out[name] = {
            "count": len(rows),
            "wall_s": {
                "total": float(wall.sum()),
                "median": float(np.median(wall)) if len(wall) else None,
                "p90": float(np.percentile(wall, 90)) if len(wall) else None,
            },
            "cuda_ms": {"total": float(sum(cuda)), "median": float(np.median(cuda))} if cuda else None,
            "peak_allocated_bytes": max(alloc) if alloc else None,
            "peak_reserved_bytes": max(reserved) if reserved else None,
            "peak_rss_bytes": max(rss) if rss else None,
        }
    return out
