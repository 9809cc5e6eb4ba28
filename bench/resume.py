"""``--resume``: a run continues with the options it was started with.

A resumed run takes its suite (the copy in ``suite.json``, exactly as it ran), generator, seeds,
metrics, backend and video options from its manifest. An option given on the command line that
differs is refused with one line naming the option and both values: resuming with another seed
list or generator would otherwise rewrite the run's tables without the units it already finished.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bench.config import DEFAULTS, RunConfig, flag
from bench.units import parse_seeds
from metrics.registry import resolve_metrics
from prompts import Suite, load_suite
from prompts.loader import parse_suite
from t2vbase.errors import UsageError
from t2vbase.rundir import RunDir

VIDEO = ("num_frames", "height", "width", "fps")


def saved_options(m: dict[str, Any]) -> dict[str, Any]:
    """The defining options a manifest records (its ``config`` block, or, for runs made before
    it existed, what its other fields say)."""
    c = m.get("config")
    if isinstance(c, dict):
        return c
    protocols = [p for p in m.get("metrics") or [] if isinstance(p, dict)]
    return {
        "suite": (m.get("suite") or {}).get("source") or (m.get("suite") or {}).get("name"),
        "generator": (m.get("generator") or {}).get("spec"),
        "seeds": m.get("seeds"),
        "metrics": [p.get("name") for p in protocols],
        "backend": next((p["backend_spec"] for p in protocols if "backend_spec" in p), "color"),
        "reference": next((p["reference"] for p in protocols if "reference" in p), DEFAULTS["reference"]),
        "backbone": next((p["backbone"] for p in protocols if "backbone" in p), DEFAULTS["backbone"]),
        "align_model": DEFAULTS["align_model"],
        "video": m.get("video") or {},
    }


def _differs(name: str, given: Any, saved: dict[str, Any], suite_sha: str | None) -> str | None:
    """The run's value of ``name`` when ``given`` means something else, else None."""
    if name == "seeds":
        return None if parse_seeds(given) == list(saved["seeds"]) else ",".join(map(str, saved["seeds"]))
    if name == "metrics":
        names = list(saved["metrics"])
        return None if set(resolve_metrics(given)) == set(names) else ",".join(names) or "none"
    if name == "suite":
        return None if load_suite(given).sha256 == suite_sha else f"{saved['suite']} (sha256 {str(suite_sha)[:12]})"
    if name in VIDEO:
        value = (saved.get("video") or {}).get(name)
        return None if value is not None and float(value) == float(given) else str(value)
    theirs = saved.get(name, DEFAULTS.get(name))
    return None if given == theirs else str(theirs)


def reconcile(cfg: RunConfig, rundir: RunDir, manifest: dict[str, Any]) -> RunConfig:
    """``cfg`` with the run's defining options; a given option that differs is a UsageError."""
    saved = saved_options(manifest)
    sha = (manifest.get("suite") or {}).get("sha256")
    for name, given in cfg.given().items():
        theirs = _differs(name, given, saved, sha)
        if theirs is not None:
            raise UsageError(
                f"{flag(name)} {given}: the run in {rundir.root} was made with {flag(name)} {theirs}; "
                "--resume continues a run with its own options (drop the option, or start afresh with "
                "--force-new or another --out)"
            )
    video = saved.get("video") or {}
    return replace(
        cfg,
        suite=str(saved["suite"]),
        generator=saved["generator"],
        seeds=list(saved["seeds"]),
        metrics=",".join(saved["metrics"]) or "none",
        backend=saved["backend"],
        reference=saved.get("reference", DEFAULTS["reference"]),
        backbone=saved.get("backbone", DEFAULTS["backbone"]),
        align_model=saved.get("align_model", DEFAULTS["align_model"]),
        **{k: video.get(k) for k in VIDEO},
    )


def run_suite(rundir: RunDir, manifest: dict[str, Any], source: str) -> Suite:
    """The suite exactly as the run ran it (``suite.json``); without that copy, the suite file
    again, if its content is unchanged."""
    doc = rundir.read_suite()
    sha = (manifest.get("suite") or {}).get("sha256")
    if doc.get("sha256") == sha and sha:
        body = {k: v for k, v in doc.items() if k != "sha256"}
        return parse_suite(body, str(rundir.suite_path)).model_copy(update={"sha256": sha, "source": source})
    suite = load_suite(source)
    if suite.sha256 != sha:
        raise UsageError(
            f"{rundir.suite_path}: missing, and suite {source} changed since the run started "
            f"(sha256 {str(sha)[:12]} -> {suite.sha256[:12]}); start afresh with --force-new or another --out"
        )
    return suite
