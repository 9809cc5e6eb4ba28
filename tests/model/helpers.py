"""Scenes and renders for the reference-world tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from model.reference import ReferenceGenerator
from model.world.timeline import SCENE_SECONDS, Timeline
from prompts import Prompt
from t2vbase.video import Video


def prompt(scene: dict[str, Any], pid: str = "test-world") -> Prompt:
    return Prompt.model_validate({"id": pid, "text": "test", "family": "showcase", "scene": scene})


def spanning(num_frames: int) -> float:
    """The frame rate at which ``num_frames`` frames span the scene's script exactly (8 fps at 16)."""
    return max(num_frames - 1, 1) / SCENE_SECONDS


def render(scene: dict[str, Any], seed: int = 0, jitter: float = 0.0, **options: Any) -> Video:
    """Render ``scene`` exactly (no jitter unless asked) with the given generator options; a clip
    of ``num_frames`` spans the scene's script unless ``fps`` says otherwise."""
    opts = {"profile": "clean", **options}
    frames = {k: opts.pop(k) for k in ("num_frames", "height", "width", "fps") if k in opts}
    if "num_frames" in frames and "fps" not in frames:
        frames["fps"] = spanning(frames["num_frames"])
    return ReferenceGenerator(jitter=jitter, **opts).generate(prompt(scene), seed=seed, **frames)


def timeline(scene: dict[str, Any], num_frames: int = 16, seed: int = 0, fps: float | None = None) -> Timeline:
    """The clean timeline; ``num_frames`` span the script unless ``fps`` is given."""
    rate = spanning(num_frames) if fps is None else fps
    return ReferenceGenerator(jitter=0.0).timeline(prompt(scene), num_frames, seed, fps=rate)


def truth(video: Video, tid: str) -> dict[str, Any]:
    return next(o for o in video.metadata["truth"]["objects"] if o["id"] == tid)


def centres(video: Video, tid: str) -> np.ndarray:
    """``(T, 2)`` screen centres (normalised) of a track from the sidecar truth."""
    b = np.array(truth(video, tid)["bbox"])
    return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2], axis=1)


def obj(oid: str, **fields: Any) -> dict[str, Any]:
    return {"id": oid, "shape": "circle", "color": "red", "size": 0.14, **fields}
