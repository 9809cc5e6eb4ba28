"""Object appearance: shape signed distance fields rendered once into cached sprites.

A sprite holds an object's shaded, textured colour and its signed distance field at a resolution
level (half of the longer side is ``2 ** (level / LEVELS)`` sprite pixels). The rasterizer warps it to
each frame's sub-pixel position and scale and turns the distance into anti-aliased coverage
``clip(0.5 - d, 0, 1)``, so edges stay exact at any position while a frame costs one small warp
per object. A sprite depends only on its :class:`Look`, so a frame's pixels depend only on that
frame's state (what keeps clean and faulty renders identical outside a fault).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from model.world.tones import HUB, TYRE, edge_tone, glass_tone, lamp_tone, modulation

#: Sprite sizes per octave: a sprite is drawn at 1 to 2 ** (-1 / LEVELS) of its resolution.
LEVELS = 2
#: The finest level: half of a sprite's longer side is at most 256 pixels (larger shapes are
#: scaled up; their edges stay sharp, being drawn from the distance field).
MAX_LEVEL = 8 * LEVELS
#: Shapes a morph may turn an object into.
MORPH_SHAPES = ("circle", "square", "triangle", "star")


@dataclass(frozen=True)
class Form:
    """The geometry of a sprite (hashable): shape, morph, aspect, resolution level, facing, marks.

    ``blend`` morphs ``shape`` into ``shape2`` (0..1); ``mark`` is the side (``left``, ``right``,
    ``top``, ``bottom``) where a bite or crack sits; ``facing`` +1 puts a vehicle's front right.
    """

    shape: str
    shape2: str
    blend: float
    aspect: float
    level: int
    facing: int
    bite: bool
    crack: bool
    mark: str


@dataclass(frozen=True)
class Look:
    """Everything that determines a sprite (hashable: the sprite cache key)."""

    form: Form
    texture: str
    outline: bool
    color: str
    rgb: tuple[float, float, float]


@dataclass(frozen=True)
class Sprite:
    """``img`` ``(h, w, 4)`` float32: RGB (0..255) and signed distance in sprite pixels (negative
    inside); the shape's centre is the image centre; ``half`` is half its longer side in pixels;
    ``area`` the pixels inside the shape."""

    img: np.ndarray
    half: float
    area: int


@dataclass(frozen=True)
class _Geometry:
    """A form rasterised: grid ``u``, ``v`` ``(h, w)`` (pixels from the centre), distance ``d``,
    half extents, and masks of the parts painted in their own tones."""

    u: np.ndarray
    v: np.ndarray
    d: np.ndarray
    half: float
    hw: float
    hh: float
    parts: tuple[tuple[str, np.ndarray], ...]  # (part name, mask) in painting order


def levels_for(half_px: np.ndarray) -> np.ndarray:
    """Smallest levels whose sprites are at least ``half_px`` (half the longer side, screen pixels)."""
    return np.minimum(np.ceil(LEVELS * np.log2(np.maximum(half_px, 2.0)) - 1e-9).astype(int), MAX_LEVEL)


# ---------------------------------------------------------------------------------------------
# signed distance fields in pixel units (negative inside), over grids ``u`` (right), ``v`` (down)


def sdf_box(u: np.ndarray, v: np.ndarray, hw: float, hh: float, r: float = 0.0) -> np.ndarray:
    qx = np.abs(u) - (hw - r)
    qy = np.abs(v) - (hh - r)
    outside = np.hypot(np.maximum(qx, 0.0), np.maximum(qy, 0.0))
    return outside + np.minimum(np.maximum(qx, qy), 0.0) - r


def sdf_ellipse(u: np.ndarray, v: np.ndarray, hw: float, hh: float) -> np.ndarray:
    k = np.hypot(u / max(hw, 1e-6), v / max(hh, 1e-6))
    return (k - 1.0) * min(hw, hh)


def segment_distance(u: np.ndarray, v: np.ndarray, pts: np.ndarray, closed: bool) -> np.ndarray:
    """Distance to the polyline through ``pts`` ``(N, 2)`` (closed: back to the first point)."""
    a = np.asarray(pts, np.float32)
    b = np.roll(a, -1, axis=0) if closed else a[1:]
    a = a if closed else a[:-1]
    e = (b - a)[:, :, None, None]  # (E, 2, 1, 1)
    wx, wy = u[None] - a[:, 0, None, None], v[None] - a[:, 1, None, None]  # (E, h, w)
    h = np.clip((wx * e[:, 0] + wy * e[:, 1]) / np.maximum((e**2).sum(axis=1), 1e-12), 0.0, 1.0)
    return np.hypot(wx - e[:, 0] * h, wy - e[:, 1] * h).min(axis=0)


def inside_polygon(u: np.ndarray, v: np.ndarray, verts: np.ndarray) -> np.ndarray:
    """Boolean mask of the grid points inside the closed polygon ``verts`` ``(N, 2)`` (even-odd)."""
    a = np.asarray(verts, np.float32)
    b = np.roll(a, -1, axis=0)
    ay, by = a[:, 1, None, None], b[:, 1, None, None]
    crosses = (v[None] >= ay) != (v[None] >= by)
    dy = np.where(by == ay, 1e-12, by - ay)
    xint = a[:, 0, None, None] + (v[None] - ay) * (b[:, 0, None, None] - a[:, 0, None, None]) / dy
    return (np.count_nonzero(crosses & (u[None] < xint), axis=0) % 2).astype(bool)


def sdf_polygon(u: np.ndarray, v: np.ndarray, verts: np.ndarray) -> np.ndarray:
    """Exact distance to a closed polygon ``verts`` ``(N, 2)``, negative inside."""
    d = segment_distance(u, v, verts, closed=True)
    return np.where(inside_polygon(u, v, verts), -d, d)


def _segment(u: np.ndarray, v: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    """Distance to the segment ``a``-``b``."""
    ex, ey = b[0] - a[0], b[1] - a[1]
    wx, wy = u - a[0], v - a[1]
    h = np.clip((wx * ex + wy * ey) / max(ex * ex + ey * ey, 1e-12), 0.0, 1.0)
    return np.hypot(wx - ex * h, wy - ey * h)


def _left_of(u: np.ndarray, v: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    """Sign of the cross product ``(b - a) x (p - a)`` (positive: ``p`` to the left going a -> b)."""
    return (b[0] - a[0]) * (v - a[1]) - (b[1] - a[1]) * (u - a[0])


STAR_INNER = 0.42  # inner radius / outer radius


def sdf_star(u: np.ndarray, v: np.ndarray, r: float) -> np.ndarray:
    """Five-pointed star of outer radius ``r``, one tip up, centred 0.1 r below 0.

    The plane is folded into the wedge between a tip and the next inner corner (the star is
    symmetric under turns of 72 degrees and mirrors), where the boundary is one segment.
    """
    x, y = u, -(v - 0.1 * r)  # y up
    phi = np.arctan2(x, y)  # angle from the upward tip, clockwise
    sector = np.pi / 5
    phi = np.abs(np.mod(phi + sector, 2 * sector) - sector)
    rho = np.hypot(x, y)
    qx, qy = rho * np.sin(phi), rho * np.cos(phi)
    tip, inner = (0.0, r), (STAR_INNER * r * np.sin(sector), STAR_INNER * r * np.cos(sector))
    d = _segment(qx, qy, tip, inner)
    return np.where(_left_of(qx, qy, tip, inner) > 0, d, -d)


def sdf_triangle(u: np.ndarray, v: np.ndarray, hw: float, hh: float) -> np.ndarray:
    """Isosceles triangle with its base at ``v = hh`` and its apex at ``v = -hh``."""
    x = np.abs(u)  # mirror-symmetric: the boundary is the right slant and half the base
    apex, corner, foot = (0.0, -hh), (hw, hh), (0.0, hh)
    d = np.minimum(_segment(x, v, apex, corner), _segment(x, v, corner, foot))
    inside = (v <= hh) & (_left_of(x, v, apex, corner) > 0)
    return np.where(inside, -d, d)


def _cabin(hw: float, hh: float) -> np.ndarray:
    """Vehicle cabin: set back from the front, with a slanted windshield on the front side."""
    return np.array([[-0.75 * hw, -0.16 * hh], [-0.62 * hw, -hh], [0.02 * hw, -hh], [0.5 * hw, -0.16 * hh]])


def _windows(hw: float, hh: float) -> np.ndarray:
    return np.array([[-0.56 * hw, -0.36 * hh], [-0.48 * hw, -0.86 * hh], [0.0, -0.86 * hh], [0.32 * hw, -0.36 * hh]])


TYRE_X = (-0.56, 0.56)


def _tyres(u: np.ndarray, v: np.ndarray, hw: float, hh: float) -> np.ndarray:
    return np.minimum(*(np.hypot(u - x * hw, v - 0.64 * hh) - 0.34 * hh for x in TYRE_X))


def shape_sdf(shape: str, u: np.ndarray, v: np.ndarray, hw: float, hh: float) -> np.ndarray:
    """SDF of ``shape`` centred at 0 with half extents ``hw``, ``hh``; a vehicle's front is +u."""
    if shape == "circle":
        return sdf_ellipse(u, v, hw, hh)
    if shape in ("square", "rectangle"):
        return sdf_box(u, v, hw, hh, 0.12 * min(hw, hh))
    if shape == "triangle":
        return sdf_triangle(u, v, hw, hh)
    if shape == "star":
        return sdf_star(u, v, min(hw, hh))
    if shape == "vehicle":  # a long low body, the cabin set back, two tyres
        body = sdf_box(u, v - 0.2 * hh, hw, 0.46 * hh, 0.22 * hh)
        return np.minimum(np.minimum(body, sdf_polygon(u, v, _cabin(hw, hh))), _tyres(u, v, hw, hh))
    raise ValueError(f"unknown shape {shape!r}")


# ---------------------------------------------------------------------------------------------
# textures: a modulation in [-0.5, 0.5] over the local grid


def texture_modulation(texture: str, u: np.ndarray, v: np.ndarray, hw: float, hh: float) -> np.ndarray:
    p = max(min(hw, hh) * 0.5, 2.0)  # pattern period, in proportion to the object
    if texture == "stripes":
        return 0.5 - (np.floor(u / p) % 2)
    if texture == "checker":
        return 0.5 - ((np.floor(u / p) + np.floor(v / p)) % 2)
    if texture == "dots":
        return np.where(np.hypot((u % p) - p / 2, (v % p) - p / 2) < p / 3.2, -0.5, 0.25)
    if texture == "bricks":
        row = np.floor(v / p)
        x = u / (2 * p) + 0.5 * (row % 2)
        mortar = (np.abs(v / p - np.round(v / p)) < 0.12) | (np.abs(x - np.round(x)) < 0.06)
        return np.where(mortar, -0.5, 0.3)
    if texture == "planks":
        seam = np.abs(v / p - np.round(v / p)) < 0.1
        return np.where(seam, -0.5, 0.25 * np.sin(u / p * 0.7 + np.floor(v / p) * 1.3))
    return np.zeros(np.broadcast(u, v).shape)


def _mark_frame(mark: str, u: np.ndarray, v: np.ndarray, hw: float, hh: float) -> tuple:
    """Coordinates ``(a, b, ha, hb)`` in which the mark's side points along +a."""
    if mark == "left":
        return -u, v, hw, hh
    if mark == "top":
        return -v, u, hh, hw
    if mark == "bottom":
        return v, u, hh, hw
    return u, v, hw, hh


@functools.lru_cache(maxsize=256)
def _geometry(form: Form) -> _Geometry:
    half = 2.0 ** (form.level / LEVELS)
    hw, hh = (half, half / form.aspect) if form.aspect >= 1.0 else (half * form.aspect, half)
    w, h = 2 * int(np.ceil(hw + 2.5)), 2 * int(np.ceil(hh + 2.5))
    u = (np.arange(w, dtype=np.float32) + 0.5 - w / 2)[None, :]
    v = (np.arange(h, dtype=np.float32) + 0.5 - h / 2)[:, None]
    u, v = np.broadcast_arrays(u, v)
    uf = form.facing * u  # a vehicle's front points along +uf
    d = shape_sdf(form.shape, uf, v, hw, hh)
    if form.blend > 0:
        d = (1.0 - form.blend) * d + form.blend * shape_sdf(form.shape2, uf, v, hw, hh)
    a, b, ha, hb = _mark_frame(form.mark, u, v, hw, hh)
    r = min(hw, hh)
    if form.bite:  # a round notch on the contact side (on a vehicle's side: the body, above the tyres)
        side = form.shape == "vehicle" and form.mark in ("left", "right")
        cb, cr = (0.2 * hh, 0.26 * hh) if side else (0.0, 0.42 * r)
        d = np.maximum(d, -(np.hypot(a - 0.95 * ha, b - cb) - cr))
    parts = []
    if form.shape == "vehicle" and form.blend < 0.5:
        parts.append(("glass", inside_polygon(uf, v, _windows(hw, hh))))
        parts.append(("lamp", np.hypot(uf - 0.9 * hw, v - 0.02 * hh) < 0.16 * hh + 0.3))
        parts.append(("tyre", _tyres(uf, v, hw, hh) < 0.8))
        parts.append(("hub", np.minimum(*(np.hypot(uf - x * hw, v - 0.64 * hh) for x in TYRE_X)) < 0.13 * hh))
    if form.crack:  # a zigzag from the contact side to the centre (it never cuts the shape in two)
        k = np.array([0.95, 0.66, 0.42, 0.18, 0.0])
        pts = np.stack([k * ha, np.array([0.0, 0.2, -0.14, 0.16, -0.04]) * hb], axis=1)
        parts.append(("ink", segment_distance(a, b, pts, closed=False) < max(0.7, 0.06 * r)))
    return _Geometry(u, v, d.astype(np.float32), half, hw, hh, tuple(parts))


@functools.lru_cache(maxsize=256)
def sprite(look: Look) -> Sprite:
    """Render ``look`` (cached: sprites are read-only)."""
    g = _geometry(look.form)
    base = np.asarray(look.rgb, np.float32)
    m = np.clip(g.v * (-0.5 / g.hh), -0.5, 0.5) + texture_modulation(look.texture, g.u, g.v, g.hw, g.hh)
    gain = (1.0 + modulation(look.color) * m).astype(np.float32)
    chans = [np.minimum(gain * c, 255.0) for c in base]
    ink = edge_tone(look.color, base)
    tones = {
        "glass": glass_tone(look.color, base),
        "lamp": lamp_tone(look.color, base),
        "tyre": TYRE,
        "hub": HUB,
        "ink": ink,
    }
    masks = [(tones[part], mask) for part, mask in g.parts]
    if look.outline:
        masks.append((ink, g.d > -max(1.2, 0.1 * min(g.hw, g.hh))))
    for tone, mask in masks:
        for ch, value in zip(chans, tone, strict=True):
            ch[mask] = value
    img = cv2.merge([*chans, g.d])
    img.setflags(write=False)
    return Sprite(img, g.half, int(np.count_nonzero(g.d < 0)))


def clear_caches() -> None:
    """Forget every cached sprite and geometry (for benchmarks of cold rendering)."""
    sprite.cache_clear()
    _geometry.cache_clear()
