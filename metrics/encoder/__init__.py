"""The embedded video–text encoder (``tiny``): offline, small, trained on the reference world.

    from metrics.encoder import load_encoder

    enc = load_encoder()  # committed weights/tiny-v3.pt, sha256-checked
    enc.encode_video(frames)  # uint8 (B, T, H, W, 3) -> (B, 128) unit vectors
    enc.encode_text(["a red ball rolls to the left"])  # -> (B, 128)
    enc.score(frames, texts)  # per pair: (cosine + layout agreement) / 2, in [-1, 1]

Its numbers compare runs within the synthetic world; published FVD needs ``i3d``. Importing this
package imports no torch; building or loading a model does. ``scripts/train_encoder.py`` trains it.
"""

from __future__ import annotations

from typing import Any

from metrics.encoder.config import EncoderConfig
from metrics.encoder.load import DEFAULT_WEIGHTS, load_encoder, protocol, save_encoder
from metrics.encoder.tokenizer import Tokenizer, build_vocab

__all__ = [
    "DEFAULT_WEIGHTS",
    "EncoderConfig",
    "Tokenizer",
    "VideoTextEncoder",
    "build_vocab",
    "load_encoder",
    "protocol",
    "save_encoder",
]


def __getattr__(name: str) -> Any:
    if name == "VideoTextEncoder":  # torch is imported only when a model is built
        from metrics.encoder.model import VideoTextEncoder

        return VideoTextEncoder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
