"""Whether two runs can be compared unit by unit, and what else differs between them.

Two runs are *paired* when they ran the same suite (sha256), the same seeds and the same protocol
for every metric they share: then a unit ``(prompt_id, seed)`` asks the same question in both, and
a difference is the generators'. Anything else is refused (``compare --force`` overrides; then
only units whose prompt is identical in both suites are paired).

Environment fingerprints (``env`` of the manifest, and ``env`` of each entry of ``shards`` when
the manifest has per-shard entries) that differ do not refuse a comparison but are warned about:
a different GPU, driver, CUDA, torch, cuDNN setting or batch size can move numbers on its own.
"""

from __future__ import annotations

import json
from typing import Any

from reports.metricinfo import protocols_by_name

# Keys of an environment fingerprint that say nothing about the numbers.
ENV_IGNORED = frozenset({"memory_bytes", "hostname", "pid", "created", "updated", "git_commit", "shard"})


def _short(value: Any, width: int = 40) -> str:
    if value is None:
        return "–"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= width else text[: width - 1] + "…"


def protocol_difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    """The first keys where two protocols differ, as ``key A vs B``."""
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return ", ".join(f"{k} {_short(a.get(k))} vs {_short(b.get(k))}" for k in keys[:3]) + (
        " …" if len(keys) > 3 else ""
    )


def unpaired_reasons(ma: dict[str, Any], mb: dict[str, Any]) -> list[str]:
    """Why runs A and B are not paired (empty when they are)."""
    out = []
    sa, sb = ma.get("suite") or {}, mb.get("suite") or {}
    if sa.get("sha256") != sb.get("sha256"):
        out.append(
            f"different suites: A is {sa.get('name')} v{sa.get('version')} ({str(sa.get('sha256'))[:12]}), "
            f"B is {sb.get('name')} v{sb.get('version')} ({str(sb.get('sha256'))[:12]})"
        )
    if ma.get("seeds") != mb.get("seeds"):
        out.append(f"different seeds: A {_short(ma.get('seeds'))}, B {_short(mb.get('seeds'))}")
    pa, pb = protocols_by_name(ma), protocols_by_name(mb)
    for name in sorted(set(pa) & set(pb)):
        if pa[name] != pb[name]:
            out.append(f"metric {name} has different protocols: {protocol_difference(pa[name], pb[name])}")
    if not set(pa) & set(pb):
        out.append("no metric in common")
    return out


def _flatten(env: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in env.items():
        if k in ENV_IGNORED:
            continue
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def fingerprints(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every environment fingerprint of a run, flattened: the manifest's ``env`` and each shard's."""
    found = [manifest.get("env")]
    shards = manifest.get("shards")
    entries = shards.values() if isinstance(shards, dict) else shards if isinstance(shards, list) else []
    found += [s.get("env") for s in entries if isinstance(s, dict)]
    return [_flatten(e) for e in found if isinstance(e, dict) and e]


def _values(prints: list[dict[str, Any]], key: str) -> list[Any]:
    vals: list[Any] = []
    for p in prints:
        if key in p and p[key] not in vals:
            vals.append(p[key])
    return vals


def env_warnings(ma: dict[str, Any], mb: dict[str, Any]) -> list[str]:
    """One line per fingerprint key whose values differ between the runs, or between one run's shards."""
    fa, fb = fingerprints(ma), fingerprints(mb)
    out = []
    for run, prints in (("A", fa), ("B", fb)):
        mixed = sorted(k for k in {k for p in prints for k in p} if len(_values(prints, k)) > 1)
        if mixed:
            out.append(f"run {run}'s shards ran in different environments: {', '.join(mixed)}")
    keys = sorted({k for p in fa + fb for k in p})
    diffs = [
        f"{k} {' / '.join(map(_short, _values(fa, k))) or '–'} vs {' / '.join(map(_short, _values(fb, k))) or '–'}"
        for k in keys
        if _values(fa, k) != _values(fb, k)
    ]
    if diffs:
        out.append("environments differ (numbers may move for that alone): " + "; ".join(diffs))
    return out


def other_warnings(ma: dict[str, Any], mb: dict[str, Any]) -> list[str]:
    """Video size, unfinished runs, metrics only one run has."""
    out = []
    if (ma.get("video") or {}) != (mb.get("video") or {}):
        out.append(f"different video settings: A {_short(ma.get('video'), 80)}, B {_short(mb.get('video'), 80)}")
    for run, m in (("A", ma), ("B", mb)):
        if m.get("status") not in ("finished", "finished_with_failures"):
            out.append(f"run {run} is {m.get('status')!s}: units it has not finished are not compared")
    pa, pb = protocols_by_name(ma), protocols_by_name(mb)
    for run, only in (("A", sorted(set(pa) - set(pb))), ("B", sorted(set(pb) - set(pa)))):
        if only:
            out.append(f"only run {run} has {', '.join(only)} (not compared)")
    return out
