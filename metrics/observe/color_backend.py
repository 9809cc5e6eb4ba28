"""The ``color`` backend (default, no weights): colour keying, blobs, tracks, camera, occluders.

This module only declares the backend and its parameters (cheap to import: building a check's
protocol imports no OpenCV or SciPy pipeline); :mod:`metrics.observe.color_pipeline` observes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from metrics.base import param
from metrics.observe.base import Observation
from metrics.observe.occlusion import CutParams
from metrics.observe.params import (
    BlobParams,
    CameraParams,
    ExplainParams,
    KeyingParams,
    Params,
    SceneryParams,
    TrackingParams,
)


def group_info(prompt: Any, observable: Any) -> dict[str, dict[str, Any]]:
    """``expect.objects`` as plain dicts, with whether a backend can observe each one."""
    exp = prompt.expect
    out: dict[str, dict[str, Any]] = {}
    for o in exp.objects if exp else []:
        out[o.id] = {
            "noun": o.noun,
            "color": o.color,
            "shape": o.shape,
            "count": o.count,
            "observable": bool(observable(o)),
        }
    return out


@dataclass(frozen=True, kw_only=True)
class ColorBackend(Params):
    """Observes the objects of ``expect`` that have a colour.

    Every threshold is a parameter here (``min_area_frac``; the groups by dotted name in a spec,
    e.g. ``color:explain.hidden_in=0.5``), and its protocol records them all.
    """

    name: ClassVar[str] = "color"

    working_side: int = param(256, unit="pixels", doc="observes frames shrunk to at most this short side")
    min_area_frac: float = param(0.0006, unit="frame areas", doc="smallest blob (H.264 speckle is smaller)")
    keying: KeyingParams = param(KeyingParams(), doc="palette classes by hue and tolerance")
    blobs: BlobParams = param(BlobParams(), doc="connected regions and their descriptors")
    tracking: TrackingParams = param(TrackingParams(), doc="identities across frames")
    explain: ExplainParams = param(ExplainParams(), doc="why a track is unseen, how it appeared")
    camera: CameraParams = param(CameraParams(), doc="background motion")
    scenery: SceneryParams = param(SceneryParams(), doc="the static scene and its occluders")
    cut: CutParams = param(CutParams(), doc="occlusion read from an object's own geometry")

    def protocol(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            **super().protocol(),
            "camera_model": "LK + RANSAC similarity",
            "backend_units": self.units(),
        }

    def observe(self, clip: Any) -> Observation:
        from metrics.observe.color_pipeline import observe_colors

        return observe_colors(clip, self)
