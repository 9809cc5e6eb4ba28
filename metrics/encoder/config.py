"""The encoder's architecture and input protocol as plain data (stored inside the weights file)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: How clips enter the video tower (the protocol rows record).
VALUE_RANGE = "uint8 [0, 255] -> [0, 1], then (x - 0.5) / 0.25"
SAMPLING = "T frames at round(linspace(0, n - 1, T)) of the clip's n frames"
RESIZE = "area average (torch interpolate mode='area') to height x width, aspect not kept"


@dataclass(frozen=True)
class EncoderConfig:
    """Sizes of both towers; ``frames``/``height``/``width`` are what the video tower sees."""

    name: str = "tiny"
    frames: int = 8
    height: int = 64
    width: int = 64
    dim: int = 128  # joint embedding size
    patch: int = 4  # the stem's patch side (and stride)
    widths: tuple[int, ...] = (32, 64, 96)  # the stem's channels, then conv stages that halve the side
    grid: tuple[int, int] = (2, 4)  # rows x columns of cells kept when pooling (spatial layout)
    frame_dim: int = 192
    text_dim: int = 128
    text_layers: int = 2
    text_heads: int = 4
    max_len: int = 64
    halves: int = 0  # layout slots (left/right halves) each tower predicts colours for; 0: none (v1)
    times: int = 1  # layout windows: the frames split into this many spans, each with its own halves (v3: 2)
    layout: str = "cells"  # what the video layout head reads: "cells" (v2) or "pixels" (a per-pixel colour reader, v3)
    layout_weight: float = 1.0  # the layout agreement's weight against the cosine in a score (v2: 1, v3: 3)
    colours: tuple[str, ...] = ()  # the layout head's colour classes (multi-label per slot)
    vocab: tuple[str, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EncoderConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown encoder config fields: {', '.join(unknown)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
