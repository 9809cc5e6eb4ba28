"""``physics.shape``: objects keep their colour, size and shape; a vehicle's front stays its front."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Event, param
from metrics.observe import Observation, Track
from metrics.observe.base import DESCRIPTORS
from metrics.physics.base import PhysicsCheck, event, runs
from metrics.physics.units import FRAME, SECONDS
from metrics.registry import register_metric
from prompts.schema import Expect, ExpectObject, StateChangeEvent

#: Tolerances per shape descriptor (absolute, or a ratio for aspect).
TOLERANCE = {"extent": 0.12, "circularity": 0.16, "aspect": 1.35, "solidity": 0.12}
#: Vehicles are drawn with thin parts (a cabin frame, pillars) that compression keeps or loses
#: from frame to frame; a vehicle melting into another shape still moves these by far more.
VEHICLE_TOLERANCE = {"extent": 0.22, "circularity": 0.2, "aspect": 2.0, "solidity": 0.2}
_SHAPE_KEYS = ("extent", "circularity", "aspect", "solidity")


@register_metric
@dataclass(kw_only=True)
class ShapeCheck(PhysicsCheck):
    """Constancy of each observable expected object over the frames where it is seen whole.

    Colour: the keyed colour stays the declared one (or the ``to`` of an expected colour change).
    Size: area over the camera's scale squared (zoom-compensated) stays within ``size_ratio`` of
    its first clean frames. Shape: extent, circularity, aspect and solidity stay within
    ``tolerance`` of the first clean frames (an expected bite exempts the bitten object). A
    vehicle's front keeps facing the way it faced at first: the facing is read from the side its
    upper body (cabin) leans to, and which end a design calls its front differs (cars, vans), so
    the check asks for constancy rather than a convention.
    Each fails on a run of ``min_run`` frames (a shape change on one more: outlines of small
    objects wobble); frames next to an overlap with another object are not judged. Events:
    ``color_changed``, ``size_changed``, ``shape_changed``, ``front_flipped`` — the first per
    object (what follows is its consequence).
    Value: share of clean frames that are consistent.
    """

    name: ClassVar[str] = "physics.shape"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "colour, size (zoom-compensated) and shape constancy; vehicle fronts stay fronts"

    applies_to: ClassVar[tuple[str, ...]] = ("objects",)
    faults: ClassVar[tuple[str, ...]] = ("recolor", "morph", "resize", "flip")
    gate: ClassVar[float] = 0.90

    size_ratio: float = param(1.4, doc="zoom-compensated area ratio beyond which the size changed")
    min_run: float = param(0.25, unit=SECONDS, doc="a change must last this long (a shape change one frame more)")
    ref_time: float = param(0.375, unit=SECONDS, doc="the reference: median of the first whole frames this long")
    tolerance: dict[str, float] = param(TOLERANCE, doc="per descriptor (absolute; a ratio for aspect)")
    vehicle_tolerance: dict[str, float] = param(VEHICLE_TOLERANCE, doc="the same for vehicles")
    small_frac: float = param(0.109375, unit=FRAME, doc="smaller objects get proportionally looser tolerances...")
    small_loosen: float = param(1.6, doc="...up to this factor")
    weak_lean: float = param(0.02, unit="body widths", doc="a body leaning this far hints its facing...")
    weak_agree: float = param(0.8, doc="...when lean and cabin agree this often...")
    weak_agree_time: float = param(0.375, unit=SECONDS, doc="...over at least this long")

    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        changes = {e.object: e for e in expect.events if isinstance(e, StateChangeEvent)}
        events: list[Event] = []
        good, total = 0, 0
        scale2 = obs.camera.scale() ** 2
        for o in expect.objects:
            if not obs.observed(o.id):
                continue
            for tr in obs.group(o.id):
                judged = self._track(events, obs, tr, o, changes.get(o.id), scale2)
                if judged is not None:
                    good, total = good + judged[0], total + judged[1]
        if total == 0:
            return None
        return events, good / total

    def _track(
        self,
        events: list[Event],
        obs: Observation,
        tr: Track,
        o: ExpectObject,
        change: StateChangeEvent | None,
        scale2: np.ndarray,
    ) -> tuple[int, int] | None:
        """Judge one track; ``(consistent, judged)`` whole frames, or None when too few."""
        # frames next to an overlap with another object (two of a kind crossing) are cut apart
        # by the tracker, not whole
        near = tr.shared | np.r_[tr.shared[1:], False] | np.r_[False, tr.shared[:-1]]
        whole = tr.full() & ~near
        clean = np.flatnonzero(whole)
        if clean.size < self.ref_time:
            return None
        bad = self._color(events, obs, tr, o, change)
        bad |= self._size(events, obs, tr, change, scale2, whole, clean)
        # an expected change re-draws the object (a bite, a crack, a new colour keys as another
        # region): physics.causal owns it
        if not (change is not None and change.change in ("bite", "crack", "fall", "color")):
            bad |= self._shape(events, obs, tr, o, whole, clean)
        if o.shape == "vehicle":
            flipped = self._front(tr)
            if (t := self._first(flipped)) is not None:
                events.append(event("front_flipped", t, obs, tr, f"{tr.id}'s front turns to its back at frame {t}"))
            bad |= flipped
        # an object's first change is the fault; what follows is its consequence (a recoloured or
        # morphed object keys differently); on a tie, size goes last (every other change moves
        # the area too)
        mine = [e for e in events if e.object == tr.id]
        for e in sorted(mine, key=lambda e: (e.frame, e.type == "size_changed"))[1:]:
            events.remove(e)
        return int((~bad[clean]).sum()), int(clean.size)

    def _color(
        self, events: list[Event], obs: Observation, tr: Track, o: ExpectObject, change: StateChangeEvent | None
    ) -> np.ndarray:
        """Frames keyed in a colour that is neither the declared one nor an expected new one."""
        allowed = {o.color} | ({change.to} if change is not None and change.to else set())
        wrong = np.array(
            [tr.visible[t] and tr.color[t] is not None and tr.color[t] not in allowed for t in range(tr.num_frames)]
        )
        if (t := self._first(wrong, over=tr.visible)) is not None:
            events.append(event("color_changed", t, obs, tr, f"{tr.id} turns {tr.color[t]} (declared {o.color})"))
        return wrong

    def _size(
        self,
        events: list[Event],
        obs: Observation,
        tr: Track,
        change: StateChangeEvent | None,
        scale2: np.ndarray,
        whole: np.ndarray,
        clean: np.ndarray,
    ) -> np.ndarray:
        """Whole frames whose zoom-compensated area leaves ``size_ratio`` of the reference."""
        norm = tr.area / scale2
        ref = float(np.median(norm[clean[: self.ref_time]]))
        ratio = np.where(whole, norm / max(ref, 1.0), 1.0)
        off = (ratio > self.size_ratio) | (ratio < 1.0 / self.size_ratio)
        if change is not None and change.change == "bite":
            off &= ratio > self.size_ratio  # a bite may shrink it
        if (t := self._first(off, over=whole)) is not None:
            events.append(event("size_changed", t, obs, tr, f"{tr.id} is {ratio[t]:.2f}x its size"))
        return off

    def _shape(
        self, events: list[Event], obs: Observation, tr: Track, o: ExpectObject, whole: np.ndarray, clean: np.ndarray
    ) -> np.ndarray:
        """Whole frames whose descriptors leave the tolerances around the reference."""
        d = tr.desc[:, :4]
        refd = np.nanmedian(d[clean[: self.ref_time]], axis=0)
        diff = np.zeros(tr.num_frames, bool)
        tol = dict(self.vehicle_tolerance if o.shape == "vehicle" else self.tolerance)
        # outlines of small objects are noisier (measured on clean core renders)
        loosen = float(np.clip(self.small_frac / max(np.sqrt(tr.typical_area()), 1.0), 1.0, self.small_loosen))
        tol = {k: (1 + (v - 1) * loosen if k == "aspect" else v * loosen) for k, v in tol.items()}
        for k, key in enumerate(_SHAPE_KEYS):
            if key == "aspect":
                r = d[:, k] / refd[k]
                dev = np.maximum(r, 1 / np.maximum(r, 1e-6)) > tol[key]
            else:
                dev = np.abs(d[:, k] - refd[k]) > tol[key]
            diff |= np.nan_to_num(dev, nan=0).astype(bool)
        diff &= whole
        if (t := self._first(diff, tail=False, run=self.min_run + 1, over=whole)) is not None:
            events.append(event("shape_changed", t, obs, tr, f"{tr.id} changes shape at frame {t}"))
        return diff

    def _first(
        self, flags: np.ndarray, tail: bool = True, run: int | None = None, over: np.ndarray | None = None
    ) -> int | None:
        """First frame of a run of ``run`` (default ``min_run``) flagged frames (with ``tail``, also
        a shorter run that lasts to the last frame), counted over the frames in ``over`` only: a
        change seen before and after the object passes behind something is one run."""
        need = self.min_run if run is None else run
        idx = np.arange(len(flags)) if over is None else np.flatnonzero(over)
        sub = flags[idx]
        for s, e in runs(sub):
            if e - s + 1 >= need or (tail and e == len(sub) - 1 and s > 0):
                return int(idx[s])
        return None

    def _with_weak_facing(self, tr: Track) -> np.ndarray:
        """``(T,)`` facing, with frames where the cabin was not seen filled in from the body's own
        lean (``top_heavy``) — only when the track shows that its lean points the way its cabin
        says, in at least ``weak_agree_time`` frames where both are known, ``weak_agree`` of
        the time (a small car whose cues disagree, or a design whose lean points the other way,
        gains nothing)."""
        facing = tr.facing.astype(float).copy()
        th = tr.desc[:, DESCRIPTORS.index("top_heavy")]
        lean = np.isfinite(th) & (np.abs(np.nan_to_num(th)) >= self.weak_lean)
        both = lean & (facing != 0)
        if both.sum() < self.weak_agree_time:
            return facing
        if float(np.mean(np.sign(th[both]) == facing[both])) < self.weak_agree:
            return facing
        weak = lean & (facing == 0)
        facing[weak] = np.sign(th[weak])
        return facing

    def _front(self, tr: Track) -> np.ndarray:
        """Frames where the vehicle faces the other way than in its first clean frames."""
        facing = self._with_weak_facing(tr)
        known = np.flatnonzero(facing != 0)
        out = np.zeros(tr.num_frames, bool)
        if known.size < self.ref_time:
            return out
        first = np.sign(np.sum(facing[known[: self.ref_time]]))
        out[known] = facing[known] == -first
        return out
