"""Feature backbones of the distances: one interface, one registry, weights as data.

A backbone maps uint8 clips ``(B, T, H, W, 3)`` to ``(B, D)`` float64 features on the run's
device, and says in :meth:`Backbone.protocol` exactly what produced them (weights sha256, frames,
stride, resize, value range, D) — the parts that make published FVD numbers disagree when left
unsaid. Specs read like generator specs: ``name[:key=value,...]``.

| spec | what it is |
|---|---|
| ``tiny[:path=FILE,sha256=HEX]`` | the embedded video–text encoder (committed weights; default, offline) |
| ``i3d[:path=FILE,sha256=HEX]`` | Kinetics-400 I3D TorchScript of StyleGAN-V (``i3d_torchscript.pt``), 400-d |
| ``videomae:path=DIR[,sha256=HEX]`` | VideoMAE through transformers (content-debiased FVD) |

Every backbone loads its network on first use (building one hashes its weights file only), so a
metric's protocol is known before any torch import.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import partial
from typing import Any, ClassVar

import numpy as np

from t2vbase.errors import MetricError, UnknownNameError
from t2vbase.registry import Registry, build_with_options, parse_options

#: Backbone classes by name; each entry returns the class (imported on first use).
BACKBONES: Registry[Any] = Registry("backbone")


class Backbone(ABC):
    """uint8 ``(B, T, H, W, 3)`` clips -> ``(B, D)`` features (see the module docstring)."""

    name: ClassVar[str] = ""
    batch: int = 8

    def __init__(self) -> None:
        self.device = "cpu"

    @abstractmethod
    def protocol(self) -> dict[str, Any]:
        """``{backbone, weights_sha256, dim, frames, stride, resize, value_range, ...}``."""

    @abstractmethod
    def _features(self, clips: np.ndarray) -> np.ndarray:
        """One batch of uint8 ``(B, T, H, W, 3)`` clips -> ``(B, D)``."""

    @property
    def dim(self) -> int:
        return int(self.protocol()["dim"])

    def to(self, device: Any) -> Backbone:
        self.device = str(device)
        return self

    def __call__(self, clips: np.ndarray) -> np.ndarray:
        """Features of uint8 ``(B, T, H, W, 3)`` clips, ``self.batch`` at a time (float64)."""
        x = np.asarray(clips)
        if x.dtype != np.uint8 or x.ndim != 5 or x.shape[-1] != 3:
            raise ValueError(f"{self.name}: clips must be uint8 (B, T, H, W, 3), got {x.dtype} {x.shape}")
        parts = [self._features(x[i : i + self.batch]) for i in range(0, len(x), self.batch)]
        return np.concatenate(parts).astype(np.float64) if parts else np.zeros((0, self.dim))


def sample_frames(clips: np.ndarray, frames: int, stride: int) -> np.ndarray:
    """``frames`` frames every ``stride`` from the first; a short clip repeats its last frame (the
    protocol records frames and stride, so a padded clip is never silently another protocol)."""
    idx = np.minimum(np.arange(frames) * stride, clips.shape[1] - 1)
    return clips[:, idx]


def _tiny() -> type:
    from metrics.dist.tiny import TinyBackbone

    return TinyBackbone


def _i3d() -> type:
    from metrics.dist.i3d import I3DBackbone

    return I3DBackbone


def _videomae() -> type:
    from metrics.dist.videomae import VideoMAEBackbone

    return VideoMAEBackbone


BACKBONES.add("tiny", _tiny, description="the embedded video-text encoder (committed weights, offline default)")
BACKBONES.add("i3d", _i3d, description="Kinetics-400 I3D TorchScript (StyleGAN-V's i3d_torchscript.pt), 400-d")
BACKBONES.add("videomae", _videomae, description="VideoMAE via transformers from a local folder (content-debiased)")


def get_backbone(spec: str) -> Backbone:
    """Build the backbone a spec ``name[:key=value,...]`` names; bad names and options are one-line
    :class:`MetricError`s, missing or wrong weights :class:`WeightsError`s."""
    name, _, rest = spec.partition(":")
    context = f"backbone spec {spec!r}"
    try:
        cls = BACKBONES.get(name.strip())()
    except UnknownNameError as err:
        raise MetricError(f"{context}: {err}") from None
    return build_with_options(partial(cls), parse_options(rest, context, MetricError), context, MetricError)
