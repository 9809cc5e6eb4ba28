"""``physics.causal``: the named state change follows the contact, not before, and persists."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from metrics.base import Event
from metrics.observe import Observation, Track
from metrics.physics.base import PhysicsCheck, event, runs
from metrics.physics.common import main_track, track_size, world_path
from metrics.registry import register_metric
from prompts.schema import ContactEvent, Expect, StateChangeEvent


@register_metric
class PhysicsCausal(PhysicsCheck):
    """For each ``state_change`` after a ``contact``: find the contact frame (the subject's and
    object's boxes come within ``touch_px`` plus ``touch_sizes`` of the smaller object's size — a
    notch bitten out of the near side opens a gap), then the frames where the object shows the change —
    ``color``: its keyed colour is the new one; ``bite``: solidity or area drops below its own
    start; ``crack``: dark marks appear inside it (``marks`` grows by ``crack_marks`` over its own
    start); ``fall``: it drops below where it was hit.

    Fails when the change shows in ``min_run`` frames before the contact (``effect_before_cause``),
    never shows after it (``no_effect``), or shows and then goes away before the end
    (``effect_reverted``); and when the contact never happens (``no_contact``).
    Value: 1 per satisfied event pair, averaged.
    """

    name: ClassVar[str] = "physics.causal"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "the state change follows the contact, not before, and persists"

    def __init__(
        self, touch_px: float = 2.0, touch_sizes: float = 0.25, min_run: int = 2, crack_marks: float = 0.015, **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.touch_px, self.touch_sizes, self.min_run = float(touch_px), float(touch_sizes), int(min_run)
        self.crack_marks = float(crack_marks)

    def params(self) -> dict[str, Any]:
        return {
            "touch_px": self.touch_px,
            "touch_sizes": self.touch_sizes,
            "min_run": self.min_run,
            "crack_marks": self.crack_marks,
        }

    def applicable(self, expect: Expect) -> bool:
        return any(isinstance(e, StateChangeEvent) for e in expect.events)

    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        contacts = {e.object: e.subject for e in expect.events if isinstance(e, ContactEvent)}
        events: list[Event] = []
        scores: list[float] = []
        for ch in (e for e in expect.events if isinstance(e, StateChangeEvent)):
            subject = contacts.get(ch.object)
            if subject is None or not (obs.observed(subject) and obs.observed(ch.object)):
                continue
            obj, sub = main_track(obs.group(ch.object)), main_track(obs.group(subject))
            if obj is None or sub is None or not obj.visible.any():
                continue
            c = self._contact(obj, sub)
            if c is None:
                events.append(
                    event(
                        "no_contact",
                        int(np.flatnonzero(obj.visible)[0]),
                        obs,
                        obj,
                        f"{subject} never touches {ch.object}",
                    )
                )
                scores.append(0.0)
                continue
            changed = self._changed(obs, obj, ch, c)
            n = len(events)
            before = changed[:c]
            for s, e in runs(before):
                if e - s + 1 >= self.min_run:
                    events.append(
                        event(
                            "effect_before_cause",
                            s,
                            obs,
                            obj,
                            f"{ch.object} shows '{ch.change}' at frame {s}, before the contact at {c}",
                        )
                    )
                    break
            after = changed[c:]
            if len(events) == n and after.sum() < min(self.min_run, len(after)):
                events.append(
                    event(
                        "no_effect",
                        c,
                        obs,
                        obj,
                        f"{subject} touches {ch.object} at frame {c}; no '{ch.change}' follows",
                    )
                )
            elif len(events) == n:
                onset = c + int(np.argmax(after))
                for s, e in runs(~changed[onset:]):
                    if e - s + 1 >= self.min_run or e + onset == obj.num_frames - 1:
                        f = onset + s
                        events.append(
                            event("effect_reverted", f, obs, obj, f"{ch.object}'s '{ch.change}' goes away at frame {f}")
                        )
                        break
            scores.append(float(len(events) == n))
        if not scores:
            return None
        return events, float(np.mean(scores))

    def _contact(self, obj: Track, sub: Track) -> int | None:
        """First frame the subject touches the object: their boxes within ``touch_px``, or within
        the padded distance once the subject stops closing in (a bite opens a notch where it
        touched, so the boxes never quite meet)."""
        pad = self.touch_px + self.touch_sizes * min(track_size(obj), track_size(sub))
        T = obj.num_frames
        gap = np.full(T, np.inf)
        for t in range(T):
            if obj.visible[t] and sub.visible[t] and np.isfinite(obj.box[t]).all() and np.isfinite(sub.box[t]).all():
                a, b = obj.box[t], sub.box[t]
                gap[t] = max(a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3])
        for t in range(T):
            if gap[t] <= self.touch_px:
                return t
            if gap[t] <= pad and (t + 1 >= T or gap[t + 1] >= gap[t] - 1.0):
                return t
        return None

    def _changed(self, obs: Observation, obj: Track, ch: StateChangeEvent, contact: int) -> np.ndarray:
        """``(T,)`` frames where the object shows the change (unseen frames keep the last state)."""
        T = obj.num_frames
        out = np.zeros(T, bool)
        clean = np.flatnonzero(obj.full())
        ref = clean[clean < max(contact, 3)][:3] if clean.size else clean
        if ref.size == 0:
            ref = clean[:3]
        if ch.change == "color":
            start = obj.color[int(ref[0])] if ref.size else None
            out = np.array([c is not None and (c == ch.to if ch.to else c != start) for c in obj.color])
        elif ch.change in ("bite", "crack"):
            if ref.size == 0:
                return out
            col = 3 if ch.change == "bite" else 5
            base = float(np.nanmedian(obj.desc[ref, col]))
            area0 = float(np.median(obj.area[ref]))
            vals, ratio = obj.desc[:, col], obj.area / max(area0, 1.0)
            if ch.change == "bite":  # a notch: less area and a dent in the outline
                dent = vals < base - 0.012
                out = ((ratio < 0.95) & dent | (ratio < 0.92) | (vals < base - 0.04)) & obj.full()
            else:
                out = (vals > base + self.crack_marks) & obj.full()
        elif ch.change == "fall":
            frames, path = world_path(obs, obj, clean=False)
            if frames.size:
                y0 = path[frames <= contact][-1, 1] if (frames <= contact).any() else path[0, 1]
                drop = np.full(T, np.nan)
                drop[frames] = path[:, 1] - y0
                out = np.nan_to_num(drop, nan=0.0) > 0.4 * track_size(obj)
        # carry the last observed state through frames where the object is not seen whole
        seen = obj.visible if ch.change in ("color", "fall") else obj.full()
        last = False
        for t in range(T):
            if seen[t]:
                last = bool(out[t])
            else:
                out[t] = last
        return out
