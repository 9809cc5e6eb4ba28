"""Base of the ``physics.*`` checks: observation, self-description, located events."""

from __future__ import annotations

import dataclasses
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from metrics.base import Clip, ClipMetric, ClipResult, Event, param
from metrics.observe import Backend, Observation, Track, get_backend, observe
from metrics.observe.params import field_units, protocol_value
from metrics.physics.units import at_format
from prompts.schema import Expect


@dataclass(kw_only=True)
class PhysicsCheck(ClipMetric):
    """A check over the observation of a clip.

    A check describes itself, and ``validate``, the runner and the reports ask it rather than
    keeping copies: ``applies_to`` names the ``expect`` fields it verifies (:meth:`applicable`
    is true when one is non-empty), ``faults`` the reference world's fault types it must catch,
    and ``gate`` the recall and precision ``t2vbench validate`` demands of it.

    Thresholds are declared in physical units (:mod:`metrics.physics.units`: seconds, fractions
    of the frame, per second); :meth:`score` judges a clip with them in that clip's frames and
    pixels, so :meth:`evaluate` and :meth:`judge` read pixels and frames.

    Subclasses implement :meth:`evaluate` (events of what went wrong, and a value in [0, 1]: the
    share of what the check looked at that was right). The verdict is ``n/a`` when nothing
    applicable could be observed, ``fail`` when there are events, else ``pass``.

    Args:
        backend: observation backend spec ``name[:key=value,...]`` (``color``, the default;
            ``oracle``; ``owl:path=DIR``), or a backend object. The protocol records it.
    """

    is_check: ClassVar[bool] = True
    higher_is_better: ClassVar[bool | None] = True
    applies_to: ClassVar[tuple[str, ...]] = ()
    faults: ClassVar[tuple[str, ...]] = ()
    gate: ClassVar[float] = 0.95

    backend: str | Backend = param("color", protocol=False)
    _observer: Backend | None = field(default=None, init=False, repr=False, compare=False, metadata={"protocol": False})

    @property
    def observer(self) -> Backend:
        """The observation backend, built on first use (importing none before a clip is seen)."""
        if self._observer is None:
            self._observer = get_backend(self.backend) if isinstance(self.backend, str) else self.backend
        return self._observer

    @property
    def backend_spec(self) -> str:
        return self.backend if isinstance(self.backend, str) else self.backend.name

    def params(self) -> dict[str, Any]:
        """The parameters, groups of them (``lifecycle``) as dicts."""
        return {k: protocol_value(v) for k, v in super().params().items()}

    @classmethod
    def param_units(cls) -> dict[str, str]:
        """Unit of each parameter that has one, those of a group by dotted name."""
        return field_units(dataclasses.fields(cls))

    def protocol(self) -> dict[str, Any]:
        return {**super().protocol(), "backend_spec": self.backend_spec, **self.observer.protocol()}

    def applicable(self, expect: Expect) -> bool:
        """Whether ``expect`` gives this check something to verify."""
        return any(bool(getattr(expect, name)) for name in self.applies_to)

    @abstractmethod
    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        """Events and value, or None when what is expected could not be observed (``n/a``)."""

    def judge(self, clip: Clip, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        """:meth:`evaluate` within a clip (checks that share work across a clip's checks, through
        ``clip.cache``, override this)."""
        return self.evaluate(expect, obs)

    def score(self, clip: Clip) -> ClipResult:
        exp = clip.prompt.expect
        if exp is None or not self.applicable(exp):
            return ClipResult(verdict="n/a")
        obs = observe(clip, self.observer)
        out = at_format(self, clip.fps, obs.size).judge(clip, exp, obs)
        if out is None:
            return ClipResult(verdict="n/a")
        events, value = out
        events.sort(key=lambda e: (e.frame, e.type))
        return ClipResult(value=round(float(value), 4), verdict="fail" if events else "pass", events=events)


def event(kind: str, frame: int, obs: Observation, track: Track | None, detail: str) -> Event:
    """An event located at ``frame`` on ``track`` (its box there, or its nearest seen box), with
    the track's seen boxes as its path."""
    box, path = None, None
    if track is not None:
        seen = np.flatnonzero(track.visible & np.isfinite(track.box).all(1))
        if seen.size:
            k = seen[np.argmin(np.abs(seen - frame))]
            box = obs.norm_box(track.box[k])
            path = [[int(f), *obs.norm_box(track.box[f])] for f in seen]
    return Event(kind, int(frame), track.id if track is not None else None, box, detail, path)


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
