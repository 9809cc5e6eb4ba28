"""The ``i3d`` backbone: the Kinetics-400 I3D TorchScript that StyleGAN-V and most recent papers use
for FVD (``i3d_torchscript.pt``, 400-d logits-layer features), from a local file only.

The file is ``path=`` (the file, or a folder holding it), else ``$T2V_I3D_PATH``, else
``<cache>/i3d/i3d_torchscript.pt``. It is pinned by ``sha256=`` and/or a ``SHA256SUMS`` beside it
(:mod:`metrics.weights`); its digest is recorded either way. Clips go in as StyleGAN-V feeds them:
uint8 ``[B, C, T, H, W]``, ``rescale=True`` (the model maps [0, 255] to [-1, 1]), ``resize=True``
(the model resizes to 224²), ``return_features=True``; frames are the first ``frames`` frames
every ``stride`` (StyleGAN-V's FVD: 16 consecutive frames).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from metrics.dist.backbones import Backbone, sample_frames
from metrics.weights import cache_dir, locate, verify
from t2vbase.errors import WeightsError

FILE = "i3d_torchscript.pt"
ENV = "T2V_I3D_PATH"
HINT = (
    f"copy StyleGAN-V's Kinetics-400 I3D TorchScript ({FILE}, the file FVD code of StyleGAN-V and later "
    f"papers loads) there, or pass --backbone i3d:path=FILE (or set ${ENV}); pin it with sha256=HEX"
)
_LOADED: dict[tuple[str, str, str], Any] = {}


def default_file() -> Path:
    return cache_dir() / "i3d" / FILE


def find_file(path: str | None) -> tuple[Path, str]:
    """The TorchScript file and how it was chosen; a missing one is a one-line WeightsError."""
    where, source = locate(path, ENV, default_file())
    file = where / FILE if where.is_dir() else where
    if not file.is_file():
        raise WeightsError(f"i3d: no weights at {file} (from {source}); {HINT}")
    return file, source


class I3DBackbone(Backbone):
    """``i3d[:path=FILE,sha256=HEX,frames=16,stride=1,batch=8]``."""

    name = "i3d"

    def __init__(self, path: str = "", sha256: str = "", frames: int = 16, stride: int = 1, batch: int = 8) -> None:
        super().__init__()
        self.file, self.source = find_file(path or None)
        checked = verify(self.file.parent, self.file.name, sha256 or None, "i3d")
        self.sha256, self.pinned = checked.sha256, checked.pinned
        self.frames, self.stride, self.batch = frames, stride, batch

    def protocol(self) -> dict[str, Any]:
        return {
            "backbone": "i3d",
            "weights": FILE,
            "weights_sha256": self.sha256,
            "pinned": self.pinned,
            "dim": 400,
            "frames": self.frames,
            "stride": self.stride,
            "resize": "inside the TorchScript (resize=True): to 224x224",
            "value_range": "uint8 [0, 255]; the TorchScript rescales to [-1, 1] (rescale=True)",
            "layer": "return_features=True (400-d, before the softmax)",
        }

    def model(self) -> Any:
        import torch

        key = (str(self.file.resolve()), self.sha256, self.device)
        if key not in _LOADED:
            try:
                _LOADED[key] = torch.jit.load(str(self.file), map_location=self.device).eval()
            except RuntimeError as err:
                raise WeightsError(f"i3d: {self.file} is not a TorchScript file ({str(err).splitlines()[0]})") from None
        return _LOADED[key]

    def _features(self, clips: np.ndarray) -> np.ndarray:
        import torch

        x = torch.from_numpy(np.ascontiguousarray(sample_frames(clips, self.frames, self.stride)))
        x = x.permute(0, 4, 1, 2, 3).contiguous().to(self.device)  # [B, C, T, H, W] uint8
        with torch.no_grad():
            out = self.model()(x, rescale=True, resize=True, return_features=True)
        return out.double().cpu().numpy().reshape(len(clips), -1)
