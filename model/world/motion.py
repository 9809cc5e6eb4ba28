"""Object motion: piecewise-ballistic paths and the events that change them.

Each object follows a :class:`Path`, a sequence of ballistic segments
``p(t) = p0 + v0 (t - t0) + a (t - t0)^2 / 2``. Bounces at the ground are solved analytically;
pair events (declared elastic collisions, causal contacts) are located on a time grid refined
around the first hit, then the paths are cut and continued with the new velocities. Units are the
scene's: normalised image coordinates and scene time ``t`` (1 is the script's length,
``timeline.SCENE_SECONDS``; a longer clip goes on past it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from prompts.scene import Scene, SceneObject

#: Paths are planned this far (clip times) so that time-warping faults can look past the clip.
HORIZON = 8.0
#: A rebound slower than this (frame heights per clip) comes to rest on the ground.
REST_SPEED = 0.05
_GRID = 1024
_REFINE = 4


@dataclass(frozen=True)
class Segment:
    """Ballistic motion from clip time ``t0``: position ``p``, velocity ``v``, acceleration ``a``."""

    t0: float
    p: tuple[float, float]
    v: tuple[float, float]
    a: tuple[float, float]


@dataclass(frozen=True)
class Floor:
    """Ground contact: the centre's ``y`` when touching, and the restitution of a bounce."""

    y: float
    restitution: float


class Path:
    """Piecewise-ballistic motion (immutable); segment ``k`` holds from its ``t0`` until the next
    one (the first also before its ``t0``)."""

    def __init__(self, segs: list[Segment]) -> None:
        self.segs = list(segs)
        self._t0 = np.array([s.t0 for s in segs])
        self._pva = np.array([(s.p, s.v, s.a) for s in segs])  # (K, 3, 2)

    def _eval(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        t = np.asarray(t, float)
        k = np.clip(np.searchsorted(self._t0, t, side="right") - 1, 0, len(self.segs) - 1)
        pva = self._pva[k]
        return (t - self._t0[k])[..., None], pva[..., 0, :], pva[..., 1, :], pva[..., 2, :]

    def position(self, t: np.ndarray) -> np.ndarray:
        """``(N, 2)`` positions at clip times ``t`` ``(N,)``."""
        dt, p, v, a = self._eval(t)
        return p + v * dt + 0.5 * a * dt**2

    def velocity(self, t: np.ndarray) -> np.ndarray:
        """``(N, 2)`` velocities at clip times ``t`` ``(N,)``."""
        dt, _, v, a = self._eval(t)
        return v + a * dt

    def state(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Position, velocity and acceleration ``(2,)`` each at one time."""
        dt, p, v, a = self._eval(np.array([t]))
        return (p + v * dt + 0.5 * a * dt**2)[0], (v + a * dt)[0], a[0]

    def cut(self, t: float, tail: list[Segment]) -> Path:
        """This path until ``t``, then ``tail``."""
        return Path([s for s in self.segs if s.t0 < t] + tail)


def _first_root(a: float, b: float, c: float) -> float | None:
    """Smallest ``s > 0`` with ``a s^2 / 2 + b s + c = 0`` (None if there is none)."""
    eps = 1e-9
    if abs(a) < 1e-12:
        return -c / b if b > 0 and -c / b > eps else None
    disc = b * b - 2.0 * a * c
    if disc < 0:
        return None
    r = np.sqrt(disc)
    roots = sorted(((-b - r) / a, (-b + r) / a))
    return next((s for s in roots if s > eps), None)


def flight(t0: float, p: np.ndarray, v: np.ndarray, a: np.ndarray, floor: Floor | None) -> list[Segment]:
    """Ballistic motion from ``t0``, bouncing at ``floor`` with its restitution until the rebound
    is slower than ``REST_SPEED``, then resting (sliding on with the horizontal motion)."""
    p, v, a = np.asarray(p, float), np.asarray(v, float), np.asarray(a, float)
    if floor is not None and p[1] > floor.y:
        p = np.array([p[0], floor.y])
    segs = [Segment(t0, tuple(p), tuple(v), tuple(a))]
    if floor is None:
        return segs
    t = t0
    for _ in range(256):
        if p[1] >= floor.y - 1e-12 and abs(v[1]) < 1e-12 and a[1] >= 0:  # resting on the floor
            segs[-1] = Segment(t, (p[0], floor.y), (v[0], 0.0), (a[0], 0.0))
            break
        s = _first_root(a[1], v[1], p[1] - floor.y)
        if s is None or t + s > HORIZON:
            break
        t = t + s
        p = np.array([p[0] + v[0] * s + 0.5 * a[0] * s * s, floor.y])
        vy = -floor.restitution * (v[1] + a[1] * s)
        v = np.array([v[0] + a[0] * s, vy])
        if abs(vy) < REST_SPEED:
            segs.append(Segment(t, tuple(p), (v[0], 0.0), (a[0], 0.0)))
            break
        segs.append(Segment(t, tuple(p), tuple(v), tuple(a)))
    return segs


def half_extent(obj: SceneObject, aspect: float) -> tuple[float, float]:
    """Half width and height of an object in normalised image units (frame widths, heights) for a
    frame of ``aspect`` = width / height (sizes are fractions of the shorter side)."""
    w, h = extent(obj)
    return 0.5 * w * min(1.0, 1.0 / aspect), 0.5 * h * min(1.0, aspect)


def extent(obj: SceneObject) -> tuple[float, float]:
    """Full (width, height) of an object from its ``size`` (longer side) and ``aspect`` (w/h)."""
    if obj.aspect >= 1.0:
        return obj.size, obj.size / obj.aspect
    return obj.size * obj.aspect, obj.size


@dataclass
class Body:
    """An object being planned: half extents (normalised units), mass, ground, stop time, path."""

    id: str
    hx: float
    hy: float
    mass: float
    floor: Floor | None
    stop: float | None
    path: Path


@dataclass
class CausalRecord:
    """A causal event as it happened: contact time (None if never), the side of the object that was
    touched, and for ``fall`` the object's path had it not fallen."""

    index: int
    subject: str
    object: str
    change: str
    to: str | None
    time: float | None = None
    side: str = "right"
    still: Path | None = None
    floor: Floor | None = None


@dataclass
class Motion:
    """Every object's path plus what happened: causal contacts and declared collisions (times)."""

    paths: dict[str, Path]
    causal: list[CausalRecord]
    collisions: dict[str, float] = field(default_factory=dict)
    floors: dict[str, Floor | None] = field(default_factory=dict)


def _touching(a: Body, b: Body, t: np.ndarray) -> np.ndarray:
    pa, pb = a.path.position(t), b.path.position(t)
    return (np.abs(pa[:, 0] - pb[:, 0]) <= a.hx + b.hx) & (np.abs(pa[:, 1] - pb[:, 1]) <= a.hy + b.hy)


def _approaching(a: Body, b: Body, t: np.ndarray) -> np.ndarray:
    dx = b.path.position(t)[:, 0] - a.path.position(t)[:, 0]
    dv = b.path.velocity(t)[:, 0] - a.path.velocity(t)[:, 0]
    return dx * dv < 0


def _first_time(pred: Callable[[np.ndarray], np.ndarray], t_now: float, until: float = 1.0) -> float | None:
    """First time in ``(t_now, until]`` where ``pred`` (on time arrays) holds, to ~1e-12: the first
    hit on a grid, refined on finer grids between the last miss and the hit."""
    lo, hi = t_now, until
    if lo >= hi:
        return None
    for level in range(_REFINE):
        grid = lo + (hi - lo) * np.arange(1, _GRID + 1) / _GRID
        hit = pred(grid)
        if not hit.any():
            return None if level == 0 else hi
        j = int(np.argmax(hit))
        lo, hi = (lo if j == 0 else float(grid[j - 1])), float(grid[j])
    return hi


def _side(obj: Body, other: Body, t: float) -> str:
    """Which side of ``obj`` faces ``other`` at time ``t``."""
    d = other.path.state(t)[0] - obj.path.state(t)[0]
    if abs(d[0]) / (obj.hx + other.hx) >= abs(d[1]) / (obj.hy + other.hy):
        return "right" if d[0] > 0 else "left"
    return "bottom" if d[1] > 0 else "top"


def _replan(body: Body, t: float, v: np.ndarray | None = None, a: np.ndarray | None = None) -> None:
    """Continue ``body`` from time ``t`` with velocity ``v`` and acceleration ``a`` (default: as is)."""
    p, v0, a0 = body.path.state(t)
    body.path = body.path.cut(t, flight(t, p, v0 if v is None else v, a0 if a is None else a, body.floor))


def _rest(body: Body, t: float) -> None:
    """``body`` stops where it is at time ``t``."""
    body.path = body.path.cut(t, [Segment(t, tuple(body.path.state(t)[0]), (0.0, 0.0), (0.0, 0.0))])


def _collide(a: Body, b: Body, e: float, t: float) -> None:
    """1-D collision along x at time ``t`` with restitution ``e`` (momentum conserved)."""
    (_, va, _), (_, vb, _) = a.path.state(t), b.path.state(t)
    p, m1, m2 = a.mass * va[0] + b.mass * vb[0], a.mass, b.mass
    _replan(a, t, np.array([(p + m2 * e * (vb[0] - va[0])) / (m1 + m2), va[1]]))
    _replan(b, t, np.array([(p + m1 * e * (va[0] - vb[0])) / (m1 + m2), vb[1]]))


def _contact(scene: Scene, rec: CausalRecord, s: Body, o: Body, t: float) -> None:
    """Causal contact of subject ``s`` with object ``o`` at time ``t``: record it, move the subject
    as the event says (stop, bounce back, pass through) and start the object's fall."""
    rec.time, rec.side = t, _side(o, s, t)
    on_contact = scene.events[rec.index].on_contact
    if on_contact == "stop":
        _rest(s, t)
    elif on_contact == "bounce":  # the subject's velocity along the contact normal reverses
        vs, vo = s.path.state(t)[1].copy(), o.path.state(t)[1]
        axis = 0 if rec.side in ("left", "right") else 1
        vs[axis] = 2 * vo[axis] - vs[axis]
        _replan(s, t, vs)
    if rec.change == "fall":
        rec.still = o.path
        rec.floor = o.floor = Floor(scene.ground - o.hy, 0.0)
        ao = o.path.state(t)[2]
        _replan(o, t, a=np.array([ao[0], ao[1] + scene.gravity]))


def run_motion(scene: Scene, aspect: float = 1.0, until: float = 1.0) -> Motion:
    """Plan every object's path up to scene time ``until``, resolving bounces, collisions and
    causal contacts."""
    bodies: dict[str, Body] = {}
    for o in scene.objects:
        hx, hy = half_extent(o, aspect)
        acc = np.array([o.acc[0], o.acc[1] + (scene.gravity if o.gravity else 0.0)])
        floor = Floor(scene.ground - hy, o.bounce) if o.bounce is not None else None
        rest = [Segment(0.0, o.pos, (0.0, 0.0), (0.0, 0.0))] if o.start > 0 else []
        path = Path(rest + flight(o.start, np.array(o.pos), np.array(o.vel), acc, floor))
        stop = None if o.stop is None else max(o.stop, o.start)
        bodies[o.id] = Body(o.id, hx, hy, o.mass, floor, stop, path)
    records = [CausalRecord(i, e.subject, e.object, e.change, e.to) for i, e in enumerate(scene.events)]
    motion = Motion({}, records)
    stopped: set[str] = set()
    found: dict[tuple[str, int], tuple[Path, Path, float | None]] = {}  # pair searches still valid

    def search(kind: str, i: int, a: Body, b: Body, t_now: float) -> float | None:
        """First pair event after ``t_now``; reused while neither path changed and it lies ahead."""
        old = found.get((kind, i))
        if old and old[0] is a.path and old[1] is b.path and (old[2] is None or old[2] > t_now):
            return old[2]
        if kind == "collision":
            te = _first_time(lambda t: _touching(a, b, t) & _approaching(a, b, t), t_now, until)
        else:
            te = _first_time(lambda t: _touching(a, b, t), t_now, until)
        found[(kind, i)] = (a.path, b.path, te)
        return te

    t_now = 0.0
    for _ in range(256):
        events: list[tuple[float, int, str, object]] = []  # (time, order, kind, what)
        for b in bodies.values():
            if b.stop is not None and b.id not in stopped and b.stop >= t_now:
                events.append((b.stop, 0, "stop", b.id))
        for i, col in enumerate(scene.collisions):
            te = search("collision", i, bodies[col.a], bodies[col.b], t_now)
            if te is not None:
                events.append((te, 1, "collision", col))
        for rec in records:
            if rec.time is None:
                te = search("contact", rec.index, bodies[rec.subject], bodies[rec.object], t_now)
                if te is not None:
                    events.append((te, 2, "contact", rec))
        if not events:
            break
        te, _, kind, what = min(events, key=lambda e: (e[0], e[1]))
        if kind == "stop":
            _rest(bodies[what], te)
            stopped.add(what)
        elif kind == "collision":
            _collide(bodies[what.a], bodies[what.b], what.restitution, te)
            motion.collisions.setdefault(f"{what.a}>{what.b}", te)
        else:
            _contact(scene, what, bodies[what.subject], bodies[what.object], te)
            if scene.events[what.index].on_contact == "stop":
                stopped.add(what.subject)
        t_now = te
    motion.paths = {k: b.path for k, b in bodies.items()}
    motion.floors = {k: b.floor for k, b in bodies.items()}
    return motion
