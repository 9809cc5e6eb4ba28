"""Appearance faults: an object's colour, shape, size, front or brightness changes without cause."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from model.world.faults.base import (
    Fault,
    objects,
    open_spot,
    open_view,
    register,
    settled,
    start_range,
)
from model.world.sprites import MORPH_SHAPES
from model.world.timeline import Timeline, Track
from prompts.palette import PALETTE

#: Chromatic palette colours in hue order: a recolor moves round this ring.
HUE_RING = ("red", "orange", "yellow", "green", "cyan", "blue", "purple", "magenta")
FLICKER_SECONDS = 0.75


def _visible_starts(tl: Timeline, ok_track: Callable[[Track, set[str]], bool] | None = None) -> dict[str, list[int]]:
    """Object id -> starts where it is in open view at ``s - 1`` and ``s`` (``ok_track(track,
    causal objects)`` may rule a track out)."""
    bx, out = tl.boxes(), {}
    causal = {rec.object for rec in tl.causal}
    for k, tr in objects(tl):
        if ok_track is not None and not ok_track(tr, causal):
            out[tr.id] = []
            continue
        ok = open_view(tl, bx, k)
        out[tr.id] = [s for s in start_range(tl) if s >= settled(tl, tr.id) and ok[s - 1] and ok[s]]
    return out


def _not_causal(tr: Track, causal: set[str]) -> bool:
    return tr.id not in causal


@register
class Recolor(Fault):
    name = "recolor"
    description = "an object changes colour for no reason and stays changed"
    severity_means = "hue distance: round(4 x severity) steps (1 to 4) round the 8-colour hue ring"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        return _visible_starts(tl, _not_causal)

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr = tl.track(obj)
        steps = int(np.clip(round(4 * severity), 1, 4))
        cur = tr.color[start - 1]
        if cur in HUE_RING:
            i = HUE_RING.index(cur)
            options = [HUE_RING[(i + steps) % 8], HUE_RING[(i - steps) % 8]]
        else:  # white, gray, black, brown: any hue
            options = list(HUE_RING)
        order = [options[int(j)] for j in rng.permutation(len(options))]
        used = {o.color[start] for o in tl.tracks if o.id != obj}
        new = next((c for c in order if c not in used), order[0])
        tr.rgb[start:] = PALETTE[new]
        tr.color[start:] = [new] * (tl.num_frames - start)


@register
class Morph(Fault):
    name = "morph"
    description = "an object's shape melts into another shape and stays so"
    severity_means = (
        "morph speed: the new shape is complete after 0.375 / severity s (round(3 / severity) frames at 8 fps)"
    )

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        return _visible_starts(tl, _not_causal)

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr = tl.track(obj)
        options = [s for s in MORPH_SHAPES if s != tr.shape[start]]
        target = options[int(rng.integers(len(options)))]
        n = tl.frames(0.375 / max(severity, 0.05))
        for i in range(start, tl.num_frames):
            tr.shape2[i] = target
            tr.blend[i] = min(1.0, (i - start + 1) / n)


@register
class Resize(Fault):
    name = "resize"
    description = "an object grows or shrinks for no reason (no zoom, no approach)"
    severity_means = "size change: x (1 + 0.6 x severity) growing or x (1 - 0.4 x severity) shrinking, over 0.375 s"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        out, bx, T = _visible_starts(tl), tl.boxes(), tl.num_frames
        for k, tr in objects(tl):
            grown = tl.box(tr, scale=1.0 + 0.6 * severity)
            room = open_spot(tl, bx, grown, {k})
            out[tr.id] = [s for s in out[tr.id] if room[s : min(T, s + tl.frames(0.375))].all()]
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr = tl.track(obj)
        rate = 0.6 if rng.random() < 0.5 else -0.4
        for i in range(start, tl.num_frames):
            f = max(0.3, 1.0 + rate * severity * min(1.0, (i - start + 1) / tl.frames(0.375)))
            tr.w[i] *= f
            tr.h[i] *= f


@register
class Flip(Fault):
    name = "flip"
    description = "a vehicle's front and back swap: it drives on backwards"
    severity_means = "none: a flip is all or nothing (severity is recorded only)"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        out = _visible_starts(tl)
        for tr in tl.tracks:
            if tr.id in out:
                out[tr.id] = [s for s in out[tr.id] if tr.shape[s] == "vehicle" and tr.blend[s] == 0]
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr = tl.track(obj)
        tr.facing[start:] = -tr.facing[start:]


@register
class Flicker(Fault):
    name = "flicker"
    description = "an object's brightness flickers for 0.75 s (six frames at 8 fps)"
    severity_means = "flicker depth: every other frame the object is darkened by 0.45 x severity (at most 0.9)"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        return _visible_starts(tl)

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr = tl.track(obj)
        depth = min(0.9, 0.45 * severity)
        for j in range(0, min(tl.frames(FLICKER_SECONDS), tl.num_frames - start), 2):
            tr.brightness[start + j] = 1.0 - depth
