"""Permanence faults: objects that vanish, appear, merge, split, duplicate or jump without cause.

Each happens in open view (inside the frame, clear of occluders and other objects), where no exit,
entry or occlusion can explain it.
"""

from __future__ import annotations

import numpy as np

from model.world.faults.base import (
    MARGIN,
    Fault,
    from_short,
    index_of,
    insert_after,
    objects,
    open_spot,
    open_view,
    register,
    settled,
    start_range,
    to_short,
)
from model.world.timeline import TUNED_FPS, Timeline

_ANGLES = np.arange(16) * (2 * np.pi / 16)
_SPAWN_GRID = np.linspace(0.15, 0.85, 5)


def fade_frames(tl: Timeline, severity: float) -> int:
    """Frames an object takes to vanish or appear: 1 at severity >= 1, below it ``1 / (8 severity)``
    seconds (``round(1 / severity)`` frames at 8 fps)."""
    return max(1, round(tl.fps / TUNED_FPS / max(severity, 0.05)))


def _open_runs(ok: np.ndarray, first: int, last: int) -> bool:
    return bool(first >= 0 and last < len(ok) and ok[first : last + 1].all())


def world_offset(tl: Timeline, offset: np.ndarray, s: int) -> np.ndarray:
    """World offset ``(..., 2)`` that looks like screen ``offset`` (shorter-side units) at frame ``s``."""
    return from_short(tl, offset) / tl.zoom[s]


def _shifted_boxes(tl: Timeline, k: int, offsets: np.ndarray, s: int, scale: float = 1.0) -> np.ndarray:
    """``(P, T, 4)`` boxes of track ``k`` moved in the world by what looks like ``offsets``
    ``(P, 2)`` (shorter-side units) at frame ``s``, scaled by ``scale``."""
    tr = tl.tracks[k]
    w = world_offset(tl, offsets, s)
    return np.stack([tl.box(tr, tr.x + dx, tr.y + dy, scale) for dx, dy in w])


@register
class Vanish(Fault):
    name = "vanish"
    description = "an object disappears in open view and does not come back"
    severity_means = "1 or more: gone from one frame to the next; below 1: fades out over 1/(8 x severity) s (round(1/severity) frames at 8 fps)"

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        n, bx, out = fade_frames(tl, severity), tl.boxes(), {}
        for k, tr in objects(tl):
            ok = open_view(tl, bx, k)
            out[tr.id] = [s for s in start_range(tl) if s >= settled(tl, tr.id) and _open_runs(ok, s - 1, s + n - 1)]
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        tr, n = tl.track(obj), fade_frames(tl, severity)
        for j in range(n - 1):
            tr.opacity[start + j] = 1.0 - (j + 1) / n
        tr.visible[start + n - 1 :] = False


@register
class Spawn(Fault):
    name = "spawn"
    description = "a copy of an object appears from nothing in open view and stays"
    severity_means = "1 or more: appears from one frame to the next; below 1: fades in over 1/(8 x severity) s (round(1/severity) frames at 8 fps)"

    @staticmethod
    def _grid(tl: Timeline, bx: np.ndarray, k: int, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """World positions ``(P,)`` x and y of the spawn grid seen at frame ``s``, and whether a
        copy of track ``k`` there would be open in each frame ``(P, T)``."""
        tr = tl.tracks[k]
        gx, gy = np.meshgrid(_SPAWN_GRID, _SPAWN_GRID)
        wx = (gx.ravel() - 0.5) / tl.zoom[s] + tl.cx[s]
        wy = (gy.ravel() - 0.5) / tl.zoom[s] + tl.cy[s]
        cx = (wx[:, None] - tl.cx) * tl.zoom + 0.5  # (P, T) screen centres of copies resting there
        cy = (wy[:, None] - tl.cy) * tl.zoom + 0.5
        hx = 0.5 * tr.w[s] * tl.zoom * min(1.0, 1.0 / tl.aspect)
        hy = 0.5 * tr.h[s] * tl.zoom * min(1.0, tl.aspect)
        cand = np.stack([cx - hx, cy - hy, cx + hx, cy + hy], axis=-1)
        return wx, wy, open_spot(tl, bx, cand, set(), 2 * MARGIN)

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        bx, out = tl.boxes(), {}
        for k, tr in objects(tl):
            grids: dict[tuple[float, float, float], np.ndarray] = {}  # by camera state
            out[tr.id] = []
            for s in start_range(tl):
                cam = (tl.cx[s], tl.cy[s], tl.zoom[s])
                if cam not in grids:
                    grids[cam] = self._grid(tl, bx, k, s)[2]
                if tr.visible[s] and grids[cam][:, s:].all(axis=1).any():
                    out[tr.id].append(s)
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> tuple[str, None]:
        k = index_of(tl, obj)
        wx, wy, free_at = self._grid(tl, tl.boxes(), k, start)
        ok = free_at[:, start:].all(axis=1)
        p = int(rng.choice(np.flatnonzero(ok)))
        src = tl.tracks[k]
        new = src.copy(f"{obj}~spawn")
        T = tl.num_frames
        new.x, new.y = np.full(T, wx[p]), np.full(T, wy[p])
        for name in ("w", "h", "rgb", "facing", "brightness", "blend", "bite", "crack"):
            getattr(new, name)[:] = getattr(src, name)[start]
        for name in ("color", "shape", "shape2"):
            setattr(new, name, [getattr(src, name)[start]] * T)
        new.visible[:] = False
        new.visible[start:] = True
        n = fade_frames(tl, severity)
        new.opacity[:] = 1.0
        for j in range(n - 1):
            new.opacity[start + j] = (j + 1) / n
        new.path = None
        insert_after(tl, obj, new)
        return new.id, None


@register
class Merge(Fault):
    name = "merge"
    description = "two similar objects close together slide into one; one of them is gone"
    severity_means = (
        "time the two take to become one: 1/(4 x severity) s, round(2/severity) frames at 8 fps (1 frame at 2 or more)"
    )

    @staticmethod
    def _partner(tl: Timeline, bx: np.ndarray, k: int, s: int) -> int | None:
        """The similar object nearest to track ``k`` at frame ``s - 1``, if close enough."""
        a, i = tl.tracks[k], s - 1
        best, best_d = None, np.inf
        ca = np.array([(bx[k][i, 0] + bx[k][i, 2]) / 2, (bx[k][i, 1] + bx[k][i, 3]) / 2])
        for j, b in objects(tl):
            if j == k or b.shape[i] != a.shape[i] or b.color[i] != a.color[i] or not b.visible[i]:
                continue
            if b.id in tl.faulted:
                continue
            cb = np.array([(bx[j][i, 0] + bx[j][i, 2]) / 2, (bx[j][i, 1] + bx[j][i, 3]) / 2])
            d = float(np.hypot(*to_short(tl, cb - ca)))
            size = max(a.w[i], a.h[i], b.w[i], b.h[i]) * tl.zoom[i]
            if d <= 2.2 * size and d < best_d:
                best, best_d = j, d
        return best

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        n, bx, out = fade_frames(tl, severity / 2), tl.boxes(), {}
        T = tl.num_frames
        for k, tr in objects(tl):
            starts = []
            for s in start_range(tl):
                j = self._partner(tl, bx, k, s)
                if j is None or s + n > T - 1 or s < max(settled(tl, tr.id), settled(tl, tl.tracks[j].id)):
                    continue
                if _open_runs(open_view(tl, bx, k, {j}), s - 1, s) and _open_runs(open_view(tl, bx, j, {k}), s - 1, s):
                    starts.append(s)
            out[tr.id] = starts
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> tuple[str, str]:
        k = index_of(tl, obj)
        j = self._partner(tl, tl.boxes(), k, start)
        gone, keep = tl.tracks[k], tl.tracks[j]
        n = fade_frames(tl, severity / 2)
        mx, my = (gone.x + keep.x) / 2, (gone.y + keep.y) / 2
        for i in range(start, tl.num_frames):
            f = min(1.0, (i - start + 1) / n)
            for tr in (gone, keep):
                tr.x[i] += f * (mx[i] - tr.x[i])
                tr.y[i] += f * (my[i] - tr.y[i])
        gone.visible[start + n :] = False  # from the frame after the two coincide
        return obj, keep.id


@register
class Split(Fault):
    name = "split"
    description = "an object breaks into two smaller copies of itself that move apart"
    severity_means = "separation of the two pieces' centres: 0.9 x the object's extent x severity, reached in 2 frames"

    @staticmethod
    def _axis(tl: Timeline, k: int, s: int) -> np.ndarray:
        tr = tl.tracks[k]
        v = to_short(tl, np.array([tr.x[s] - tr.x[s - 1], tr.y[s] - tr.y[s - 1]]))
        return np.array([0.0, 1.0]) if abs(v[0]) > abs(v[1]) else np.array([1.0, 0.0])

    def _offsets(self, tl: Timeline, k: int, s: int, severity: float) -> np.ndarray:
        tr, e = tl.tracks[k], self._axis(tl, k, s)
        ext = (tr.w[s] if e[0] else tr.h[s]) * tl.zoom[s]
        return np.array([-1.0, 1.0])[:, None] * e * 0.45 * ext * severity

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        bx, out = tl.boxes(), {}
        for k, tr in objects(tl):
            ok, starts = open_view(tl, bx, k), []
            for s in start_range(tl):
                if s < settled(tl, tr.id) or not _open_runs(ok, s - 1, s):
                    continue
                pieces = _shifted_boxes(tl, k, self._offsets(tl, k, s, severity), s, 0.71)
                if open_spot(tl, bx, pieces, {k}, MARGIN)[:, s : s + tl.frames(0.375)].all():
                    starts.append(s)
            out[tr.id] = starts
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        k = index_of(tl, obj)
        off = self._offsets(tl, k, start, severity)
        tr = tl.tracks[k]
        piece = tr.copy(f"{obj}~split")
        piece.visible[:start] = False
        piece.path = None
        for part, o in ((tr, off[0]), (piece, off[1])):
            w = world_offset(tl, o, start)
            for i in range(start, tl.num_frames):
                f = min(1.0, (i - start + 1) / tl.frames(0.25))
                part.x[i] += f * w[0]
                part.y[i] += f * w[1]
            part.w[start:] *= 0.71
            part.h[start:] *= 0.71
        insert_after(tl, obj, piece)


@register
class Duplicate(Fault):
    name = "duplicate"
    description = "a full-size copy slides out of an object and moves along beside it"
    severity_means = "offset of the copy: 1.15 x the object's width x severity, reached in 2 frames"

    @staticmethod
    def _sides(tl: Timeline, bx: np.ndarray, k: int, s: int, severity: float) -> np.ndarray:
        """``(2,)`` whether the copy fits on the left and on the right."""
        d = 1.15 * tl.tracks[k].w[s] * tl.zoom[s] * severity
        cand = _shifted_boxes(tl, k, np.array([[-d, 0.0], [d, 0.0]]), s)
        return open_spot(tl, bx, cand, {k}, MARGIN)[:, s : s + tl.frames(0.375)].all(axis=1)

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        bx, out = tl.boxes(), {}
        for k, tr in objects(tl):
            ok = open_view(tl, bx, k)
            out[tr.id] = [
                s
                for s in start_range(tl)
                if s >= settled(tl, tr.id) and _open_runs(ok, s - 1, s) and self._sides(tl, bx, k, s, severity).any()
            ]
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        k = index_of(tl, obj)
        side = int(rng.choice(np.flatnonzero(self._sides(tl, tl.boxes(), k, start, severity))))
        tr = tl.tracks[k]
        d = (2 * side - 1) * 1.15 * tr.w[start] * tl.zoom[start] * severity
        copy = tr.copy(f"{obj}~dup")
        copy.visible[:start] = False
        copy.path = None
        w = world_offset(tl, np.array([d, 0.0]), start)[0]
        for i in range(start, tl.num_frames):
            copy.x[i] += min(1.0, (i - start + 1) / tl.frames(0.25)) * w
        insert_after(tl, obj, copy)


@register
class Teleport(Fault):
    name = "teleport"
    description = "an object jumps to another place and carries on from there"
    severity_means = "jump distance: 0.25 x severity of the frame's shorter side"

    @staticmethod
    def _fits(tl: Timeline, bx: np.ndarray, k: int, s: int, severity: float) -> np.ndarray:
        """``(16,)`` whether the jump in each direction of ``_ANGLES`` lands in open view."""
        offsets = np.stack([np.cos(_ANGLES), np.sin(_ANGLES)], axis=1) * 0.25 * severity
        cand = _shifted_boxes(tl, k, offsets, s)
        return open_spot(tl, bx, cand, {k}, MARGIN)[:, s : s + tl.frames(0.375)].all(axis=1)

    def candidates(self, tl: Timeline, severity: float) -> dict[str, list[int]]:
        bx, out = tl.boxes(), {}
        for k, tr in objects(tl):
            ok = open_view(tl, bx, k)
            out[tr.id] = [
                s
                for s in start_range(tl)
                if s >= settled(tl, tr.id) and _open_runs(ok, s - 1, s) and self._fits(tl, bx, k, s, severity).any()
            ]
        return out

    def apply(self, tl: Timeline, obj: str, start: int, severity: float, rng: np.random.Generator) -> None:
        k = index_of(tl, obj)
        fits = self._fits(tl, tl.boxes(), k, start, severity)
        a = next(int(i) for i in rng.permutation(len(_ANGLES)) if fits[i])
        tr = tl.tracks[k]
        w = world_offset(tl, 0.25 * severity * np.array([np.cos(_ANGLES[a]), np.sin(_ANGLES[a])]), start)
        tr.x[start:] += w[0]
        tr.y[start:] += w[1]
