"""Every registered per-clip metric as a torchmetrics ``Metric``, for training loops.

The harness scores with the plain metric classes and never imports torchmetrics (whose optional
imports cost seconds); users who want ``update`` / ``compute`` / ``reset`` and distributed
reduction import from here::

    from metrics.torchmetric import TemporalFlicker, PhysicsCount

    m = TemporalFlicker()
    m.update(torch.zeros(2, 16, 64, 64, 3, dtype=torch.uint8))  # (B, T, H, W, 3) uint8
    m.compute()  # mean flicker; a check gives its pass rate

Class names are the metric names in CamelCase (``physics.count`` -> ``PhysicsCount``);
:func:`torchmetric` builds one for any name, your own registered metrics included.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
import torch
from torchmetrics import Metric

from metrics.base import Clip, ClipMetric, ClipResult
from metrics.registry import METRICS, resolve_metrics
from prompts.schema import Prompt


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


class ClipMetricModule(Metric):
    """A per-clip metric accumulated over batches.

    ``compute()`` returns the mean value for scores and the pass rate (passes over passes plus
    fails; ``n/a`` excluded) for checks; NaN before any decided clip.
    """

    full_state_update: ClassVar[bool] = False
    scorer_class: ClassVar[type[ClipMetric]]

    def __init__(self, **kwargs: Any) -> None:
        tm_keys = {"compute_on_cpu", "dist_sync_on_step", "process_group", "dist_sync_fn", "sync_on_compute"}
        super().__init__(**{k: v for k, v in kwargs.items() if k in tm_keys})
        self.scorer = self.scorer_class(**{k: v for k, v in kwargs.items() if k not in tm_keys})
        self.add_state("value_sum", torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("n_value", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("n_pass", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("n_fail", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("n_na", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    def protocol(self) -> dict[str, Any]:
        return self.scorer.protocol()

    def score(self, clip: Clip) -> ClipResult:
        return self.scorer.score(clip)

    def accumulate(self, result: ClipResult) -> None:
        if result.value is not None:
            self.value_sum += float(result.value)
            self.n_value += 1
        counter = {"pass": "n_pass", "fail": "n_fail", "n/a": "n_na"}.get(result.verdict or "")
        if counter:
            setattr(self, counter, getattr(self, counter) + 1)

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
            self.accumulate(self.scorer.score(Clip(frames, fps, p)))

    def compute(self) -> torch.Tensor:
        nan = torch.tensor(float("nan"), dtype=torch.float64)
        if self.scorer.is_check:
            decided = self.n_pass + self.n_fail
            return self.n_pass.double() / decided if decided > 0 else nan
        return self.value_sum / self.n_value if self.n_value > 0 else nan


def class_name(metric: str) -> str:
    """``physics.count`` -> ``PhysicsCount``; ``align.video_text`` -> ``AlignVideoText``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", metric) if part)


_CACHE: dict[str, type[ClipMetricModule]] = {}


def torchmetric(name: str) -> type[ClipMetricModule]:
    """The torchmetrics class of the registered per-clip metric ``name``."""
    if name not in _CACHE:
        resolve_metrics(name)  # a "did you mean" error for unknown names
        scorer = METRICS.get(name)
        if not issubclass(scorer, ClipMetric):
            raise TypeError(f"{name} is a set-level metric; use its class directly")
        doc = f"torchmetrics ``Metric`` of ``{name}``.\n\n{scorer.__doc__ or ''}"
        _CACHE[name] = type(class_name(name), (ClipMetricModule,), {"scorer_class": scorer, "__doc__": doc})
    return _CACHE[name]


def __getattr__(attr: str) -> type[ClipMetricModule]:
    names = {class_name(n): n for n in resolve_metrics("*")}
    if attr in names:
        return torchmetric(names[attr])
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
