"""Physical units of the physics checks' thresholds, and their value in one clip's pixels and frames.

A check declares each threshold in a unit that means the same at every format (a duration in
seconds, a distance in fractions of the frame's shorter side, a speed per second, an acceleration
per second²), so the same scene rendered at another frame count, frame rate, resolution or aspect
gives the same verdicts. Its code measures in the clip's own pixels and frames: before judging a
clip, :func:`at_format` turns the check into one whose thresholds are in those (the protocol
keeps the physical values). At the format the checks were tuned at (16 frames of 128×128 at
8 fps, see :data:`TUNED`) every converted value is exactly the old per-pixel, per-frame one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

SECONDS = "seconds"
FRAME = "frame sizes"  # fractions of the frame's shorter side
SPEED = "frame sizes per second"
ACCEL = "frame sizes per second²"

#: The format the thresholds were tuned at: (frames per second, shorter side in pixels).
TUNED = (8.0, 128)


def _frames(v: float, fps: float, size: float) -> int:
    return max(1, round(v * fps))


#: unit -> (value, fps, shorter side in pixels) -> the value in the clip's frames and pixels
TO_CLIP: dict[str, Callable[[float, float, float], float | int]] = {
    SECONDS: _frames,
    FRAME: lambda v, fps, size: v * size,
    SPEED: lambda v, fps, size: v * size / fps,
    ACCEL: lambda v, fps, size: v * size / fps**2,
}

C = TypeVar("C")


def at_format(check: C, fps: float, size: float) -> C:
    """A copy of ``check`` whose thresholds in physical units are in frames and pixels of a clip at
    ``fps`` frames per second whose shorter side is ``size`` pixels (others as they are)."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(check):  # type: ignore[arg-type]
        convert = TO_CLIP.get(f.metadata.get("unit", ""))
        if convert is not None and f.init:
            changes[f.name] = convert(getattr(check, f.name), fps, size)
    out = dataclasses.replace(check, **changes)  # type: ignore[type-var]
    for f in dataclasses.fields(check):  # type: ignore[arg-type]
        if not f.init:  # built at run time (an observation backend): shared, not rebuilt
            setattr(out, f.name, getattr(check, f.name))
    return out
