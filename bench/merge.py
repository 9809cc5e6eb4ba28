"""``t2vbench merge RUN... --out DIR``: fold shard run directories into one run.

The merged run is what one process would have written for the same units: unit records, clips,
sidecars and set-level features are linked (hard links; copies across file systems) from the
shard that ran each unit; ``samples.jsonl`` and ``results.parquet`` are rebuilt from the records
in suite order, set-level rows are computed again from all units' saved features
(:func:`bench.collect.set_rows`), and ``summary.json`` and the report are built as a run builds
them. Only timings differ (``profile.json`` keeps every shard's too).

A merge is idempotent: merging the same finished shards again changes nothing (the manifest keeps
a digest of the records it merged); merging after a shard was re-run rebuilds the run. Inputs
must be shards of one run (same suite content, generator, seeds, metric protocols and video); a
unit no input has finished is an error unless ``--partial``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.collect import collect, profile, set_rows
from bench.distributed import is_merge_product
from bench.execute import one_line
from bench.manifest import now_iso
from bench.profile import Profiler
from bench.reference import ReferenceSet
from bench.resume import run_suite
from bench.units import WorkUnit, make_units, parse_shard, score_key
from metrics.base import SetMetric
from metrics.registry import METRICS, build_metric, resolve_metrics
from prompts import Suite
from t2vbase.errors import MetricError, UsageError
from t2vbase.files import to_jsonable
from t2vbase.rundir import RunDir, RunLockedError

log = logging.getLogger("t2vbench")

FINAL = ("finished", "finished_with_failures")
#: What shards of one run share (manifest fields).
IDENTITY = ("generator", "video", "seeds", "metrics")
LOCK_POLL_S = 0.2
SHARD_NAME = re.compile(r"\d+-of-\d+")


@dataclass
class Part:
    """One input run directory."""

    rundir: RunDir
    manifest: dict[str, Any]
    shard: tuple[int, int]

    @property
    def root(self) -> Path:
        return self.rundir.root


@dataclass
class MergeOutcome:
    run_dir: Path
    status: str
    exit_code: int
    counts: dict[str, int]
    merged: bool  # False: the run was already up to date


# inputs ------------------------------------------------------------------------------------------
def expand(paths: list[Path]) -> list[RunDir]:
    """Run directories to merge: a path with ``shards/`` stands for its shards (of one count),
    any other path for the run in it."""
    out: list[RunDir] = []
    for path in paths:
        rd = RunDir(path)
        if rd.shards_dir.is_dir():  # shard folders only (not logs/, nor one --force-new moved aside)
            found = sorted(p for p in rd.shards_dir.iterdir() if SHARD_NAME.fullmatch(p.name) and RunDir(p).exists())
            counts = {p.name.rpartition("-of-")[2] for p in found}
            if len(counts) > 1:
                raise UsageError(
                    f"{rd.shards_dir}: holds shards of {' and '.join(sorted(counts))} runs; name the shards to merge"
                )
            if not found:
                raise UsageError(f"{rd.shards_dir}: no shard has started yet (no manifest.json below it)")
            out += [RunDir(p) for p in found]
        else:
            rd.load_manifest()  # a one-line error for a folder that is not a run
            out.append(rd)
    return out


def load_parts(rundirs: list[RunDir]) -> list[Part]:
    parts = []
    for rd in rundirs:
        m = rd.load_manifest()
        try:
            shard = parse_shard(str(m.get("shard") or "0/1"))
        except UsageError:
            raise UsageError(f"{rd.manifest_path}: shard {m.get('shard')!r} is not I/N") from None
        parts.append(Part(rd, m, shard))
    return parts


def _jsonish(value: Any) -> str:
    return json.dumps(to_jsonable(value), sort_keys=True)


def check_compatible(parts: list[Part]) -> None:
    """Every input ran the same suite content, generator, seeds, metric protocols and video."""
    ref = parts[0]
    for p in parts[1:]:
        if (p.manifest.get("suite") or {}).get("sha256") != (ref.manifest.get("suite") or {}).get("sha256"):
            raise UsageError(f"{p.root}: ran another suite (sha256) than {ref.root}; only shards of one run merge")
        for key in IDENTITY:
            if _jsonish(p.manifest.get(key)) != _jsonish(ref.manifest.get(key)):
                raise UsageError(f"{p.root}: its {key} differs from {ref.root}'s; only shards of one run merge")
    seen: dict[tuple[int, int], Path] = {}
    for p in parts:
        if p.shard in seen:
            raise UsageError(f"{p.root} and {seen[p.shard]} are both shard {p.shard[0]}/{p.shard[1]}")
        seen[p.shard] = p.root


# planning ----------------------------------------------------------------------------------------
def _record(part: Part, unit: WorkUnit) -> dict[str, Any] | None:
    """The unit's finished record in ``part`` if its metrics are the run's (else None)."""
    rec = part.rundir.read_unit(unit.prompt_id, unit.seed)
    if rec is None or rec.get("status") not in ("ok", "failed") or not rec.get("gen_key"):
        return None
    return rec if rec.get("score_key") == score_key(rec["gen_key"], part.manifest.get("metrics") or []) else None


def plan(parts: list[Part], units: list[WorkUnit]) -> dict[str, tuple[Part, dict[str, Any]]]:
    """Each finished unit's (shard, record): the first input whose share holds the unit."""
    out = {}
    for k, unit in enumerate(units):
        for part in parts:
            i, n = part.shard
            if k % n == i and (rec := _record(part, unit)) is not None:
                out[unit.key] = (part, rec)
                break
    return out


def _pending_message(parts: list[Part], units: list[WorkUnit], chosen: dict[str, Any]) -> str:
    missing = [(k, u) for k, u in enumerate(units) if u.key not in chosen]
    k, first = missing[0]
    owner = next((p for p in parts if k % p.shard[1] == p.shard[0]), None)
    where = f"its shard {owner.root} has not finished it" if owner else "no input shard holds it"
    return f"{len(missing)} of {len(units)} units are not finished (first: {first.key}; {where}); finish them or pass --partial"


def digest(chosen: dict[str, tuple[Part, dict[str, Any]]], units: list[WorkUnit]) -> str:
    """What a merge read: every merged unit's record file (bytes) and shard, in order."""
    h = hashlib.sha256()
    for u in units:
        if u.key in chosen:
            part = chosen[u.key][0]
            h.update(f"{u.key}\0{part.shard}\0".encode())
            h.update(part.rundir.unit_path(u.prompt_id, u.seed).read_bytes())
    return h.hexdigest()


# the output --------------------------------------------------------------------------------------
def check_out(out: Path, parts: list[Part]) -> dict[str, Any] | None:
    """``--out``: new, holding only ``shards/``, or a run an earlier merge made (returns its
    manifest); never one of the inputs or a folder inside one."""
    target = out.resolve()
    for p in parts:
        root = p.root.resolve()
        if target == root or root in target.parents:
            raise UsageError(f"--out {out}: is inside {p.root}, one of the runs to merge; choose another --out")
    rd = RunDir(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    if rd.exists():
        manifest = rd.load_manifest()
        if not is_merge_product(manifest):
            raise UsageError(f"--out {out}: holds a run that merge did not make; choose another --out")
        return manifest
    extra = sorted(p.name for p in out.iterdir() if p.name not in (RunDir.SHARDS, RunDir.LOCK)) if out.is_dir() else []
    if extra:
        raise UsageError(f"--out {out}: folder is not empty and holds no run ({extra[0]}); choose another --out")
    return None


def link(src: Path, dest: Path) -> None:
    """``dest`` as a hard link to ``src`` (a copy across file systems)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def link_unit(src: RunDir, dest: RunDir, unit: WorkUnit, set_names: list[str]) -> None:
    pid, seed = unit.prompt_id, unit.seed
    pairs = [(src.unit_path(pid, seed), dest.unit_path(pid, seed))]
    pairs += [(src.clip_path(pid, seed), dest.clip_path(pid, seed))]
    pairs += [(src.sidecar_path(pid, seed), dest.sidecar_path(pid, seed))]
    pairs += [(src.features_path(m, pid, seed), dest.features_path(m, pid, seed)) for m in set_names]
    for a, b in pairs:
        if a.is_file():
            link(a, b)


def set_metrics(protocols: list[dict[str, Any]]) -> list[SetMetric]:
    """The run's set-level metrics, built again with the parameters its protocols record; one
    whose protocol this t2vbench cannot reproduce (another version) is an error (exit 2)."""
    resolve_metrics("all")  # loads the built-in metrics
    out = []
    for proto in protocols:
        name = proto.get("name")
        cls = METRICS.get(name) if name in METRICS else None
        if cls is None or not issubclass(cls, SetMetric):
            continue
        fields = {f.name for f in dataclasses.fields(cls) if f.init}
        try:
            metric = build_metric(name, **{k: v for k, v in proto.items() if k in fields})
        except MetricError as err:
            raise UsageError(f"set-level metric {name}: cannot be rebuilt from the run's protocol ({err})") from None
        if _jsonish(metric.protocol()) != _jsonish(proto):
            raise UsageError(
                f"set-level metric {name}: the run's protocol (version {proto.get('version')}) is not what this "
                f"t2vbench computes (version {metric.version}); merge with the t2vbench that ran it"
            )
        out.append(metric)
    return out


# merging -----------------------------------------------------------------------------------------
def merge_runs(
    inputs: list[Path],
    out: Path,
    *,
    report: bool = True,
    partial: bool = False,
    on_locked: str = "error",
    command: list[str] | None = None,
    history: Path | None = None,
) -> MergeOutcome | None:
    """Merge the runs (or shard folders) ``inputs`` into ``out``. ``on_locked`` says what to do
    when another process holds ``out``'s lock: ``error`` (exit 2 naming it), ``skip`` (return
    None: a finishing shard leaves the merge to the shard already merging) or ``wait``. A run it
    writes is added to the ``history`` index when one is given."""
    t0 = time.perf_counter()
    parts = load_parts(expand(inputs))
    check_compatible(parts)
    ref = parts[0].manifest
    suite = run_suite(parts[0].rundir, ref, str((ref.get("suite") or {}).get("source") or ""))
    units = make_units(suite, [int(s) for s in ref.get("seeds") or []])
    chosen = plan(parts, units)
    if len(chosen) < len(units) and not partial:
        raise UsageError(_pending_message(parts, units, chosen))
    check_out(out, parts)
    job = Merge(RunDir(out), parts, units, chosen, report, command or [], history, suite)
    deadline = time.monotonic() + 3600
    while True:
        try:
            with job.out.lock():
                return job.run(t0)
        except RunLockedError:
            if on_locked == "error" or (on_locked == "wait" and time.monotonic() > deadline):
                raise
            if on_locked == "skip":
                return None
            time.sleep(LOCK_POLL_S)


@dataclass
class Merge:
    """One merge into ``out`` (run under ``out``'s lock)."""

    out: RunDir
    parts: list[Part]
    units: list[WorkUnit]
    chosen: dict[str, tuple[Part, dict[str, Any]]]
    report: bool
    command: list[str]
    history: Path | None = None
    suite: Suite | None = None

    def run(self, t0: float) -> MergeOutcome:
        rd = self.out
        prev = rd.read_manifest()
        if prev is not None and not is_merge_product(prev):
            raise UsageError(f"--out {rd.root}: a run started there meanwhile; choose another --out")
        dig = digest(self.chosen, self.units)
        if prev is not None and (prev.get("merge") or {}).get("digest") == dig and self._outputs_exist():
            counts = prev.get("counts") or {}
            return MergeOutcome(rd.root, prev["status"], 3 if counts.get("failed") else 0, counts, merged=False)
        metrics = set_metrics(self.parts[0].manifest.get("metrics") or [])  # (an error writes nothing)
        rd.write_manifest({**self.manifest(prev, "merging", {}, dig), "updated": now_iso()})
        for folder in rd.per_unit_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        names = [m.name for m in metrics]
        for unit in self.units:
            if unit.key in self.chosen:
                link_unit(self.chosen[unit.key][0].rundir, rd, unit, names)
        link(self.parts[0].rundir.suite_path, rd.suite_path)
        status, counts = self.write_results(prev, dig, t0, metrics)
        if self.report:
            self._report()
        if self.history is not None and status in FINAL:
            self._index()
        return MergeOutcome(rd.root, status, 3 if counts["failed"] else 0, counts, merged=True)

    def reference_set(self, metrics: list[SetMetric]) -> ReferenceSet | None:
        """The reference of the ``dist.*`` rows: the shards' suite, seeds and video (on the CPU)."""
        if self.suite is None or not any(m.needs_reference for m in metrics):
            return None
        m = self.parts[0].manifest
        return ReferenceSet(self.suite, [int(s) for s in m.get("seeds") or []], dict(m.get("video") or {}), "cpu")

    def _outputs_exist(self) -> bool:
        rd = self.out
        paths = [rd.samples_path, rd.results_path, rd.profile_path] + ([rd.report_html_path] if self.report else [])
        return all(p.is_file() for p in paths)

    def write_results(
        self, prev: dict[str, Any] | None, dig: str, t0: float, metrics: list[SetMetric]
    ) -> tuple[str, dict[str, int]]:
        """Rows (set-level ones from the merged features), tables, profile and manifest."""
        rd, profiler = self.out, Profiler()
        keys = {u.key: self.chosen[u.key][1]["score_key"] if u.key in self.chosen else "" for u in self.units}
        got = collect(rd, self.units, keys)
        rows, counts = got.rows, got.counts
        if not counts["pending"]:
            with profiler.stage("set_metrics"):
                rows += set_rows(rd, self.units, metrics, self.reference_set(metrics))
        status = "partial" if counts["pending"] else ("finished_with_failures" if counts["failed"] else "finished")
        with profiler.stage("tables"):
            rd.write_tables(rows)
        rd.write_profile(self.profile(got.timings, profiler.take(), time.perf_counter() - t0, got.units))
        rd.write_manifest(self.manifest(prev, status, counts, dig))
        return status, counts

    def _report(self) -> None:
        try:
            from reports import build_report

            build_report(self.out.root)
        except Exception as err:  # the results are safe on disk; say what went wrong
            log.error("report: %s", one_line(err))

    def _index(self) -> None:
        try:
            from reports.history import index_run

            index_run(self.history, self.out.root)
        except Exception as err:  # the run is safe on disk; say why it is not in the index
            log.error("history: %s", one_line(err))

    # documents -------------------------------------------------------------------------------
    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.out.root.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())

    def manifest(self, prev: dict[str, Any] | None, status: str, counts: dict[str, int], dig: str) -> dict[str, Any]:
        """The merged run's manifest: the shards' shared fields, one entry per shard (with its
        environment fingerprint) and what was merged."""
        ref = self.parts[0].manifest
        shards = [self._shard_entry(p) for p in self.parts]
        prints = _distinct([(s["env"] or {}).get("fingerprint") for s in shards])
        if len(prints) > 1:
            log.warning("the shards ran in different environments (fingerprints differ); see manifest.shards")
        env = {**(ref.get("env") or {}), "fingerprint": prints[0] if len(prints) == 1 else {"mixed": prints}}
        devices = {str(p.manifest.get("device")) for p in self.parts}
        device = devices.pop() if len(devices) == 1 else str(ref.get("device")).split(":")[0]
        doc = {k: ref.get(k) for k in ("schema_version", "run_id", "created", "updated", "t2vbench_version")}
        doc |= {
            "run_id": (prev or {}).get("run_id") or self.out.root.name,
            "created": min(str(p.manifest.get("created") or "") for p in self.parts) or now_iso(),
            "updated": now_iso(),
        }
        doc |= {k: ref.get(k) for k in ("suite", "generator", "video", "seeds", "metrics")}
        doc |= {"device": device, "shard": "0/1", "env": env, "status": status, "counts": counts}
        doc |= {"command": self.command or ref.get("command"), "config": ref.get("config")}
        doc |= {"shards": shards, "merge": {"digest": dig, "inputs": [self._rel(p.root) for p in self.parts]}}
        return doc

    def _shard_entry(self, p: Part) -> dict[str, Any]:
        m = p.manifest
        return {
            "path": self._rel(p.root),
            "shard": f"{p.shard[0]}/{p.shard[1]}",
            "status": m.get("status"),
            "counts": m.get("counts"),
            "created": m.get("created"),
            "updated": m.get("updated"),
            "device": m.get("device"),
            "env": m.get("env"),  # its whole environment, fingerprint included (compare reads it)
        }

    def profile(
        self, unit_timings: dict[str, Any], run_timings: dict[str, Any], wall: float, units: list[dict[str, Any]]
    ) -> dict[str, Any]:
        from bench.runner import MACHINE_KEYS

        ref = self.parts[0].manifest
        env = ref.get("env") or {}
        nf = (ref.get("video") or {}).get("num_frames") or 0
        machine = {k: env.get(k) for k in MACHINE_KEYS}
        doc = profile(self.out.root.name, str(ref.get("device")), unit_timings, run_timings, nf, wall, machine, units)
        doc["shards"] = [
            {"shard": f"{p.shard[0]}/{p.shard[1]}", "path": self._rel(p.root), **_shard_profile(p)} for p in self.parts
        ]
        return doc


def _shard_profile(part: Part) -> dict[str, Any]:
    prof = part.rundir.read_profile()
    return {"invocation": prof.get("invocation"), "throughput": prof.get("throughput"), "machine": prof.get("machine")}


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if all(_jsonish(x) != _jsonish(y) for y in out):
            out.append(x)
    return out
