"""Metric registry and ``--metrics all|none|a,b|pattern`` selection."""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

from metrics.base import Metric
from t2vbase.errors import MetricError, UnknownNameError
from t2vbase.registry import Registry

#: Metric classes by ``family.name``.
METRICS: Registry[type[Metric]] = Registry("metric")


def register_metric(cls: type[Any]) -> type[Any]:
    """Class decorator: register a metric under its ``name``."""
    if not cls.name or "." not in cls.name:
        raise ValueError(f"{cls.__name__}.name must be 'family.name', got {cls.name!r}")
    return METRICS.add(cls.name, cls, description=cls.description)


#: Modules whose metrics register on import.
BUILTIN_MODULES = (
    "metrics.temporal.flicker",
    "metrics.temporal.warp_error",
    "metrics.temporal.smoothness",
    "metrics.temporal.dynamic_degree",
    "metrics.temporal.feature_consistency",
    "metrics.align.clip",
    "metrics.physics.permanence",
    "metrics.physics.count",
    "metrics.physics.spatial",
    "metrics.physics.direction",
    "metrics.physics.camera",
    "metrics.physics.shape",
    "metrics.physics.causal",
    "metrics.physics.kinematics",
    "metrics.align.video_text",
    "metrics.align.mirror_gap",
    "metrics.dist.distances",
)


def _load_builtin() -> None:
    for module in BUILTIN_MODULES:
        importlib.import_module(module)


def resolve_metrics(selection: str) -> list[str]:
    """``all`` | ``none`` | comma-separated names or shell-style patterns (``physics.*``,
    ``*flicker*``, via ``fnmatch``) -> metric names, in the order given, without repeats.

    ``all`` is every metric whose class says ``in_all``: not a set-level distance (it renders and
    scores a reference set, so it runs only when named: ``dist.*``), nor a metric whose weights are
    not bundled (``align.clip``)."""
    _load_builtin()
    text = selection.strip()
    if text == "none":
        return []
    if text == "all":
        return [n for n in METRICS.names() if getattr(METRICS.get(n), "in_all", True)]
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if any(c in part for c in "*?["):
            found = METRICS.match(part)
            if not found:
                raise MetricError(f"--metrics: no metric matches {part!r} (known: {', '.join(METRICS.names())})")
            out += [n for n in found if n not in out]
            continue
        try:
            METRICS.get(part)
        except UnknownNameError as err:
            raise MetricError(f"--metrics: {err}") from None
        if part not in out:
            out.append(part)
    if not out:
        raise MetricError(f"--metrics {selection!r}: names no metric (use 'none' to only generate clips)")
    return out


def build_metric(name: str, **kwargs: Any) -> Metric:
    """Instantiate a registered metric; options it does not take are a one-line error."""
    _load_builtin()
    try:
        cls = METRICS.get(name)
    except UnknownNameError as err:
        raise MetricError(str(err)) from None
    try:
        return cls(**kwargs)
    except TypeError as err:
        raise MetricError(f"metric {name}: {err}") from None


def takes_option(cls: type[Any], option: str) -> bool:
    """Whether the metric has a parameter called ``option``."""
    return any(f.name == option and f.init for f in dataclasses.fields(cls))


def build_metrics(names: list[str], backend: str = "color", **options: Any) -> list[Metric]:
    """Instantiate registered metrics; those that observe clips (physics checks: a ``backend``
    parameter) observe through the backend spec ``backend``; every other option (``reference``,
    ``backbone`` of the ``dist.*`` distances) goes to the metrics that take it (None: their default)."""
    _load_builtin()
    out = []
    given = {"backend": backend, **{k: v for k, v in options.items() if v is not None}}
    for name in names:
        cls = METRICS.get(name)
        out.append(build_metric(name, **{k: v for k, v in given.items() if takes_option(cls, k)}))
    return out
