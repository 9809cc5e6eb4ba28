"""Rasterize a :class:`~model.world.timeline.Timeline` into frames and per-frame ground truth.

Each frame starts from the background seen through the camera; tracks are drawn in ``z`` order by
warping their cached sprite (:mod:`model.world.sprites`) to the frame's sub-pixel position and
scale and compositing its anti-aliased coverage. An id buffer records the front-most track per
pixel, from which the ground truth (visible fraction, occluders) is read. A frame's pixels depend
only on that frame's state, so timelines that differ in some frames render identically elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from model.world.background import Backdrop
from model.world.sprites import LEVELS, Form, Look, levels_for, sprite
from model.world.timeline import Timeline, Track

_WARP = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
_FAR = (0.0, 0.0, 0.0, 1e4)  # outside a sprite: far outside the shape


@dataclass
class Truth:
    """Per-frame ground truth of one track (screen coordinates normalised to [0, 1])."""

    bbox: np.ndarray  # (T, 4) x0, y0, x1, y1 of the full shape (may extend past the frame)
    area: np.ndarray  # (T,) full shape area / frame area (0 when not drawn)
    visible_frac: np.ndarray  # (T,) fraction of the shape's pixels seen (in frame, not occluded)
    in_frame_frac: np.ndarray  # (T,) fraction of the shape inside the frame
    occluded_by: list[list[str]]  # per frame: ids of tracks drawn over it


def screen_geometry(tl: Timeline, tr: Track, height: int, width: int) -> tuple[np.ndarray, ...]:
    """Centre ``(cx, cy)`` and half extents ``(hw, hh)`` in pixels, each ``(T,)``."""
    S = min(height, width)
    cx = ((tr.x - tl.cx) * tl.zoom + 0.5) * width
    cy = ((tr.y - tl.cy) * tl.zoom + 0.5) * height
    return cx, cy, tr.w * S * tl.zoom / 2, tr.h * S * tl.zoom / 2


def looks(tr: Track, half: np.ndarray, short: int) -> list[Look]:
    """The sprite key of track ``tr`` at every frame, drawn with half longer side ``half`` ``(T,)``
    pixels in frames whose shorter side is ``short`` pixels (a new :class:`Look` only where
    something changes).

    The resolution is the track's ``detail`` (its largest size in the scene) but at most one octave
    finer than the frame needs, and never coarser: one sprite serves a whole zoom, and a frame's
    sprite depends only on that frame's state and on the scene, never on a fault.
    """
    need = levels_for(half)
    level = np.maximum(need, np.minimum(levels_for(np.array(tr.detail * short)), need + LEVELS))
    blend = np.round(tr.blend * 64) / 64
    aspect = np.round(tr.w / tr.h, 3)
    state = np.column_stack([level, blend, aspect, tr.facing, tr.bite, tr.crack, tr.rgb])
    new = np.ones(len(half), bool)
    new[1:] = (state[1:] != state[:-1]).any(axis=1)
    for i in range(1, len(half)):
        new[i] |= (tr.color[i], tr.shape[i], tr.shape2[i]) != (
            tr.color[i - 1],
            tr.shape[i - 1],
            tr.shape2[i - 1],
        )
    out: list[Look] = []
    for i in range(len(half)):
        if not new[i]:
            out.append(out[-1])
            continue
        marked = bool(tr.bite[i] or tr.crack[i])
        form = Form(
            shape=tr.shape[i],
            shape2=tr.shape2[i] if blend[i] > 0 else tr.shape[i],
            blend=float(blend[i]),
            aspect=float(aspect[i]),
            level=int(level[i]),
            facing=int(tr.facing[i]),
            bite=bool(tr.bite[i]),
            crack=bool(tr.crack[i]),
            mark=tr.mark if marked else "",
        )
        rgb = (float(tr.rgb[i, 0]), float(tr.rgb[i, 1]), float(tr.rgb[i, 2]))
        out.append(Look(form, tr.texture, tr.outline, tr.color[i], rgb))
    return out


@dataclass
class _Plan:
    """Per-frame drawing parameters of one track (plain lists: the frame loop is Python)."""

    sprites: list[np.ndarray]  # (h, w, 4) sprite images
    areas: list[int]  # pixels inside each sprite's shape
    warps: list[np.ndarray]  # (2, 3) screen patch -> sprite maps
    scale: list[float]  # screen pixels per sprite pixel
    rect: list[tuple[int, int, int, int]]  # patch x0, y0, x1, y1 (may leave the frame)
    opacity: list[float]
    brightness: list[float]
    visible: list[bool]
    run: list[int]  # first frame of the run of frames with this frame's sprite, warp and patch
    warped: tuple | None = None  # (run, patch results) of the last warp, reused along a run


def plan(tr: Track, geo: tuple[np.ndarray, ...], short: int) -> _Plan:
    """Sprites, warps and patch rectangles of ``tr`` for every frame from its screen geometry in
    frames whose shorter side is ``short`` pixels."""
    cx, cy, hw, hh = geo
    half = np.maximum(hw, hh)
    sprites = [sprite(lk) for lk in looks(tr, half, short)]
    spr_half = np.array([s.half for s in sprites])
    scale = half / spr_half
    x0, y0 = np.floor(cx - hw - 2).astype(int), np.floor(cy - hh - 2).astype(int)
    x1, y1 = np.ceil(cx + hw + 2).astype(int), np.ceil(cy + hh + 2).astype(int)
    sh = np.array([s.img.shape[0] for s in sprites])
    sw = np.array([s.img.shape[1] for s in sprites])
    inv = 1.0 / np.maximum(scale, 1e-9)
    z = np.zeros_like(inv)
    warps = np.stack(
        [
            np.stack([inv, z, (x0 + 0.5 - cx) * inv + sw / 2 - 0.5], axis=1),
            np.stack([z, inv, (y0 + 0.5 - cy) * inv + sh / 2 - 0.5], axis=1),
        ],
        axis=1,
    ).astype(np.float32)
    run = list(range(len(half)))
    for i in range(1, len(half)):
        same = sprites[i] is sprites[i - 1] and (warps[i] == warps[i - 1]).all()
        if same and (x0[i], y0[i], x1[i], y1[i]) == (x0[i - 1], y0[i - 1], x1[i - 1], y1[i - 1]):
            run[i] = run[i - 1]
    return _Plan(
        run=run,
        sprites=[s.img for s in sprites],
        areas=[s.area for s in sprites],
        warps=list(warps),
        scale=scale.tolist(),
        rect=list(zip(x0.tolist(), y0.tolist(), x1.tolist(), y1.tolist(), strict=True)),
        opacity=tr.opacity.tolist(),
        brightness=tr.brightness.tolist(),
        visible=(tr.visible & (half > 0)).tolist(),
    )


class Rasterizer:
    """Renders timelines at ``height`` x ``width`` pixels."""

    def __init__(self, height: int, width: int) -> None:
        self.height, self.width = height, width

    def render(self, tl: Timeline, rng: np.random.Generator) -> tuple[np.ndarray, list[Truth]]:
        """Frames ``(T, H, W, 3)`` uint8 and one :class:`Truth` per track (same order).

        ``rng`` seeds the background texture only.
        """
        H, W, T, n = self.height, self.width, tl.num_frames, len(tl.tracks)
        backdrop = Backdrop(tl.scene, H, W, rng)
        geo = [screen_geometry(tl, tr, H, W) for tr in tl.tracks]
        plans = [plan(tr, g, min(H, W)) for tr, g in zip(tl.tracks, geo, strict=True)]
        out = np.empty((T, H, W, 3), np.uint8)
        rgba = np.empty((H, W, 4), np.uint8)
        ids = np.empty((H, W), np.int16)
        full = np.zeros((n, T))
        inframe = np.zeros((n, T))
        seen = np.zeros((n, T))
        occl: list[list[list[str]]] = [[[] for _ in range(T)] for _ in range(n)]
        cams = list(zip(tl.cx.tolist(), tl.cy.tolist(), tl.zoom.tolist(), strict=True))
        for i in range(T):
            frame = backdrop.frame(*cams[i])
            ids.fill(-1)
            drawn = []
            for k, p in enumerate(plans):
                if p.visible[i]:
                    got = _draw(frame, ids, k, p, i)
                    full[k, i] = got[0]
                    if got[1] is not None:
                        drawn.append((k, got[1]))
            for k, (y0, y1, x0, x1, mask, count) in drawn:
                mine = ids[y0:y1, x0:x1]
                inframe[k, i] = count
                seen[k, i] = np.count_nonzero(mine == k)
                if seen[k, i] < count:  # some of it is covered: by the tracks drawn there
                    over = np.bincount(mine[mask & (mine != k)], minlength=n)
                    occl[k][i] = [tl.tracks[j].id for j in np.flatnonzero(over).tolist()]
            cv2.convertScaleAbs(frame, dst=rgba)
            cv2.cvtColor(rgba, cv2.COLOR_RGBA2RGB, dst=out[i])
        truths = []
        norm = np.array([W, H, W, H], float)
        for k in range(n):
            cx, cy, hw, hh = geo[k]
            bbox = np.stack([cx - hw, cy - hh, cx + hw, cy + hh], axis=1) / norm
            truths.append(
                Truth(
                    bbox=bbox,
                    area=full[k] / (H * W),
                    visible_frac=np.where(full[k] > 0, seen[k] / np.maximum(full[k], 1), 0.0),
                    in_frame_frac=np.where(full[k] > 0, inframe[k] / np.maximum(full[k], 1), 0.0),
                    occluded_by=occl[k],
                )
            )
        return out, truths


def _warp(p: _Plan, i: int, H: int, W: int) -> tuple:
    """Warp the in-frame part of plan ``p``'s sprite for frame ``i``.

    Returns the shape's full pixel count (counted when it is wholly in the frame, else from the
    sprite's area), then (None when it is wholly outside) the in-frame rectangle
    ``(y0, y1, x0, x1)``, patch ``(h, w, 4)``, coverage ``(h, w)``, mask ``(h, w)`` and its pixel
    count. Reused along runs of identical frames.
    """
    if p.warped is not None and p.warped[0] == p.run[i]:
        return p.warped[1]
    x0, y0, x1, y1 = p.rect[i]
    fx0, fy0, fx1, fy1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
    whole = (fx0, fy0, fx1, fy1) == (x0, y0, x1, y1)
    estimate = round(p.areas[i] * p.scale[i] ** 2)
    if fx1 <= fx0 or fy1 <= fy0:
        got: tuple = (estimate, None)
    else:
        m = p.warps[i].copy()
        m[:, 2] += m[:, :2] @ np.array([fx0 - x0, fy0 - y0], np.float32)  # the patch starts in the frame
        patch = cv2.warpAffine(p.sprites[i], m, (fx1 - fx0, fy1 - fy0), flags=_WARP, borderValue=_FAR)
        inside = patch[..., 3] < 0
        count = int(np.count_nonzero(inside))
        alpha = cv2.threshold(0.5 - p.scale[i] * patch[..., 3], 1.0, 1.0, cv2.THRESH_TRUNC)[1]
        alpha = cv2.threshold(alpha, 0.0, 0.0, cv2.THRESH_TOZERO)[1]
        got = (count if whole else max(count, estimate), (fy0, fy1, fx0, fx1), patch, alpha, inside, count)
    p.warped = (p.run[i], got)
    return got


def _draw(
    frame: np.ndarray, ids: np.ndarray, k: int, p: _Plan, i: int
) -> tuple[int, tuple[int, int, int, int, np.ndarray, int] | None]:
    """Composite plan ``p`` at frame ``i`` into ``frame`` ``(H, W, 4)`` and mark ``ids`` ``(H, W)``.

    Returns the shape's full pixel count (also outside the frame) and its in-frame mask
    ``(y0, y1, x0, x1, mask, pixel count)`` (None when it is wholly outside).
    """
    got = _warp(p, i, *ids.shape)
    if got[1] is None:
        return got[0], None
    full, (y0, y1, x0, x1), patch, alpha, inside, count = got
    if p.opacity[i] != 1.0:
        alpha = alpha * p.opacity[i]
    if p.brightness[i] != 1.0:
        patch = patch * p.brightness[i]
    region = frame[y0:y1, x0:x1]
    cv2.blendLinear(patch, region, alpha, 1.0 - alpha, dst=region)
    ids[y0:y1, x0:x1][inside] = k
    return full, (y0, y1, x0, x1, inside, count)
