"""Fault operators: labelled edits of a timeline.

A fault is an operator on the scene's timeline, never a pixel hack: it edits the tracks of one
object inside a frame window and returns the label written to the clip's sidecar. An operator
returns ``None`` where the scene does not allow it (e.g. ``merge`` without two similar objects).
Operators draw randomness only from the ``rng`` they are given, so a clean and a faulty render of
the same prompt and seed differ only inside the fault's window and object (minimal pairs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bench.registry import Registry
from model.world.timeline import Timeline, Track


@dataclass(frozen=True)
class FaultLabel:
    """What was injected where: frames ``start_frame..end_frame`` inclusive."""

    type: str
    object: str
    start_frame: int
    end_frame: int
    severity: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


FaultOp = Callable[[Timeline, np.random.Generator, float], "FaultLabel | None"]

#: Fault operators by name.
FAULTS: Registry[FaultOp] = Registry("fault")


def movers(tl: Timeline) -> list[Track]:
    """Tracks that are objects (not occluders)."""
    return [tr for tr in tl.tracks if tr.kind == "object"]


def pick(rng: np.random.Generator, items: list[Any]) -> Any:
    return items[int(rng.integers(len(items)))]


@FAULTS.register("vanish", description="an object disappears without cause and does not come back")
def vanish(tl: Timeline, rng: np.random.Generator, severity: float) -> FaultLabel | None:
    T = tl.num_frames
    if T < 4:
        return None
    candidates = [tr for tr in movers(tl) if tr.visible[T // 4 : T // 2 + 1].all()]
    if not candidates:
        return None
    tr = pick(rng, candidates)
    start = int(rng.integers(T // 4, T // 2 + 1))
    tr.visible[start:] = False
    return FaultLabel("vanish", tr.id, start, T - 1, float(severity))


def apply_faults(
    tl: Timeline, names: list[str], rate: float, severity: float, rng: np.random.Generator
) -> list[FaultLabel]:
    """Apply each fault in ``names`` with probability ``rate`` (where the scene allows it)."""
    labels: list[FaultLabel] = []
    for name in names:
        op = FAULTS.get(name)
        if rng.random() >= rate:
            continue
        label = op(tl, rng, severity)
        if label is not None:
            labels.append(label)
    return labels
