"""What ``t2vbench run`` takes, checked before anything is written.

The options that define a run's results (suite, generator, seeds, metrics, backend, video size and
rate) default to ``None`` meaning "not given": a new run fills in :data:`DEFAULTS` and the
generator's own defaults; a resumed run takes them from its manifest (:mod:`bench.resume`). The
other options say how to run (device, shard, report, time limit) and may change between
invocations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from t2vbase.errors import UsageError

#: What a new run uses for an option not given.
DEFAULTS: dict[str, str] = {
    "suite": "smoke",
    "generator": "reference",
    "seeds": "1",
    "metrics": "all",
    "backend": "color",
    "reference": "reference:profile=clean",
    "backbone": "tiny",
    "align_model": "tiny",
}
#: Options that define the results; ``--resume`` takes them from the run's manifest.
DEFINING = (
    "suite",
    "generator",
    "seeds",
    "metrics",
    "backend",
    "reference",
    "backbone",
    "align_model",
    "num_frames",
    "height",
    "width",
    "fps",
)
#: CLI spelling of each option (for messages).
FLAG = {"num_frames": "--frames", "unit_timeout": "--unit-timeout"}

MAX_FRAMES = 10_000
MAX_SIDE = 8192
MAX_FPS = 1000.0
MAX_BATCH = 1024
DEFAULT_UNIT_TIMEOUT_S = 3600.0


def flag(name: str) -> str:
    return FLAG.get(name, "--" + name.replace("_", "-"))


@dataclass
class RunConfig:
    """Everything ``t2vbench run`` takes (see ``t2vbench run --help``); ``None`` = not given."""

    suite: str | None = None
    generator: str | None = None
    seeds: str | None = None
    metrics: str | None = None
    backend: str | None = None  # observation backend spec of the physics checks
    reference: str | None = None  # what the dist.* distances compare with (generator spec or folder:PATH)
    backbone: str | None = None  # feature backbone spec of dist.fvd and dist.kvd
    align_model: str | None = None  # NAME[:WEIGHTS]: the alignment model of align.video_text and align.mirror_gap
    out: Path | None = None
    resume: bool = False
    force_new: bool = False
    device: str = "auto"
    shard: str | None = None
    batch: int | None = None  # units per generate_batch call (None: the generator's batch_size)
    local_rank: int | None = None  # a torchrun rank's GPU (LOCAL_RANK): the device is cuda:<local_rank>
    num_frames: int | None = None
    height: int | None = None
    width: int | None = None
    fps: float | None = None
    unit_timeout: float = DEFAULT_UNIT_TIMEOUT_S  # seconds per unit; 0 = no limit
    report: bool = True
    progress: bool | None = None  # None: a bar only on a terminal
    runs_root: Path = Path("runs")
    history: Path | None = None  # an index (SQLite) the finished run is added to
    argv: list[str] = field(default_factory=list)

    def given(self) -> dict[str, Any]:
        """The result-defining options that were given (not ``None``)."""
        return {k: getattr(self, k) for k in DEFINING if getattr(self, k) is not None}

    def with_defaults(self) -> RunConfig:
        """This config with :data:`DEFAULTS` for the defining options not given."""
        return replace(self, **{k: v for k, v in DEFAULTS.items() if getattr(self, k) is None})


def check_values(cfg: RunConfig) -> None:
    """One-line :class:`UsageError` for any value out of range (nothing silently becomes a default)."""
    for name, lo, hi in (("num_frames", 2, MAX_FRAMES), ("height", 2, MAX_SIDE), ("width", 2, MAX_SIDE)):
        value = getattr(cfg, name)
        if value is not None and not lo <= value <= hi:
            raise UsageError(f"{flag(name)} {value}: must be {lo} to {hi}")
    if cfg.fps is not None and not (math.isfinite(cfg.fps) and 0 < cfg.fps <= MAX_FPS):
        raise UsageError(f"--fps {cfg.fps}: must be a finite number above 0 and at most {MAX_FPS:g}")
    if not (math.isfinite(cfg.unit_timeout) and cfg.unit_timeout >= 0):
        raise UsageError(f"--unit-timeout {cfg.unit_timeout}: must be a finite number of seconds >= 0 (0: no limit)")
    if cfg.batch is not None and not 1 <= cfg.batch <= MAX_BATCH:
        raise UsageError(f"--batch {cfg.batch}: must be 1 to {MAX_BATCH}")
    if cfg.device not in ("auto", "cpu", "cuda"):
        raise UsageError(f"--device {cfg.device!r}: expected auto, cpu or cuda")
    for name in ("suite", "generator", "backend", "reference", "backbone", "align_model"):
        value = getattr(cfg, name)
        if value is not None and not str(value).strip():
            raise UsageError(f"{flag(name)} '': empty")
    if cfg.resume and cfg.force_new:
        raise UsageError("--resume and --force-new: choose one (continue the run, or start afresh)")
