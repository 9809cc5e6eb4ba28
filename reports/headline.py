"""The answer a report opens with: each metric family's score with its 95% CI, the checks' pass
rates, the distances with their floor; the worst prompt families; what the run cost.

Temporal scores are listed consistency first, then dynamics: a clip that barely moves is
perfectly consistent, so a consistency score is read beside ``temporal.dynamic_degree``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.metricinfo import MetricInfo

GROUP_ORDER = ("physics", "temporal", "align", "dist")
DYNAMICS = "temporal.dynamic_degree"
CONSISTENCY_HINTS = ("consistency", "warp_error", "flicker", "smoothness")


@dataclass
class HeadRow:
    """One line of the headline table."""

    group: str
    label: str
    kind: str  # pooled | check | score | distance
    value: float | None
    ci: list[float] | None
    n: int | None
    arrow: str = "·"
    unit: str = ""
    note: str = ""
    floor: float | None = None
    floor_ci: list[float] | None = None
    warning: str | None = None
    error: str | None = None

    @property
    def measure(self) -> str:
        """What ``value`` is: a pass rate, a mean (with its unit), a distance."""
        if self.kind in ("check", "pooled"):
            return "pass rate"
        return f"{'mean' if self.kind == 'score' else 'distance'}{' (' + self.unit + ')' if self.unit else ''}"


def is_consistency(name: str) -> bool:
    return name.startswith("temporal.") and any(h in name for h in CONSISTENCY_HINTS)


def metric_order(infos: dict[str, MetricInfo]) -> list[MetricInfo]:
    """Metrics by family (physics, temporal, align, dist, then others); in temporal, consistency
    scores first and dynamic degree right after them."""

    def key(i: MetricInfo) -> tuple[int, int, str]:
        g = GROUP_ORDER.index(i.group) if i.group in GROUP_ORDER else len(GROUP_ORDER)
        t = 0 if is_consistency(i.name) else 1 if i.name == DYNAMICS else 2
        return g, t, i.name

    return sorted(infos.values(), key=key)


def floor_note(value: float | None, floor: float | None, floor_ci: list[float] | None) -> str:
    """Where a distance stands against its floor: within or above the floor's CI (a run as good
    as the reference sits within), and the ratio only where the floor is surely above 0 (KVD's
    unbiased floor is about 0 and can be negative: a ratio to it means nothing)."""
    if value is None or floor is None:
        return ""
    low, high = floor_ci if floor_ci and len(floor_ci) == 2 else (floor, floor)
    where = "within its floor's CI" if value <= high else "above its floor's CI"
    return f"{value / floor:.1f}× its floor, {where}" if low > 0 else where


def _row(info: MetricInfo, summary: dict[str, Any]) -> HeadRow | None:
    if info.kind == "distance":
        s = summary.get("set", {}).get(info.name)
        if s is None:
            return None
        value, floor = s.get("value"), s.get("floor")
        note = floor_note(value, floor, s.get("floor_ci95"))
        return HeadRow(
            info.group,
            info.name,
            "distance",
            value,
            s.get("ci95"),
            s.get("n"),
            info.arrow,
            info.unit,
            note,
            floor=floor,
            floor_ci=s.get("floor_ci95"),
            warning=s.get("warning"),
            error=s.get("error"),
        )
    b = summary.get("metrics", {}).get(info.name)
    if b is None:
        return None
    if info.kind == "check":
        note = f"{b['n_na']} n/a" if b.get("n_na") else ""
        n_err = b.get("n_error") or 0
        note += f"{', ' if note else ''}{n_err} errors" if n_err else ""
        return HeadRow(
            info.group,
            info.name,
            "check",
            b.get("pass_rate"),
            b.get("pass_rate_ci95"),
            b["n_pass"] + b["n_fail"],
            info.arrow,
            "",
            note,
        )
    note = "read beside the consistency scores above" if info.name == DYNAMICS else ""
    return HeadRow(
        info.group, info.name, "score", b.get("mean"), b.get("ci95"), b.get("n"), info.arrow, info.unit, note
    )


def headline(summary: dict[str, Any], infos: dict[str, MetricInfo]) -> list[HeadRow]:
    """Rows of the headline table; each family with checks opens with their pooled pass rate."""
    out: list[HeadRow] = []
    groups = (summary.get("pooled") or {}).get("groups", {})
    seen: set[str] = set()
    for info in metric_order(infos):
        if info.group not in seen:
            seen.add(info.group)
            g = groups.get(info.group)
            if g and g.get("pass_rate") is not None:
                note = f"{g['n_units']} clips, {g['n_pass'] + g['n_fail']} verdicts"
                out.append(
                    HeadRow(
                        info.group,
                        f"{info.group}: all checks",
                        "pooled",
                        g["pass_rate"],
                        g["pass_rate_ci95"],
                        g["n_pass"] + g["n_fail"],
                        "↑",
                        "",
                        note,
                    )
                )
        row = _row(info, summary)
        if row is not None:
            out.append(row)
    return out


def worst_families(summary: dict[str, Any], k: int = 3) -> list[tuple[str, dict[str, Any]]]:
    """The ``k`` prompt families with the lowest pooled pass rate (ties by name)."""
    fams = (summary.get("pooled") or {}).get("families", {})
    rated = [(f, b) for f, b in fams.items() if b.get("pass_rate") is not None]
    return sorted(rated, key=lambda fb: (fb[1]["pass_rate"], fb[0]))[:k]


def cost(profile: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """What the run cost: seconds of compute per second of generated video, clips/s, peaks."""
    thr = profile.get("throughput") or {}
    video = manifest.get("video") or {}
    stages = profile.get("stages") or {}
    units, busy = thr.get("units_timed") or 0, thr.get("unit_wall_s")
    frames, fps = video.get("num_frames"), video.get("fps")
    video_s = units * frames / fps if units and frames and fps else None
    rss = [s.get("peak_rss_bytes") for s in stages.values()] + [(profile.get("invocation") or {}).get("peak_rss_bytes")]
    gpu = [s.get("peak_allocated_bytes") for s in stages.values()]
    return {
        "video_s": video_s,
        "compute_per_video_s": busy / video_s if video_s and busy is not None else None,
        "clips_per_s": thr.get("clips_per_s"),
        "peak_rss_bytes": max((v for v in rss if v is not None), default=None),
        "peak_gpu_bytes": max((v for v in gpu if v is not None), default=None),
        "wall_s": (profile.get("invocation") or {}).get("wall_s"),
    }
