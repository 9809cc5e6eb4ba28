"""Metric interfaces: per-clip metrics yield rows, set-level metrics reduce saved features.

Both follow the torchmetrics ``Metric`` API (``update`` / ``compute`` / ``reset``; states declared
with ``add_state`` and an explicit ``dist_reduce_fx``) so they also work inside a training loop.
The harness calls :meth:`ClipMetric.score` once per clip and writes its :class:`ClipResult` as a
row; ``update`` is the same call plus accumulation, for users.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import torch
from torchmetrics import Metric

from prompts.schema import Prompt

Verdict = Literal["pass", "fail", "n/a"]


@dataclass
class Event:
    """Something a check found, located in time and space (the gallery draws from it).

    ``bbox`` is ``[x0, y0, x1, y1]`` in normalised image coordinates, or None.
    """

    type: str
    frame: int
    object: str | None = None
    bbox: list[float] | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.bbox is not None:
            out["bbox"] = [round(float(v), 4) for v in self.bbox]
        return out


@dataclass
class ClipResult:
    """One metric's outcome on one clip: a continuous ``value`` and/or a check ``verdict``."""

    value: float | None = None
    verdict: Verdict | None = None
    events: list[Event] = field(default_factory=list)


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

    def gray(self) -> np.ndarray:
        """``(T, H, W)`` uint8 luma (BT.601), computed once per clip."""
        if "gray" not in self.cache:
            f = self.frames.astype(np.float32)
            y = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
            self.cache["gray"] = np.clip(y + 0.5, 0, 255).astype(np.uint8)
        return self.cache["gray"]


def _as_batch(video: Any) -> list[np.ndarray]:
    """Accept ``(T,H,W,3)`` or ``(B,T,H,W,3)`` uint8 arrays/tensors; return a list of clips."""
    arr = video.detach().cpu().numpy() if isinstance(video, torch.Tensor) else np.asarray(video)
    if arr.dtype != np.uint8:
        raise ValueError(f"video must be uint8, got {arr.dtype}")
    if arr.ndim == 4:
        return [arr]
    if arr.ndim == 5:
        return list(arr)
    raise ValueError(f"video must be (T, H, W, 3) or (B, T, H, W, 3), got {arr.shape}")


class ClipMetric(Metric):
    """Base of per-clip metrics and checks.

    Subclasses set ``name`` (``family.name``), ``is_check`` and ``higher_is_better`` and implement
    :meth:`score`. ``compute()`` returns the mean value for scores and the pass rate (passes over
    passes plus fails; ``n/a`` excluded) for checks.
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    is_check: ClassVar[bool] = False
    higher_is_better: ClassVar[bool | None] = None
    full_state_update: ClassVar[bool] = False
    description: ClassVar[str] = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_state("value_sum", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("n_value", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("n_pass", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("n_fail", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("n_na", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    @abstractmethod
    def score(self, clip: Clip) -> ClipResult:
        """Score one clip."""

    def protocol(self) -> dict[str, Any]:
        """What produced the numbers: name, version and the metric's parameters."""
        return {"name": self.name, "version": self.version}

    def accumulate(self, result: ClipResult) -> None:
        if result.value is not None:
            self.value_sum += float(result.value)
            self.n_value += 1
        if result.verdict == "pass":
            self.n_pass += 1
        elif result.verdict == "fail":
            self.n_fail += 1
        elif result.verdict == "n/a":
            self.n_na += 1

    def update(self, video: Any, prompt: Prompt | list[Prompt] | None = None, fps: float = 8.0) -> None:
        """Score ``video`` ``(T,H,W,3)`` or ``(B,T,H,W,3)`` uint8 against ``prompt``(s)."""
        clips = _as_batch(video)
        if prompt is None:
            prompts = [Prompt(id="adhoc", text="(no prompt)", family="showcase")] * len(clips)
        elif isinstance(prompt, Prompt):
            prompts = [prompt] * len(clips)
        else:
            prompts = list(prompt)
        if len(prompts) != len(clips):
            raise ValueError(f"{len(clips)} clips but {len(prompts)} prompts")
        for frames, p in zip(clips, prompts, strict=True):
            self.accumulate(self.score(Clip(frames, fps, p)))

    def compute(self) -> torch.Tensor:
        if self.is_check:
            decided = self.n_pass + self.n_fail
            return self.n_pass.double() / decided if decided > 0 else torch.tensor(float("nan"), dtype=torch.float64)
        return self.value_sum / self.n_value if self.n_value > 0 else torch.tensor(float("nan"), dtype=torch.float64)


class SetMetric(Metric):
    """Base of set-level metrics (rows with ``prompt_id`` ``*``).

    :meth:`features` maps one clip to a ``(D,)`` vector that the harness saves per unit; after all
    units it feeds them to ``update`` (``(N, D)``) and writes ``compute()``. Sufficient statistics
    are float64 (as torchmetrics' FID); ``reset_real_features=False`` keeps a reference set.
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    is_check: ClassVar[bool] = False
    higher_is_better: ClassVar[bool | None] = None
    full_state_update: ClassVar[bool] = False
    description: ClassVar[str] = ""

    @abstractmethod
    def features(self, clip: Clip) -> np.ndarray:
        """``(D,)`` float feature vector of one clip."""

    def protocol(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version}
