"""The observation layer's data model: what is where in each frame, with identities over time.

Every backend (``oracle``, ``color``, ``owl``) turns a clip into one :class:`Observation`; the
physics checks read only this, so a check behaves the same whatever produced its observation.
Coordinates are pixels of the clip (``x`` right, ``y`` down); missing values are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from metrics.observe.geometry import normalised_box

#: Shape descriptor columns of :attr:`Track.desc`.
DESCRIPTORS = ("extent", "circularity", "aspect", "solidity", "top_heavy", "marks")


@dataclass
class Track:
    """One object instance followed across ``T`` frames.

    Attributes:
        id: unique within the observation, e.g. ``"taxi#2"``.
        group: the ``expect.objects`` id it realises.
        visible: ``(T,)`` seen in the frame (fully or partly).
        box: ``(T, 4)`` ``x0, y0, x1, y1`` of the visible part.
        center: ``(T, 2)`` centre of the visible part.
        area: ``(T,)`` visible pixels.
        color: per frame, the palette colour of most of its pixels (None when unseen).
        desc: ``(T, len(DESCRIPTORS))`` shape descriptors (NaN when unreliable).
        facing: ``(T,)`` +1 front to the right, -1 to the left, 0 unknown (vehicles).
        shared: ``(T,)`` its pixels were merged with another track's (overlap, crossing).
        partial: ``(T,)`` cut by an occluder or the frame edge (shape and size unreliable).
        edge: ``(T,)`` touches the frame border.
        hidden_by: per frame, what explains it being unseen: ``"occluder:<id>"``, ``"edge"``,
            ``"merged:<track>"`` or None (unexplained, or seen).
        born_from: how it first appeared (``"start"``, ``"edge"``, ``"occluder:<id>"``,
            ``"split:<track>"`` or None for nothing).
    """

    id: str
    group: str
    visible: np.ndarray
    box: np.ndarray
    center: np.ndarray
    area: np.ndarray
    color: list[str | None]
    desc: np.ndarray
    facing: np.ndarray
    shared: np.ndarray
    partial: np.ndarray
    edge: np.ndarray
    hidden_by: list[str | None] = field(default_factory=list)
    born_from: str | None = None

    @classmethod
    def empty(cls, tid: str, group: str, T: int) -> Track:
        nan2, nan4 = np.full((T, 2), np.nan), np.full((T, 4), np.nan)
        return cls(
            id=tid,
            group=group,
            visible=np.zeros(T, bool),
            box=nan4,
            center=nan2,
            area=np.zeros(T),
            color=[None] * T,
            desc=np.full((T, len(DESCRIPTORS)), np.nan),
            facing=np.zeros(T),
            shared=np.zeros(T, bool),
            partial=np.zeros(T, bool),
            edge=np.zeros(T, bool),
            hidden_by=[None] * T,
        )

    @property
    def num_frames(self) -> int:
        return int(self.visible.shape[0])

    def frames(self) -> np.ndarray:
        """Indices of the frames where it is seen."""
        return np.flatnonzero(self.visible)

    def full(self) -> np.ndarray:
        """``(T,)`` seen whole: visible, not partial, not shared with another track."""
        return self.visible & ~self.partial & ~self.shared

    def typical_area(self) -> float:
        """Median visible area over frames where it is seen whole (0 if never)."""
        measured = self.visible & np.isfinite(self.area)
        ok = self.full() & measured
        if ok.any():
            return float(np.median(self.area[ok]))
        return float(np.median(self.area[measured])) if measured.any() else 0.0


@dataclass
class Camera:
    """Global image motion: ``steps[t]`` is the 2x3 similarity mapping frame ``t`` pixel
    coordinates to frame ``t+1`` (content motion), ``(T-1, 2, 3)``; ``valid[t]`` says whether it was
    measured (False: no evidence, treated as static)."""

    steps: np.ndarray
    valid: np.ndarray
    source: str = ""

    @classmethod
    def static(cls, T: int, source: str = "static") -> Camera:
        eye = np.tile(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), (max(T - 1, 0), 1, 1))
        return cls(eye, np.zeros(max(T - 1, 0), bool), source)

    def to_first(self) -> np.ndarray:
        """``(T, 2, 3)`` maps taking frame-t pixel coordinates back to frame 0."""
        T = self.steps.shape[0] + 1
        out = np.zeros((T, 2, 3))
        acc = np.eye(3)  # frame0 -> frame t
        out[0] = np.eye(3)[:2]
        for t in range(T - 1):
            step = np.vstack([self.steps[t], [0.0, 0.0, 1.0]])
            acc = step @ acc
            out[t + 1] = np.linalg.inv(acc)[:2]
        return out

    def stabilise(self, points: np.ndarray) -> np.ndarray:
        """``(T, 2)`` per-frame points -> frame-0 coordinates (NaN stays NaN)."""
        maps = self.to_first()
        return np.einsum("tij,tj->ti", maps[:, :, :2], points) + maps[:, :, 2]

    def scale(self) -> np.ndarray:
        """``(T,)`` apparent scale of frame t relative to frame 0 (zoom)."""
        s = np.ones(self.steps.shape[0] + 1)
        for t in range(self.steps.shape[0]):
            a, b = self.steps[t, 0, 0], self.steps[t, 1, 0]
            s[t + 1] = s[t] * float(np.hypot(a, b))
        return s

    def rescaled(self, sx: float, sy: float) -> Camera:
        """The same motion in coordinates scaled by ``sx``, ``sy`` (``S A S^-1``, ``S t``)."""
        steps = self.steps.copy()
        steps[:, 0, 1] *= sx / sy
        steps[:, 1, 0] *= sy / sx
        steps[:, 0, 2] *= sx
        steps[:, 1, 2] *= sy
        return Camera(steps, self.valid.copy(), self.source)

    def translation(self, center: tuple[float, float]) -> np.ndarray:
        """``(T-1, 2)`` per-step displacement of the point ``center`` (content motion, pixels)."""
        c = np.array([center[0], center[1]])
        moved = np.einsum("tij,j->ti", self.steps[:, :, :2], c) + self.steps[:, :, 2]
        return moved - c


@dataclass
class Region:
    """A static region that can hide objects (a wall, a box), in frame-0 coordinates."""

    id: str
    mask: np.ndarray  # (H, W) bool
    box: tuple[float, float, float, float]
    color: str | None = None

    def rescale(self, sx: float, sy: float, H: int, W: int) -> str:
        """Scale to ``H x W`` frames (``sx``, ``sy`` the ratios; its id names the centre in
        pixels, ``gray@64,70``); returns the old id."""
        import cv2

        old = self.id
        self.mask = cv2.resize(self.mask.astype(np.uint8), (W, H), interpolation=cv2.INTER_NEAREST).astype(bool)
        x0, y0, x1, y1 = self.box
        self.box = (x0 * sx, y0 * sy, x1 * sx, y1 * sy)
        name, at, centre = self.id.partition("@")
        if at and "," in centre:
            cx, cy = (float(v) for v in centre.split(",", 1))
            self.id = f"{name}@{round(cx * sx)},{round(cy * sy)}"
        return old


@dataclass
class Observation:
    """Everything the physics checks read about one clip (pixels of the clip, whatever size the
    backend looked at)."""

    backend: str
    num_frames: int
    height: int
    width: int
    tracks: list[Track]
    camera: Camera
    occluders: list[Region] = field(default_factory=list)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # expect object id -> its expect fields
    notes: list[str] = field(default_factory=list)
    fps: float = 8.0  # frames per second of the clip (thresholds in seconds become frames with it)

    def resized(self, H: int, W: int) -> Observation:
        """This observation (made on frames of ``height x width``) in the pixels of ``H x W``
        frames: boxes, centres, areas, the camera's steps, occluder masks and ids (in place)."""
        if (self.height, self.width) == (H, W):
            return self
        sx, sy = W / self.width, H / self.height
        for tr in self.tracks:
            tr.box, tr.center, tr.area = tr.box * [sx, sy, sx, sy], tr.center * [sx, sy], tr.area * (sx * sy)
        self.camera = self.camera.rescaled(sx, sy)
        renamed = {}
        for r in self.occluders:
            old = r.rescale(sx, sy, H, W)
            renamed[old] = r.id
        for tr in self.tracks:
            tr.hidden_by = [_renamed(h, renamed) for h in tr.hidden_by]
            tr.born_from = _renamed(tr.born_from, renamed)
        self.height, self.width = H, W
        return self

    def group(self, gid: str) -> list[Track]:
        return [t for t in self.tracks if t.group == gid]

    def observed(self, gid: str) -> bool:
        """Whether the backend could look for this group at all (e.g. it has a colour)."""
        return bool(self.groups.get(gid, {}).get("observable", False))

    @property
    def size(self) -> float:
        """The frame's shorter side in pixels."""
        return float(min(self.height, self.width))

    def norm_box(self, box: np.ndarray) -> list[float] | None:
        """A pixel box as fractions of the frame (None for an unknown one)."""
        return normalised_box(box, self.height, self.width)


def _renamed(reason: str | None, renamed: dict[str, str]) -> str | None:
    """``occluder:<old id>`` with the occluder's new id."""
    if reason is None or not reason.startswith("occluder:"):
        return reason
    rid = reason.split(":", 1)[1]
    return f"occluder:{renamed.get(rid, rid)}"


class Backend(Protocol):
    """Turns a clip into an :class:`Observation`; :meth:`protocol` says what defines it (recorded
    in every run, and the key under which a clip caches its observation)."""

    name: str

    def protocol(self) -> dict[str, Any]: ...

    def observe(self, clip: Any) -> Observation: ...
