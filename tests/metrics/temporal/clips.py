"""Clips with known temporal answers for the ``temporal.*`` tests."""

from __future__ import annotations

import cv2
import numpy as np

from metrics import Clip
from tests.conftest import blank_prompt


def texture(h: int, w: int, seed: int = 0) -> np.ndarray:
    """``(h, w, 3)`` uint8 smooth random texture (something for optical flow to follow)."""
    rng = np.random.default_rng(seed)
    big = cv2.GaussianBlur(rng.normal(0, 1, (h, w, 3)).astype(np.float32), (0, 0), 2.5)
    return np.clip(128 + 40 * big / big.std(), 0, 255).astype(np.uint8)


def pan(T: int = 12, size: int = 96, dx: float = 2.0) -> np.ndarray:
    """A textured scene panning ``dx`` pixels per frame to the left."""
    big = texture(size, size + int(np.ceil(dx * T)) + 2)
    return np.stack([big[:, round(t * dx) : round(t * dx) + size] for t in range(T)])


def blob(xs: list[int], size: int = 96, radius: float = 12.0, gains: list[float] | None = None) -> np.ndarray:
    """A red, lightly textured disc at ``(xs[t], size / 2)`` (whole pixels) over a textured
    background, one frame per entry; ``gains[t]`` scales the disc's brightness."""
    bg = texture(size, size, 1).astype(np.float32)
    fg = 0.25 * (texture(size, size, 2).astype(np.float32) - 128) + np.array([200.0, 40.0, 40.0], np.float32)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    frames = []
    for t, x in enumerate(xs):
        a = np.clip(radius + 0.5 - np.hypot(xx - x, yy - size / 2), 0, 1)[..., None]
        disc = np.roll(fg, int(x), axis=1) * (gains[t] if gains else 1.0)  # its texture travels with it
        frames.append(np.clip(bg * (1 - a) + disc * a + 0.5, 0, 255).astype(np.uint8))
    return np.stack(frames)


def clip(frames: np.ndarray, fps: float = 8.0) -> Clip:
    return Clip(frames, fps, blank_prompt())
