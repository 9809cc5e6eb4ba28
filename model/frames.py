"""Frames as pipelines return them -> ``(T, H, W, 3)`` uint8, one array per video of a batch.

Video pipelines answer in several forms: a numpy array ``(B, T, H, W, C)`` of floats in [0, 1]
(``output_type="np"``), a tensor ``(B, T, C, H, W)`` (``"pt"``), or lists of PIL images
(``"pil"``), wrapped in an output object with ``.frames`` or a tuple. Floats are read as [0, 1]
and rounded as diffusers rounds them (``(x * 255).round()``); one channel is repeated to three,
an alpha channel dropped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from t2vbase.errors import GeneratorError

CHANNELS = (1, 3, 4)


def _is_image(obj: Any) -> bool:
    return callable(getattr(obj, "convert", None)) and hasattr(obj, "size") and hasattr(obj, "mode")


def _array(obj: Any) -> np.ndarray:
    """A numpy array from an array, a tensor (any device or dtype) or a PIL image."""
    if _is_image(obj):
        return np.asarray(obj.convert("RGB"))
    if hasattr(obj, "detach") and hasattr(obj, "cpu"):  # a torch tensor
        t = obj.detach().cpu()
        return t.numpy() if str(t.dtype) == "torch.uint8" else t.float().numpy()
    return np.asarray(obj)


def to_uint8_video(frames: Any) -> np.ndarray:
    """One video (``(T, H, W, C)``, ``(T, C, H, W)`` or a list of frames) as ``(T, H, W, 3)`` uint8."""
    if isinstance(frames, (list, tuple)):
        if not frames:
            raise GeneratorError("the pipeline returned a video with no frames")
        arr = np.stack([_array(f) for f in frames])
        if arr.ndim == 3:  # gray frames
            arr = arr[..., None]
    else:
        arr = _array(frames)
    if arr.ndim != 4:
        raise GeneratorError(f"the pipeline returned frames of shape {tuple(arr.shape)}; expected (T, H, W, C)")
    if arr.shape[-1] not in CHANNELS and arr.shape[1] in CHANNELS:
        arr = arr.transpose(0, 2, 3, 1)
    if arr.shape[-1] not in CHANNELS:
        raise GeneratorError(f"the pipeline returned frames of shape {tuple(arr.shape)}: no channel axis of 1, 3 or 4")
    if arr.dtype != np.uint8:
        if np.issubdtype(arr.dtype, np.floating):
            arr = np.nan_to_num(arr.astype(np.float32), nan=0.0)
            arr = (np.clip(arr, 0.0, 1.0) * 255).round()
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.shape[-1] == 1:
        arr = np.repeat(arr, 3, axis=-1)
    return np.ascontiguousarray(arr[..., :3])


def _videos(out: Any) -> Any:
    """The batch of videos inside a pipeline output object or tuple."""
    if hasattr(out, "frames"):
        return out.frames
    if isinstance(out, tuple) and out:
        return out[0]
    return out


def batch_frames(out: Any, n: int) -> list[np.ndarray]:
    """``n`` videos from a pipeline's output, each ``(T, H, W, 3)`` uint8."""
    videos = _videos(out)
    if isinstance(videos, (list, tuple)):
        items = list(videos)
        if len(items) == n and all(isinstance(v, (list, tuple)) or _array_ndim(v) == 4 for v in items):
            return [to_uint8_video(v) for v in items]
        if n == 1:  # one video given as its list of frames
            return [to_uint8_video(items)]
        raise GeneratorError(f"the pipeline returned {len(items)} items for a batch of {n} prompts")
    arr = _array(videos)
    if arr.ndim == 4 and n == 1:
        return [to_uint8_video(arr)]
    if arr.ndim != 5 or arr.shape[0] != n:
        raise GeneratorError(f"the pipeline returned frames of shape {tuple(arr.shape)} for a batch of {n} prompts")
    return [to_uint8_video(v) for v in arr]


def _array_ndim(obj: Any) -> int:
    return -1 if _is_image(obj) else len(getattr(obj, "shape", ()))
