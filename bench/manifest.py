"""Where a run lives and what its manifest says: the ``--out`` rules, finding the latest run for
``--resume``, and the manifest document."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import t2vbase
from t2vbase.errors import UsageError
from t2vbase.rundir import SCHEMA_VERSION, RunDir


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def slug(text: str) -> str:
    """A folder-name-safe short form of a spec."""
    out = "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
    while "--" in out:
        out = out.replace("--", "-")
    return out[:40] or "run"


def find_latest_run(root: Path, suite: str, generator: str) -> Path | None:
    """The most recently created run of ``suite`` with ``generator`` under ``root``."""
    best: tuple[str, Path] | None = None
    for manifest in root.glob("*/manifest.json"):
        m = RunDir(manifest.parent).read_manifest() or {}
        if m.get("suite", {}).get("name") == suite and m.get("generator", {}).get("spec") == generator:
            created = str(m.get("created", ""))
            if best is None or created > best[0]:
                best = (created, manifest.parent)
    return best[1] if best else None


def resolve_out(out: Path | None, runs_root: Path, suite: str, generator: str) -> Path:
    """The run directory: ``--out`` (a new or empty folder, or a run), else a new timestamped
    folder under ``runs_root``. Only checks; writes nothing."""
    if out is not None:
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out}: exists and is not a folder")
        for parent in out.parents:
            if parent.exists():
                if not parent.is_dir():
                    raise UsageError(f"--out {out}: {parent} is a file, not a folder")
                break
        if out.is_dir() and any(out.iterdir()) and not RunDir(out).exists():
            raise UsageError(f"--out {out}: folder is not empty and holds no run; choose another --out")
        return out
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return runs_root / f"{suite}-{slug(generator)}-{stamp}-{secrets.token_hex(2)}"


def move_aside(rundir: RunDir) -> Path:
    """``--force-new``: move the run that lives in ``rundir`` to a sibling folder (nothing is
    deleted), under its lock so no writer is cut off."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = rundir.root.with_name(f"{rundir.root.name}.replaced-{stamp}-{secrets.token_hex(2)}")
    with rundir.lock():
        rundir.root.rename(aside)
    return aside


def build_manifest(
    previous: dict[str, Any] | None,
    root: Path,
    *,
    suite: Any,
    generator: dict[str, Any],
    video: dict[str, Any],
    seeds: list[int],
    protocols: list[dict[str, Any]],
    device: str,
    shard: tuple[int, int],
    env: dict[str, Any],
    status: str,
    counts: dict[str, int],
    command: list[str],
) -> dict[str, Any]:
    """manifest.json: what ran, on what, and how far it got (``run_id`` and ``created`` kept)."""
    prev = previous or {}
    now = now_iso()
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": prev.get("run_id") or root.name,
        "created": prev.get("created") or now,
        "updated": now,
        "t2vbench_version": t2vbase.__version__,
        "suite": {
            "name": suite.suite,
            "version": suite.version,
            "sha256": suite.sha256,
            "source": suite.source,
            "prompts": len(suite.prompts),
        },
        "generator": generator,
        "video": video,
        "seeds": seeds,
        "metrics": protocols,
        "device": device,
        "shard": f"{shard[0]}/{shard[1]}",
        "env": env,
        "status": status,
        "counts": counts,
        "command": command,
    }
