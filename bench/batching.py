"""``--batch N``: generate the clips of N units in one call, then finish each unit as usual.

A generator with ``generate_batch`` makes unit k's clip the same as ``generate`` would (its own
seeded noise), so batching changes only speed and memory, never which clip a unit gets. The
batch's clips wait in the executor (:attr:`bench.execute.UnitExecutor.prefetched`); each unit
then encodes, decodes and scores its own clip, and its record carries its share of the batch's
time and the batch's peak GPU memory (``batch: N`` in the sample). A batch that fails (out of
memory, a bad prompt, a time limit) is not an error: its units are generated one by one, so one
unit's failure stays that unit's.
"""

from __future__ import annotations

import logging
from typing import Any

from bench.execute import UnitExecutor, one_line
from bench.profile import Profiler
from bench.signals import Deadline
from bench.units import WorkUnit
from model import can_batch, source_path
from t2vbase.errors import UsageError
from t2vbase.video import Video

log = logging.getLogger("t2vbench")


def resolve_batch(requested: int | None, generator: Any) -> int:
    """``--batch`` if given (refused above 1 for a generator without ``generate_batch``), else
    the generator's own ``batch_size`` (e.g. ``diffusers:...,batch=4``), else 1."""
    if requested is not None:
        if requested < 1:
            raise UsageError(f"--batch {requested}: must be at least 1")
        if requested > 1 and not can_batch(generator):
            name = getattr(generator, "name", type(generator).__name__)
            raise UsageError(f"--batch {requested}: generator {name!r} makes one clip at a time (no generate_batch)")
        return requested
    size = getattr(generator, "batch_size", 1)
    return size if can_batch(generator) and isinstance(size, int) and size >= 1 else 1


class Prefetcher:
    """Before a unit is processed, makes the clips of it and the next ``batch - 1`` units that
    need one, in one ``generate_batch`` call."""

    def __init__(self, executor: UnitExecutor, keys: dict[str, tuple[str, str]], batch: int, cuda: bool) -> None:
        self.executor, self.keys, self.batch = executor, keys, batch
        self.cuda = cuda
        self.timeout = executor.unit_timeout
        self.alone: set[str] = set()  # units of a failed batch: made one by one from now on

    def ensure(self, todo: list[WorkUnit], k: int) -> None:
        """Called for ``todo[k]`` just before it is processed."""
        ex = self.executor
        if self.batch < 2 or todo[k].key in ex.prefetched or todo[k].key in self.alone:
            return
        if source_path(ex.generator, todo[k].prompt_id, todo[k].seed) is not None:
            return
        window = [u for u in todo[k:] if u.key not in self.alone][: self.batch]
        need = [u for u in window if not ex.clip_is_current(u, self.keys[u.key][0])]
        if len(need) < 2 or need[0] is not todo[k]:
            return
        try:
            videos, sample = self._generate(need)
        except Exception as err:  # each unit is tried alone: its own error, or its clip after all
            log.warning("a batch of %d clips failed (%s); generating them one by one", len(need), one_line(err))
            self.alone.update(u.key for u in need)
            return
        share = {**sample, "wall_s": sample["wall_s"] / len(need), "batch": len(need)}
        if sample.get("cuda_ms") is not None:
            share["cuda_ms"] = sample["cuda_ms"] / len(need)
        for unit, video in zip(need, videos, strict=True):
            ex.prefetched[unit.key] = (video, share)

    def _generate(self, units: list[WorkUnit]) -> tuple[list[Video], dict[str, Any]]:
        """The batch's clips and its one timing sample (wall, CUDA time, peak memory)."""
        ex, profiler = self.executor, Profiler(cuda=self.cuda, device=self.executor.profiler.device)
        deadline = Deadline(self.timeout * len(units), lambda: profiler.current)
        with deadline.running(), profiler.stage("generate"):
            videos = ex.generator.generate_batch(
                [u.prompt for u in units],
                seeds=[u.seed for u in units],
                num_frames=ex.video["num_frames"],
                height=ex.video["height"],
                width=ex.video["width"],
                fps=ex.video["fps"],
            )
        videos = list(videos)
        if len(videos) != len(units) or not all(isinstance(v, Video) for v in videos):
            raise TypeError(f"generate_batch returned {len(videos)} items, not {len(units)} Videos")
        (sample,) = profiler.take()["generate"]
        return videos, sample
