"""Metrics: per-clip scores and checks, set-level distances, the observation layer.

``metrics`` may read ``prompts`` and load the embedded encoder from ``model``; it never imports
``reports`` or ``bench``. Importing it imports neither torch nor torchmetrics
(:mod:`metrics.torchmetric` has the torchmetrics classes).
"""

from metrics.base import Clip, ClipMetric, ClipResult, Event, Metric, SetMetric, param
from metrics.frechet import frechet_distance
from metrics.registry import METRICS, build_metric, register_metric, resolve_metrics

__all__ = [
    "METRICS",
    "Clip",
    "ClipMetric",
    "ClipResult",
    "Event",
    "Metric",
    "SetMetric",
    "build_metric",
    "frechet_distance",
    "param",
    "register_metric",
    "resolve_metrics",
]
