"""Alignment models: one small interface that every ``align.*`` metric scores through.

An alignment model is built by name (``tiny``: the embedded encoder, offline; others register
here, e.g. a CLIP scorer) and offers ``score(frames, texts) -> list[float]`` for uint8 clips
``(B, T, H, W, 3)`` and ``B`` texts (or one clip and several texts: the clip is scored against
each), ``protocol() -> dict`` (what produced the numbers: name,
weights sha256, ...; computed without loading the network) and ``to(device)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from t2vbase.checksum import sha256_file
from t2vbase.errors import MetricError, UnknownNameError
from t2vbase.registry import Registry


class AlignModel(Protocol):
    def score(self, frames: np.ndarray, texts: Sequence[str]) -> list[float]: ...

    def protocol(self) -> dict[str, Any]: ...

    def to(self, device: Any) -> AlignModel: ...


#: Factories ``(weights: str | None) -> AlignModel`` by name.
ALIGN_MODELS: Registry[Callable[[str | None], AlignModel]] = Registry("alignment model")
#: Modules that register alignment models on import (missing optional ones are skipped).
ALIGN_MODULES: tuple[str, ...] = ("metrics.align.clip",)


def build_align_model(name: str, weights: str | None = None) -> AlignModel:
    """The alignment model ``name`` (``weights``: a file or folder it loads, model-specific)."""
    if name not in ALIGN_MODELS:
        for module in ALIGN_MODULES:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as err:
                if err.name != module:
                    raise
    try:
        factory = ALIGN_MODELS.get(name)
    except UnknownNameError as err:
        raise MetricError(f"model={name}: {err}") from None
    return factory(weights)


class TinyAlign:
    """The embedded encoder as an alignment model: its prompt–clip score (``VideoTextEncoder.score``,
    in [-1, 1]). Text vectors are remembered per text (a suite repeats its prompts over seeds)."""

    def __init__(self, weights: str | None = None) -> None:
        from metrics.encoder.load import DEFAULT_WEIGHTS

        self.path = Path(weights).expanduser() if weights else DEFAULT_WEIGHTS
        self.device: Any = None
        self._model: Any = None
        self._texts: dict[str, Any] = {}

    def model(self) -> Any:
        if self._model is None:
            from metrics.encoder import load_encoder

            self._model = load_encoder(self.path)
            if self.device is not None:
                self._model = self._model.to(self.device)
        return self._model

    def to(self, device: Any) -> TinyAlign:
        self.device = device
        if self._model is not None:
            self._model = self._model.to(device)
        self._texts.clear()
        return self

    def embed_texts(self, texts: Sequence[str]) -> Any:
        import torch

        new = [t for t in dict.fromkeys(texts) if t not in self._texts]
        if new:
            with torch.no_grad():
                for t, e in zip(new, self.model().align_text(new), strict=True):
                    self._texts[t] = e
        return torch.stack([self._texts[t] for t in texts])

    def score(self, frames: np.ndarray, texts: Sequence[str]) -> list[float]:
        import torch

        with torch.no_grad():
            v = self.model().align_video(frames)
            t = self.embed_texts(list(texts))
        if v.shape[0] == 1:
            v = v.expand_as(t)
        if v.shape[0] != t.shape[0]:
            raise ValueError(f"{v.shape[0]} clips but {t.shape[0]} texts")
        return [float(s) for s in (v * t).sum(-1)]

    def protocol(self) -> dict[str, Any]:
        if not self.path.is_file():
            raise MetricError(f"model=tiny: weights file {self.path} not found")
        return {"model": "tiny", "weights": self.path.name, "weights_sha256": sha256_file(self.path)}


ALIGN_MODELS.add("tiny", TinyAlign, description="the embedded video-text encoder (offline)")
