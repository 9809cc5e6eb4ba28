"""Metric registry and ``--metrics all|none|a,b`` selection."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from bench.errors import MetricError, UnknownNameError
from bench.registry import Registry
from metrics.base import ClipMetric, SetMetric

#: Metric classes by ``family.name``.
METRICS: Registry[type[ClipMetric] | type[SetMetric]] = Registry("metric")


def register_metric(cls: type[Any]) -> type[Any]:
    """Class decorator: register a metric under its ``name``."""
    if not cls.name or "." not in cls.name:
        raise ValueError(f"{cls.__name__}.name must be 'family.name', got {cls.name!r}")
    return METRICS.add(cls.name, cls, description=cls.description)


#: Modules whose metrics register on import.
BUILTIN_MODULES = (
    "metrics.temporal.flicker",
    "metrics.physics.permanence",
    "metrics.physics.count",
    "metrics.physics.spatial",
    "metrics.physics.direction",
    "metrics.physics.camera",
    "metrics.physics.shape",
    "metrics.physics.causal",
    "metrics.physics.kinematics",
)


def _load_builtin() -> None:
    for module in BUILTIN_MODULES:
        importlib.import_module(module)


def resolve_metrics(selection: str) -> list[str]:
    """``all`` | ``none`` | comma-separated names or ``family.*`` wildcards -> metric names."""
    _load_builtin()
    text = selection.strip()
    if text in ("", "none"):
        return []
    if text == "all":
        return METRICS.names()
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.endswith(".*"):
            found = [n for n in METRICS.names() if n.startswith(part[:-1])]
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
    return out


def build_metric(name: str, **kwargs: Any) -> ClipMetric | SetMetric:
    """Instantiate a registered metric."""
    _load_builtin()
    try:
        cls = METRICS.get(name)
    except UnknownNameError as err:
        raise MetricError(str(err)) from None
    return cls(**kwargs)


def takes_option(cls: type[Any], option: str) -> bool:
    """Whether some constructor along ``cls``'s MRO accepts the keyword ``option``."""
    return any(option in inspect.signature(k.__init__).parameters for k in cls.__mro__ if "__init__" in vars(k))


def build_metrics(names: list[str], backend: str = "color") -> list[ClipMetric | SetMetric]:
    """Instantiate registered metrics; those that observe clips (physics checks: a ``backend``
    argument) observe through the backend spec ``backend``."""
    _load_builtin()
    out = []
    for name in names:
        kwargs = {"backend": backend} if name in METRICS and takes_option(METRICS.get(name), "backend") else {}
        out.append(build_metric(name, **kwargs))
    return out
