"""Per-frame feature vectors for ``temporal.feature_consistency``: the embedded encoder (default)
or CLIP's image tower from local weights.

A source maps a short video ``(n, H, W, 3)`` uint8 to ``(n, D)`` unit rows, one per frame, and
describes itself by :meth:`protocol` (the weights' sha256 included).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from t2vbase.errors import MetricError


class FrameFeatures(Protocol):
    name: str

    def __call__(self, video: np.ndarray) -> np.ndarray: ...

    def protocol(self) -> dict[str, Any]: ...


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


class EmbeddedFrames:
    """The embedded video–text encoder, frame by frame.

    With a ``frame_features(videos) -> (B, T, F)`` method the encoder's per-frame vectors come
    from one pass over the video (its sampler must keep all ``n`` frames: ``n`` equals its
    ``config.frames``); without one, each frame is encoded as a still clip
    (``encode_video(video[:, None])``: ``n`` passes of the video tower).
    """

    name = "embedded"

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder

    def __call__(self, video: np.ndarray) -> np.ndarray:
        import torch

        enc = self.encoder
        with torch.inference_mode():
            if hasattr(enc, "frame_features") and len(video) == enc.config.frames:
                return _unit(enc.frame_features(video[None])[0].float().cpu().numpy())
            return _unit(enc.encode_video(video[:, None]).float().cpu().numpy())

    @property
    def frames(self) -> int:
        return int(self.encoder.config.frames)

    def protocol(self) -> dict[str, Any]:
        path = "one pass (frame_features)" if hasattr(self.encoder, "frame_features") else "each frame as a still clip"
        return {"features": "embedded", "features_path": path, **self.encoder.protocol()}


class ClipFrames:
    """CLIP's image embedding of each frame (``metrics.align.clip``'s scorer)."""

    name = "clip"

    def __init__(self, scorer: Any) -> None:
        self.scorer = scorer

    def __call__(self, video: np.ndarray) -> np.ndarray:
        return _unit(self.scorer.image_features(video))

    def protocol(self) -> dict[str, Any]:
        return {"features": "clip", **self.scorer.protocol()}


def frame_features(spec: str, weights: str | None = None, device: str = "cpu") -> FrameFeatures:
    """``embedded`` (the committed encoder, or the weights file ``weights``) or ``clip`` (the
    CLIP folder ``weights``, else where ``align.clip`` looks)."""
    if spec == "embedded":
        from metrics.encoder import load_encoder

        return EmbeddedFrames(load_encoder(weights))
    if spec == "clip":
        from metrics.align.clip import load_clip_scorer

        return ClipFrames(load_clip_scorer(weights, device=device))
    raise MetricError(f"temporal.feature_consistency: features={spec!r} is not 'embedded' or 'clip'")
