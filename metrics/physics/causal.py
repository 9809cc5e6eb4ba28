"""``physics.causal``: the named state change follows the contact, not before, and persists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Event, param
from metrics.observe import Observation, Track
from metrics.physics.base import PhysicsCheck, event, runs
from metrics.physics.common import main_track, object_tracks, track_size
from metrics.physics.units import FRAME, SECONDS, SPEED
from metrics.registry import register_metric
from prompts.schema import ContactEvent, Expect, StateChangeEvent


@register_metric
@dataclass(kw_only=True)
class CausalCheck(PhysicsCheck):
    """For each ``state_change`` after a ``contact``: find the contact frame (the subject's and
    object's boxes come within ``touch_frac`` plus ``touch_sizes`` of the smaller object's size — a
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

    applies_to: ClassVar[tuple[str, ...]] = ("events",)
    faults: ClassVar[tuple[str, ...]] = ("no_effect", "early_effect", "revert")
    gate: ClassVar[float] = 0.90

    touch_frac: float = param(0.015625, unit=FRAME, doc="boxes this close touch")
    touch_sizes: float = param(0.25, unit="object sizes", doc="...plus this once the subject stops closing in")
    stop_sizes: float = param(0.6, unit="object sizes", doc="a subject that came closer and stopped this near touched")
    closing_speed: float = param(0.0625, unit=SPEED, doc="a gap shrinking slower has stopped closing in")
    min_run: float = param(0.25, unit=SECONDS, doc="a change must show this long to count")
    ref_time: float = param(0.375, unit=SECONDS, doc="its intact reference: the first whole frames over this long")
    crack_marks: float = param(0.015, doc="rise of the marks share that is a crack")
    bite_shrink: float = param(0.04, doc="a bite loses at least this share of the area...")
    bite_noise: float = param(3.0, doc="...and this many times the area's own noise")
    area_noise: float = param(0.02, doc="the area's noise when it cannot be measured")
    bite_dent: float = param(0.012, doc="a drop of solidity that is a dent...")
    bite_dent_area: float = param(0.95, doc="...with the area below this share")
    bite_deep: float = param(0.04, doc="a drop of solidity that is a bite by itself")
    fall_sizes: float = param(0.4, unit="object sizes", doc="a fallen object dropped this far")
    fall_fit_time: float = param(0.5, unit=SECONDS, doc="the drop's parabola is fitted over this long")
    fall_back_time: float = param(0.375, unit=SECONDS, doc="its vertex may date the fall this much earlier")

    def applicable(self, expect: Expect) -> bool:
        """Only a ``state_change`` event gives this check something to verify (a contact alone does not)."""
        return any(isinstance(e, StateChangeEvent) for e in expect.events)

    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        contacts = {e.object: e.subject for e in expect.events if isinstance(e, ContactEvent)}
        events: list[Event] = []
        scores: list[float] = []
        for ch in (e for e in expect.events if isinstance(e, StateChangeEvent)):
            subject = contacts.get(ch.object)
            if subject is None or not (obs.observed(subject) and obs.observed(ch.object)):
                continue
            obj = main_track(object_tracks(expect, obs, ch.object))
            sub = main_track(object_tracks(expect, obs, subject))
            if obj is None or sub is None or not obj.visible.any():
                continue
            n = len(events)
            self._judge(events, obs, ch, subject, obj, sub)
            scores.append(float(len(events) == n))
        if not scores:
            return None
        return events, float(np.mean(scores))

    def _judge(
        self, events: list[Event], obs: Observation, ch: StateChangeEvent, subject: str, obj: Track, sub: Track
    ) -> None:
        """One state change: the contact, then the effect after it, not before, and for good."""
        c = self._contact(obj, sub)
        changed = self._changed(obs, obj, ch, c if c is not None else obj.num_frames)
        if c is None:  # the cause never happens: an effect anyway came without it
            onset = next((s for s, e in runs(changed) if e - s + 1 >= self.min_run), None)
            if onset is not None:
                msg = f"{ch.object} shows '{ch.change}' at frame {onset}, and {subject} never touches it"
                events.append(event("effect_before_cause", onset, obs, obj, msg))
            else:
                first = int(np.flatnonzero(obj.visible)[0])
                events.append(event("no_contact", first, obs, obj, f"{subject} never touches {ch.object}"))
            return
        for s, e in runs(changed[:c]):
            if e - s + 1 >= self.min_run:
                msg = f"{ch.object} shows '{ch.change}' at frame {s}, before the contact at {c}"
                events.append(event("effect_before_cause", s, obs, obj, msg))
                return
        after = changed[c:]
        if after.sum() < min(self.min_run, len(after)):
            shown = np.flatnonzero(after)
            gone = c + int(shown[-1]) + 1 if shown.size else obj.num_frames
            if gone < obj.num_frames:  # it showed, too briefly to count, and went: undone
                msg = f"{ch.object}'s '{ch.change}' shows at frame {c + int(shown[0])} and is gone at frame {gone}"
                events.append(event("effect_reverted", gone, obs, obj, msg))
            else:
                msg = f"{subject} touches {ch.object} at frame {c}; no '{ch.change}' follows"
                events.append(event("no_effect", c, obs, obj, msg))
            return
        onset = c + int(np.argmax(after))
        for s, e in runs(~changed[onset:]):
            if e - s + 1 >= self.min_run or e + onset == obj.num_frames - 1:
                f = onset + s
                events.append(
                    event("effect_reverted", f, obs, obj, f"{ch.object}'s '{ch.change}' goes away at frame {f}")
                )
                return

    def _contact(self, obj: Track, sub: Track) -> int | None:
        """First frame the subject touches the object: their boxes within ``touch_frac``; or within
        the padded distance once the subject stops closing in (a bite opens a notch where it
        touched, so the boxes never quite meet); or a subject that came closer and stopped within
        ``stop_sizes`` of the smaller size (the thin tip it touched was cleaned off its mask)."""
        pad = self.touch_frac + self.touch_sizes * min(track_size(obj), track_size(sub))
        T = obj.num_frames
        gap = np.full(T, np.inf)
        for t in range(T):
            if obj.visible[t] and sub.visible[t] and np.isfinite(obj.box[t]).all() and np.isfinite(sub.box[t]).all():
                a, b = obj.box[t], sub.box[t]
                gap[t] = max(a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3])
        stop_pad = self.touch_frac + self.stop_sizes * min(track_size(obj), track_size(sub))  # thin tips
        for t in range(T):
            closing = self.closing_speed
            if gap[t] <= self.touch_frac or (gap[t] <= pad and (t + 1 >= T or gap[t + 1] >= gap[t] - closing)):
                return t
            if (
                gap[t] <= stop_pad
                and t + 1 < T
                and abs(gap[t + 1] - gap[t]) <= closing
                and (t == 0 or gap[t - 1] > gap[t] + closing)
            ):
                return t  # it came closer and stopped there
        return None

    def _fallen(self, obs: Observation, obj: Track, T: int) -> np.ndarray:
        """``(T,)`` frames where the object has left the place it rested at first and dropped.

        The group's centre is followed (a fallen thing put back appears as a new track). A fall
        from rest barely shows in its first frame or two, so it is dated from the vertex of a
        parabola fitted to its visible drop."""
        pts = np.full((T, 2), np.nan)
        for tr in obs.group(obj.group):
            ok = tr.visible & np.isfinite(tr.center).all(1)
            pts[ok] = tr.center[ok]
        seen = np.isfinite(pts).all(1)
        out = np.zeros(T, bool)
        if seen.sum() < 3:
            return out
        world = obs.camera.stabilise(pts)
        frames = np.flatnonzero(seen)
        y0 = float(np.median(world[frames[: self.ref_time], 1]))
        drop = np.where(seen, world[:, 1] - y0, np.nan)
        size = track_size(obj)
        down = np.nan_to_num(drop, nan=0.0) > self.fall_sizes * size
        for s, e in runs(down):
            onset = s
            fall = np.arange(max(s - 1, 0), min(e + 1, s + self.fall_fit_time) + 1)
            fall = fall[np.isfinite(drop[fall])]
            if fall.size >= 3:
                a, b, _ = np.polyfit(fall.astype(float), drop[fall], 2)
                if a > 0:
                    onset = int(np.clip(np.ceil(-b / (2 * a)), max(s - self.fall_back_time, 0), s))
            out[onset : e + 1] = True
        # unseen frames keep the last seen state
        last = False
        for t in range(T):
            if seen[t]:
                last = bool(out[t])
            else:
                out[t] = last
        return out

    def _changed(self, obs: Observation, obj: Track, ch: StateChangeEvent, contact: int) -> np.ndarray:
        """``(T,)`` frames where the object shows the change (unseen frames keep the last state)."""
        T = obj.num_frames
        out = np.zeros(T, bool)
        clean = np.flatnonzero(obj.full())
        pre = clean[clean < max(contact, self.ref_time)]  # whole frames before the contact
        ref = pre[: self.ref_time]
        if ref.size == 0:
            ref = clean[: self.ref_time]
        if ch.change == "color":
            start = obj.color[int(ref[0])] if ref.size else None
            out = np.array([c is not None and (c == ch.to if ch.to else c != start) for c in obj.color])
        elif ch.change in ("bite", "crack"):
            if ref.size == 0:
                return out
            col = 3 if ch.change == "bite" else 5
            # the object whole: its most intact early frame (an effect that comes early may
            # already show in the second of them)
            bite = ch.change == "bite"
            base = float(np.nanmax(obj.desc[ref, col]) if bite else np.nanmin(obj.desc[ref, col]))
            area0 = float(np.max(obj.area[ref]))
            vals, ratio = obj.desc[:, col], obj.area / max(area0, 1.0)
            if ch.change == "bite":  # a notch: less area (beyond its own noise) or a dent in the outline
                # its own area noise: over its first whole frames, or, robustly, over all of them
                # before the contact, whichever is calmer (an early bite in either is not noise)
                first = obj.area[ref]
                noise = float(np.std(first) / max(np.mean(first), 1.0)) if first.size > 1 else self.area_noise
                if pre.size > 2:
                    areas = obj.area[pre]
                    mid = float(np.median(areas))
                    noise = min(noise, 1.4826 * float(np.median(np.abs(areas - mid))) / max(mid, 1.0))
                shrink = ratio < 1.0 - max(self.bite_shrink, self.bite_noise * noise)
                dent = vals < base - self.bite_dent
                out = (shrink | ((ratio < self.bite_dent_area) & dent) | (vals < base - self.bite_deep)) & obj.full()
            else:
                out = (vals > base + self.crack_marks) & obj.full()
        elif ch.change == "fall":
            return self._fallen(obs, obj, T)
        # carry the last observed state through frames where the object is not seen whole
        seen = obj.visible if ch.change in ("color", "fall") else obj.full()
        last = False
        for t in range(T):
            if seen[t]:
                last = bool(out[t])
            else:
                out[t] = last
        return out
