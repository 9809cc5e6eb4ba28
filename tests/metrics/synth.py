"""An independent little renderer for testing the checks on clips our generator never made.

It draws with OpenCV primitives (not the reference world's SDFs), perturbs palette shades, adds
sensor noise and textured backgrounds, and can compress hard — so a check that passes here did not
overfit the reference world.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from metrics import Clip
from prompts import PALETTE, Prompt
from t2vbase.video import read_video, write_video

Point = tuple[float, float] | None


def shade(name: str, rng: np.random.Generator, amount: float = 1.0) -> tuple[int, int, int]:
    """A palette colour with its hue, saturation and value nudged (another generator's idea of it)."""
    r, g, b = (c / 255.0 for c in PALETTE[name])
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    if s > 0.3:
        h = (h + rng.uniform(-6, 6) * amount / 360.0) % 1.0
        s = float(np.clip(s * rng.uniform(0.85, 1.05), 0.45, 1.0))
    v = float(np.clip(v * rng.uniform(0.9, 1.06), 0.0, 1.0))
    return tuple(round(c * 255) for c in colorsys.hsv_to_rgb(h, s, v))  # type: ignore[return-value]


@dataclass
class Obj:
    """A drawable: ``path(t)`` gives its centre in pixels (None hides it)."""

    shape: str
    color: tuple[int, int, int]
    path: Callable[[int], Point]
    size: float = 18.0  # longer extent, pixels
    scale: Callable[[int], float] = lambda t: 1.0
    facing: Callable[[int], int] = lambda t: 1
    recolor: Callable[[int], tuple[int, int, int] | None] = lambda t: None
    z: int = 0


@dataclass
class Scene:
    objects: list[Obj]
    T: int = 16
    H: int = 128
    W: int = 128
    background: str = "texture"  # flat | gradient | texture
    bg_color: tuple[int, int, int] = (196, 192, 186)
    noise: float = 2.0
    occluders: list[tuple[tuple[int, int, int, int], tuple[int, int, int]]] = field(default_factory=list)
    patches: list[tuple[tuple[int, int, int, int], tuple[int, int, int]]] = field(default_factory=list)  # behind all
    pan: Callable[[int], tuple[float, float]] = lambda t: (0.0, 0.0)  # content shift of the background
    seed: int = 0


def _background(sc: Scene, rng: np.random.Generator) -> np.ndarray:
    big = np.zeros((sc.H * 2, sc.W * 2, 3), np.float32) + np.asarray(sc.bg_color, np.float32)
    if sc.background == "gradient":
        big *= np.linspace(0.92, 1.04, sc.H * 2, dtype=np.float32)[:, None, None]
    elif sc.background == "texture":
        n = cv2.GaussianBlur(rng.normal(0, 1, (sc.H * 2, sc.W * 2)).astype(np.float32), (0, 0), 2.5)
        big += (n / (n.std() + 1e-6) * 9.0)[..., None]
    return big


def _draw(img: np.ndarray, o: Obj, t: int) -> None:
    c = o.path(t)
    if c is None:
        return
    x, y = c
    s = o.size * o.scale(t)
    col = o.recolor(t) or o.color
    color = tuple(float(v) for v in col[::-1])  # OpenCV draws BGR
    if o.shape == "circle":
        cv2.circle(img, (round(x * 4), round(y * 4)), round(s * 2), color, -1, cv2.LINE_AA, 2)
        return
    h = s / 2
    if o.shape == "square":
        pts = [(-h, -h), (h, -h), (h, h), (-h, h)]
    elif o.shape == "rectangle":
        pts = [(-h, -h / 2), (h, -h / 2), (h, h / 2), (-h, h / 2)]
    elif o.shape == "triangle":
        pts = [(0, -h), (h, h * 0.8), (-h, h * 0.8)]
    elif o.shape == "star":
        ang = -np.pi / 2 + np.arange(10) * np.pi / 5
        rad = np.where(np.arange(10) % 2 == 0, h, 0.45 * h)
        pts = list(zip(rad * np.cos(ang), rad * np.sin(ang), strict=True))
    elif o.shape == "vehicle":  # a different design from the world's: a boxy van, cab at the front
        f = o.facing(t)
        body = [(-h, -h * 0.1), (h, -h * 0.1), (h, h * 0.45), (-h, h * 0.45)]
        cab = [(-h * 0.75, -h * 0.55), (h * 0.15, -h * 0.55), (h * 0.4, -h * 0.1), (-h * 0.75, -h * 0.1)]
        for poly in (body, cab):
            arr = np.array([(x + f * px, y + py) for px, py in poly]) * 4
            cv2.fillPoly(img, [arr.astype(np.int32)], color, cv2.LINE_AA, 2)
        for wx in (-0.55, 0.55):
            cv2.circle(
                img,
                (int((x + wx * h) * 4), int((y + h * 0.45) * 4)),
                int(h * 0.28 * 4),
                (30, 30, 30),
                -1,
                cv2.LINE_AA,
                2,
            )
        return
    else:
        raise ValueError(o.shape)
    arr = np.array([(x + px, y + py) for px, py in pts]) * 4
    cv2.fillPoly(img, [arr.astype(np.int32)], color, cv2.LINE_AA, 2)


def render(sc: Scene) -> np.ndarray:
    """``(T, H, W, 3)`` uint8 RGB frames."""
    rng = np.random.default_rng(sc.seed)
    big = _background(sc, rng)
    out = np.empty((sc.T, sc.H, sc.W, 3), np.uint8)
    for t in range(sc.T):
        dx, dy = sc.pan(t)
        m = np.float32([[1, 0, -sc.W / 2 + dx], [0, 1, -sc.H / 2 + dy]])  # content moves by (dx, dy)
        bg = cv2.warpAffine(big, m, (sc.W, sc.H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        img = np.ascontiguousarray(bg[..., ::-1])  # to BGR for drawing
        for (x0, y0, x1, y1), col in sc.patches:  # painted on the background: every object passes over
            cv2.rectangle(img, (x0, y0), (x1, y1), tuple(float(v) for v in col[::-1]), -1)
        items = sorted(sc.objects, key=lambda o: o.z)
        for o in [o for o in items if o.z < 10]:
            _draw(img, o, t)
        for (x0, y0, x1, y1), col in sc.occluders:
            cv2.rectangle(img, (x0, y0), (x1, y1), tuple(float(v) for v in col[::-1]), -1)
        for o in [o for o in items if o.z >= 10]:
            _draw(img, o, t)
        img = img[..., ::-1] + rng.normal(0, sc.noise, img.shape)
        out[t] = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    return out


def encode(frames: np.ndarray, path: Path, crf: int = 23) -> np.ndarray:
    return read_video(write_video(path, frames, fps=8, crf=crf)).frames


def clip(frames: np.ndarray, expect: dict, family: str = "permanence") -> Clip:
    prompt = Prompt.model_validate({"id": "synthetic", "text": "synthetic", "family": family, "expect": expect})
    return Clip(frames, 8.0, prompt, {})


def linear(x0: float, y0: float, vx: float, vy: float = 0.0) -> Callable[[int], Point]:
    return lambda t: (x0 + vx * t, y0 + vy * t)
