"""The set-level distances ``dist.fvd``, ``dist.kvd`` and ``dist.motion`` (rows with prompt_id ``*``).

Each saves one feature vector per clip (float64, ``features/<metric>/<prompt>/<seed>.npy``: shards
merge by pooling these files, never by averaging distances) and, after all units, compares the
run's N vectors with the reference set's two halves (:mod:`metrics.dist.estimate`): value, its
bootstrap 95% CI, the floor and its CI, N, the feature dimension, a warning when N is below it,
and the protocol (backbone, weights sha256, frames, stride, resize, value range, N, reference).
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from metrics.base import Clip, ClipResult, SetMetric, param
from metrics.dist.estimate import PairDistance, estimate, frechet_pair, mmd_pair
from metrics.dist.motion import DIM as MOTION_DIM
from metrics.dist.motion import motion_features
from metrics.registry import register_metric

DEFAULT_REFERENCE = "reference:profile=clean"


@dataclass
class ReferenceHalves:
    """The reference set's features in two disjoint halves, and what it is (spec, seeds, N,
    cache key) for the row's protocol."""

    a: np.ndarray
    b: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)
    #: each row's prompt in (run, A, B) when the halves render the run's prompts, else None
    groups: tuple[list[str], list[str], list[str]] | None = None


@dataclass(kw_only=True)
class Distance(SetMetric):
    """A distance to the reference set (see the module docstring)."""

    needs_reference: ClassVar[bool] = True
    in_all: ClassVar[bool] = False
    higher_is_better: ClassVar[bool | None] = False
    #: the least value the estimate takes (MMD² estimates can dip below 0)
    low: ClassVar[float] = 0.0
    rank_note: ClassVar[str] = ""

    reference: str = param(DEFAULT_REFERENCE, doc="what the clips are compared with: a generator spec or folder:PATH")
    n_boot: int = param(200, doc="bootstrap resamples of each 95% CI")

    @abstractmethod
    def pair(self, x: np.ndarray, y: np.ndarray, gx: Any = None, gy: Any = None) -> PairDistance:
        """The distance between weighted rows of two feature sets whose rows belong to groups
        (prompts) ``gx``, ``gy`` (:mod:`metrics.dist.estimate`)."""

    @abstractmethod
    def feature_protocol(self) -> dict[str, Any]:
        """What the per-clip features depend on (the reference cache is keyed by it)."""

    def estimator(self) -> dict[str, Any]:
        """How the distance is computed from the features, beyond the name (a kernel)."""
        return {}

    def compute_set(self, features: np.ndarray, reference: ReferenceHalves | None = None) -> ClipResult:
        """The distance of ``(N, D)`` run features to the reference halves."""
        if reference is None:
            raise ValueError(f"{self.name} needs reference features (the harness passes them)")
        x = np.asarray(features, np.float64)
        est = estimate(
            x, reference.a, reference.b, self.pair, n_boot=self.n_boot, low=self.low, groups=reference.groups
        )
        dim = x.shape[1]
        detail = est.detail() | {"dim": dim, "warning": self.warning(est.n, dim, len(reference.a), len(reference.b))}
        detail["protocol"] = {**self.feature_protocol(), **self.estimator(), "n": est.n, "reference": reference.info}
        return ClipResult(value=est.value, detail=detail)

    def warning(self, n: int, dim: int, na: int, nb: int) -> str | None:
        out = []
        if n < dim:
            out.append(f"N = {n} clips is below the feature dimension {dim}: {self.rank_note}")
        if min(na, nb) != n:
            out.append(f"the reference halves hold {na} and {nb} clips, not N = {n}: the floor is at another N")
        return "; ".join(out) or None


@dataclass(kw_only=True)
class BackboneDistance(Distance):
    """A distance between features of a network backbone (:mod:`metrics.dist.backbones`)."""

    backbone: str = param("tiny", doc="feature backbone spec: tiny | i3d[:path=FILE,...] | videomae:path=DIR")
    batch: int = param(16, doc="clips per backbone call", protocol=False)

    def __post_init__(self) -> None:
        from metrics.dist.backbones import get_backbone

        self._net = get_backbone(self.backbone)
        self._net.batch = self.batch

    def protocol(self) -> dict[str, Any]:
        return {**super().protocol(), "features": self.feature_protocol(), **self.estimator()}

    def feature_protocol(self) -> dict[str, Any]:
        return {"backbone_spec": self.backbone, **self._net.protocol()}

    @property
    def uses_device(self) -> bool:
        return True

    def to(self, device: Any) -> BackboneDistance:
        self._net.to(device)
        return self

    def features(self, clip: Clip) -> np.ndarray:
        key = f"backbone:{self.backbone}"  # dist.fvd and dist.kvd share one pass per clip
        if key not in clip.cache:
            clip.cache[key] = self._net(clip.frames[None])[0]
        return clip.cache[key]

    def features_batch(self, clips: np.ndarray) -> np.ndarray:
        """``(B, D)`` features of uint8 ``(B, T, H, W, 3)`` clips (the reference set is batched)."""
        return self._net(clips)


@register_metric
@dataclass(kw_only=True)
class FVD(BackboneDistance):
    """Fréchet distance between Gaussians fitted to the backbone features of the run and of the
    reference (eigh-based, float64; FVD with ``backbone=i3d``)."""

    name: ClassVar[str] = "dist.fvd"
    description: ClassVar[str] = "Fréchet video distance to the reference set (backbone features; tiny by default)"
    rank_note: ClassVar[str] = (
        "the covariance is rank-deficient, FVD is biased upward and comparable only at the same N (see dist.kvd)"
    )

    def pair(self, x: np.ndarray, y: np.ndarray, gx: Any = None, gy: Any = None) -> PairDistance:
        return frechet_pair(x, y)


@register_metric
@dataclass(kw_only=True)
class KVD(BackboneDistance):
    """Unbiased polynomial-kernel MMD² (KID's estimator) between the backbone features of the run
    and of the reference: usable at small N, where FVD's covariance is rank-deficient."""

    name: ClassVar[str] = "dist.kvd"
    description: ClassVar[str] = "kernel video distance (unbiased polynomial MMD², KID-style) to the reference set"
    low: ClassVar[float] = -np.inf
    rank_note: ClassVar[str] = "the kernel estimate stays unbiased, but its CI is wide; compare runs at the same N"

    def unit_vectors(self) -> bool:
        return bool(self._net.protocol().get("unit_vectors"))

    def estimator(self) -> dict[str, Any]:
        gamma = "1 (unit vectors)" if self.unit_vectors() else "1/D (KID)"
        return {"kernel": f"(gamma x.y + 1)^3, gamma = {gamma}"}

    def pair(self, x: np.ndarray, y: np.ndarray, gx: Any = None, gy: Any = None) -> PairDistance:
        return mmd_pair(x, y, gx, gy, gamma=1.0 if self.unit_vectors() else None)


@register_metric
@dataclass(kw_only=True)
class MotionDistance(Distance):
    """Fréchet distance between per-clip motion statistics (DIS optical flow histograms of speed,
    direction and their change over time; :mod:`metrics.dist.motion`): no weights, and sensitive
    to what appearance features miss — frozen, reversed or sped-up motion."""

    name: ClassVar[str] = "dist.motion"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "Fréchet distance of optical-flow motion statistics to the reference set (no weights)"
    rank_note: ClassVar[str] = "the covariance is rank-deficient; compare runs at the same N"

    short_side: int = param(64, unit="px", doc="working size: flow is computed with the shorter side at most this")
    min_speed: float = param(0.06, unit="frame sizes/s", doc="a pixel faster than this moves")

    def feature_protocol(self) -> dict[str, Any]:
        return {
            "backbone": "motion",
            "weights_sha256": None,
            "dim": MOTION_DIM,
            "frames": "all",
            "stride": 1,
            "resize": f"area to shorter side {self.short_side} px, luma (BT.601), local contrast sign (5x5, ±2)",
            "value_range": "uint8 luma; flow in frame sizes per second",
            "flow": "OpenCV DIS, PRESET_FAST",
            "min_speed": self.min_speed,
        }

    def features(self, clip: Clip) -> np.ndarray:
        import cv2

        small = clip.working(self.short_side)
        gray = np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in small])
        return motion_features(gray, clip.fps, self.min_speed)

    def pair(self, x: np.ndarray, y: np.ndarray, gx: Any = None, gy: Any = None) -> PairDistance:
        return frechet_pair(x, y)
