"""The ``color`` backend (default, no weights): colour keying, blobs, tracks, camera, occluders."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from metrics.observe.base import Observation
from metrics.observe.blobs import Blob, find_blobs
from metrics.observe.camera import camera_from_anchors, estimate_camera
from metrics.observe.color import CLASS_OF, NONE, class_map
from metrics.observe.explain import explain
from metrics.observe.scenery import INVALID, occluder_regions, stabilised_class_maps, static_class_map
from metrics.observe.tracker import ColorTracker, GroupSpec

_DILATE = np.ones((5, 5), np.uint8)


def group_info(prompt: Any, observable: Any) -> dict[str, dict[str, Any]]:
    """``expect.objects`` as plain dicts, with whether a backend can observe each one."""
    exp = prompt.expect
    out: dict[str, dict[str, Any]] = {}
    for o in exp.objects if exp else []:
        out[o.id] = {
            "noun": o.noun,
            "color": o.color,
            "shape": o.shape,
            "count": o.count,
            "observable": bool(observable(o)),
        }
    return out


class ColorBackend:
    """Observes the objects of ``expect`` that have a colour.

    Args:
        min_area_frac: smallest blob, as a fraction of the frame (H.264 speckle is smaller).
    """

    name = "color"

    def __init__(self, min_area_frac: float = 0.0006) -> None:
        self.min_area_frac = float(min_area_frac)

    def protocol(self) -> dict[str, Any]:
        return {"backend": self.name, "min_area_frac": self.min_area_frac, "camera": "LK + RANSAC similarity"}

    def observe(self, clip: Any) -> Observation:
        frames = clip.frames
        T, H, W = frames.shape[:3]
        groups = group_info(clip.prompt, lambda o: o.color is not None)
        exp = clip.prompt.expect
        specs = [GroupSpec(o.id, CLASS_OF[o.color], o.count, o.shape) for o in (exp.objects if exp else []) if o.color]
        cmap = clip.cache.get("class_map")
        if cmap is None:
            cmap = clip.cache["class_map"] = class_map(frames)
        min_area = max(6, round(self.min_area_frac * H * W))
        expected_cls = np.array(sorted({s.cls for s in specs}), np.uint8)

        def is_scenery(b: Blob, t_prev: int) -> bool:
            """The blob's colour was already there when the lost track was last seen."""
            ys, xs = np.nonzero(b.mask)
            return float((cmap[t_prev][ys + int(b.box[1]), xs + int(b.box[0])] == b.cls).mean()) >= 0.5

        blobs: list[list[Blob]] = []
        for t in range(T):
            counts = np.bincount(cmap[t].ravel(), minlength=256)
            present = [c for c in np.flatnonzero(counts >= min_area) if c not in (NONE, INVALID)]
            blobs.append([b for c in present for b in find_blobs(cmap[t], int(c), t, min_area)])
        tracks = ColorTracker(specs, T, H, W, is_scenery, clip.gray(), cmap).run(blobs) if specs else []
        # the camera from what is left once the followed objects (wheels, windows and all) are out
        camera = estimate_camera(clip.gray(), _object_mask(tracks, cmap, expected_cls))
        if camera.valid.sum() < max(1, (T - 1) // 2):
            camera = camera_from_anchors(_anchor_pairs(clip.prompt, tracks, blobs, set(expected_cls.tolist())), camera)
        static = static_class_map(stabilised_class_maps(cmap, camera))
        regions = occluder_regions(static, 2 * min_area)
        explain(tracks, regions, camera, H, W)
        return Observation("color", T, H, W, tracks, camera, regions, groups)


def _anchor_pairs(
    prompt: Any, tracks: list[Any], blobs: list[list[Blob]], expected: set[int]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per step, matched centres of things that should not move: blobs of colours the prompt does
    not mention (scenery), matched by colour, proximity and size, and — only when the prompt is
    about the camera — tracks of expected objects it gives no motion (set dressing; elsewhere an
    object without a motion expectation may well move)."""
    exp = prompt.expect
    still: list[Any] = []
    if exp is not None and exp.camera is not None:
        moving = {m.subject for m in exp.motion} | {k.subject for k in exp.kinematics}
        moving |= {k.with_ for k in exp.kinematics if k.with_}
        moving |= {getattr(e, "subject", None) for e in exp.events} - {None}
        still = [tr for tr in tracks if tr.group not in moving]
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
            cands = [y for y in blobs[t + 1] if y.cls == x.cls and abs(np.log(y.area / x.area)) < 0.4]
            if not cands:
                continue
            y = min(cands, key=lambda y: float(np.hypot(*(y.center - x.center))))
            if np.hypot(*(y.center - x.center)) < 0.5 * np.sqrt(x.area) + 4:
                a.append(x.center)
                b.append(y.center)
        out.append((np.array(a, float).reshape(-1, 2), np.array(b, float).reshape(-1, 2)))
    return out


def _object_mask(tracks: list[Any], cmap: np.ndarray, expected_cls: np.ndarray) -> np.ndarray:
    """``(T, H, W)`` pixels of the followed objects: their colour, and their boxes padded by a
    quarter (parts of other colours — wheels, windows, lamps — move with them)."""
    mask = np.isin(cmap, expected_cls)
    _, H, W = mask.shape
    for tr in tracks:
        for t in np.flatnonzero(tr.visible & np.isfinite(tr.box).all(1)):
            x0, y0, x1, y1 = tr.box[t]
            px, py = 0.25 * (x1 - x0) + 2, 0.25 * (y1 - y0) + 2
            mask[
                t, max(0, int(y0 - py)) : min(H, int(y1 + py) + 1), max(0, int(x0 - px)) : min(W, int(x1 + px) + 1)
            ] = True
    return np.stack([cv2.dilate(m.astype(np.uint8), _DILATE).astype(bool) for m in mask])
