"""The reference set the ``dist.*`` distances compare a run with, and its feature cache.

A reference is a spec (the metrics' ``reference`` parameter, ``t2vbench run --reference``):

- a generator spec, by default ``reference:profile=clean``: the run's suite rendered on seeds
  disjoint from the run's (:func:`reference_seeds`: twice as many, so the two halves that give the
  floor each match the run prompt by prompt), encoded and decoded as the run's clips are;
- ``folder:PATH``: every video file under ``PATH`` (real videos), halves by alternate files.

Features are cached per (spec, seeds, suite sha256, video options, generator description, the
metric's feature protocol — backbone and weights sha256 included) in :func:`cache_root`, one
``.npz`` per key written atomically (temporary file and rename): two runs filling the cache at
once each write a complete file, and the second rename replaces the first with the same content.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.units import WorkUnit
from metrics.base import Clip
from metrics.dist.distances import Distance, ReferenceHalves
from prompts import Suite
from t2vbase.checksum import cache_dir
from t2vbase.errors import UsageError
from t2vbase.files import atomic_write_bytes, atomic_write_json, to_jsonable
from t2vbase.video import read_video, write_video

log = logging.getLogger("t2vbench")

CACHE_VERSION = 1
ENV = "T2VBENCH_REFERENCE_CACHE"
#: Reference seeds start here (far from the seeds runs use), skipping any seed of the run.
SEED_BASE = 1_000_000
VIDEO_EXTS = (".mp4", ".webm", ".mkv", ".mov", ".avi")


def cache_root() -> Path:
    """``$T2VBENCH_REFERENCE_CACHE``, else ``$XDG_CACHE_HOME/t2vbench/reference``."""
    env = os.environ.get(ENV)
    return Path(env).expanduser() if env else cache_dir() / "reference"


def reference_seeds(run_seeds: list[int]) -> list[int]:
    """``2 × len(run_seeds)`` seeds from :data:`SEED_BASE` up, none of them a run seed: the first
    half is half A of the reference, the second half B (seed ``i`` of the run is matched with
    seed ``i`` of each half)."""
    taken, out, s = set(run_seeds), [], SEED_BASE
    while len(out) < 2 * len(run_seeds):
        if s not in taken:
            out.append(s)
        s += 1
    return out


def is_folder(spec: str) -> bool:
    return spec.strip().startswith("folder:")


def folder_files(spec: str) -> list[Path]:
    root = Path(spec.strip()[len("folder:") :]).expanduser()
    if not root.is_dir():
        raise UsageError(f"--reference {spec}: {root} is not a folder")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in VIDEO_EXTS and p.is_file())
    if len(files) < 4:
        raise UsageError(f"--reference {spec}: {root} holds {len(files)} videos; the two halves need at least 4")
    return files


def _digest(doc: Any) -> str:
    text = json.dumps(to_jsonable(doc), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ReferenceSet:
    """The reference of one run: its suite, seeds and video options; features per metric."""

    suite: Suite
    run_seeds: list[int]
    video: dict[str, Any]
    device: str = "cpu"
    profiler: Any = None
    _memo: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def key_doc(self, metric: Distance) -> dict[str, Any]:
        """What the cached features depend on."""
        spec = metric.reference.strip()
        doc: dict[str, Any] = {"version": CACHE_VERSION, "reference": spec, "features": metric.feature_protocol()}
        if is_folder(spec):
            doc["files"] = [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in folder_files(spec)]
            return doc
        from model import describe, get_generator

        gen = get_generator(spec)
        seeds = reference_seeds(self.run_seeds)
        return doc | {
            "seeds": seeds,
            "suite_sha256": self.suite.sha256,
            "video": self.video,
            "generator": describe(gen),
        }

    def cache_path(self, doc: dict[str, Any]) -> Path:
        return cache_root() / f"{_digest(doc)[:40]}.npz"

    def halves(self, metric: Distance, units: list[WorkUnit]) -> ReferenceHalves:
        """The reference halves matched to the run's ``units`` (those whose features are saved)."""
        doc = self.key_doc(metric)
        feats = self.features(metric, doc)
        spec = doc["reference"]
        info = {"spec": spec, "cache_key": self.cache_path(doc).stem, "n": len(feats)}
        if is_folder(spec):
            rows = [feats[k] for k in sorted(feats)]
            n = len(units)
            a, b = rows[0::2][:n], rows[1::2][:n]
            return ReferenceHalves(np.stack(a), np.stack(b), info | {"files": len(rows)})
        seeds = doc["seeds"]
        k = len(self.run_seeds)
        index = {s: i for i, s in enumerate(self.run_seeds)}
        a = [feats[f"{u.prompt_id}/{seeds[index[u.seed]]}"] for u in units]
        b = [feats[f"{u.prompt_id}/{seeds[k + index[u.seed]]}"] for u in units]
        pids = [u.prompt_id for u in units]
        info |= {"seeds_a": seeds[:k], "seeds_b": seeds[k:]}
        return ReferenceHalves(np.stack(a), np.stack(b), info, groups=(pids, pids, pids))

    def features(self, metric: Distance, doc: dict[str, Any]) -> dict[str, np.ndarray]:
        """``{clip id: features}`` of the whole reference: from memory, the cache, or computed."""
        self.prepare([metric])
        return self._memo[self.cache_path(doc).stem]

    def prepare(self, metrics: list[Distance]) -> None:
        """Load or compute the reference features of every metric; clips are rendered once for
        all metrics whose features are not cached (``dist.fvd`` and ``dist.kvd`` share theirs)."""
        todo: dict[str, tuple[Distance, dict[str, Any]]] = {}
        for m in metrics:
            doc = self.key_doc(m)
            stem = self.cache_path(doc).stem
            if stem in self._memo or stem in todo:
                continue
            got = load_cached(self.cache_path(doc))
            if got is not None:
                self._memo[stem] = got
            else:
                todo[stem] = (m, doc)
        by_source: dict[str, list[tuple[Distance, dict[str, Any]]]] = {}
        for m, doc in todo.values():
            source = _digest({k: v for k, v in doc.items() if k != "features"})
            by_source.setdefault(source, []).append((m, doc))
        for group in by_source.values():
            with self._stage("reference"):
                computed = self.compute(group)
            for (_, doc), got in zip(group, computed, strict=True):
                store(self.cache_path(doc), doc, got)
                self._memo[self.cache_path(doc).stem] = got

    def _stage(self, name: str) -> Any:
        import contextlib

        return self.profiler.stage(name) if self.profiler is not None else contextlib.nullcontext()

    def compute(self, group: list[tuple[Distance, dict[str, Any]]]) -> list[dict[str, np.ndarray]]:
        """Render (or read), encode, decode and featurise every reference clip once for every
        metric of ``group`` (metrics sharing one reference source)."""
        for m, _ in group:
            m.to(self.device)
        out = featurise_all([m for m, _ in group], self.clips(group[0][1]))
        log.info("reference %s: %d clips featurised", group[0][1]["reference"], len(out[0]))
        return out

    def clips(self, doc: dict[str, Any]) -> Iterator[tuple[str, Clip]]:
        """``(clip id, decoded clip)`` of every reference clip."""
        if is_folder(doc["reference"]):
            for p in folder_files(doc["reference"]):
                video = read_video(p)
                yield str(p), Clip(video.frames, video.fps, self.suite.prompts[0])
            return
        yield from render(doc["reference"], self.suite, doc["seeds"], self.video)


def render(spec: str, suite: Suite, seeds: list[int], video: dict[str, Any]) -> Iterator[tuple[str, Clip]]:
    """``("<prompt id>/<seed>", clip)`` of every prompt and seed, generated by ``spec`` and then
    encoded and decoded as a run's clips are (the codec is part of what a run's clips are)."""
    from model import get_generator

    gen = get_generator(spec)
    v = video
    with tempfile.TemporaryDirectory(prefix="t2v-reference-") as tmp:
        for prompt in suite.prompts:
            for seed in seeds:
                made = gen.generate(
                    prompt, num_frames=v["num_frames"], height=v["height"], width=v["width"], fps=v["fps"], seed=seed
                )
                path = Path(tmp) / "clip.mp4"
                write_video(path, made)
                dec = read_video(path)
                yield f"{prompt.id}/{seed}", Clip(dec.frames, dec.fps, prompt, dict(made.metadata))


def featurise_all(metrics: list[Distance], clips: Iterator[tuple[str, Clip]]) -> list[dict[str, np.ndarray]]:
    """``{clip id: features}`` per metric, the clips taken once, in batches of the largest
    ``batch`` of the metrics."""
    ids: list[str] = []
    feats: list[list[np.ndarray]] = [[] for _ in metrics]
    batch: list[Clip] = []
    size = max(getattr(m, "batch", 1) for m in metrics)
    for cid, clip in clips:
        ids.append(cid)
        batch.append(clip)
        if len(batch) == size:
            for out, m in zip(feats, metrics, strict=True):
                out += featurise(m, batch)
            batch = []
    for out, m in zip(feats, metrics, strict=True):
        out += featurise(m, batch)
    return [dict(zip(ids, f, strict=True)) for f in feats]


def featurise(metric: Distance, clips: list[Clip]) -> list[np.ndarray]:
    """Features of a batch of clips: one backbone call when the clips have one shape."""
    if not clips:
        return []
    shapes = {c.frames.shape for c in clips}
    if hasattr(metric, "features_batch") and len(shapes) == 1:
        return list(metric.features_batch(np.stack([c.frames for c in clips])))
    return [np.asarray(metric.features(c), np.float64) for c in clips]


def load_cached(path: Path) -> dict[str, np.ndarray] | None:
    """The cached features, or None when absent or unreadable (then they are computed again)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return dict(zip(z["ids"].tolist(), z["features"], strict=True))
    except (OSError, ValueError, KeyError):
        return None


def store(path: Path, doc: dict[str, Any], feats: dict[str, np.ndarray]) -> None:
    """Write the features (and a readable key beside them) atomically; a cache that cannot be
    written only costs time."""
    buf = io.BytesIO()
    ids = sorted(feats)
    np.savez(buf, ids=np.array(ids), features=np.stack([feats[i] for i in ids]).astype(np.float64))
    try:
        atomic_write_bytes(path, buf.getvalue())
        atomic_write_json(path.with_suffix(".json"), doc)
    except OSError as err:
        log.warning("reference cache %s not written: %s", path, err)
