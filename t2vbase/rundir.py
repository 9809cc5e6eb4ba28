"""The run directory: where everything of a run lives, and the row schema.

```
<run>/manifest.json                 what ran, on what, and how far it got
<run>/clips/<prompt_id>/<seed>.mp4  H.264 yuv420p (a folder: run copies .mp4 sources as they are)
<run>/clips/<prompt_id>/<seed>.json generator metadata + the ``t2vbench`` block (gen_key, ...)
<run>/units/<prompt_id>/<seed>.json one record per finished unit: keys, status, rows, timings
<run>/features/<metric>/<prompt_id>/<seed>.npy  per-clip features of set-level metrics
<run>/samples.jsonl, results.parquet  all rows (rebuilt from the unit records)
<run>/summary.json, profile.json, report.html, report.md, assets/
```

Unit records are written atomically when a unit finishes, so a killed run loses at most the units
in flight, and ``--resume`` knows exactly what is finished.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from t2vbase.errors import T2VError
from t2vbase.files import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    is_temp_name,
    read_json,
    to_jsonable,
    umask,
)

SCHEMA_VERSION = 1


class RunDirError(T2VError):
    """A run directory that is missing or whose files cannot be read."""


class RunLockedError(T2VError):
    """Another process is writing the run directory."""


ROW_FIELDS = ("prompt_id", "seed", "family", "metric", "value", "verdict", "events", "error", "detail")


def make_row(
    prompt_id: str,
    seed: int | None,
    family: str,
    metric: str,
    value: float | None = None,
    verdict: str | None = None,
    events: list[dict[str, Any]] | None = None,
    error: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One row of samples.jsonl: ``{prompt_id, seed, family, metric, value, verdict, events, error,
    detail}``. ``detail`` holds what one number cannot (a set-level distance's CI, N and floor; a
    per-clip metric's secondary values), JSON-safe, or None."""
    if value is not None:
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            value = None
    return {
        "prompt_id": prompt_id,
        "seed": seed,
        "family": family,
        "metric": metric,
        "value": value,
        "verdict": verdict,
        "events": list(events or []),
        "error": error,
        "detail": to_jsonable(detail) if detail else None,
    }


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


class RunDir:
    """Paths, readers and writers of one run directory: the only place that knows its layout.

    Everything that reads or writes a run (the runner, reports, compare, history, merge) goes
    through this class, so a file name is written down once.
    """

    MANIFEST = "manifest.json"
    SUITE = "suite.json"
    SAMPLES = "samples.jsonl"
    RESULTS = "results.parquet"
    SUMMARY = "summary.json"
    PROFILE = "profile.json"
    REPORT_HTML = "report.html"
    REPORT_MD = "report.md"
    ASSETS = "assets"
    LOCK = ".lock"
    CLIPS, UNITS, FEATURES = "clips", "units", "features"
    SHARDS = "shards"  # <run>/shards/<i>-of-<n>/: one run directory per shard (see bench.distributed)

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # paths ---------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / self.MANIFEST

    @property
    def suite_path(self) -> Path:
        return self.root / self.SUITE

    @property
    def samples_path(self) -> Path:
        return self.root / self.SAMPLES

    @property
    def results_path(self) -> Path:
        return self.root / self.RESULTS

    @property
    def summary_path(self) -> Path:
        return self.root / self.SUMMARY

    @property
    def profile_path(self) -> Path:
        return self.root / self.PROFILE

    @property
    def report_html_path(self) -> Path:
        return self.root / self.REPORT_HTML

    @property
    def report_md_path(self) -> Path:
        return self.root / self.REPORT_MD

    @property
    def assets_dir(self) -> Path:
        return self.root / self.ASSETS

    @staticmethod
    def clip_rel(prompt_id: str, seed: int) -> str:
        """The clip's path relative to the run root (what reports link to)."""
        return f"clips/{prompt_id}/{seed}.mp4"

    def clip_path(self, prompt_id: str, seed: int) -> Path:
        return self.root / self.clip_rel(prompt_id, seed)

    def sidecar_path(self, prompt_id: str, seed: int) -> Path:
        return self.root / "clips" / prompt_id / f"{seed}.json"

    def unit_path(self, prompt_id: str, seed: int) -> Path:
        return self.root / "units" / prompt_id / f"{seed}.json"

    def features_path(self, metric: str, prompt_id: str, seed: int) -> Path:
        return self.root / "features" / metric / prompt_id / f"{seed}.npy"

    @property
    def per_unit_dirs(self) -> list[Path]:
        """The folders holding one file per unit (clips, records, features)."""
        return [self.root / self.CLIPS, self.root / self.UNITS, self.root / self.FEATURES]

    @property
    def shards_dir(self) -> Path:
        return self.root / self.SHARDS

    def shard_path(self, index: int, count: int) -> Path:
        """Shard ``index`` of ``count`` of this run: a run directory of its own."""
        return self.shards_dir / f"{index}-of-{count}"

    # writers' lock ---------------------------------------------------------------------------
    @contextmanager
    def lock(self, name: str = LOCK) -> Iterator[None]:
        """Hold an exclusive lock on the run (``fcntl.flock`` on ``<run>/<name>``) while writing.

        A second writer gets a one-line :class:`RunLockedError` naming the holder's pid at once
        (no waiting). The OS drops the lock when its holder dies, so a killed run never leaves a
        stale lock. ``name`` lets parts of a run (shards) lock separately.
        """
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / name
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~umask())
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                raise RunLockedError(
                    f"{self.root}: another t2vbench process (pid {holder}) is writing this run; "
                    "wait for it to finish, or choose another --out"
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def remove_stale_temps(self) -> int:
        """Delete temporary files that killed writers left (call while holding :meth:`lock`).
        Shard folders are left alone: each has its own writer and lock, and cleans itself."""
        n = 0
        for p in self.root.rglob(".*"):
            if p.is_file() and is_temp_name(p.name) and not p.is_relative_to(self.shards_dir):
                p.unlink(missing_ok=True)
                n += 1
        return n

    # manifest and units ----------------------------------------------------------------------
    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None when it is missing or unreadable (see :meth:`load_manifest`)."""
        try:
            data = read_json(self.manifest_path)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def load_manifest(self) -> dict[str, Any]:
        """The manifest; a one-line :class:`RunDirError` says whether it is missing or corrupt."""
        if not self.manifest_path.is_file():
            raise RunDirError(f"{self.root}: no {self.MANIFEST}; not a t2vbench run directory")
        try:
            data = read_json(self.manifest_path)
        except (OSError, ValueError) as err:
            raise RunDirError(f"{self.manifest_path}: unreadable ({' '.join(str(err).split())})") from None
        if not isinstance(data, dict):
            raise RunDirError(f"{self.manifest_path}: not a JSON object")
        return data

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write_json(self.manifest_path, manifest)

    def read_unit(self, prompt_id: str, seed: int) -> dict[str, Any] | None:
        """The unit record, or None if absent or unreadable (then the unit is redone)."""
        try:
            data = read_json(self.unit_path(prompt_id, seed))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and "rows" in data else None

    def write_unit(self, prompt_id: str, seed: int, record: dict[str, Any]) -> None:
        atomic_write_json(self.unit_path(prompt_id, seed), record, indent=None)

    def read_sidecar(self, prompt_id: str, seed: int) -> dict[str, Any] | None:
        return self._read_object(self.sidecar_path(prompt_id, seed))

    def write_sidecar(self, prompt_id: str, seed: int, meta: dict[str, Any]) -> None:
        atomic_write_json(self.sidecar_path(prompt_id, seed), meta, indent=None)

    # documents --------------------------------------------------------------------------------
    @staticmethod
    def _read_object(path: Path) -> dict[str, Any] | None:
        try:
            data = read_json(path)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def read_suite(self) -> dict[str, Any]:
        """suite.json as run (``{}`` when absent)."""
        return self._read_object(self.suite_path) or {}

    def write_suite(self, suite_doc: dict[str, Any]) -> None:
        atomic_write_json(self.suite_path, suite_doc)

    def read_summary(self) -> dict[str, Any]:
        return self._read_object(self.summary_path) or {}

    def write_summary(self, summary: dict[str, Any]) -> None:
        atomic_write_json(self.summary_path, summary)

    def read_profile(self) -> dict[str, Any]:
        return self._read_object(self.profile_path) or {}

    def write_profile(self, profile: dict[str, Any]) -> None:
        atomic_write_json(self.profile_path, profile)

    def write_reports(self, markdown: str, html: str) -> Path:
        """report.md and report.html; returns the HTML's path."""
        atomic_write_text(self.report_md_path, markdown)
        atomic_write_text(self.report_html_path, html)
        return self.report_html_path

    def asset_path(self, name: str) -> tuple[Path, str]:
        """Where an asset file goes and its link relative to the reports."""
        return self.assets_dir / name, f"{self.ASSETS}/{name}"

    # tables ---------------------------------------------------------------------------------
    def write_tables(self, rows: list[dict[str, Any]]) -> None:
        """samples.jsonl (one JSON object per row) and results.parquet (events as JSON text)."""
        import pandas as pd

        lines = [json.dumps(r, ensure_ascii=False, allow_nan=False) for r in rows]
        atomic_write_text(self.samples_path, "\n".join(lines) + ("\n" if lines else ""))
        df = pd.DataFrame(
            {
                "prompt_id": pd.Series([r["prompt_id"] for r in rows], dtype="string"),
                "seed": pd.Series([r["seed"] for r in rows], dtype="Int64"),
                "family": pd.Series([r["family"] for r in rows], dtype="string"),
                "metric": pd.Series([r["metric"] for r in rows], dtype="string"),
                "value": pd.Series([r["value"] for r in rows], dtype="Float64"),
                "verdict": pd.Series([r["verdict"] for r in rows], dtype="string"),
                "events": pd.Series([json.dumps(r["events"], ensure_ascii=False) for r in rows], dtype="string"),
                "error": pd.Series([r["error"] for r in rows], dtype="string"),
                "detail": pd.Series([_json_or_none(r.get("detail")) for r in rows], dtype="string"),
            }
        )
        import io

        buf = io.BytesIO()
        df.to_parquet(buf, index=False, engine="pyarrow")
        atomic_write_bytes(self.results_path, buf.getvalue())

    def read_samples(self) -> list[dict[str, Any]]:
        """The rows of samples.jsonl (``[]`` when absent); a line that is not a row object is a
        one-line :class:`RunDirError` naming the file and line (reports, compare and history read
        runs they did not write)."""
        if not self.samples_path.is_file():
            return []
        rows = []
        with open(self.samples_path, encoding="utf-8") as fh:
            for k, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as err:
                    raise RunDirError(f"{self.samples_path}:{k}: not JSON ({err})") from None
                if not isinstance(row, dict) or not isinstance(row.get("metric"), str) or "prompt_id" not in row:
                    raise RunDirError(f"{self.samples_path}:{k}: not a row (needs prompt_id and metric)")
                rows.append(row)
        return rows

    # finding runs -----------------------------------------------------------------------------
    @classmethod
    def find(cls, root: str | Path) -> list[RunDir]:
        """Every run directory at or below ``root`` (a folder holding a manifest), sorted by path.

        A run's own sub-folders (clips, units, features, assets) are not searched.
        """
        found, seen = [], set()
        for here, dirs, files in os.walk(root, followlinks=True):  # a linked run counts, a link loop once
            real = os.path.realpath(here)
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
            if cls.MANIFEST in files:
                found.append(cls(here))
                dirs[:] = []
            else:
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        return sorted(found, key=lambda r: str(r.root))


class _PageDir:
    """A folder of pages about runs (not a run): its HTML and JSON and links back to run files."""

    HTML = ""
    JSON = ""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @property
    def html_path(self) -> Path:
        return self.root / self.HTML

    @property
    def json_path(self) -> Path:
        return self.root / self.JSON

    def link_to(self, target: Path) -> str:
        """``target``'s link relative to this folder (the runs' files stay where they are)."""
        return Path(os.path.relpath(Path(target).resolve(), self.root.resolve())).as_posix()


class CompareDir(_PageDir):
    """Where ``t2vbench compare`` writes: compare.html, compare.md, compare.json and assets/."""

    HTML = "compare.html"
    MD = "compare.md"
    JSON = "compare.json"
    ASSETS = "assets"

    @property
    def md_path(self) -> Path:
        return self.root / self.MD

    def asset_path(self, name: str) -> tuple[Path, str]:
        return self.root / self.ASSETS / name, f"{self.ASSETS}/{name}"

    def write(self, markdown: str, html: str, document: dict[str, Any]) -> Path:
        atomic_write_text(self.md_path, markdown)
        atomic_write_text(self.html_path, html)
        atomic_write_json(self.json_path, document)
        return self.html_path


class HistoryDir(_PageDir):
    """Where ``t2vbench history`` writes (history.html, history.json) and its default index."""

    HTML = "history.html"
    JSON = "history.json"
    DB = "history.sqlite"

    @property
    def db_path(self) -> Path:
        return self.root / self.DB

    def write(self, html: str, document: dict[str, Any]) -> Path:
        atomic_write_text(self.html_path, html)
        atomic_write_json(self.json_path, document)
        return self.html_path
