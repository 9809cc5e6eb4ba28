"""Rasterize a :class:`~model.world.timeline.Timeline` into frames and per-frame ground truth.

Shapes are signed distance fields evaluated only inside each object's bounding box; coverage
``clip(0.5 - d, 0, 1)`` gives anti-aliased edges. Objects are drawn in ``z`` order onto a background
rendered in world coordinates (so a pan or zoom moves it with the scene). An id buffer records the
front-most object per pixel, from which the ground truth (visible fraction, occluders) is read.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from model.world.timeline import Timeline, Track
from prompts.palette import parse_color
from prompts.scene import Background

GLASS = np.array([196.0, 214.0, 226.0])
TYRE = np.array([34.0, 34.0, 38.0])
LAMP = np.array([252.0, 246.0, 214.0])
CRACK = 0.35  # brightness factor of crack lines


@dataclass
class Truth:
    """Per-frame ground truth of one track (screen coordinates normalised to [0, 1])."""

    bbox: np.ndarray  # (T, 4) x0, y0, x1, y1 of the full shape (may extend past the frame)
    area: np.ndarray  # (T,) full shape area / frame area (0 when not drawn)
    visible_frac: np.ndarray  # (T,) fraction of the shape's pixels seen (in frame, not occluded)
    in_frame_frac: np.ndarray  # (T,) fraction of the shape inside the frame
    occluded_by: list[list[str]]  # per frame: ids drawn over it


# ---------------------------------------------------------------------------------------------
# signed distance fields in pixel units (negative inside)


def sdf_box(u: np.ndarray, v: np.ndarray, hw: float, hh: float, r: float = 0.0) -> np.ndarray:
    qx = np.abs(u) - (hw - r)
    qy = np.abs(v) - (hh - r)
    outside = np.hypot(np.maximum(qx, 0.0), np.maximum(qy, 0.0))
    return outside + np.minimum(np.maximum(qx, qy), 0.0) - r


def sdf_ellipse(u: np.ndarray, v: np.ndarray, hw: float, hh: float) -> np.ndarray:
    k = np.hypot(u / max(hw, 1e-6), v / max(hh, 1e-6))
    return (k - 1.0) * min(hw, hh)


def sdf_polygon(u: np.ndarray, v: np.ndarray, verts: np.ndarray) -> np.ndarray:
    """Exact distance to a closed polygon ``verts`` ``(N, 2)``, negative inside (even-odd)."""
    d = np.full(u.shape, np.inf)
    inside = np.zeros(u.shape, bool)
    n = len(verts)
    for i in range(n):
        ax, ay = verts[i]
        bx, by = verts[(i + 1) % n]
        ex, ey = bx - ax, by - ay
        wx, wy = u - ax, v - ay
        h = np.clip((wx * ex + wy * ey) / (ex * ex + ey * ey), 0.0, 1.0)
        d = np.minimum(d, np.hypot(wx - ex * h, wy - ey * h))
        cond = (v >= ay) != (v >= by)
        xint = ax + (v - ay) * ex / np.where(ey == 0, 1e-12, ey)
        inside ^= cond & (u < xint)
    return np.where(inside, -d, d)


def _star(hw: float, hh: float) -> np.ndarray:
    r_out = min(hw, hh)
    ang = -np.pi / 2 + np.arange(10) * np.pi / 5
    rad = np.where(np.arange(10) % 2 == 0, r_out, 0.42 * r_out)
    return np.stack([rad * np.cos(ang), rad * np.sin(ang) + 0.1 * r_out], axis=1)


def _triangle(hw: float, hh: float) -> np.ndarray:
    return np.array([[-hw, hh], [hw, hh], [0.0, -hh]])


def shape_sdf(shape: str, u: np.ndarray, v: np.ndarray, hw: float, hh: float) -> np.ndarray:
    """SDF of a shape centred at 0 with half extents ``hw``, ``hh`` (the body, for vehicles)."""
    if shape == "circle":
        return sdf_ellipse(u, v, hw, hh)
    if shape in ("square", "rectangle"):
        return sdf_box(u, v, hw, hh, 0.12 * min(hw, hh))
    if shape == "triangle":
        return sdf_polygon(u, v, _triangle(hw, hh))
    if shape == "star":
        return sdf_polygon(u, v, _star(hw, hh))
    if shape == "vehicle":
        # u points to the vehicle's front. Body low and long; cabin set back; a slanted windshield.
        body = sdf_box(u, v - 0.18 * hh, hw, 0.5 * hh, 0.25 * hh)
        cabin = sdf_polygon(
            u,
            v,
            np.array([[-0.72 * hw, -0.3 * hh], [-0.6 * hw, -hh], [0.05 * hw, -hh], [0.42 * hw, -0.3 * hh]]),
        )
        return np.minimum(body, cabin)
    raise ValueError(f"unknown shape {shape!r}")


# ---------------------------------------------------------------------------------------------
# background


def _bg_rgb(value: str) -> np.ndarray:
    return np.asarray(parse_color(value), np.float32)


def background_texture(bg: Background, size: int, rng: np.random.Generator) -> np.ndarray:
    """A ``(size, size, 3)`` float32 image of the background over world [-0.5, 1.5]^2."""
    ys = (np.arange(size, dtype=np.float32) + 0.5) / size * 2.0 - 0.5
    c1, c2 = _bg_rgb(bg.color), _bg_rgb(bg.color2)
    if bg.kind == "flat":
        return np.broadcast_to(c1, (size, size, 3)).copy()
    if bg.kind == "gradient":
        a = np.clip(ys, 0.0, 1.0)[:, None, None]
        return np.broadcast_to(c1 * (1 - a) + c2 * a, (size, size, 3)).copy()
    if bg.kind == "sky_ground":
        sky = np.clip(ys / max(bg.horizon, 1e-3), 0.0, 1.0)[:, None, None]
        img = np.where((ys >= bg.horizon)[:, None, None], c2, c1 * (0.92 + 0.08 * sky))
        img = np.broadcast_to(img, (size, size, 3)).astype(np.float32)
        noise = cv2.GaussianBlur(rng.standard_normal((size, size)).astype(np.float32), (0, 0), size / 96)
        ground = (ys >= bg.horizon)[:, None]
        return img + (ground * noise * 10.0)[..., None]
    # texture: smooth random blobs between the two colours
    noise = cv2.GaussianBlur(rng.standard_normal((size, size)).astype(np.float32), (0, 0), size / 48)
    noise = (noise - noise.mean()) / (noise.std() + 1e-6)
    a = np.clip(0.5 + 0.35 * noise, 0.0, 1.0)[..., None]
    return c1 * (1 - a) + c2 * a


# ---------------------------------------------------------------------------------------------
# drawing


def _layer_color(tr: Track, i: int, u: np.ndarray, v: np.ndarray, hw: float, hh: float) -> np.ndarray:
    """Shaded, textured colour of track ``tr`` at frame ``i`` over the local grid ``(u, v)``."""
    base = tr.rgb[i] * tr.brightness[i]
    shade = 1.08 - 0.16 * np.clip((v / max(hh, 1e-6) + 1.0) / 2.0, 0.0, 1.0)  # lit from above
    tex = np.ones_like(u)
    period = max(min(hw, hh) * 0.5, 2.0)
    if tr.texture in ("stripes", "planks"):
        tex = 1.0 - 0.12 * (np.floor(u / period) % 2)
    elif tr.texture in ("checker", "bricks"):
        tex = 1.0 - 0.12 * ((np.floor(u / period) + np.floor(v / period)) % 2)
    elif tr.texture == "dots":
        tex = 1.0 - 0.15 * (np.hypot((u % period) - period / 2, (v % period) - period / 2) < period / 4)
    col = base[None, None, :] * (shade * tex)[..., None]
    return np.clip(col, 0.0, 255.0)


def draw_track(
    frame: np.ndarray, ids: np.ndarray, k: int, tr: Track, i: int, tl: Timeline
) -> tuple[np.ndarray, int, int]:
    """Draw track ``tr`` at frame ``i``; returns ``(bbox_px, full_px, in_frame_px)``.

    ``frame`` ``(H, W, 3)`` float32 and ``ids`` ``(H, W)`` int16 are updated in place.
    """
    H, W = ids.shape
    S = min(H, W)
    z = tl.zoom[i]
    cxp = ((tr.x[i] - tl.cx[i]) * z + 0.5) * W
    cyp = ((tr.y[i] - tl.cy[i]) * z + 0.5) * H
    hw, hh = tr.w[i] * S * z / 2, tr.h[i] * S * z / 2
    bbox = np.array([cxp - hw, cyp - hh, cxp + hw, cyp + hh])
    x0, y0 = int(np.floor(cxp - hw - 1)), int(np.floor(cyp - hh - 1))
    x1, y1 = int(np.ceil(cxp + hw + 1)), int(np.ceil(cyp + hh + 1))
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
    if not tr.visible[i] or hw <= 0 or hh <= 0:
        return bbox, 0, 0
    # full-shape pixel count (also outside the frame) from a coarse evaluation
    if cx1 <= cx0 or cy1 <= cy0:
        uu, vv = np.meshgrid(np.arange(x0, x1) + 0.5 - cxp, np.arange(y0, y1) + 0.5 - cyp)
        sd = shape_sdf(tr.shape[i], tr.facing[i] * uu, vv, hw, hh)
        return bbox, int((sd < 0).sum()), 0
    u = (np.arange(cx0, cx1, dtype=np.float32) + 0.5 - cxp)[None, :]
    v = (np.arange(cy0, cy1, dtype=np.float32) + 0.5 - cyp)[:, None]
    u, v = np.broadcast_arrays(u, v)
    uf = tr.facing[i] * u  # vehicle front points along +uf
    shape = tr.shape[i]
    d = shape_sdf(shape, uf, v, hw, hh)
    if tr.bite[i]:
        r = 0.42 * min(hw, hh)
        bx = tr.bite_side * hw * 0.95
        d = np.maximum(d, -(np.hypot(u - bx, v) - r))
    alpha = np.clip(0.5 - d, 0.0, 1.0)
    col = _layer_color(tr, i, u, v, hw, hh)
    if shape == "vehicle":
        glass = sdf_polygon(
            uf,
            v,
            np.array(
                [
                    [0.02 * hw, -0.88 * hh],
                    [0.34 * hw, -0.34 * hh],
                    [-0.05 * hw, -0.34 * hh],
                    [-0.08 * hw, -0.88 * hh],
                ]
            ),
        )
        col = np.where((glass < 0)[..., None], GLASS, col)
        lamp = np.hypot(uf - 0.9 * hw, v + 0.02 * hh) - 0.11 * min(hw * 0.5, hh)
        col = np.where((lamp < 0)[..., None], LAMP, col)
        for wx in (-0.55, 0.55):
            tyre = np.hypot(uf - wx * hw, v - 0.62 * hh) - 0.36 * hh
            alpha = np.maximum(alpha, np.clip(0.5 - tyre, 0.0, 1.0))
            col = np.where((tyre < 0.5)[..., None], TYRE, col)
    if tr.crack[i]:
        zig = np.abs(v - 0.25 * min(hw, hh) * np.sign(np.sin(u / max(hw, 1e-6) * 6.0)) * 0.8) - 0.9
        col = np.where(((zig < 0) & (np.abs(u) < 0.7 * hw))[..., None], col * CRACK, col)
    if tr.outline:
        col = np.where(((d > -1.5) & (d < 0.5))[..., None], col * 0.45, col)
    region = frame[cy0:cy1, cx0:cx1]
    a3 = alpha[..., None]
    region *= 1.0 - a3
    region += a3 * col
    ids[cy0:cy1, cx0:cx1][alpha > 0.5] = k
    inside = int((alpha > 0.5).sum())
    full = inside
    if (x0, y0, x1, y1) != (cx0, cy0, cx1, cy1):  # partly outside: count the rest analytically
        uu, vv = np.meshgrid(np.arange(x0, x1) + 0.5 - cxp, np.arange(y0, y1) + 0.5 - cyp)
        full = int((shape_sdf(shape, tr.facing[i] * uu, vv, hw, hh) < 0).sum())
    return bbox, max(full, inside), inside


class Rasterizer:
    """Renders timelines at a fixed size; the background image is cached per scene and seed."""

    def __init__(self, height: int, width: int) -> None:
        self.height, self.width = height, width

    def _background(self, tl: Timeline, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
        H, W = self.height, self.width
        bg = tl.scene.background
        static = bool(np.ptp(tl.cx) == 0 and np.ptp(tl.cy) == 0 and np.ptp(tl.zoom) == 0)
        size = max(H, W) * 2 if static else int(max(H, W) * 2 * max(1.0, float(tl.zoom.max())))
        tex = background_texture(bg, size, rng)
        return tex, static

    def _bg_frame(self, tex: np.ndarray, tl: Timeline, i: int) -> np.ndarray:
        """Sample the world-space background for frame ``i`` through the camera."""
        H, W = self.height, self.width
        size = tex.shape[0]
        z = tl.zoom[i]
        # screen px -> world: xw = (X / W - 0.5) / z + cx ; world -> tex: (xw + 0.5) / 2 * size
        sx = size / (2.0 * W * z)
        sy = size / (2.0 * H * z)
        tx = ((-0.5) / z + tl.cx[i] + 0.5) / 2.0 * size
        ty = ((-0.5) / z + tl.cy[i] + 0.5) / 2.0 * size
        m = np.array([[sx, 0.0, tx + 0.5 * sx - 0.5], [0.0, sy, ty + 0.5 * sy - 0.5]], np.float32)
        return cv2.warpAffine(
            tex, m, (W, H), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT
        )

    def render(self, tl: Timeline, rng: np.random.Generator) -> tuple[np.ndarray, list[Truth]]:
        """Frames ``(T, H, W, 3)`` uint8 and one :class:`Truth` per track (same order)."""
        H, W, T = self.height, self.width, tl.num_frames
        tex, static = self._background(tl, rng)
        bg0 = self._bg_frame(tex, tl, 0) if static else None
        out = np.empty((T, H, W, 3), np.uint8)
        n = len(tl.tracks)
        bbox = np.zeros((n, T, 4))
        full = np.zeros((n, T))
        seen = np.zeros((n, T))
        inframe = np.zeros((n, T))
        occl: list[list[list[str]]] = [[[] for _ in range(T)] for _ in range(n)]
        for i in range(T):
            frame = bg0.copy() if bg0 is not None else self._bg_frame(tex, tl, i)
            ids = np.full((H, W), -1, np.int16)
            for k, tr in enumerate(tl.tracks):
                bbox[k, i], full[k, i], inframe[k, i] = draw_track(frame, ids, k, tr, i, tl)
            counts = np.bincount(ids[ids >= 0].ravel(), minlength=n)
            for k in range(n):
                if full[k, i] > 0:
                    seen[k, i] = counts[k] / full[k, i]
                    if inframe[k, i] > counts[k]:  # some in-frame pixels are covered: by whom
                        occl[k][i] = [
                            tl.tracks[j].id
                            for j in range(k + 1, n)
                            if tl.tracks[j].visible[i] and _overlap(bbox[k, i], bbox[j, i])
                        ]
            out[i] = np.clip(frame + 0.5, 0, 255).astype(np.uint8)
        truths = []
        norm = np.array([W, H, W, H], float)
        for k in range(n):
            truths.append(
                Truth(
                    bbox=bbox[k] / norm,
                    area=full[k] / (H * W),
                    visible_frac=np.clip(seen[k], 0.0, 1.0),
                    in_frame_frac=np.where(full[k] > 0, inframe[k] / np.maximum(full[k], 1), 0.0),
                    occluded_by=occl[k],
                )
            )
        return out, truths


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
