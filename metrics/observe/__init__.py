"""The observation layer: per frame and per expected object, what is where (tracks with
identities, boxes, colours, shape descriptors), global camera motion and occluders.

Backends: ``color`` (default, no weights), ``oracle`` (the generator's truth), ``owl``
(open-vocabulary detection for real video, weights from a local path).
"""

from __future__ import annotations

from typing import Any

from bench.errors import MetricError
from bench.registry import Registry
from metrics.observe.base import Backend, Camera, Observation, Region, Track

#: Observation backends by name; each entry builds a backend from keyword options.
BACKENDS: Registry[Any] = Registry("observation backend")


def _color(**kw: Any) -> Backend:
    from metrics.observe.color_backend import ColorBackend

    return ColorBackend(**kw)


def _oracle(**kw: Any) -> Backend:
    from metrics.observe.oracle import OracleBackend

    return OracleBackend(**kw)


BACKENDS.add("color", _color, description="colour keying by hue, no weights (default)")
BACKENDS.add("oracle", _oracle, description="the reference generator's ground truth (tests check logic)")


def get_backend(name: str, **options: Any) -> Backend:
    try:
        factory = BACKENDS.get(name)
    except KeyError as err:
        raise MetricError(str(err)) from None
    return factory(**options)


def observe(clip: Any, backend: str | Backend = "color") -> Observation:
    """The clip's observation from ``backend``, computed once per clip and backend."""
    be = get_backend(backend) if isinstance(backend, str) else backend
    key = f"observation:{be.name}"
    if key not in clip.cache:
        clip.cache[key] = be.observe(clip)
    return clip.cache[key]


__all__ = ["BACKENDS", "Backend", "Camera", "Observation", "Region", "Track", "get_backend", "observe"]
