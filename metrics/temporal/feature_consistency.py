"""``temporal.feature_consistency``: do the frames keep looking like the same scene and subject?"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from metrics.base import Clip, ClipMetric, ClipResult, param
from metrics.observe import Backend, Observation, get_backend, observe
from metrics.registry import register_metric
from metrics.temporal.frame_features import EmbeddedFrames, FrameFeatures, embedded_protocol, frame_features

CROP_SIDE = 64  # pixels a subject crop is resized to
MARGIN = 0.1  # a crop's box grows by this fraction of its size on each side


def consistency(feats: np.ndarray) -> dict[str, float]:
    """``(n, D)`` unit rows -> mean cosine of each frame with the previous one (``adjacent``) and
    with the first (``to_first``), and their mean (``value``)."""
    adjacent = float(np.mean(np.sum(feats[1:] * feats[:-1], -1)))
    to_first = float(np.mean(feats[1:] @ feats[0]))
    return {"value": (adjacent + to_first) / 2, "adjacent": adjacent, "to_first": to_first}


def sample(n: int, most: int) -> np.ndarray:
    """``min(n, most)`` frame indices spread evenly over ``n``."""
    return np.unique(np.round(np.linspace(0, n - 1, min(n, most))).astype(int))


def _box(box: np.ndarray, H: int, W: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    mx, my = MARGIN * (x1 - x0) + 2, MARGIN * (y1 - y0) + 2
    return max(int(x0 - mx), 0), max(int(y0 - my), 0), min(int(np.ceil(x1 + mx)), W), min(int(np.ceil(y1 + my)), H)


def subject_videos(frames: np.ndarray, idx: np.ndarray, obs: Observation) -> dict[str, np.ndarray]:
    """Per track seen whole in at least two sampled frames: its crops there, ``(k, 64, 64, 3)``."""
    import cv2

    H, W = frames.shape[1:3]
    out = {}
    for tr in obs.tracks:
        seen = [t for t in idx if tr.full()[t] and np.isfinite(tr.box[t]).all()]
        if len(seen) < 2:
            continue
        crops = []
        for t in seen:
            x0, y0, x1, y1 = _box(tr.box[t], H, W)
            crops.append(cv2.resize(frames[t, y0:y1, x0:x1], (CROP_SIDE, CROP_SIDE), interpolation=cv2.INTER_AREA))
        out[tr.id] = np.stack(crops)
    return out


def background_video(frames: np.ndarray, idx: np.ndarray, obs: Observation) -> np.ndarray | None:
    """The sampled frames with every track's box filled by the mean colour around it (None when
    nothing is tracked)."""
    H, W = frames.shape[1:3]
    out = frames[idx].copy()
    found = False
    for i, t in enumerate(idx):
        mask = np.zeros((H, W), bool)
        for tr in obs.tracks:
            if tr.visible[t] and np.isfinite(tr.box[t]).all():
                x0, y0, x1, y1 = _box(tr.box[t], H, W)
                mask[y0:y1, x0:x1] = True
        if mask.any() and not mask.all():
            out[i][mask] = out[i][~mask].mean(0).astype(np.uint8)
            found = True
    return out if found else None


@register_metric
@dataclass(kw_only=True)
class FeatureConsistency(ClipMetric):
    """Feature consistency over time, a cosine similarity in [-1, 1] (1 for a frozen clip; higher
    is more consistent).

    Up to ``max_frames`` frames spread evenly over the clip are embedded one by one (the embedded
    encoder by default, or CLIP's image tower from local weights: ``features=clip``); the value
    is the mean of each frame's cosine with the previous sampled frame (``detail.adjacent``) and
    with the first (``detail.to_first``). With ``regions`` (default) and an observation of the
    clip's objects (the run's ``--backend``), ``detail.subject`` scores each tracked object's crops
    the same way (mean over objects) and ``detail.background`` the frames with the objects' boxes
    filled in. The embedded encoder keeps the layout of the frame, so whole-frame consistency also
    falls as a subject travels; the subject and background values separate appearance from
    place. A clip that barely moves is consistent for free: read it beside
    ``temporal.dynamic_degree``.

    Input: ``(T, H, W, 3)`` uint8 clips. Output: one float per clip.
    """

    name: ClassVar[str] = "temporal.feature_consistency"
    version: ClassVar[str] = "1"
    higher_is_better: ClassVar[bool | None] = True
    description: ClassVar[str] = "cosine of frame features with the previous and the first frame (1 = no change)"

    features: str = param("embedded", doc="embedded (the bundled encoder) or clip (local CLIP weights)")
    max_frames: int = param(8, unit="frames", doc="frames embedded, spread evenly over the clip")
    regions: bool = param(True, doc="also subject crops and background, from the observation's boxes")
    weights: str | None = param(None, protocol=False, doc="encoder weights file or CLIP folder (else the defaults)")
    backend: str | Backend = param("color", protocol=False)
    device: str = param("cpu", protocol=False)
    source: FrameFeatures | None = param(None, protocol=False, doc="a feature source object (tests)")
    _source: FrameFeatures | None = field(
        default=None, init=False, repr=False, compare=False, metadata={"protocol": False}
    )

    @property
    def extractor(self) -> FrameFeatures:
        if self._source is None:
            self._source = self.source or frame_features(self.features, self.weights, self.device)
        return self._source

    @property
    def uses_device(self) -> bool:
        return self.features == "clip"

    def to(self, device: Any) -> FeatureConsistency:
        self.device = str(device)
        return self

    def protocol(self) -> dict[str, Any]:
        embedded = self.features == "embedded" and self.source is None
        out = {
            **super().protocol(),
            "encoder": embedded_protocol(self.weights) if embedded else self.extractor.protocol(),
        }
        if self.regions:
            be = get_backend(self.backend) if isinstance(self.backend, str) else self.backend
            out["observation"] = be.protocol()
        return out

    def _frames(self) -> int:
        src = self.extractor
        return min(self.max_frames, src.frames) if isinstance(src, EmbeddedFrames) else self.max_frames

    def score(self, clip: Clip) -> ClipResult:
        if clip.num_frames < 2:
            return ClipResult(value=1.0)
        idx = sample(clip.num_frames, self._frames())
        whole = consistency(self.extractor(clip.frames[idx]))
        detail: dict[str, Any] = {k: round(v, 6) for k, v in whole.items() if k != "value"}
        detail["frames"] = idx.tolist()
        if self.regions and clip.prompt.expect is not None and clip.prompt.expect.objects:
            detail.update(self._regions(clip, idx))
        return ClipResult(value=round(whole["value"], 6), detail=detail)

    def _regions(self, clip: Clip, idx: np.ndarray) -> dict[str, Any]:
        obs = observe(clip, self.backend)
        out: dict[str, Any] = {}
        subjects = {k: consistency(self.extractor(v)) for k, v in subject_videos(clip.frames, idx, obs).items()}
        if subjects:
            out["subject"] = round(float(np.mean([s["value"] for s in subjects.values()])), 6)
            out["subjects"] = {k: round(s["value"], 6) for k, s in subjects.items()}
        bg = background_video(clip.frames, idx, obs)
        if bg is not None:
            out["background"] = round(consistency(self.extractor(bg))["value"], 6)
        return out
