"""The observation layer: per frame and per expected object, what is where (tracks with
identities, boxes, colours, shape descriptors), global camera motion and occluders.

Backends: ``color`` (default, no weights), ``oracle`` (the generator's truth), ``owl``
(open-vocabulary detection for real video, weights from a local path). A backend is named by a
spec string ``name[:key=value,...]``, e.g. ``owl:path=/models/owlv2,threshold=0.3``.
"""

from __future__ import annotations

import inspect
import json
from functools import partial
from typing import Any

from metrics.observe.base import Backend, Camera, Observation, Region, Track
from t2vbase.errors import MetricError, UnknownNameError
from t2vbase.registry import Registry, build_with_options, parse_options

#: Observation backends by name; each entry returns the backend class (imported on first use,
#: so ``metrics`` imports without the ``owl`` backend's optional dependencies).
BACKENDS: Registry[Any] = Registry("observation backend")


def _color() -> type:
    from metrics.observe.color_backend import ColorBackend

    return ColorBackend


def _oracle() -> type:
    from metrics.observe.oracle import OracleBackend

    return OracleBackend


def _owl() -> type:
    from metrics.observe.owl import OwlBackend

    return OwlBackend


BACKENDS.add("color", _color, description="colour keying by hue, no weights (default)")
BACKENDS.add("oracle", _oracle, description="the reference generator's ground truth (tests check logic)")
BACKENDS.add("owl", _owl, description="open-vocabulary detection (OWLv2 / OWL-ViT) from local weights")


def get_backend(spec: str, **options: Any) -> Backend:
    """Build the backend a spec string ``name[:key=value,...]`` names (string options converted by
    the backend's annotations); keyword ``options`` are passed too (a key given both ways is an error).
    """
    name, _, rest = spec.partition(":")
    context = f"backend spec {spec!r}"
    try:
        cls = BACKENDS.get(name.strip())()
    except UnknownNameError as err:
        raise MetricError(f"{context}: {err}") from None
    parsed = parse_options(rest, context, MetricError)
    if twice := sorted(set(parsed) & set(options)):
        raise MetricError(f"{context}: option {twice[0]!r} given twice")
    options = {**options, **_groups(cls, {k: v for k, v in parsed.items() if "." in k}, context)}
    parsed = {k: v for k, v in parsed.items() if "." not in k}
    return build_with_options(partial(cls, **options), parsed, context, MetricError)


def _groups(cls: Any, dotted: dict[str, str], context: str) -> dict[str, Any]:
    """Options ``group.name=value`` as parameter groups (``explain.hidden_in=0.5`` -> ``explain``
    with that one value changed), converted by the group's annotations."""
    if not dotted:
        return {}
    import dataclasses

    from t2vbase.registry import did_you_mean

    defaults = {f.name: f.default for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
    groups = [n for n, v in defaults.items() if dataclasses.is_dataclass(v)]
    out: dict[str, Any] = {}
    for group in sorted({k.split(".", 1)[0] for k in dotted}):
        if group not in groups:
            raise MetricError(f"{context}: " + did_you_mean(group, groups, "parameter group"))
        given = {k.split(".", 1)[1]: v for k, v in dotted.items() if k.split(".", 1)[0] == group}
        base = defaults[group]
        factory = partial(dataclasses.replace, base)
        factory.__signature__ = inspect.signature(type(base))  # type: ignore[attr-defined]
        out[group] = build_with_options(factory, given, f"{context}: {group}", MetricError)
    return out


def observe(clip: Any, backend: str | Backend = "color") -> Observation:
    """The clip's observation from ``backend``, computed once per clip and backend protocol."""
    be = get_backend(backend) if isinstance(backend, str) else backend
    key = "observation:" + json.dumps(be.protocol(), sort_keys=True, default=str)
    if key not in clip.cache:
        clip.cache[key] = be.observe(clip)
    return clip.cache[key]


__all__ = ["BACKENDS", "Backend", "Camera", "Observation", "Region", "Track", "get_backend", "observe"]
