"""``t2vbench run``: generate, encode, decode and score every work unit; write the run directory.

Units are independent: an error in one becomes that unit's error rows and never stops the others.
Each finished unit is recorded atomically, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import bench
from bench.env import environment
from bench.errors import GeneratorError, UsageError, VideoError
from bench.files import atomic_copy, atomic_write_json
from bench.profile import Profiler, peak_rss_bytes, summarize
from bench.rundir import SCHEMA_VERSION, RunDir, make_row
from bench.units import WorkUnit, gen_key, make_units, parse_seeds, parse_shard, score_key, shard_units
from bench.video import Video, read_video, write_video
from metrics.base import Clip, ClipMetric, SetMetric
from metrics.registry import build_metrics, resolve_metrics
from model import describe, get_generator, source_path
from prompts import Suite, load_suite

log = logging.getLogger("t2vbench")

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_UNITS_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


@dataclass
class RunConfig:
    """Everything ``t2vbench run`` takes (see ``t2vbench run --help``)."""

    suite: str = "smoke"
    generator: str = "reference"
    seeds: str = "1"
    metrics: str = "all"
    backend: str = "color"  # observation backend spec of the physics checks
    out: Path | None = None
    resume: bool = False
    device: str = "auto"
    shard: str | None = None
    num_frames: int | None = None
    height: int | None = None
    width: int | None = None
    fps: float | None = None
    report: bool = True
    progress: bool | None = None  # None: a bar only on a terminal
    runs_root: Path = Path("runs")
    argv: list[str] = field(default_factory=list)


@dataclass
class RunOutcome:
    run_dir: Path
    status: str
    exit_code: int
    counts: dict[str, int]
    processed: int = 0
    skipped: int = 0
    wall_s: float = 0.0


def one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    name = type(err).__name__
    if not text:
        return name
    return text if isinstance(err, (GeneratorError, VideoError)) else f"{name}: {text}"


def resolve_device(device: str) -> str:
    import torch

    if device not in ("auto", "cpu", "cuda"):
        raise UsageError(f"--device {device!r}: expected auto, cpu or cuda")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: no CUDA device is available (use --device cpu or auto)")
    return device


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
    while "--" in out:
        out = out.replace("--", "-")
    return out[:40] or "run"


def _find_latest_run(root: Path, suite: str, generator: str) -> Path | None:
    best: tuple[str, Path] | None = None
    for manifest in root.glob("*/manifest.json"):
        rd = RunDir(manifest.parent)
        m = rd.read_manifest() or {}
        if m.get("suite", {}).get("name") == suite and m.get("generator", {}).get("spec") == generator:
            created = str(m.get("created", ""))
            if best is None or created > best[0]:
                best = (created, manifest.parent)
    return best[1] if best else None


def _video_params(cfg: RunConfig, gen: Any) -> dict[str, Any]:
    defaults = dict(getattr(gen, "defaults", {}) or {})
    return {
        "num_frames": cfg.num_frames or defaults.get("num_frames"),
        "height": cfg.height or defaults.get("height"),
        "width": cfg.width or defaults.get("width"),
        "fps": cfg.fps or defaults.get("fps"),
    }


class Runner:
    """Holds what one invocation of ``t2vbench run`` needs; :meth:`run` does the work."""

    def __init__(self, cfg: RunConfig) -> None:
        self.cfg = cfg
        self.suite: Suite = load_suite(cfg.suite)
        self.seeds = parse_seeds(cfg.seeds)
        self.shard = parse_shard(cfg.shard)
        self.device = resolve_device(cfg.device)
        self.generator = get_generator(cfg.generator)
        if hasattr(self.generator, "to") and callable(self.generator.to):
            self.generator.to(self.device)
        self.metric_names = resolve_metrics(cfg.metrics)
        self.metrics = build_metrics(self.metric_names, backend=cfg.backend)
        for m in self.metrics:
            m.to(self.device)
        self.clip_metrics = [m for m in self.metrics if isinstance(m, ClipMetric)]
        self.set_metrics = [m for m in self.metrics if isinstance(m, SetMetric)]
        self.gen_desc = describe(self.generator)
        self.video = _video_params(cfg, self.generator)
        self.protocols = [m.protocol() for m in self.metrics]
        self.units = make_units(self.suite, self.seeds)
        self.rundir = RunDir(self._resolve_out())
        self.profiler = Profiler(cuda=self.device == "cuda")

    # setup -----------------------------------------------------------------------------------
    def _resolve_out(self) -> Path:
        cfg = self.cfg
        if cfg.out is not None:
            out = Path(cfg.out)
            if RunDir(out).exists() and not cfg.resume:
                raise UsageError(f"{out}: a run already lives here; pass --resume to continue it, or another --out")
            if out.exists() and not out.is_dir():
                raise UsageError(f"{out}: exists and is not a folder")
            if out.is_dir() and any(out.iterdir()) and not RunDir(out).exists():
                raise UsageError(f"{out}: folder is not empty and holds no run; choose another --out")
            return out
        if cfg.resume:
            found = _find_latest_run(cfg.runs_root, self.suite.suite, cfg.generator)
            if found is None:
                raise UsageError(
                    f"--resume: no run of suite {self.suite.suite!r} with generator {cfg.generator!r} "
                    f"under {cfg.runs_root}/; pass --out RUN_DIR"
                )
            return found
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return cfg.runs_root / f"{self.suite.suite}-{_slug(cfg.generator)}-{stamp}-{secrets.token_hex(2)}"

    def _manifest(self, previous: dict[str, Any] | None, status: str, counts: dict[str, int]) -> dict[str, Any]:
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        prev = previous or {}
        return {
            "schema_version": SCHEMA_VERSION,
            "run_id": prev.get("run_id") or self.rundir.root.name,
            "created": prev.get("created") or now,
            "updated": now,
            "t2vbench_version": bench.__version__,
            "suite": {
                "name": self.suite.suite,
                "version": self.suite.version,
                "sha256": self.suite.sha256,
                "source": self.suite.source,
                "prompts": len(self.suite.prompts),
            },
            "generator": {"spec": self.cfg.generator, **self.gen_desc},
            "video": self.video,
            "seeds": self.seeds,
            "metrics": self.protocols,
            "device": self.device,
            "shard": f"{self.shard[0]}/{self.shard[1]}",
            "env": self.env,
            "status": status,
            "counts": counts,
            "command": self.cfg.argv,
        }

    # per unit ------------------------------------------------------------------------------
    def _ensure_clip(self, unit: WorkUnit, gkey: str, prof: Profiler) -> bool:
        """Generate and encode the unit's clip unless a clip with the same gen_key exists.
        Returns True if the clip was (re)made."""
        rd, pid, seed = self.rundir, unit.prompt_id, unit.seed
        side = rd.read_sidecar(pid, seed)
        if side and side.get("t2vbench", {}).get("gen_key") == gkey and rd.clip_path(pid, seed).is_file():
            return False
        clip_path = rd.clip_path(pid, seed)
        src = source_path(self.generator, pid, seed)
        meta: dict[str, Any]
        if src is not None:
            with prof.stage("copy"):
                if src.suffix.lower() == ".mp4":
                    atomic_copy(src, clip_path)
                else:  # other containers are re-encoded so every clip is an mp4
                    write_video(clip_path, read_video(src))
            sidecar_src = src.with_suffix(".json")
            meta = {}
            if sidecar_src.is_file():
                try:
                    import json

                    meta = json.loads(sidecar_src.read_text(encoding="utf-8"))
                    meta.pop("t2vbench", None)
                except (OSError, ValueError):
                    meta = {}
            meta_src = str(src)
        else:
            with prof.stage("generate"):
                video = self.generator.generate(
                    unit.prompt,
                    num_frames=self.video["num_frames"],
                    height=self.video["height"],
                    width=self.video["width"],
                    fps=self.video["fps"],
                    seed=seed,
                )
            if not isinstance(video, Video):
                raise GeneratorError(f"generator returned {type(video).__name__}, not a bench.video.Video")
            with prof.stage("encode"):
                write_video(clip_path, video)
            meta = dict(video.metadata)
            meta_src = None
        meta["t2vbench"] = {
            "gen_key": gkey,
            "prompt_id": pid,
            "seed": seed,
            "generator": self.gen_desc,
            "source": meta_src,
        }
        atomic_write_json(rd.sidecar_path(pid, seed), meta, indent=None)
        return True

    def process(self, unit: WorkUnit, gkey: str, skey: str) -> dict[str, Any]:
        """Run one unit to its record; never raises except on interruption."""
        prof = self.profiler
        pid, seed, fam = unit.prompt_id, unit.seed, unit.prompt.family
        rows: list[dict[str, Any]] = []
        error: str | None = None
        made = False
        try:
            made = self._ensure_clip(unit, gkey, prof)
        except Exception as err:
            error = f"generate: {one_line(err)}"
        clip: Clip | None = None
        if error is None and self.metrics:
            try:
                with prof.stage("decode"):
                    video = read_video(self.rundir.clip_path(pid, seed))
                meta = self.rundir.read_sidecar(pid, seed) or {}
                meta.pop("t2vbench", None)
                clip = Clip(video.frames, video.fps, unit.prompt, meta)
            except Exception as err:
                error = f"decode: {one_line(err)}"
        if error is not None:
            names = self.metric_names or ["generate"]
            rows = [make_row(pid, seed, fam, n, error=error) for n in names]
        elif clip is not None:
            for m in self.clip_metrics:
                try:
                    with prof.stage(f"metric:{m.name}"):
                        res = m.score(clip)
                    rows.append(
                        make_row(pid, seed, fam, m.name, res.value, res.verdict, [e.to_dict() for e in res.events])
                    )
                except Exception as err:
                    rows.append(make_row(pid, seed, fam, m.name, error=f"{m.name}: {one_line(err)}"))
            for sm in self.set_metrics:
                try:
                    with prof.stage(f"features:{sm.name}"):
                        feat = np.asarray(sm.features(clip), np.float64).reshape(-1)
                    path = self.rundir.features_path(sm.name, pid, seed)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    np.save(path, feat)
                except Exception as err:
                    rows.append(make_row(pid, seed, fam, sm.name, error=f"{sm.name}: {one_line(err)}"))
        failed = any(r["error"] for r in rows)
        return {
            "prompt_id": pid,
            "seed": seed,
            "gen_key": gkey,
            "score_key": skey,
            "status": "failed" if failed else "ok",
            "generated": made,
            "rows": rows,
            "timings": prof.take(),
        }

    # whole run -----------------------------------------------------------------------------
    def _collect(self) -> tuple[list[dict[str, Any]], dict[str, int], dict[str, list[dict[str, Any]]]]:
        """Rows, counts and timings from the unit records of the whole run (all shards)."""
        rows: list[dict[str, Any]] = []
        timings: dict[str, list[dict[str, Any]]] = {}
        done = failed = 0
        for u in self.units:
            rec = self.rundir.read_unit(u.prompt_id, u.seed)
            if rec is None or rec.get("score_key") != self._skeys[u.key]:
                continue
            done += 1
            failed += rec.get("status") == "failed"
            rows.extend(rec["rows"])
            for stage, samples in (rec.get("timings") or {}).items():
                timings.setdefault(stage, []).extend(samples)
        counts = {"units": len(self.units), "done": done, "failed": failed, "pending": len(self.units) - done}
        return rows, counts, timings

    def _set_rows(self) -> list[dict[str, Any]]:
        import torch

        out = []
        for sm in self.set_metrics:
            feats = []
            for u in self.units:
                p = self.rundir.features_path(sm.name, u.prompt_id, u.seed)
                if p.is_file():
                    feats.append(np.load(p))
            try:
                if not feats:
                    raise ValueError("no clip produced features")
                with self.profiler.stage(f"set:{sm.name}"):
                    sm.reset()
                    sm.update(torch.as_tensor(np.stack(feats)))
                    value = float(sm.compute())
                out.append(make_row("*", None, "*", sm.name, value, None, [], None))
            except Exception as err:
                out.append(make_row("*", None, "*", sm.name, error=f"{sm.name}: {one_line(err)}"))
        return out

    def run(self) -> RunOutcome:
        from tqdm import tqdm

        t_start = time.perf_counter()
        rd = self.rundir
        rd.root.mkdir(parents=True, exist_ok=True)
        previous = rd.read_manifest()
        self.env = environment()
        self._gkeys = {u.key: gen_key(u, self.gen_desc, self.video) for u in self.units}
        self._skeys = {u.key: score_key(self._gkeys[u.key], self.protocols) for u in self.units}
        todo = shard_units(self.units, self.shard)
        suite_doc = self.suite.model_dump(mode="json", by_alias=True, exclude_none=True)
        atomic_write_json(rd.root / "suite.json", {**suite_doc, "sha256": self.suite.sha256})
        rd.write_manifest(self._manifest(previous, "running", self._collect()[1]))
        processed = skipped = 0
        status = "running"
        show = sys.stderr.isatty() if self.cfg.progress is None else self.cfg.progress
        try:
            for unit in tqdm(todo, desc=f"t2vbench {self.suite.suite}", unit="clip", disable=not show):
                rec = rd.read_unit(unit.prompt_id, unit.seed)
                skey = self._skeys[unit.key]
                if rec is not None and rec.get("score_key") == skey and rec.get("status") == "ok":
                    skipped += 1
                    continue
                rd.write_unit(unit.prompt_id, unit.seed, self.process(unit, self._gkeys[unit.key], skey))
                processed += 1
        except KeyboardInterrupt:
            status = "interrupted"
        rows, counts, timings = self._collect()
        if status != "interrupted":
            if counts["pending"]:
                status = "partial"
            else:
                rows += self._set_rows()
                status = "finished_with_failures" if counts["failed"] else "finished"
        with self.profiler.stage("tables"):
            rd.write_tables(rows)
        self._write_profile(timings, time.perf_counter() - t_start)
        rd.write_manifest(self._manifest(previous, status, counts))
        if self.cfg.report and status != "interrupted":
            try:
                from reports import build_report

                build_report(rd.root)
            except Exception as err:  # the results are safe on disk; say what went wrong
                log.error("report: %s", one_line(err))
        exit_code = {"interrupted": EXIT_INTERRUPTED}.get(status, EXIT_UNITS_FAILED if counts["failed"] else EXIT_OK)
        return RunOutcome(rd.root, status, exit_code, counts, processed, skipped, time.perf_counter() - t_start)

    def _write_profile(self, unit_timings: dict[str, list[dict[str, Any]]], wall: float) -> None:
        stages = dict(unit_timings)
        for k, v in self.profiler.take().items():
            stages.setdefault(k, []).extend(v)
        unit_stages = [k for k in unit_timings if k != "tables"]
        busy = sum(s["wall_s"] for k in unit_stages for s in unit_timings[k])
        frames = 0
        nf = self.video.get("num_frames") or 0
        done_units = len(unit_timings.get("decode", [])) or len(unit_timings.get("generate", []))
        frames = done_units * nf
        profile = {
            "schema_version": SCHEMA_VERSION,
            "run_id": self.rundir.root.name,
            "device": self.device,
            "stages": summarize(stages),
            "throughput": {
                "units_timed": done_units,
                "unit_wall_s": busy,
                "clips_per_s": done_units / busy if busy > 0 else None,
                "frames_per_s": frames / busy if busy > 0 else None,
            },
            "invocation": {"wall_s": wall, "peak_rss_bytes": peak_rss_bytes()},
            "machine": {
                k: self.env.get(k) for k in ("cpu", "cpu_count", "memory_bytes", "gpu", "cuda", "torch", "platform")
            },
        }
        atomic_write_json(self.rundir.profile_path, profile)


def run(cfg: RunConfig) -> RunOutcome:
    """Build a :class:`Runner` (raising T2VError on bad input) and run it."""
    return Runner(cfg).run()
