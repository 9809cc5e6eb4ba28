"""Backgrounds in world coordinates, sampled through the camera for every frame.

A background is rendered once per clip into a texture of the world around every view the scene's
camera shows (reflected beyond, e.g. when a fault reverses the camera), so a pan, tilt or zoom
moves it exactly with the scene. The texture is fault-independent, so a frame's background depends
only on that frame's camera.
Its colours are moved into the keying gap (:func:`model.world.tones.neutral`) and every pixel
stays in :data:`~model.world.tones.BACKGROUND_RANGE`: a background keys as no palette colour,
whatever colours the scene asks for, also where the camera samples between texels.
"""

from __future__ import annotations

import cv2
import numpy as np

from model.world.timeline import camera_path
from model.world.tones import BACKGROUND_RANGE, neutral
from prompts.palette import parse_color
from prompts.scene import Background, Scene

_BLOB = 1.0 / 10.0  # size of texture blobs, in world units
_MARGIN = 0.1  # world units painted around the scene's views (beyond them the texture reflects)
#: Texture pixels per screen pixel at the closest zoom: backgrounds are smooth; a horizon is sharper.
_RESOLUTION = {"sky_ground": 0.5, "texture": 0.25, "gradient": 0.25, "flat": 0.25}


def _view_rect(cx: np.ndarray, cy: np.ndarray, zoom: np.ndarray) -> np.ndarray:
    """World rectangle ``[x0, y0, x1, y1]`` covering the views at camera states ``(N,)``."""
    h = 0.5 / zoom
    return np.array([(cx - h).min(), (cy - h).min(), (cx + h).max(), (cy + h).max()])


def _noise(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[int, int]) -> np.ndarray:
    """Smooth unit-variance noise ``shape`` from a coarse random grid of ``cells`` (rows, cols)."""
    coarse = rng.standard_normal((cells[0] + 3, cells[1] + 3)).astype(np.float32)
    big = cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return (big - big.mean()) / (big.std() + 1e-6)


def _rgb(value: str) -> np.ndarray:
    return neutral(np.asarray(parse_color(value), np.float32))


MIN_SPREAD = 16.0  # levels of luma between a texture's or gradient's two colours (motion stays visible)


def _spread(c1: np.ndarray, c2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move two neutral colours apart to at least :data:`MIN_SPREAD` of luma, in their order.

    Projection into the narrow keying gap can leave them nearly equal, and a texture without
    contrast shows no camera motion. The lighter slides to the top of :data:`BACKGROUND_RANGE`, the
    darker to the bottom; each keeps its tint, toned down to fit (a tint spanning the whole range
    leaves no room to move)."""
    lum = np.array([0.299, 0.587, 0.114], np.float32)
    if abs(float((c1 - c2) @ lum)) >= MIN_SPREAD:
        return c1, c2
    lo, hi = BACKGROUND_RANGE
    room = hi - lo - MIN_SPREAD

    def toned(c: np.ndarray) -> np.ndarray:
        dev = c - c.mean()
        span = float(dev.max() - dev.min())
        return dev * min(1.0, room / span) if span > 0 else dev

    first_lighter = float(c1 @ lum) >= float(c2 @ lum)
    light, dark = (c1, c2) if first_lighter else (c2, c1)
    light = toned(light)
    light = light + (hi - float(light.max()))
    dark = toned(dark)
    dark = dark + (lo - float(dark.min()))
    return (light, dark) if first_lighter else (dark, light)


def neutral_background(bg: Background) -> Background:
    """``bg`` with its colours projected into the keying gaps (as ``#rrggbb``); a texture's or
    gradient's two colours are kept :data:`MIN_SPREAD` apart."""

    def hexa(rgb: np.ndarray) -> str:
        r, g, b = (round(float(c)) for c in rgb)
        return f"#{r:02x}{g:02x}{b:02x}"

    c1, c2 = _rgb(bg.color), _rgb(bg.color2)
    if bg.kind in ("texture", "gradient"):
        c1, c2 = _spread(c1, c2)
    return bg.model_copy(update={"color": hexa(c1), "color2": hexa(c2)})


def paint(bg: Background, xs: np.ndarray, ys: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Background colours ``(len(ys), len(xs), 3)`` float32 at world coordinates ``xs``, ``ys``."""
    c1, c2 = _rgb(bg.color), _rgb(bg.color2)
    h, w = len(ys), len(xs)
    yy = np.broadcast_to(ys[:, None], (h, w)).astype(np.float32)
    extent = (float(ys[-1] - ys[0]), float(xs[-1] - xs[0]))
    cells = (max(1, int(extent[0] / _BLOB)), max(1, int(extent[1] / _BLOB)))
    if bg.kind == "flat":
        img = np.broadcast_to(c1, (h, w, 3))
    elif bg.kind == "gradient":
        a = np.clip(yy, 0.0, 1.0)[..., None]
        img = c1 * (1.0 - a) + c2 * a
    elif bg.kind == "sky_ground":
        px = max(float(ys[1] - ys[0]), 1e-6) if h > 1 else 1.0
        ground = np.clip((yy - bg.horizon) / px + 0.5, 0.0, 1.0)[..., None]  # anti-aliased horizon
        lift = 0.97 + 0.05 * np.clip(yy / max(bg.horizon, 1e-3), 0.0, 1.0)  # lighter at the horizon
        sky = c1 * (lift + 0.015 * _noise(rng, (h, w), (max(1, cells[0] // 2), cells[1])))[..., None]
        streaks = _noise(rng, (h, w), (cells[0] * 3, max(1, cells[1] // 3)))
        soil = c2 * (1.0 + 0.035 * _noise(rng, (h, w), cells) + 0.02 * streaks)[..., None]
        img = sky * (1.0 - ground) + soil * ground
    else:  # texture: smooth blobs between the two colours
        a = np.clip(0.5 + 0.35 * _noise(rng, (h, w), cells), 0.0, 1.0)[..., None]
        img = c1 * (1.0 - a) + c2 * a
    return np.clip(img, *BACKGROUND_RANGE).astype(np.float32)  # stays in the keying gap


class Backdrop:
    """A scene's background for frames of ``height`` x ``width``; :meth:`frame` samples it."""

    def __init__(self, scene: Scene, height: int, width: int, rng: np.random.Generator) -> None:
        self.height, self.width = height, width
        t = np.linspace(0.0, 1.0, 65)
        cx, cy, zoom = camera_path(scene.camera, t)
        rect = _view_rect(cx, cy, zoom) + np.array([-_MARGIN, -_MARGIN, _MARGIN, _MARGIN])
        res = _RESOLUTION[scene.background.kind] * max(1.0, float(zoom.max()))
        self.ppu = (width * res, height * res)  # texture pixels per world unit (x, y)
        nx = int(np.ceil((rect[2] - rect[0]) * self.ppu[0]))
        ny = int(np.ceil((rect[3] - rect[1]) * self.ppu[1]))
        xs = rect[0] + (np.arange(nx) + 0.5) / self.ppu[0]
        ys = rect[1] + (np.arange(ny) + 0.5) / self.ppu[1]
        self.origin = (float(rect[0]), float(rect[1]))
        # One allocation holds the view cache and the frame, 2 KiB apart modulo 4 KiB: copying
        # between buffers whose addresses nearly coincide modulo 4 KiB runs 10x slower (4K aliasing).
        n = height * width * 4
        buf = np.empty(2 * n + 512, np.float32)
        self._cache = buf[:n].reshape(height, width, 4)
        self.out = buf[n + 512 :].reshape(height, width, 4)
        self._cache[..., 3] = 0.0
        self._last: tuple[float, float, float] | None = None
        self._static = bool(np.ptp(cx) == 0 and np.ptp(cy) == 0 and np.ptp(zoom) == 0)
        if scene.background.kind == "flat":  # the same everywhere: one frame serves every view
            self._cache[..., :3] = paint(scene.background, xs[:1], ys[:1], rng)[0, 0]
            self._last = ()
            return
        rgb = paint(scene.background, xs, ys, rng)
        self.texture = np.concatenate([rgb, np.zeros((ny, nx, 1), np.float32)], axis=-1)  # 4 channels: fast warps

    def frame(self, cx: float, cy: float, zoom: float) -> np.ndarray:
        """The view of camera ``(cx, cy, zoom)``: :attr:`out` ``(H, W, 4)`` float32, overwritten by
        every call (draw over it, then convert it before the next call)."""
        if self._last in ((cx, cy, zoom), ()):
            np.copyto(self.out, self._cache)
            return self.out
        H, W = self.height, self.width
        # screen pixel X -> world ((X + 0.5) / W - 0.5) / zoom + cx -> texture (world - x0) * ppu - 0.5
        sx, sy = self.ppu[0] / (W * zoom), self.ppu[1] / (H * zoom)
        tx = ((-0.5 / zoom + cx) - self.origin[0]) * self.ppu[0] + 0.5 * sx - 0.5
        ty = ((-0.5 / zoom + cy) - self.origin[1]) * self.ppu[1] + 0.5 * sy - 0.5
        m = np.array([[sx, 0.0, tx], [0.0, sy, ty]], np.float32)
        dst = self._cache if self._static else self.out
        cv2.warpAffine(
            self.texture, m, (W, H), dst=dst, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REFLECT,
        )  # fmt: skip
        if not self._static:
            return self.out
        self._last = (cx, cy, zoom)
        np.copyto(self.out, self._cache)
        return self.out
