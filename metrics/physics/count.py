"""``physics.count``: each expected object's count stays as stated (colour-key backend, v1).

Objects are found by colour (hue and tolerance) and counted as connected components per frame;
objects that share a colour are counted together. A clip fails when more components than expected
persist for ``min_run`` frames (a spawn, split or duplicate), or when fewer persist to the end of
the clip and the last full count did not have a component at the frame edge (a vanish that leaving
the frame does not explain). Short drops in the middle (occlusion, two objects crossing) pass.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from metrics.base import Clip, ClipMetric, ClipResult, Event
from metrics.observe.color import color_mask, components, to_hsv
from metrics.registry import register_metric


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive ``(start, end)`` frame runs where ``flags`` is true."""
    out, start = [], None
    for i, f in enumerate(flags):
        if f and start is None:
            start = i
        if not f and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(flags) - 1))
    return out


@register_metric
class PhysicsCount(ClipMetric):
    """Verdict per clip: ``pass``, ``fail``, or ``n/a`` when no expected object has a colour.

    Input: ``(T, H, W, 3)`` uint8 clip and its prompt's ``expect.objects``.
    Value: the fraction of frames whose counts match. Events: ``count_extra`` /
    ``count_missing`` at the first frame of the offending run.
    """

    name: ClassVar[str] = "physics.count"
    version: ClassVar[str] = "1"
    is_check: ClassVar[bool] = True
    higher_is_better: ClassVar[bool | None] = True
    description: ClassVar[str] = "each expected object's count stays as stated"

    def __init__(
        self, min_run: int = 2, min_area_frac: float = 0.0008, edge_px: int = 2, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.min_run, self.min_area_frac, self.edge_px = int(min_run), float(min_area_frac), int(edge_px)

    def protocol(self) -> dict[str, Any]:
        return {
            **super().protocol(),
            "backend": "color",
            "min_run": self.min_run,
            "min_area_frac": self.min_area_frac,
        }

    def score(self, clip: Clip) -> ClipResult:
        exp = clip.prompt.expect
        groups: dict[str, list[Any]] = {}
        for obj in exp.objects if exp else []:
            if obj.color is not None:
                groups.setdefault(obj.color, []).append(obj)
        if not groups:
            return ClipResult(verdict="n/a")
        if "hsv" not in clip.cache:
            clip.cache["hsv"] = to_hsv(clip.frames)
        hsv = clip.cache["hsv"]
        T, H, W = hsv[0].shape
        min_area = max(6, int(self.min_area_frac * H * W))
        tail = max(2, min(3, T // 4))
        events: list[Event] = []
        good = np.ones(T, bool)
        # an expected colour change: the object is counted under its old or its new colour
        became = {
            e.object: e.to
            for e in (exp.events if exp else [])
            if getattr(e, "change", None) == "color" and e.to
        }
        for color, objs in groups.items():
            want = sum(o.count for o in objs)
            label = "+".join(o.id for o in objs)
            mask = color_mask(hsv, color)
            for o in objs:
                if o.id in became:
                    mask = mask | color_mask(hsv, became[o.id])
            comps = [components(mask[t], min_area) for t in range(T)]
            n = np.array([len(c) for c in comps])
            good &= n == want
            for s, e in _runs(n > want):
                if e - s + 1 >= self.min_run:
                    bbox = _bbox(comps[s], W, H)
                    events.append(
                        Event("count_extra", s, label, bbox, f"expected {want}, saw {n[s]} in frames {s}-{e}")
                    )
            short = _runs(n < want)
            if short and short[-1][1] == T - 1 and short[-1][1] - short[-1][0] + 1 >= tail:
                s = short[-1][0]
                last_full = s - 1
                at_edge = last_full >= 0 and any(self._at_edge(c[1], W, H) for c in comps[last_full])
                if not at_edge:
                    events.append(
                        Event(
                            "count_missing",
                            s,
                            label,
                            None,
                            f"expected {want}, saw {n[s]} from frame {s} to the end",
                        )
                    )
        events.sort(key=lambda e: e.frame)
        return ClipResult(value=float(good.mean()), verdict="fail" if events else "pass", events=events)

    def _at_edge(self, box: tuple[int, int, int, int], W: int, H: int) -> bool:
        x, y, w, h = box
        m = self.edge_px
        return x <= m or y <= m or x + w >= W - m or y + h >= H - m


def _bbox(comps: list[Any], W: int, H: int) -> list[float] | None:
    if not comps:
        return None
    xs = [c[1][0] for c in comps] + [c[1][0] + c[1][2] for c in comps]
    ys = [c[1][1] for c in comps] + [c[1][1] + c[1][3] for c in comps]
    return [min(xs) / W, min(ys) / H, max(xs) / W, max(ys) / H]
