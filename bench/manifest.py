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


def resolve_out(out: Path | None, resume: bool, runs_root: Path, suite: str, generator: str) -> Path:
    """The run directory: ``--out`` (a new or empty folder, or a run to ``--resume``), the latest
    matching run under ``runs_root`` for a bare ``--resume``, else a new timestamped folder."""
    if out is not None:
        out = Path(out)
        if RunDir(out).exists() and not resume:
            raise UsageError(f"{out}: a run already lives here; pass --resume to continue it, or another --out")
        if out.exists() and not out.is_dir():
            raise UsageError(f"{out}: exists and is not a folder")
        if out.is_dir() and any(out.iterdir()) and not RunDir(out).exists():
            raise UsageError(f"{out}: folder is not empty and holds no run; choose another --out")
        return out
    if resume:
        found = find_latest_run(runs_root, suite, generator)
        if found is None:
            raise UsageError(
                f"--resume: no run of suite {suite!r} with generator {generator!r} under {runs_root}/; pass --out RUN_DIR"
            )
        return found
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return runs_root / f"{suite}-{slug(generator)}-{stamp}-{secrets.token_hex(2)}"


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
