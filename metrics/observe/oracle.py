"""The ``oracle`` backend: observations read from the reference generator's sidecar ``truth``.

It sees exactly what was rendered, so checks can be tested on their logic alone. Shape
descriptors are the colour backend's typical values of the rendered shape, so a morph shows up
as the same kind of descriptor change in both backends.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from metrics.observe.base import DESCRIPTORS, Observation, Region, Track
from metrics.observe.camera import camera_from_truth
from metrics.observe.color_backend import group_info
from metrics.observe.tracker import PROTOTYPES
from t2vbase.errors import MetricError

_VISIBLE = 0.05  # a track counts as seen when this much of it shows
_WHOLE = 0.9


def _desc(shape: str, w: float, h: float, facing: int) -> np.ndarray:
    ext, circ = PROTOTYPES.get(shape, (np.nan, np.nan))
    top = -0.1 * facing if shape == "vehicle" else 0.0
    return np.array([ext, circ, w / max(h, 1e-6), 1.0, top, 0.0])[: len(DESCRIPTORS)]


class OracleBackend:
    """Tracks, camera and occluders straight from ``clip.meta["truth"]``."""

    name = "oracle"

    def protocol(self) -> dict[str, Any]:
        return {"backend": self.name}

    def observe(self, clip: Any) -> Observation:
        truth = (clip.meta or {}).get("truth")
        if not truth:
            raise MetricError(f"prompt {clip.prompt.id!r}: the oracle backend needs the generator's truth (sidecar)")
        T, H, W = clip.frames.shape[:3]
        scale = np.array([W, H, W, H], float)
        groups = group_info(clip.prompt, lambda o: True)
        tracks, regions = [], []
        members: dict[str, int] = {}
        for o in truth["objects"]:
            members[o["group"]] = members.get(o["group"], 0) + 1
        for o in truth["objects"]:
            box = np.asarray(o["bbox"], float) * scale
            if o["kind"] == "occluder":
                mask = np.zeros((H, W), bool)
                x0, y0, x1, y1 = np.clip(np.round(box[0]), 0, [W, H, W, H]).astype(int)
                mask[y0:y1, x0:x1] = True
                regions.append(Region(f"occluder:{o['id']}", mask, (x0, y0, x1, y1), o["color"][0]))
            if o["group"] not in groups:  # an occluder the prompt names is an object to follow too
                continue
            tid = o["group"] if members[o["group"]] == 1 else f"{o['group']}#{o['id']}"
            tr = Track.empty(tid, o["group"], T)
            frac = np.asarray(o["visible_frac"], float)
            inframe = np.asarray(o["in_frame_frac"], float)
            drawn = np.asarray(o["visible"], bool)
            tr.visible = drawn & (frac >= _VISIBLE)
            tr.box = np.where(tr.visible[:, None], box, np.nan)
            tr.center = np.where(tr.visible[:, None], (box[:, :2] + box[:, 2:]) / 2, np.nan)
            tr.area = np.where(tr.visible, np.asarray(o["area"], float) * frac * H * W, 0.0)
            tr.partial = tr.visible & (frac < _WHOLE)
            tr.edge = tr.visible & (inframe < 0.999)
            for t in range(T):
                w, h = box[t, 2] - box[t, 0], box[t, 3] - box[t, 1]
                if tr.visible[t]:
                    tr.color[t] = o["color"][t]
                    tr.facing[t] = o["facing"][t] if o["shape"][t] == "vehicle" else 0
                    if not tr.partial[t]:
                        tr.desc[t] = _desc(o["shape"][t], w, h, o["facing"][t])
                elif drawn[t]:
                    tr.hidden_by[t] = (
                        "edge"
                        if inframe[t] < _VISIBLE
                        else (f"occluder:{o['occluded_by'][t][0]}" if o["occluded_by"][t] else "edge")
                    )
            seen = np.flatnonzero(tr.visible)
            if seen.size:
                first = int(seen[0])
                if first == 0:
                    tr.born_from = "start"
                elif drawn[first - 1]:
                    tr.born_from = tr.hidden_by[first - 1]
            tracks.append(tr)
        cam = truth.get("camera") or {}
        camera = camera_from_truth(cam["cx"], cam["cy"], cam["zoom"], H, W) if cam else None
        if camera is None:
            from metrics.observe.base import Camera

            camera = Camera.static(T, "truth")
        return Observation("oracle", T, H, W, tracks, camera, regions, groups, fps=clip.fps)
