"""``physics.camera``: the camera does what the prompt says (pan, tilt, zoom, or stays still)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from metrics.base import Event, param
from metrics.observe import Observation
from metrics.physics.base import PhysicsCheck, event, runs
from metrics.physics.units import SECONDS, SPEED
from metrics.registry import register_metric
from prompts.schema import Expect

OPPOSITE = {
    "pan_left": "pan_right", "pan_right": "pan_left", "tilt_up": "tilt_down",
    "tilt_down": "tilt_up", "zoom_in": "zoom_out", "zoom_out": "zoom_in",
}  # fmt: skip


@register_metric
@dataclass(kw_only=True)
class CameraCheck(PhysicsCheck):
    """Camera motion class per frame step against ``expect.camera``.

    Each measured step is classed from the similarity the background moves by, smoothed by a
    running median over ``smooth_time`` seconds, by speeds at the frame's border: a zoom when the
    scale change moves the border (half the shorter side times ``|k - 1|``) faster than the
    translation does and faster than ``zoom_speed`` frame sizes per second; else a pan/tilt when
    the frame centre moves faster than ``move_speed`` (camera words: ``pan_right`` moves the scene
    left); else ``static``. Fails when fewer than ``min_share`` of the measured steps match, on
    ``reversed_time`` seconds in the opposite class, or, for ``static``, on ``moves_time``
    seconds of one motion.
    ``n/a`` when no step could be measured (a featureless background).
    Events: ``camera_reversed``, ``camera_wrong``, ``camera_moves``. Value: share of matching steps.
    """

    name: ClassVar[str] = "physics.camera"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = "camera motion class per segment matches the prompt"

    applies_to: ClassVar[tuple[str, ...]] = ("camera",)
    faults: ClassVar[tuple[str, ...]] = ("camera_reverse",)
    gate: ClassVar[float] = 0.95

    move_speed: float = param(0.04, unit=SPEED, doc="a pan or tilt moves the frame centre faster")
    zoom_speed: float = param(0.048, unit=SPEED, doc="a zoom moves the border faster")
    min_share: float = param(0.6, doc="share of measured steps that must match")
    smooth_time: float = param(0.375, unit=SECONDS, doc="running median over the steps of this long")
    reversed_time: float = param(0.25, unit=SECONDS, doc="the opposite motion this long is a reversal")
    moves_time: float = param(0.375, unit=SECONDS, doc="one motion this long moves a static camera")

    def classes(self, obs: Observation) -> list[str | None]:
        """Class of each step (None where the step could not be measured)."""
        cam = obs.camera
        W, H = obs.width, obs.height
        n = len(cam.steps)
        shift = cam.translation((W / 2, H / 2))  # pixels per step
        scale = np.hypot(cam.steps[:, 0, 0], cam.steps[:, 1, 0])
        out: list[str | None] = []
        for t in range(n):
            if not cam.valid[t]:
                out.append(None)
                continue
            half = self.smooth_time // 2
            near = [i for i in range(max(0, t - half), min(n, t + half + 1)) if cam.valid[i]]
            dx, dy = np.median(shift[near], axis=0)
            zoom = 0.5 * obs.size * (float(np.median(scale[near])) - 1.0)  # border displacement, pixels
            move = float(np.hypot(dx, dy))
            if abs(zoom) > self.zoom_speed and abs(zoom) > move:
                out.append("zoom_in" if zoom > 0 else "zoom_out")
            elif move > self.move_speed:
                if abs(dx) >= abs(dy):
                    out.append("pan_right" if dx < 0 else "pan_left")
                else:
                    out.append("tilt_down" if dy < 0 else "tilt_up")
            else:
                out.append("static")
        return out

    def evaluate(self, expect: Expect, obs: Observation) -> tuple[list[Event], float] | None:
        want = expect.camera
        cls = self.classes(obs)
        measured = [c for c in cls if c is not None]
        if not measured:
            return None
        share = sum(c == want for c in measured) / len(measured)
        events: list[Event] = []
        arr = np.array([c or "?" for c in cls])
        if want == "static":
            for motion in sorted(set(measured) - {"static"}):
                for s, e in runs(arr == motion):
                    if e - s + 1 >= self.moves_time:
                        events.append(
                            event(
                                "camera_moves", s + 1, obs, None, f"the camera does {motion} in frames {s + 1}-{e + 1}"
                            )
                        )
                        break
            return events, share
        for s, e in runs(arr == OPPOSITE[want]):
            if e - s + 1 >= self.reversed_time:
                events.append(
                    event(
                        "camera_reversed",
                        s + 1,
                        obs,
                        None,
                        f"the camera does {OPPOSITE[want]} in frames {s + 1}-{e + 1}",
                    )
                )
        if share < self.min_share and not events:
            common = max(set(measured), key=measured.count)
            first = next(i for i, c in enumerate(cls) if c is not None and c != want)
            events.append(
                event(
                    "camera_wrong",
                    first + 1,
                    obs,
                    None,
                    f"expected {want}, the camera mostly does {common} ({share:.0%} match)",
                )
            )
        return events, share
