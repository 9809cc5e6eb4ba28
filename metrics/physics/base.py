"""Base of the ``physics.*`` checks: observation, applicability, located events."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np

from metrics.base import Clip, ClipMetric, ClipResult, Event
from metrics.observe import Backend, Observation, Track, get_backend, observe
from prompts.schema import Expect


class PhysicsCheck(ClipMetric):
    """A check over the observation of a clip.

    Subclasses implement :meth:`applicable` (does ``expect`` say anything this check verifies?)
    and :meth:`evaluate` (events of what went wrong, and a value in [0, 1]: the share of what the
    check looked at that was right). The verdict is ``n/a`` when nothing applicable could be
    observed, ``fail`` when there are events, else ``pass``.

    Args:
        backend: observation backend spec ``name[:key=value,...]`` (``color``, the default;
            ``oracle``; ``owl:path=DIR``), or a backend object. The protocol records it.
    """

    is_check: ClassVar[bool] = True
    higher_is_better: ClassVar[bool | None] = True

    def __init__(self, backend: str | Backend = "color", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.backend = get_backend(backend) if isinstance(backend, str) else backend
        self.backend_spec = backend if isinstance(backend, str) else backend.name

    def protocol(self) -> dict[str, Any]:
        return {**super().protocol(), "backend_spec": self.backend_spec, **self.backend.protocol(), **self.params()}

    def params(self) -> dict[str, Any]:
        """The thresholds that define the check (recorded in every run's protocol)."""
        return {}

    @abstractmethod
    def applicable(self, expect: Expect) -> bool: ...

    @abstractmethod
    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        """Events and value, or None when what is expected could not be observed (``n/a``)."""

    def score(self, clip: Clip) -> ClipResult:
        exp = clip.prompt.expect
        if exp is None or not self.applicable(exp):
            return ClipResult(verdict="n/a")
        out = self.evaluate(exp, observe(clip, self.backend))
        if out is None:
            return ClipResult(verdict="n/a")
        events, value = out
        events.sort(key=lambda e: (e.frame, e.type))
        return ClipResult(value=round(float(value), 4), verdict="fail" if events else "pass", events=events)


def event(kind: str, frame: int, obs: Observation, track: Track | None, detail: str) -> Event:
    """An event located at ``frame`` on ``track`` (its box there, or its nearest seen box)."""
    box = None
    if track is not None:
        seen = np.flatnonzero(track.visible & np.isfinite(track.box).all(1))
        if seen.size:
            k = seen[np.argmin(np.abs(seen - frame))]
            box = obs.norm_box(track.box[k])
    return Event(kind, int(frame), track.id if track is not None else None, box, detail)


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive ``(start, end)`` runs where ``flags`` is true."""
    out, start = [], None
    for i, f in enumerate(np.asarray(flags, bool)):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(flags) - 1))
    return out
