"""The ``videomae`` backbone: VideoMAE features through transformers (the content-debiased FVD
backbone: self-supervised features see motion where I3D's action classes see content).

Weights: a folder with ``config.json`` (``model_type: videomae``) and ``model.safetensors``,
``path=`` or ``$T2V_VIDEOMAE_PATH`` or ``<cache>/videomae``; pinned like the ``owl`` weights
(``sha256=`` and/or ``SHA256SUMS``), loaded ``local_files_only``. Clips: ``config.num_frames``
frames (16) every ``stride``, bilinear resize to ``config.image_size`` (224²), values in [0, 1]
normalised by the folder's ``preprocessor_config.json`` mean/std (ImageNet's without one);
features: the mean of the last hidden states over all tokens.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from metrics.dist.backbones import Backbone, sample_frames
from metrics.weights import cache_dir, locate, verify
from t2vbase.errors import MetricError, WeightsError

ENV = "T2V_VIDEOMAE_PATH"
WEIGHTS = "model.safetensors"
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
HINT = (
    "copy a VideoMAE checkpoint's config.json and model.safetensors (e.g. MCG-NJU/videomae-base) there, "
    f"or pass --backbone videomae:path=DIR (or set ${ENV})"
)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise WeightsError(f"videomae: cannot read {path}: {err}") from None


def check_folder(folder: Path, source: str) -> dict[str, Any]:
    """The folder's config; a missing folder or file or a config of another model is one line."""
    missing = [n for n in ("config.json", WEIGHTS) if not (folder / n).is_file()]
    if not folder.is_dir() or missing:
        raise WeightsError(f"videomae: {folder} (from {source}) lacks {', '.join(missing) or 'everything'}; {HINT}")
    cfg = _read_json(folder / "config.json")
    if cfg.get("model_type") != "videomae":
        raise WeightsError(
            f"videomae: {folder / 'config.json'} has model_type {cfg.get('model_type')!r}, not 'videomae'"
        )
    return cfg


class VideoMAEBackbone(Backbone):
    """``videomae:path=DIR[,sha256=HEX,stride=1,batch=4]``."""

    name = "videomae"

    def __init__(self, path: str = "", sha256: str = "", stride: int = 1, batch: int = 4) -> None:
        super().__init__()
        self.folder, source = locate(path or None, ENV, cache_dir() / "videomae")
        cfg = check_folder(self.folder, source)
        self.sha256 = verify(self.folder, WEIGHTS, sha256 or None, "videomae").sha256
        self.frames, self.size = int(cfg.get("num_frames", 16)), int(cfg.get("image_size", 224))
        self.hidden, self.stride, self.batch = int(cfg.get("hidden_size", 768)), stride, batch
        pre = self.folder / "preprocessor_config.json"
        pcfg = _read_json(pre) if pre.is_file() else {}
        self.mean = tuple(pcfg.get("image_mean", IMAGENET_MEAN))
        self.std = tuple(pcfg.get("image_std", IMAGENET_STD))
        self._model: Any = None

    def protocol(self) -> dict[str, Any]:
        return {
            "backbone": "videomae",
            "weights_sha256": self.sha256,
            "dim": self.hidden,
            "frames": self.frames,
            "stride": self.stride,
            "resize": f"bilinear to {self.size}x{self.size}",
            "value_range": f"[0, 1], normalised by mean {list(self.mean)} std {list(self.std)}",
            "layer": "mean of the last hidden states",
        }

    def model(self) -> Any:
        if self._model is None:
            try:
                from transformers import VideoMAEModel
            except ImportError as err:
                raise MetricError(
                    f"videomae: needs the transformers package ({err}); pip install transformers"
                ) from None
            self._model = VideoMAEModel.from_pretrained(str(self.folder), local_files_only=True).eval()
        return self._model.to(self.device)

    def _features(self, clips: np.ndarray) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        x = torch.from_numpy(np.ascontiguousarray(sample_frames(clips, self.frames, self.stride)))
        B, T = x.shape[:2]
        x = x.to(self.device).permute(0, 1, 4, 2, 3).reshape(B * T, 3, *x.shape[2:4]).float() / 255.0
        x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False)
        mean = torch.tensor(self.mean, device=x.device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=x.device).view(1, 3, 1, 1)
        x = ((x - mean) / std).reshape(B, T, 3, self.size, self.size)
        with torch.no_grad():
            hidden = self.model()(pixel_values=x).last_hidden_state
        return hidden.mean(dim=1).double().cpu().numpy()
