"""How the ``color`` backend observes a clip: palette classes, blobs, tracks, camera, occluders.

It looks at the clip's working frames (short side at most ``working_side``; the tuned 128 px
clips as they are), where its thresholds in fractions of the short side and seconds become
pixels and frames, and maps what it found back to the clip's pixels."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from metrics.observe.base import Observation, Track
from metrics.observe.blobs import Blob, find_blobs
from metrics.observe.camera import camera_from_anchors, estimate_camera, hold_motion
from metrics.observe.color import CLASS_OF, NONE, class_map, keying_key
from metrics.observe.color_backend import ColorBackend, group_info
from metrics.observe.explain import explain
from metrics.observe.params import TUNED, CameraParams, Scale
from metrics.observe.scenery import INVALID, occluder_regions, stabilised_class_maps, static_class_map
from metrics.observe.tracker import ColorTracker, GroupSpec


def clip_class_map(clip: Any, be: ColorBackend) -> np.ndarray:
    """``(T, h, w)`` palette classes of the clip's working frames, computed once per clip, working
    size and keying."""
    key = f"class_map:{be.working_side}:" + keying_key(be.keying)
    if key not in clip.cache:
        clip.cache[key] = class_map(clip.working(be.working_side), be.keying)
    return clip.cache[key]


def observe_colors(clip: Any, be: ColorBackend) -> Observation:
    """The observation of ``clip`` by colour keying with ``be``'s parameters (clip pixels)."""
    T, H, W = clip.frames.shape[:3]
    cmap = clip_class_map(clip, be)
    gray = clip.working_gray(be.working_side)
    h, w = cmap.shape[1:]
    sc = Scale(min(h, w), clip.fps)
    groups = group_info(clip.prompt, lambda o: o.color is not None)
    exp = clip.prompt.expect
    specs = [GroupSpec(o.id, CLASS_OF[o.color], o.count, o.shape) for o in (exp.objects if exp else []) if o.color]
    min_area = max(6, round(be.min_area_frac * h * w))
    expected_cls = np.array(sorted({s.cls for s in specs}), np.uint8)

    def is_scenery(b: Blob, t_prev: int) -> bool:
        """The blob's colour was already there when the lost track was last seen."""
        ys, xs = np.nonzero(b.mask)
        share = float((cmap[t_prev][ys + int(b.box[1]), xs + int(b.box[0])] == b.cls).mean())
        return share >= be.scenery.recolor_scenery

    blobs = frame_blobs(cmap, min_area, be, sc)
    tracks: list[Track] = []
    if specs:
        tracker = ColorTracker(specs, T, h, w, is_scenery, gray, cmap, be.tracking, be.blobs, sc)
        tracks = tracker.run(blobs)
    # the camera from what is left once the followed objects (wheels, windows and all) are out
    camera = estimate_camera(gray, _object_mask(tracks, cmap, expected_cls, be.camera, sc), be.camera, sc)
    if camera.valid.sum() < max(1, int((T - 1) * be.camera.anchors_below)):
        pairs = _anchor_pairs(clip.prompt, tracks, blobs, set(expected_cls.tolist()), be.camera, sc)
        camera = camera_from_anchors(pairs, camera, be.camera, sc)
    camera = hold_motion(camera, sc.frames(be.camera.hold_seconds))
    static = static_class_map(stabilised_class_maps(cmap, camera), be.scenery)
    regions = occluder_regions(static, be.scenery.min_areas * min_area, be.scenery)
    explain(tracks, regions, camera, h, w, be.explain, be.cut)
    return Observation("color", T, h, w, tracks, camera, regions, groups, fps=clip.fps).resized(H, W)


def frame_blobs(cmap: np.ndarray, min_area: int, be: ColorBackend, sc: Scale = TUNED) -> list[list[Blob]]:
    """Per frame, the blobs of every palette class present with at least ``min_area`` pixels."""
    out: list[list[Blob]] = []
    for t in range(cmap.shape[0]):
        counts = np.bincount(cmap[t].ravel(), minlength=256)
        present = [c for c in np.flatnonzero(counts >= min_area) if c not in (NONE, INVALID)]
        out.append([b for c in present for b in find_blobs(cmap[t], int(c), t, min_area, be.blobs, sc)])
    return out


def _anchor_pairs(
    prompt: Any, tracks: list[Track], blobs: list[list[Blob]], expected: set[int], p: CameraParams, sc: Scale
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per step, matched centres of things that should not move: blobs of colours the prompt does
    not mention (scenery), matched by colour, proximity and size, and — only when the prompt is
    about the camera — tracks of expected objects it gives no motion (set dressing; elsewhere an
    object without a motion expectation may well move)."""
    still = _still_tracks(prompt, tracks)
    reach, reach_px = sc.per_step(p.anchor_reach), sc.per_step(sc.px(p.anchor_reach_short))
    out = []
    for t in range(len(blobs) - 1):
        a, b = [], []
        for tr in still:
            if tr.full()[t] and tr.full()[t + 1]:
                a.append(tr.center[t])
                b.append(tr.center[t + 1])
        for x in blobs[t]:
            if x.cls in expected:
                continue
            cands = [y for y in blobs[t + 1] if y.cls == x.cls and abs(np.log(y.area / x.area)) < p.anchor_area_ratio]
            if not cands:
                continue
            y = min(cands, key=lambda y: float(np.hypot(*(y.center - x.center))))
            if np.hypot(*(y.center - x.center)) < reach * np.sqrt(x.area) + reach_px:
                a.append(x.center)
                b.append(y.center)
        out.append((np.array(a, float).reshape(-1, 2), np.array(b, float).reshape(-1, 2)))
    return out


def _still_tracks(prompt: Any, tracks: list[Track]) -> list[Track]:
    """In a camera prompt, tracks of expected objects the prompt gives no motion (set dressing)."""
    exp = prompt.expect
    if exp is None or exp.camera is None:
        return []
    moving = {m.subject for m in exp.motion} | {k.subject for k in exp.kinematics}
    moving |= {k.with_ for k in exp.kinematics if k.with_}
    moving |= {getattr(e, "subject", None) for e in exp.events} - {None}
    return [tr for tr in tracks if tr.group not in moving]


def _object_mask(
    tracks: list[Track], cmap: np.ndarray, expected_cls: np.ndarray, p: CameraParams, sc: Scale
) -> np.ndarray:
    """``(T, H, W)`` pixels of the followed objects: their colour, and their boxes padded (parts of
    other colours — wheels, windows, lamps — move with them), dilated."""
    followed = np.zeros(256, bool)
    followed[expected_cls] = True
    mask = followed[cmap]
    _, H, W = mask.shape
    pad_px = sc.px(p.exclude_pad_short)
    for tr in tracks:
        for t in np.flatnonzero(tr.visible & np.isfinite(tr.box).all(1)):
            x0, y0, x1, y1 = tr.box[t]
            px, py = p.exclude_pad * (x1 - x0) + pad_px, p.exclude_pad * (y1 - y0) + pad_px
            mask[
                t, max(0, int(y0 - py)) : min(H, int(y1 + py) + 1), max(0, int(x0 - px)) : min(W, int(x1 + px) + 1)
            ] = True
    k = sc.kernel(p.exclude_dilate_short)
    kernel = np.ones((k, k), np.uint8)
    return np.stack([cv2.dilate(m.astype(np.uint8), kernel).astype(bool) for m in mask])
