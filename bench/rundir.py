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
from pathlib import Path
from typing import Any

from bench.files import atomic_write_bytes, atomic_write_json, atomic_write_text, read_json

SCHEMA_VERSION = 1
ROW_FIELDS = ("prompt_id", "seed", "family", "metric", "value", "verdict", "events", "error")


def make_row(
    prompt_id: str,
    seed: int | None,
    family: str,
    metric: str,
    value: float | None = None,
    verdict: str | None = None,
    events: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """One row of samples.jsonl: ``{prompt_id, seed, family, metric, value, verdict, events, error}``."""
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
    }


class RunDir:
    """Paths and readers/writers of one run directory."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # paths ---------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def samples_path(self) -> Path:
        return self.root / "samples.jsonl"

    @property
    def results_path(self) -> Path:
        return self.root / "results.parquet"

    @property
    def summary_path(self) -> Path:
        return self.root / "summary.json"

    @property
    def profile_path(self) -> Path:
        return self.root / "profile.json"

    def clip_path(self, prompt_id: str, seed: int) -> Path:
        return self.root / "clips" / prompt_id / f"{seed}.mp4"

    def sidecar_path(self, prompt_id: str, seed: int) -> Path:
        return self.root / "clips" / prompt_id / f"{seed}.json"

    def unit_path(self, prompt_id: str, seed: int) -> Path:
        return self.root / "units" / prompt_id / f"{seed}.json"

    def features_path(self, metric: str, prompt_id: str, seed: int) -> Path:
        return self.root / "features" / metric / prompt_id / f"{seed}.npy"

    # manifest and units ----------------------------------------------------------------------
    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> dict[str, Any] | None:
        try:
            return read_json(self.manifest_path)
        except (OSError, json.JSONDecodeError):
            return None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        atomic_write_json(self.manifest_path, manifest)

    def read_unit(self, prompt_id: str, seed: int) -> dict[str, Any] | None:
        """The unit record, or None if absent or unreadable (then the unit is redone)."""
        try:
            data = read_json(self.unit_path(prompt_id, seed))
        except (OSError, json.JSONDecodeError):
            return None
        return data if isinstance(data, dict) and "rows" in data else None

    def write_unit(self, prompt_id: str, seed: int, record: dict[str, Any]) -> None:
        atomic_write_json(self.unit_path(prompt_id, seed), record, indent=None)

    def read_sidecar(self, prompt_id: str, seed: int) -> dict[str, Any] | None:
        try:
            data = read_json(self.sidecar_path(prompt_id, seed))
        except (OSError, json.JSONDecodeError):
            return None
        return data if isinstance(data, dict) else None

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
            }
        )
        import io

        buf = io.BytesIO()
        df.to_parquet(buf, index=False, engine="pyarrow")
        atomic_write_bytes(self.results_path, buf.getvalue())

    def read_samples(self) -> list[dict[str, Any]]:
        if not self.samples_path.is_file():
            return []
        with open(self.samples_path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
