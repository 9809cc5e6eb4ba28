"""One work unit, start to finish: make its clip (generate and encode, or copy a source file),
decode it, score every per-clip metric and save set-level features, and return its record.

Nothing here raises for a bad unit: an error becomes that unit's error rows (interruptions
excepted), so one unit can never stop the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.profile import Profiler
from bench.signals import Deadline, UnitTimeout
from bench.units import WorkUnit
from metrics.base import Clip, ClipMetric, Metric, SetMetric
from metrics.observe import observe
from model import source_path
from t2vbase.errors import GeneratorError, VideoError
from t2vbase.files import atomic_copy
from t2vbase.rundir import RunDir, make_row
from t2vbase.video import Video, read_video, write_video

MIN_FRAMES = 2


def one_line(err: BaseException) -> str:
    """An exception as one line; our own errors speak for themselves, others name their type."""
    text = " ".join(str(err).split())
    name = type(err).__name__
    if not text:
        return name
    return text if isinstance(err, (GeneratorError, VideoError, UnitTimeout)) else f"{name}: {text}"


@dataclass
class UnitExecutor:
    """Runs units of one run: its directory, generator, video options and metrics."""

    rundir: RunDir
    generator: Any
    gen_desc: dict[str, Any]
    video: dict[str, Any]
    metrics: list[Metric]
    profiler: Profiler
    unit_timeout: float = 0.0  # seconds; 0 = no limit
    #: clips a batch made ahead of their units (``--batch``): unit key -> (video, its timing sample)
    prefetched: dict[str, tuple[Video, dict[str, Any]]] = field(default_factory=dict)

    def process(self, unit: WorkUnit, gkey: str, skey: str) -> dict[str, Any]:
        """Run one unit to its record ``{prompt_id, seed, gen_key, score_key, status, generated,
        rows, timings}``; never raises except on interruption (or a run file it cannot write)."""
        pid, seed, fam = unit.prompt_id, unit.seed, unit.prompt.family
        self.deadline = Deadline(self.unit_timeout, lambda: self.profiler.current)
        made = False
        with self.deadline.running():
            try:
                made, rows = self._run(unit, gkey)
            except UnitTimeout as err:  # fired between stages
                names = [m.name for m in self.metrics] or ["generate"]
                rows = [make_row(pid, seed, fam, n, error=one_line(err)) for n in names]
        return {
            "prompt_id": pid,
            "seed": seed,
            "gen_key": gkey,
            "score_key": skey,
            "status": "failed" if any(r["error"] for r in rows) else "ok",
            "generated": made,
            "rows": rows,
            "timings": self.profiler.take(),
        }

    def _run(self, unit: WorkUnit, gkey: str) -> tuple[bool, list[dict[str, Any]]]:
        """Make, decode and score the clip: (whether the clip was made, rows)."""
        pid, seed, fam = unit.prompt_id, unit.seed, unit.prompt.family
        made, clip, error = False, None, None
        try:
            made = self.ensure_clip(unit, gkey)
        except Exception as err:
            error = f"generate: {one_line(err)}"
        if error is None and self.metrics:
            try:
                clip = self.decode(unit)
            except Exception as err:
                error = f"decode: {one_line(err)}"
        if error is not None:
            rows = [make_row(pid, seed, fam, m.name, error=error) for m in self.metrics]
            return made, rows or [make_row(pid, seed, fam, "generate", error=error)]
        return made, self.score(unit, clip) if clip is not None else []

    # the clip -----------------------------------------------------------------------------
    def clip_is_current(self, unit: WorkUnit, gkey: str) -> bool:
        """Whether the unit's clip exists with this gen_key (then it is not made again)."""
        side = self.rundir.read_sidecar(unit.prompt_id, unit.seed)
        current = bool(side) and (side.get("t2vbench") or {}).get("gen_key") == gkey
        return current and self.rundir.clip_path(unit.prompt_id, unit.seed).is_file()

    def ensure_clip(self, unit: WorkUnit, gkey: str) -> bool:
        """Make the unit's clip unless one with the same gen_key exists; True if (re)made."""
        rd, pid, seed = self.rundir, unit.prompt_id, unit.seed
        if self.clip_is_current(unit, gkey):
            return False
        src = source_path(self.generator, pid, seed)
        meta = self._copy_source(unit, src) if src is not None else self._generate(unit)
        meta["t2vbench"] = {
            "gen_key": gkey,
            "prompt_id": pid,
            "seed": seed,
            "generator": self.gen_desc,
            "source": str(src) if src is not None else None,
        }
        rd.write_sidecar(pid, seed, meta)
        return True

    def _copy_source(self, unit: WorkUnit, src: Any) -> dict[str, Any]:
        """Copy a file-backed generator's clip (``.mp4`` byte for byte, other containers
        re-encoded) and the ``<seed>.json`` beside it; returns that sidecar's content."""
        meta = self._source_sidecar(src.with_suffix(".json"))
        dest = self.rundir.clip_path(unit.prompt_id, unit.seed)
        with self.profiler.stage("copy"):
            if src.suffix.lower() == ".mp4":
                atomic_copy(src, dest)
            else:
                write_video(dest, read_video(src))
        return meta

    @staticmethod
    def _source_sidecar(side: Any) -> dict[str, Any]:
        """The ``<seed>.json`` beside a source clip (``{}`` without one); a file that is there
        but not a JSON object is the unit's error, never silently dropped."""
        if not side.is_file():
            return {}
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise GeneratorError(f"{side}: not valid JSON ({' '.join(str(err).split())})") from None
        if not isinstance(meta, dict):
            raise GeneratorError(f"{side}: a sidecar must be a JSON object, got {type(meta).__name__}")
        meta.pop("t2vbench", None)
        return meta

    def _generate(self, unit: WorkUnit) -> dict[str, Any]:
        ready = self.prefetched.pop(unit.key, None)
        if ready is not None:  # made by its batch; the unit's share of the batch's time
            video, sample = ready
            self.profiler.record("generate", sample)
        else:
            with self.profiler.stage("generate"):
                video = self.generator.generate(
                    unit.prompt,
                    num_frames=self.video["num_frames"],
                    height=self.video["height"],
                    width=self.video["width"],
                    fps=self.video["fps"],
                    seed=unit.seed,
                )
        if not isinstance(video, Video):
            raise GeneratorError(f"generator returned {type(video).__name__}, not a t2vbase.video.Video")
        with self.profiler.stage("encode"):
            write_video(self.rundir.clip_path(unit.prompt_id, unit.seed), video)
        return dict(video.metadata)

    def decode(self, unit: WorkUnit) -> Clip:
        """The unit's clip as decoded; a file with fewer than 2 frames is no video."""
        path = self.rundir.clip_path(unit.prompt_id, unit.seed)
        with self.profiler.stage("decode"):
            video = read_video(path)
        if video.num_frames < MIN_FRAMES:
            raise VideoError(f"{path}: not a video: {video.num_frames} frame")
        meta = self.rundir.read_sidecar(unit.prompt_id, unit.seed) or {}
        meta.pop("t2vbench", None)
        return Clip(video.frames, video.fps, unit.prompt, meta)

    # scoring -----------------------------------------------------------------------------
    def score(self, unit: WorkUnit, clip: Clip) -> list[dict[str, Any]]:
        """One row per per-clip metric; set-level metrics save features (a row only on error)."""
        pid, seed, fam = unit.prompt_id, unit.seed, unit.prompt.family
        rows = []
        self._observe(clip)
        for m in self.metrics:
            if self.deadline.expired:
                rows.append(make_row(pid, seed, fam, m.name, error=self._not_scored(m.name)))
                continue
            try:
                if isinstance(m, ClipMetric):
                    rows.append(self._clip_row(unit, clip, m))
                elif isinstance(m, SetMetric):
                    self._save_features(unit, clip, m)
            except Exception as err:
                rows.append(make_row(pid, seed, fam, m.name, error=f"{m.name}: {one_line(err)}"))
        return rows

    def _observe(self, clip: Clip) -> None:
        """The observations the physics checks share, as a stage of its own (timed apart, and
        named when the unit runs out of time there); a failure is left to each check's row."""
        from metrics.physics.base import PhysicsCheck

        exp = clip.prompt.expect
        done: set[str] = set()
        for m in self.metrics:
            if not (isinstance(m, PhysicsCheck) and exp is not None and m.applicable(exp)):
                continue
            key = json.dumps(m.observer.protocol(), sort_keys=True, default=str)
            if key in done:
                continue
            done.add(key)
            try:
                with self.profiler.stage("observe"):
                    observe(clip, m.observer)
            except Exception:
                return

    def _clip_row(self, unit: WorkUnit, clip: Clip, m: ClipMetric) -> dict[str, Any]:
        with self.profiler.stage(f"metric:{m.name}"):
            res = m.score(clip)
        events = [e.to_dict() for e in res.events]
        return make_row(
            unit.prompt_id, unit.seed, unit.prompt.family, m.name, res.value, res.verdict, events, detail=res.detail
        )

    def _save_features(self, unit: WorkUnit, clip: Clip, m: SetMetric) -> None:
        with self.profiler.stage(f"features:{m.name}"):
            feat = np.asarray(m.features(clip), np.float64).reshape(-1)
        path = self.rundir.features_path(m.name, unit.prompt_id, unit.seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, feat)

    def _not_scored(self, name: str) -> str:
        return f"{name}: not scored: the unit timed out (--unit-timeout {self.unit_timeout:g} s) in stage {self.deadline.expired}"
