"""What a report needs to know about each metric, read from the run itself.

The manifest records every metric's protocol, and since protocols carry ``higher_is_better`` and
``unit`` (``metrics.base.Metric.protocol``), the reports never import a metric class to learn
which way is better. Runs made before that fall back on what the rows show: a check's verdicts
(a share right: higher is better) and set-level ``dist.*`` distances (lower is better); anything
else has no known direction and is never called a regression or an improvement.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Kind = Literal["check", "score", "distance"]
CHECK_VERDICTS = ("pass", "fail", "n/a")


@dataclass(frozen=True)
class MetricInfo:
    """One metric as the reports see it.

    Attributes:
        name: ``family.name``.
        group: the metric family (``physics``, ``temporal``, ``align``, ``dist``): the part before the dot.
        kind: ``check`` (pass/fail verdicts), ``score`` (a value per clip) or ``distance`` (one
            value for the whole set: rows with prompt_id ``*``).
        higher_is_better: True, False, or None when unknown.
        unit: what the value is measured in ("" for a share or a pure number).
    """

    name: str
    group: str
    kind: Kind
    higher_is_better: bool | None
    unit: str

    @property
    def arrow(self) -> str:
        """``↑`` higher is better, ``↓`` lower is better, ``·`` unknown."""
        return {True: "↑", False: "↓"}.get(self.higher_is_better, "·")

    def worse(self, delta: float) -> bool:
        """Whether a change of ``delta`` (candidate − baseline) is for the worse."""
        if self.higher_is_better is None or delta == 0:
            return False
        return (delta < 0) if self.higher_is_better else (delta > 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def protocols_by_name(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The manifest's metric protocols keyed by metric name."""
    return {p["name"]: p for p in manifest.get("metrics") or [] if isinstance(p, dict) and "name" in p}


def _kind(rows: list[dict[str, Any]]) -> Kind:
    if any(r.get("prompt_id") == "*" for r in rows):
        return "distance"
    if any(r.get("verdict") in CHECK_VERDICTS for r in rows):
        return "check"
    return "score"


def metric_infos(manifest: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, MetricInfo]:
    """:class:`MetricInfo` of every metric in the manifest or the rows, sorted by name."""
    protocols = protocols_by_name(manifest)
    by_metric: dict[str, list[dict[str, Any]]] = {name: [] for name in protocols}
    for r in rows:
        by_metric.setdefault(r["metric"], []).append(r)
    out = {}
    for name in sorted(by_metric):
        proto = protocols.get(name, {})
        kind = _kind(by_metric[name])
        hib = proto.get("higher_is_better")
        if "higher_is_better" not in proto:
            hib = True if kind == "check" else False if kind == "distance" else None
        out[name] = MetricInfo(name, name.split(".", 1)[0], kind, hib, str(proto.get("unit") or ""))
    return out
