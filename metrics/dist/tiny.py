"""The ``tiny`` backbone: the embedded video–text encoder's video tower (:mod:`metrics.encoder`).

Its features compare runs within the synthetic reference world (it was trained there); numbers
comparable with papers need ``i3d``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from metrics.dist.backbones import Backbone


class TinyBackbone(Backbone):
    """``tiny[:path=FILE,sha256=HEX]``: the committed encoder weights, or the file at ``path``.

    ``model``: an already built encoder (tests pass a randomly initialised one).
    """

    name = "tiny"

    def __init__(self, path: str = "", sha256: str = "", batch: int = 16, model: Any = None) -> None:
        super().__init__()
        self.path, self.sha256, self.batch = path or None, sha256 or None, batch
        self._model = model

    def model(self) -> Any:
        if self._model is None:
            from metrics.encoder import load_encoder

            self._model = load_encoder(self.path, self.sha256)
        return self._model

    def protocol(self) -> dict[str, Any]:
        p = self.model().protocol()
        return {
            "backbone": "tiny",
            "weights_sha256": p.get("weights_sha256"),
            "dim": p.get("dim"),
            "frames": p.get("frames"),
            "stride": p.get("sampling"),
            "resize": f"{p.get('resize')}; {p.get('size')}",
            "value_range": p.get("value_range"),
            "layer": "video tower, L2-normalised joint embedding",
            "unit_vectors": True,
        }

    def _features(self, clips: np.ndarray) -> np.ndarray:
        import torch

        model = self.model()
        if str(model.device) != self.device:
            model.to(self.device)
        x = clips if clips.flags.writeable else clips.copy()  # decoded frames are read-only
        with torch.no_grad():
            return model.encode_video(x).double().cpu().numpy()
