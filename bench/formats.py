"""Video formats the checks are validated at: named presets of real generators, or ``TxHxW@FPS``.

The physics checks' thresholds are in seconds and fractions of the frame, and the reference world
lays its scenes out in fractions of the frame and plays them at the same speed per second, so one
scene rendered at any of these formats is the same motion; ``t2vbench validate --format`` checks
that the verdicts hold there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from t2vbase.errors import UsageError
from t2vbase.registry import did_you_mean


@dataclass(frozen=True)
class Format:
    """A clip format: ``frames`` of ``height`` × ``width`` pixels at ``fps``."""

    name: str
    frames: int
    height: int
    width: int
    fps: float

    @property
    def spec(self) -> str:
        """``TxHxW@FPS``."""
        return f"{self.frames}x{self.height}x{self.width}@{self.fps:g}"

    @property
    def seconds(self) -> float:
        return self.frames / self.fps


_SPEC = re.compile(r"^\s*(\d+)x(\d+)x(\d+)@(\d+(?:\.\d+)?)\s*$")


def parse_spec(spec: str, name: str | None = None) -> Format:
    """``TxHxW@FPS`` as a :class:`Format` (named ``name``, else the spec itself)."""
    m = _SPEC.match(spec)
    if m is None:
        raise UsageError(
            f"--format {spec!r}: expected a preset ({', '.join(PRESETS)}) or TxHxW@FPS, e.g. 81x480x832@16"
        )
    T, H, W, fps = int(m[1]), int(m[2]), int(m[3]), float(m[4])
    if not (2 <= T <= 10_000 and 16 <= H <= 8192 and 16 <= W <= 8192 and 0 < fps <= 1000):
        raise UsageError(f"--format {spec!r}: needs 2-10000 frames, 16-8192 pixels a side, 0-1000 fps")
    return Format(name or f"{T}x{H}x{W}@{fps:g}", T, H, W, fps)


def _preset(name: str, spec: str) -> Format:
    return parse_spec(spec, name)


#: Named formats: today's tuned one and those of widely used open generators.
PRESETS: dict[str, Format] = {
    f.name: f
    for f in (
        _preset("tiny", "16x128x128@8"),  # the format the checks were tuned at
        _preset("cogvideox", "49x480x720@8"),  # CogVideoX
        _preset("wan", "81x480x832@16"),  # Wan 2.x, 16:9
        _preset("wan-portrait", "81x832x480@16"),  # Wan 2.x, 9:16
        _preset("ltx", "121x512x768@24"),  # LTX-Video
        _preset("hunyuan", "129x720x1280@24"),  # HunyuanVideo
    )
}
TINY = PRESETS["tiny"]


def parse_format(text: str) -> Format:
    """A preset name or ``TxHxW@FPS``; a one-line usage error naming ``--format`` otherwise."""
    text = text.strip()
    if text in PRESETS:
        return PRESETS[text]
    if "x" not in text and "@" not in text:
        raise UsageError(f"--format {text!r}: {did_you_mean(text, list(PRESETS), 'format preset')}")
    return parse_spec(text)


def parse_formats(text: str) -> list[Format]:
    """``all`` (every preset) or a comma-separated list of presets and specs (``--formats``)."""
    if text.strip() == "all":
        return list(PRESETS.values())
    out = [parse_format(t) for t in text.split(",") if t.strip()]
    if not out:
        raise UsageError("--formats: name at least one format, or all")
    return out
