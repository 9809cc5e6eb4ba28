"""Motion faults: wrong direction, stalls, speed and gravity changes, a reversed camera, and a
left/right relation swapped."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from model.world.faults.base import (
    CAMERA,
    Fault,
    index_of,
    moving,
    objects,
    open_spot,
    open_view,
    register,
    settled,
    start_range,
    to_short,
)
from model.world.motion import Path, flight
from model.world.timeline import Timeline, Track


def _movers(tl: Timeline, extra: Callable[[Track, int], bool] | None = None) -> dict[str, list[int]]:
    """Object id -> starts where it moves into frame ``s`` from open view at ``s - 1``."""
    bx, out = tl.boxes(), {}
    for k, tr in objects(tl):
        ok, mv = open_view(tl, bx, k), moving(tl, tr)
        out[tr.id] = [
            s
            for s in start_range(tl)
            if s >= settled(tl, tr.id) and ok[s - 1] and ok[s] and mv[s] and (extra is None or extra(tr, s))
        ]
    return out


def _airborne(tl: Timeline, tr: Track, s: int) -> bool:
    """Under gravity, in flight, from frame ``s - 1`` through ``s``."""
    if tr.path is None or tl.scene.gravity <= 0:
        return False
    return all(tr.path.state(float(tl.t[i]))[2][1] >= 0.5 * tl.scene.gravity for i in (s - 1, s))


@register
class Reverse(Fault):
    name = "reverse"
    description = "an object turns back and moves the way it came"
    severity_means = "speed of the reversed motion relative to the scripted one (1 = same speed, backwards)"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        def ok(tr: Track, s: int) -> bool:
            if tr.floor is not None or _airborne(tl, tr, s):
                return False  # falls and bounces: the gravity fault's domain
            rest = to_short(tl, np.array([tr.x[-1] - tr.x[s - 1], tr.y[-1] - tr.y[s - 1]]))
            return float(np.hypot(*rest)) >= 0.06

        return _movers(tl, ok)

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr, p = tl.track(obj), start - 1
        tr.x[start:] = tr.x[p] - severity * (tr.x[start:] - tr.x[p])
        tr.y[start:] = tr.y[p] - severity * (tr.y[start:] - tr.y[p])


@register
class Freeze(Fault):
    name = "freeze"
    description = "a moving object stalls in place (even in mid-air), then carries on late"
    severity_means = "the object stays frozen 0.5 x severity s, round(4 x severity) frames at 8 fps (to the end when that runs past it)"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        return _movers(tl)

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr, n = tl.track(obj), tl.frames(0.5 * severity)
        x, y = tr.x.copy(), tr.y.copy()
        for i in range(start, tl.num_frames):
            src = start - 1 if i < start + n else i - n
            tr.x[i], tr.y[i] = x[src], y[src]


@register
class Speed(Fault):
    name = "speed"
    description = "an object suddenly runs faster or slower along its path, for no reason"
    severity_means = "the object's clock runs (1 + severity) times faster, or that much slower"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        return _movers(tl, lambda tr, s: tr.path is not None)

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr, t = tl.track(obj), tl.t
        k = 1.0 + severity if rng.random() < 0.5 else 1.0 / (1.0 + severity)
        tp = t[start - 1]
        xy = tr.path.position(tp + k * (t[start:] - tp))
        tr.x[start:], tr.y[start:] = xy[:, 0], xy[:, 1]


@register
class Gravity(Fault):
    name = "gravity"
    description = "gravity changes for a falling or thrown object: weaker, gone, or pulling up"
    severity_means = "gravity becomes g x (1 - 2 x severity): 0.25 halves it, 0.5 removes it, 1 reverses it"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        return _movers(tl, lambda tr, s: _airborne(tl, tr, s))

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr, t = tl.track(obj), tl.t
        tp = float(t[start - 1])
        p, v, a = tr.path.state(tp)
        a = a + np.array([0.0, -2.0 * severity * tl.scene.gravity])
        xy = Path(flight(tp, p, v, a, tr.floor)).position(t[start:])
        tr.x[start:], tr.y[start:] = xy[:, 0], xy[:, 1]


@register
class CameraReverse(Fault):
    name = "camera_reverse"
    description = "the camera turns around: a pan, tilt or zoom runs backwards"
    severity_means = "speed of the reversed camera motion relative to the scripted one (1 = same speed)"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        moves = (np.diff(tl.cx) != 0) | (np.diff(tl.cy) != 0) | (np.diff(tl.zoom) != 0)
        return {CAMERA: [s for s in start_range(tl) if moves[s - 1]]}

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        p = start - 1
        tl.cx[start:] = tl.cx[p] - severity * (tl.cx[start:] - tl.cx[p])
        tl.cy[start:] = tl.cy[p] - severity * (tl.cy[start:] - tl.cy[p])
        tl.zoom[start:] = tl.zoom[p] * (tl.zoom[start:] / tl.zoom[p]) ** (-severity)


@register
class Mirror(Fault):
    name = "mirror"
    description = "two different-looking objects side by side are shown on the wrong sides (whole clip)"
    severity_means = "how far they swap: 1 trades their horizontal places, 0.5 meets in the middle"

    @staticmethod
    def _partner(tl: Timeline, bx: np.ndarray, k: int, severity: float) -> int | None:
        """Nearest object to the side of track ``k`` at frame 0 that looks different and that the
        swap leaves in open view."""
        a = tl.tracks[k]
        best, best_d = None, np.inf
        for j, b in objects(tl):
            if j == k or (b.color[0] == a.color[0] and b.shape[0] == a.shape[0]) or settled(tl, b.id) > 0:
                continue
            if b.id in tl.faulted:
                continue
            dx = (bx[j][0, 0] + bx[j][0, 2] - bx[k][0, 0] - bx[k][0, 2]) / 2
            if abs(dx) < (bx[k][0, 2] - bx[k][0, 0] + bx[j][0, 2] - bx[j][0, 0]) / 2:  # not side by side
                continue
            d = severity * (b.x[0] - a.x[0])
            ba, bb = tl.box(a, a.x + d), tl.box(b, b.x - d)
            if not (open_spot(tl, bx, ba, {k, j}) & open_spot(tl, bx, bb, {k, j}))[0]:
                continue
            if abs(dx) < best_d:
                best, best_d = j, abs(dx)
        return best

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        bx, out = tl.boxes(), {}
        for k, tr in objects(tl):
            ok = settled(tl, tr.id) == 0 and open_view(tl, bx, k)[0] and tl.num_frames >= 2
            out[tr.id] = [0] if ok and self._partner(tl, bx, k, severity) is not None else []
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> tuple[str, str]:
        k = index_of(tl, obj)
        j = self._partner(tl, tl.boxes(), k, severity)
        a, b = tl.tracks[k], tl.tracks[j]
        d = severity * (b.x[0] - a.x[0])
        a.x += d
        b.x -= d
        return obj, b.id
