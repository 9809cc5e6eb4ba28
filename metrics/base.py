"""Metric interfaces: per-clip metrics yield rows, set-level metrics reduce saved features.

A metric is a small dataclass: its fields are its parameters (thresholds, options), declared
once with :func:`param`, and its protocol — what produced the numbers, hashed into every unit's
``score_key`` — is derived from them, so changing a threshold always changes the protocol. These
classes import neither torch nor torchmetrics: the harness pays for neither unless a metric needs
a network. :mod:`metrics.torchmetric` wraps any registered per-clip metric as a torchmetrics
``Metric`` (``update`` / ``compute`` / ``reset``) for use in a training loop.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from prompts.schema import Prompt

Verdict = Literal["pass", "fail", "n/a"]


def param(default: Any, *, unit: str = "", doc: str = "", protocol: bool = True) -> Any:
    """A metric parameter: a dataclass field whose value (and ``unit``) enters the protocol.

    ``protocol=False`` marks a field that does not change what is measured (a device, a batch
    size, an object built at run time).
    """
    meta = {"unit": unit, "doc": doc, "protocol": protocol}
    if isinstance(default, (dict, list, set)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Event:
    """Something a check found, located in time and space (the gallery draws from it).

    ``bbox`` is ``[x0, y0, x1, y1]`` in normalised image coordinates, or None. ``track`` is the
    object's observed path, ``[[frame, x0, y0, x1, y1], ...]`` over the frames it was seen (the
    gallery draws it as a trail synchronised to the playing clip), or None.
    """

    type: str
    frame: int
    object: str | None = None
    bbox: list[float] | None = None
    detail: str = ""
    track: list[list[float]] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.bbox is not None:
            out["bbox"] = [round(float(v), 4) for v in self.bbox]
        if self.track is None:
            out.pop("track")
        else:
            out["track"] = [[int(r[0]), *(round(float(v), 4) for v in r[1:5])] for r in self.track]
        return out


@dataclass
class ClipResult:
    """One metric's outcome on one clip: a continuous ``value`` and/or a check ``verdict``;
    ``detail`` holds secondary values (JSON-safe) that go into the row's ``detail``."""

    value: float | None = None
    verdict: Verdict | None = None
    events: list[Event] = field(default_factory=list)
    detail: dict[str, Any] | None = None


@dataclass
class Clip:
    """What a per-clip metric sees.

    Attributes:
        frames: ``(T, H, W, 3)`` uint8 RGB.
        fps: frames per second.
        prompt: the prompt (its ``expect`` drives the checks).
        meta: the generator's sidecar (scene, faults, truth) when known, else ``{}``.
        cache: derived data shared by the metrics of one clip (gray frames, observations).
    """

    frames: np.ndarray
    fps: float
    prompt: Prompt
    meta: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def duration(self) -> float:
        """Seconds the clip lasts (``num_frames / fps``): thresholds about time use this."""
        return self.num_frames / self.fps

    def working(self, short_side: int) -> np.ndarray:
        """``(T, h, w, 3)`` uint8 frames with the shorter side at most ``short_side`` pixels
        (area-averaged by the smallest whole factor that gets there, so 480 px -> 240 px; the
        aspect kept), computed once per clip and size. Metrics that do not
        need full resolution (flow, observation) run here and map results back by the ratio
        ``width / w``."""
        key = f"working:{short_side}"
        if key not in self.cache:
            self.cache[key] = resize_frames(self.frames, short_side)
        return self.cache[key]

    def gray(self) -> np.ndarray:
        """``(T, H, W)`` uint8 luma (BT.601), computed once per clip."""
        if "gray" not in self.cache:
            self.cache["gray"] = luma(self.frames)
        return self.cache["gray"]

    def working_gray(self, short_side: int) -> np.ndarray:
        """``(T, h, w)`` uint8 luma of :meth:`working` frames (:meth:`gray` when those are the
        clip's own), computed once per clip and size."""
        frames = self.working(short_side)
        if frames is self.frames:
            return self.gray()
        key = f"working_gray:{short_side}"
        if key not in self.cache:
            import cv2

            gray = np.empty(frames.shape[:3], np.uint8)
            for t, f in enumerate(frames):
                gray[t] = cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)
            self.cache[key] = gray
        return self.cache[key]


def luma(frames: np.ndarray) -> np.ndarray:
    """``(..., 3)`` uint8 RGB -> ``(...)`` uint8 luma (BT.601), frame by frame (a whole clip's
    float32 copy would not stay in cache: ten times slower)."""
    if frames.ndim <= 3:
        f = frames.astype(np.float32)
        y = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
        return np.clip(y + 0.5, 0, 255).astype(np.uint8)
    out = np.empty(frames.shape[:-1], np.uint8)
    dst = out.reshape(-1, *out.shape[-2:])
    for i, f in enumerate(frames.reshape(-1, *frames.shape[-3:])):
        dst[i] = luma(f)
    return out


def resize_frames(frames: np.ndarray, short_side: int) -> np.ndarray:
    """``(T, H, W, C)`` uint8 frames with the shorter side at most ``short_side``: shrunk by the
    smallest whole factor that gets there (INTER_AREA; a whole factor is a box filter, ten times
    faster than a fractional one)."""
    H, W = frames.shape[1:3]
    factor = -(-min(H, W) // max(short_side, 1))
    if factor <= 1:
        return frames
    import cv2

    size = (max(1, round(W / factor)), max(1, round(H / factor)))
    out = np.empty((frames.shape[0], size[1], size[0], *frames.shape[3:]), frames.dtype)
    for t, f in enumerate(frames):
        out[t] = cv2.resize(f, size, interpolation=cv2.INTER_AREA).reshape(out.shape[1:])
    return out


@dataclass(kw_only=True)
class Metric:
    """What every metric declares: a ``family.name``, a version, what it measures, its direction,
    and its parameters (the dataclass fields). Subclasses are dataclasses too."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    is_check: ClassVar[bool] = False
    higher_is_better: ClassVar[bool | None] = None
    #: what ``value`` is measured in ("" for a share in [0, 1] or a pure number)
    unit: ClassVar[str] = ""
    #: whether ``--metrics all`` selects it (set-level distances need a reference set: opt-in)
    in_all: ClassVar[bool] = True

    def params(self) -> dict[str, Any]:
        """The parameters that define the metric (every field marked for the protocol)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.metadata.get("protocol", True)}

    @classmethod
    def param_units(cls) -> dict[str, str]:
        """Unit of each parameter that has one (seconds, fractions of the frame, ...)."""
        return {f.name: f.metadata["unit"] for f in dataclasses.fields(cls) if f.metadata.get("unit")}

    def protocol(self) -> dict[str, Any]:
        """What produced the numbers: name, version, direction and unit of the value (reports and
        ``compare`` read them from the manifest), parameters and their units."""
        out: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "higher_is_better": self.higher_is_better,
            "unit": self.unit,
            **self.params(),
        }
        units = self.param_units()
        if units:
            out["units"] = units
        return out

    def to(self, device: Any) -> Metric:
        """Move to a device (a no-op for metrics without a network)."""
        return self

    @property
    def uses_device(self) -> bool:
        """Whether the metric runs on the run's ``--device`` (a network)."""
        return False


@dataclass(kw_only=True)
class ClipMetric(Metric, ABC):
    """A per-clip score or check: :meth:`score` turns one clip into one row."""

    @abstractmethod
    def score(self, clip: Clip) -> ClipResult:
        """Score one clip."""


@dataclass(kw_only=True)
class SetMetric(Metric, ABC):
    """A set-level metric (rows with ``prompt_id`` ``*``).

    :meth:`features` maps one clip to a ``(D,)`` vector that the harness saves per unit; after
    all units it reduces them with :meth:`compute_set`. A metric that ``needs_reference`` (the
    ``dist.*`` distances) is given the reference set's features too (``reference=``), which the
    harness renders, scores and caches (``bench.reference``).
    """

    needs_reference: ClassVar[bool] = False

    @abstractmethod
    def features(self, clip: Clip) -> np.ndarray:
        """``(D,)`` float feature vector of one clip."""

    @abstractmethod
    def compute_set(self, features: np.ndarray, reference: Any = None) -> ClipResult:
        """The set-level result of ``(N, D)`` features (``value``, and ``detail``: CI, N, ...);
        ``reference``: the reference set's features when the metric ``needs_reference``."""
