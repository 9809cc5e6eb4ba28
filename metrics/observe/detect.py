"""Observations from an open-vocabulary detector: text queries in, per-frame boxes out, tracks.

Each expected object becomes a text query (``"a photo of a red ball"``; objects with the same
words share one). Per frame the detector's boxes go through per-query non-maximum suppression;
boxes scoring at least ``threshold`` may start a track, and, as in ByteTrack, boxes down to half
of it may continue one, so a track does not flicker out when its score dips. Tracks are
continued by Hungarian assignment on the colour tracker's motion model (:class:`Motion`). A
box mostly inside a box matched in the same frame is a part of that object, not a new one.

Boxes carry no mask: shape descriptors stay NaN (``physics.shape`` then checks colour and size
only), ``area`` is the visible box's area, and the colour of a frame is the palette colour
(:func:`metrics.observe.color.class_map`) of most of the box's central half, if any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from metrics.observe.base import Camera, Observation, Track
from metrics.observe.camera import estimate_camera, hold_motion
from metrics.observe.color import DEFAULT_KEYING, class_map, keying_key
from metrics.observe.color_backend import group_info
from metrics.observe.explain import explain
from metrics.observe.geometry import box_center, inside_fraction
from metrics.observe.occlusion import CutParams
from metrics.observe.params import TUNED, BoxParams, CameraParams, ExplainParams, Scale, TrackingParams
from metrics.observe.tracker import INF, GroupSpec, Motion
from prompts.palette import COLOR_NAMES


@dataclass(frozen=True)
class BoxObserving:
    """Every parameter of observing through detector boxes (recorded in the backend's protocol)."""

    boxes: BoxParams = field(default_factory=BoxParams)
    tracking: TrackingParams = field(default_factory=TrackingParams)
    explain: ExplainParams = field(default_factory=ExplainParams)
    camera: CameraParams = field(default_factory=CameraParams)
    cut: CutParams = field(default_factory=CutParams)
    working_side: int = 256  # the camera is measured on frames shrunk to at most this short side

    def protocol(self) -> dict[str, Any]:
        names = ("boxes", "tracking", "explain", "camera", "cut")
        groups = {name: getattr(self, name).protocol() for name in names}
        return {**groups, "working_side": self.working_side}


@dataclass
class Detections:
    """One frame's detections: ``boxes`` ``(n, 4)`` ``x0, y0, x1, y1`` in pixels, ``scores``
    ``(n,)`` in [0, 1] and ``labels`` ``(n,)`` the index of the query each box answers."""

    boxes: np.ndarray
    scores: np.ndarray
    labels: np.ndarray

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4)), np.zeros(0), np.zeros(0, int))

    def __len__(self) -> int:
        return int(self.scores.shape[0])

    def take(self, idx: np.ndarray) -> Detections:
        return Detections(self.boxes[idx], self.scores[idx], self.labels[idx])


class Detector(Protocol):
    """Finds the objects a list of text queries names in each frame."""

    def detect(self, frames: np.ndarray, queries: list[str], min_score: float) -> list[Detections]:
        """``frames`` ``(T, H, W, 3)`` uint8 RGB -> per frame, the boxes scoring ``min_score`` or more."""
        ...


def query_text(noun: str, color: str | None) -> str:
    """The text query for an expected object: ``"a photo of a red ball"``."""
    words = f"{color} {noun}" if color else noun
    article = "an" if words[:1].lower() in "aeiou" else "a"
    return f"a photo of {article} {words}"


def _area(boxes: np.ndarray) -> np.ndarray:
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(n,)`` IoU of box ``a`` ``(4,)`` with each of ``b`` ``(n, 4)``."""
    wh = np.clip(np.minimum(a[2:], b[:, 2:]) - np.maximum(a[:2], b[:, :2]), 0, None)
    inter = wh[:, 0] * wh[:, 1]
    return inter / np.maximum(_area(a) + _area(b) - inter, 1e-9)


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> np.ndarray:
    """Indices of the boxes kept by greedy non-maximum suppression, best first: a box overlapping
    a better kept one by more than ``iou`` is dropped."""
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        order = rest[box_iou(boxes[i], boxes[rest]) <= iou]
    return np.array(keep, int)


def prepare(dets: Detections, H: int, W: int, iou: float) -> Detections:
    """Boxes clipped to the ``H x W`` frame (empty ones dropped), then NMS per query label."""
    boxes = np.clip(dets.boxes, 0, [W, H, W, H])
    ok = np.flatnonzero(((boxes[:, 2:] - boxes[:, :2]) >= 1).all(1))
    dets = Detections(boxes[ok], dets.scores[ok], dets.labels[ok])
    keep = []
    for q in np.unique(dets.labels):
        idx = np.flatnonzero(dets.labels == q)
        keep.append(idx[nms(dets.boxes[idx], dets.scores[idx], iou)])
    return dets.take(np.concatenate(keep)) if keep else dets


def box_color(cmap: np.ndarray, box: np.ndarray, min_color: float = BoxParams().min_color) -> str | None:
    """The palette colour of most of the central half of ``box`` in a class map ``(H, W)``."""
    x0, y0, x1, y1 = box
    qw, qh = (x1 - x0) / 4, (y1 - y0) / 4
    xa, ya = int(x0 + qw), int(y0 + qh)
    inner = cmap[ya : max(int(np.ceil(y1 - qh)), ya + 1), xa : max(int(np.ceil(x1 - qw)), xa + 1)]
    counts = np.bincount(inner.ravel(), minlength=256)[: len(COLOR_NAMES)]
    best = int(np.argmax(counts))
    return COLOR_NAMES[best] if counts[best] >= min_color * inner.size else None


@dataclass(eq=False, kw_only=True)
class _BoxState(Motion):
    spec: GroupSpec


class BoxTracker:
    """Builds :class:`Track` s from per-frame detections (see the module docstring).

    Args:
        specs: the expected groups; ``cls`` is the index of the group's query.
        T, H, W: clip size.
        threshold: the score a box needs to start a track.
        cmap: ``(T, H, W)`` palette class maps, for the per-frame colour.
        sc: how thresholds in physical units scale to these frames' pixels and frames.
    """

    def __init__(
        self,
        specs: list[GroupSpec],
        T: int,
        H: int,
        W: int,
        threshold: float,
        cmap: np.ndarray,
        how: BoxObserving = BoxObserving(),
        sc: Scale = TUNED,
    ) -> None:
        self.specs, self.T, self.H, self.W = specs, T, H, W
        self.sc = sc
        self.threshold = float(threshold)
        self.cmap = cmap
        self.how = how
        self.states: list[_BoxState] = []

    def _see(self, st: _BoxState, box: np.ndarray, t: int) -> None:
        edge = bool(box[0] <= 1 or box[1] <= 1 or box[2] >= self.W - 1 or box[3] >= self.H - 1)
        st.see(t, box.copy(), (box[:2] + box[2:]) / 2, float(np.prod(box[2:] - box[:2])), edge)
        st.track.color[t] = box_color(self.cmap[t], box, self.how.boxes.min_color)

    def _new(self, label: int, box: np.ndarray, t: int) -> None:
        def members(s: GroupSpec) -> int:
            return sum(1 for st in self.states if st.spec.id == s.id)

        spec = min((s for s in self.specs if s.cls == label), key=lambda s: (members(s) >= s.count, members(s)))
        k = members(spec) + 1
        tid = spec.id if spec.count <= 1 and k == 1 else f"{spec.id}#{k}"
        st = _BoxState(Track.empty(tid, spec.id, self.T), self.how.tracking, self.sc, spec=spec)
        self.states.append(st)
        self._see(st, box, t)

    def run(self, frames: list[Detections]) -> list[Track]:
        """``frames[t]``: the prepared detections of frame t. Returns the tracks."""
        from scipy.optimize import linear_sum_assignment

        area_cost, part_of = self.how.tracking.area_cost, self.how.boxes.part_of
        for t, dets in enumerate(frames):
            live = [s for s in self.states if not s.exited]
            centers = box_center(dets.boxes)
            areas = np.prod(dets.boxes[:, 2:] - dets.boxes[:, :2], axis=1)
            taken: list[int] = []
            if live and len(dets):
                cost = np.full((len(live), len(dets)), INF)
                for i, st in enumerate(live):
                    d = st.distances(t, centers)
                    ratio = np.abs(np.log(np.maximum(areas, 1.0) / max(st.ref_area(), 1.0)))
                    ok = (dets.labels == st.spec.cls) & (d <= st.gate(t))
                    cost[i, ok] = d[ok] + area_cost * ratio[ok]
                for i, j in zip(*linear_sum_assignment(cost), strict=True):
                    if cost[i, j] < INF:
                        self._see(live[i], dets.boxes[j], t)
                        taken.append(int(j))
            for j in np.argsort(-dets.scores, kind="stable"):
                if j in taken or dets.scores[j] < self.threshold:
                    continue
                if any(inside_fraction(dets.boxes[j], dets.boxes[k]) >= part_of for k in taken):
                    continue
                self._new(int(dets.labels[j]), dets.boxes[j], t)
                taken.append(int(j))
            for st in live:
                if st.last != t and st.outside(t, self.H, self.W):
                    st.exited = True
        for st in self.states:
            tr = st.track
            tr.partial = tr.visible & (tr.edge | (tr.area < self.how.boxes.partial_area * (tr.typical_area() or 1.0)))
        return [st.track for st in self.states]


def _camera(clip: Any, dets: list[Detections], how: BoxObserving) -> Camera:
    """The background's motion, measured on the working frames with the detected boxes (grown by
    ``exclude_short``) left out, in the clip's pixels."""
    gray = clip.working_gray(how.working_side)
    T, h, w = gray.shape
    H, W = clip.frames.shape[1:3]
    sc = Scale(min(h, w), clip.fps)
    pad = round(sc.px(how.boxes.exclude_short))
    fx, fy = w / W, h / H
    exclude = np.zeros((T, h, w), bool)
    for t, d in enumerate(dets):
        for x0, y0, x1, y1 in d.boxes * [fx, fy, fx, fy]:
            exclude[
                t, max(int(y0) - pad, 0) : int(np.ceil(y1)) + pad, max(int(x0) - pad, 0) : int(np.ceil(x1)) + pad
            ] = True
    camera = hold_motion(estimate_camera(gray, exclude, how.camera, sc), sc.frames(how.camera.hold_seconds))
    return camera.rescaled(W / w, H / h)


def observe_with(
    detector: Detector, clip: Any, name: str, threshold: float, iou: float, how: BoxObserving = BoxObserving()
) -> Observation:
    """The :class:`Observation` of ``clip`` from ``detector``'s boxes for its ``expect.objects``."""
    frames = clip.frames
    T, H, W = frames.shape[:3]
    groups = group_info(clip.prompt, lambda o: True)
    exp = clip.prompt.expect
    queries: list[str] = []
    specs: list[GroupSpec] = []
    for o in exp.objects if exp else []:
        text = query_text(o.noun, o.color)
        if text not in queries:
            queries.append(text)
        specs.append(GroupSpec(o.id, queries.index(text), o.count, o.shape))
    low = how.boxes.continue_share * threshold
    found = detector.detect(frames, queries, low) if queries else [Detections.empty() for _ in range(T)]
    dets = [prepare(d, H, W, iou) for d in found]
    camera = _camera(clip, dets, how)
    sc = Scale(min(H, W), clip.fps)
    key = "class_map:" + keying_key(DEFAULT_KEYING)
    if key not in clip.cache:
        clip.cache[key] = class_map(frames)
    tracks = BoxTracker(specs, T, H, W, threshold, clip.cache[key], how, sc).run(dets) if specs else []
    explain(tracks, [], camera, H, W, how.explain, how.cut)
    notes = [f"{name}: boxes without masks; shape descriptors are NaN (physics.shape checks colour and size)"]
    return Observation(name, T, H, W, tracks, camera, [], groups, notes, fps=clip.fps)
