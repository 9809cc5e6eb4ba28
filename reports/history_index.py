"""The history index: an SQLite database of runs (manifest and summary) and their points — one
value per run and series (a metric, a metric family's checks pooled, a prompt family's checks
pooled, a set-level distance) with its CI.

Written in WAL mode with a busy timeout, each run in one ``BEGIN IMMEDIATE`` transaction, so runs
finishing at the same moment (``t2vbench run --history DB`` on several machines' shards, or
several nightly jobs) wait for each other instead of losing a write. A run is identified by its
``run_id`` and ``created`` time, so indexing it again (after ``--resume``, or from a moved copy)
replaces its rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reports.metricinfo import metric_infos, protocols_by_name
from reports.summary import summarize_rows
from t2vbase.errors import T2VError
from t2vbase.rundir import RunDir

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_key TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    root TEXT NOT NULL,
    created TEXT,
    updated TEXT,
    status TEXT,
    suite TEXT,
    suite_version TEXT,
    suite_sha256 TEXT,
    generator TEXT,
    generator_version TEXT,
    seeds TEXT,
    git_commit TEXT,
    manifest TEXT NOT NULL,
    summary TEXT NOT NULL,
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS points (
    run_key TEXT NOT NULL REFERENCES runs(run_key) ON DELETE CASCADE,
    series TEXT NOT NULL,
    scope TEXT NOT NULL,
    metric TEXT,
    protocol TEXT NOT NULL,
    kind TEXT,
    higher_is_better INTEGER,
    unit TEXT,
    value REAL,
    lo REAL,
    hi REAL,
    n INTEGER,
    PRIMARY KEY (run_key, series)
);
CREATE INDEX IF NOT EXISTS points_series ON points(series);
"""
INDEXABLE = ("finished", "finished_with_failures")
BUSY_TIMEOUT_S = 120.0


class HistoryError(T2VError):
    """An index that cannot be opened or a run that cannot be indexed."""


@contextmanager
def connect(db: str | Path) -> Iterator[sqlite3.Connection]:
    """An autocommit connection in WAL mode with a long busy timeout and the schema in place."""
    path = Path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as err:
        raise HistoryError(f"{path}: cannot open the history index ({err})") from None
    try:
        con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA foreign_keys = ON")
        with transaction(con):
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
        yield con
    except sqlite3.DatabaseError as err:
        raise HistoryError(f"{path}: not a usable history index ({' '.join(str(err).split())})") from None
    finally:
        con.close()


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` (the write lock up front, waiting up to the busy timeout) … ``COMMIT``."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def run_key(manifest: dict[str, Any], root: Path) -> str:
    ident = f"{manifest.get('run_id') or root.name}\0{manifest.get('created') or ''}"
    return hashlib.sha256(ident.encode()).hexdigest()[:20]


def protocol_hash(protocol: dict[str, Any] | None) -> str:
    if not protocol:
        return ""
    return hashlib.sha256(json.dumps(protocol, sort_keys=True).encode()).hexdigest()[:16]


def run_points(manifest: dict[str, Any], summary: dict[str, Any], infos: dict[str, Any]) -> list[tuple]:
    """``(series, scope, metric, protocol, kind, higher_is_better, unit, value, lo, hi, n)`` rows."""
    protos = protocols_by_name(manifest)
    out = []
    for name, b in summary.get("metrics", {}).items():
        i = infos.get(name)
        if i is None:
            continue
        if i.kind == "check":
            v, ci, n = b.get("pass_rate"), b.get("pass_rate_ci95"), (b.get("n_pass") or 0) + (b.get("n_fail") or 0)
        else:
            v, ci, n = b.get("mean"), b.get("ci95"), b.get("n")
        out.append(
            (name, "metric", name, protocol_hash(protos.get(name)), i.kind, i.higher_is_better, i.unit, v, ci, n)
        )
    for name, s in summary.get("set", {}).items():
        i = infos.get(name)
        hib = i.higher_is_better if i else False
        out.append(
            (
                name,
                "set",
                name,
                protocol_hash(protos.get(name)),
                "distance",
                hib,
                i.unit if i else "",
                s.get("value"),
                s.get("ci95"),
                s.get("n"),
            )
        )
    pooled = summary.get("pooled") or {}
    checks_hash = protocol_hash({m: protos.get(m) for m, i in infos.items() if i.kind == "check"})
    for scope, label in (("groups", "{}: all checks"), ("families", "family {}: all checks")):
        for key, b in pooled.get(scope, {}).items():
            out.append(
                (
                    label.format(key),
                    scope[:-1],
                    None,
                    checks_hash,
                    "pooled",
                    True,
                    "",
                    b.get("pass_rate"),
                    b.get("pass_rate_ci95"),
                    (b.get("n_pass") or 0) + (b.get("n_fail") or 0),
                )
            )
    return [(*r[:7], r[7], *(r[8] or (None, None)), r[9]) for r in out]


def _summary(rd: RunDir, manifest: dict[str, Any]) -> dict[str, Any]:
    """summary.json with its pooled block, or the same computed from the rows (``--no-report``)."""
    summary = rd.read_summary()
    if "pooled" in summary:
        return summary
    rows = rd.read_samples()
    return {"run_id": manifest.get("run_id"), **summarize_rows(rows, metric_infos(manifest, rows))}


def index_run(db: str | Path, run_dir: str | Path) -> bool:
    """Add (or replace) one finished run in the index ``db``; False if it is not finished."""
    rd = RunDir(run_dir)
    manifest = rd.load_manifest()
    if manifest.get("status") not in INDEXABLE:
        return False
    with connect(db) as con:
        _write(con, rd, manifest)
    return True


def _write(con: sqlite3.Connection, rd: RunDir, manifest: dict[str, Any]) -> None:
    summary = _summary(rd, manifest)
    rows = rd.read_samples() if "info" not in summary else []
    infos = metric_infos(manifest, rows) if rows else _infos_from(summary)
    key = run_key(manifest, rd.root)
    suite, gen = manifest.get("suite") or {}, manifest.get("generator") or {}
    record = (
        key,
        str(manifest.get("run_id") or rd.root.name),
        str(rd.root.resolve()),
        manifest.get("created"),
        manifest.get("updated"),
        manifest.get("status"),
        suite.get("name"),
        str(suite.get("version")),
        suite.get("sha256"),
        gen.get("spec"),
        str(gen.get("version") or ""),
        json.dumps(manifest.get("seeds")),
        (manifest.get("env") or {}).get("git_commit"),
        json.dumps(manifest),
        json.dumps(summary),
        dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    )
    points = [(key, *p) for p in run_points(manifest, summary, infos)]
    with transaction(con):
        con.execute("DELETE FROM points WHERE run_key = ?", (key,))
        con.execute(f"INSERT OR REPLACE INTO runs VALUES ({','.join('?' * len(record))})", record)
        con.executemany(f"INSERT INTO points VALUES ({','.join('?' * 12)})", points)


def _infos_from(summary: dict[str, Any]) -> dict[str, Any]:
    from reports.metricinfo import MetricInfo

    return {m: MetricInfo(**d) for m, d in (summary.get("info") or {}).items()}


def index_tree(db: str | Path, root: str | Path) -> tuple[int, list[str]]:
    """Index every finished run under ``root`` that changed since it was last indexed; returns
    (runs indexed, one line per run skipped)."""
    done, skipped = 0, []
    with connect(db) as con:
        known = dict(con.execute("SELECT root, updated FROM runs").fetchall())
        for rd in RunDir.find(root):
            m = rd.read_manifest()
            if m is None:
                skipped.append(f"{rd.root}: unreadable manifest.json")
            elif m.get("status") not in INDEXABLE:
                skipped.append(f"{rd.root}: status {m.get('status')}")
            elif known.get(str(rd.root.resolve())) != m.get("updated") or m.get("updated") is None:
                _write(con, rd, m)
                done += 1
    return done, skipped


def read_index(db: str | Path, suite: str | None = None, generator: str | None = None) -> tuple[list[dict], list[dict]]:
    """Runs (oldest first) and their points, optionally only one suite and generators matching a glob."""
    import fnmatch

    with connect(db) as con:
        con.row_factory = sqlite3.Row
        runs = [dict(r) for r in con.execute("SELECT * FROM runs ORDER BY created, run_id")]
        runs = [
            r
            for r in runs
            if (suite is None or r["suite"] == suite)
            and (generator is None or fnmatch.fnmatchcase(r["generator"] or "", generator))
        ]
        keys = {r["run_key"] for r in runs}
        points = [dict(p) for p in con.execute("SELECT * FROM points") if p["run_key"] in keys]
    for r in runs:
        del r["manifest"], r["summary"]
    return runs, points
