"""Compile a :class:`~prompts.scene.Scene` into a per-frame timeline of object states.

The timeline is the world's single source of truth: the rasterizer draws it, fault operators edit
it (a fault is an operator on the timeline, not a pixel hack), and the sidecar's ground truth is
read from it. Every array is indexed by frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from prompts.palette import PALETTE
from prompts.scene import Scene, SceneObject

# time resolution used to locate contacts and bounces between frames
_SUBSTEPS = 64


@dataclass
class Track:
    """One object's (or occluder's) state over ``T`` frames, in world coordinates.

    Attributes:
        x, y: ``(T,)`` centre, normalised world coordinates.
        w, h: ``(T,)`` full width and height, fractions of the shorter frame side.
        rgb: ``(T, 3)`` float base colour (0..255) before shading.
        color: ``(T,)`` palette name of ``rgb`` (what a viewer would call it).
        shape: ``(T,)`` shape name per frame (a morph changes it).
        visible: ``(T,)`` drawn at all.
        facing: ``(T,)`` +1 front to the right, -1 to the left (vehicles).
        bite: ``(T,)`` a notch is cut out (causal ``bite``); ``bite_side`` says where (+1 right).
        crack: ``(T,)`` crack lines drawn (causal ``crack``).
        brightness: ``(T,)`` multiplier on the colour (flicker modulates it).
    """

    id: str
    group: str
    kind: str  # "object" | "occluder"
    z: int
    x: np.ndarray
    y: np.ndarray
    w: np.ndarray
    h: np.ndarray
    rgb: np.ndarray
    color: list[str]
    shape: list[str]
    visible: np.ndarray
    facing: np.ndarray
    bite: np.ndarray
    crack: np.ndarray
    brightness: np.ndarray
    bite_side: int = 1
    texture: str = "none"
    outline: bool = False
    mass: float = 1.0

    def copy(self) -> Track:
        out = Track(**{k: getattr(self, k) for k in self.__dataclass_fields__})
        for name in ("x", "y", "w", "h", "rgb", "visible", "facing", "bite", "crack", "brightness"):
            setattr(out, name, getattr(self, name).copy())
        out.color, out.shape = list(self.color), list(self.shape)
        return out


@dataclass
class Timeline:
    """All tracks plus the camera over ``T`` frames.

    Camera: the world point ``(cx, cy)`` seen at the frame centre and the ``zoom`` factor;
    screen ``x = ((x_world - cx) * zoom + 0.5)``, likewise for ``y``.
    """

    num_frames: int
    tracks: list[Track]
    cx: np.ndarray
    cy: np.ndarray
    zoom: np.ndarray
    scene: Scene
    contacts: dict[str, int] = field(default_factory=dict)  # event key -> first frame of contact

    @property
    def t(self) -> np.ndarray:
        """``(T,)`` clip time of each frame in [0, 1]."""
        return frame_times(self.num_frames)

    def track(self, tid: str) -> Track:
        for tr in self.tracks:
            if tr.id == tid:
                return tr
        raise KeyError(tid)

    def copy(self) -> Timeline:
        return Timeline(
            self.num_frames,
            [tr.copy() for tr in self.tracks],
            self.cx.copy(),
            self.cy.copy(),
            self.zoom.copy(),
            self.scene,
            dict(self.contacts),
        )


def frame_times(num_frames: int) -> np.ndarray:
    return np.linspace(0.0, 1.0, num_frames) if num_frames > 1 else np.zeros(1)


def extent(obj: SceneObject) -> tuple[float, float]:
    """Full (width, height) of an object from its ``size`` (longer side) and ``aspect`` (w/h)."""
    if obj.aspect >= 1.0:
        return obj.size, obj.size / obj.aspect
    return obj.size * obj.aspect, obj.size


def _bounce_segments(y0: float, vy: float, ay: float, floor: float, e: float) -> list[tuple[float, float, float]]:
    """Parabola segments ``(t_start, y_start, v_start)`` of a fall reflected at ``floor``.

    A segment with ``v_start`` NaN means the object rests on the floor from ``t_start`` on.
    """
    segs = [(0.0, min(y0, floor), vy)]
    t0, y, v = 0.0, min(y0, floor), vy
    for _ in range(64):
        if ay <= 0:
            break
        disc = v * v + 2.0 * ay * (floor - y)
        s = (-v + np.sqrt(max(disc, 0.0))) / ay  # time to reach the floor
        if s <= 1e-12 and v <= 0:
            break
        t_hit, v_hit = t0 + s, v + ay * s
        if t_hit > 1.0:
            break
        v_new = -e * v_hit
        if abs(v_new) < 1e-3:
            segs.append((t_hit, floor, float("nan")))
            break
        t0, y, v = t_hit, floor, v_new
        segs.append((t0, y, v))
    return segs


def _ballistic(obj: SceneObject, scene: Scene, t: np.ndarray, half_h: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions at times ``t``: uniform, accelerated or gravity motion, bounces at the ground."""
    ax, ay = obj.acc
    if obj.gravity:
        ay += scene.gravity
    x0, y0 = obj.pos
    vx, vy = obj.vel
    stop = 1.0 if obj.stop is None else max(obj.stop, obj.start)
    tau = np.clip(t, obj.start, stop) - obj.start
    x = x0 + vx * tau + 0.5 * ax * tau**2
    if obj.bounce is None:
        return x, y0 + vy * tau + 0.5 * ay * tau**2
    segs = _bounce_segments(y0, vy, ay, scene.ground - half_h, obj.bounce)
    starts = np.array([s[0] for s in segs])
    which = np.searchsorted(starts, tau, side="right") - 1
    y = np.empty_like(tau)
    for i, k in enumerate(which):
        ts, ys, vs = segs[k]
        dt = tau[i] - ts
        y[i] = ys if np.isnan(vs) else min(ys + vs * dt + 0.5 * ay * dt**2, scene.ground - half_h)
    return x, y


def _camera(scene: Scene, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera centre and zoom per frame; the words name what the camera does."""
    cam, a = scene.camera, scene.camera.amount
    cx, cy, zoom = np.full_like(t, 0.5), np.full_like(t, 0.5), np.ones_like(t)
    if cam.motion == "pan_right":
        cx = 0.5 - a / 2 + a * t
    elif cam.motion == "pan_left":
        cx = 0.5 + a / 2 - a * t
    elif cam.motion == "tilt_down":
        cy = 0.5 - a / 2 + a * t
    elif cam.motion == "tilt_up":
        cy = 0.5 + a / 2 - a * t
    elif cam.motion == "zoom_in":
        zoom = (1.0 + a) ** t
    elif cam.motion == "zoom_out":
        zoom = (1.0 + a) ** (-t)
    return cx, cy, zoom


def _touch_time(a: SceneObject, b: SceneObject, scene: Scene) -> float | None:
    """First clip time at which the boxes of ``a`` and ``b`` touch (None if never)."""
    fine = np.linspace(0.0, 1.0, _SUBSTEPS * 16 + 1)
    wa, ha = extent(a)
    wb, hb = extent(b)
    xa, ya = _ballistic(a, scene, fine, ha / 2)
    xb, yb = _ballistic(b, scene, fine, hb / 2)
    hit = (np.abs(xa - xb) <= (wa + wb) / 2) & (np.abs(ya - yb) <= (ha + hb) / 2)
    if not hit.any():
        return None
    return float(fine[int(np.argmax(hit))])


def simulate(scene: Scene, num_frames: int) -> Timeline:
    """Compile ``scene`` into a :class:`Timeline` of ``num_frames`` frames."""
    t = frame_times(num_frames)
    T = num_frames
    objs = {o.id: o for o in scene.objects}
    # causal events: the subject stops at contact (on_contact: stop), the object changes after it
    stops: dict[str, float] = {}
    changes: list[tuple[str, float, object]] = []
    contacts: dict[str, int] = {}
    for ev in scene.events:
        tc = _touch_time(objs[ev.subject], objs[ev.object], scene)
        if tc is None:
            continue
        contacts[f"{ev.subject}>{ev.object}"] = int(np.searchsorted(t, tc - 1e-9))
        if ev.on_contact == "stop":
            stops[ev.subject] = tc
        changes.append((ev.object, tc, ev))
    tracks: list[Track] = []
    for obj in scene.objects:
        w, h = extent(obj)
        if obj.id in stops:
            obj = obj.model_copy(update={"stop": min(stops[obj.id], obj.stop or 1.0)})
        x, y = _ballistic(obj, scene, t, h / 2)
        vx = obj.vel[0] + obj.acc[0] * t
        face = 1 if obj.facing == "right" else -1 if obj.facing == "left" else (1 if np.mean(vx) >= 0 else -1)
        rgb = np.tile(np.asarray(PALETTE[obj.color], float), (T, 1))
        tracks.append(
            Track(
                id=obj.id, group=obj.group_id, kind="object", z=obj.z, x=x, y=y,
                w=np.full(T, w), h=np.full(T, h), rgb=rgb, color=[obj.color] * T,
                shape=[obj.shape] * T, visible=np.ones(T, bool), facing=np.full(T, face, np.int8),
                bite=np.zeros(T, bool), crack=np.zeros(T, bool), brightness=np.ones(T),
                texture=obj.texture, outline=obj.outline, mass=obj.mass,
            )
        )  # fmt: skip
    for occ in scene.occluders:
        h = occ.size
        w = occ.size * occ.aspect if occ.shape == "rectangle" else occ.size
        tracks.append(
            Track(
                id=occ.id, group=occ.id, kind="occluder", z=occ.z, x=np.full(T, occ.pos[0]),
                y=np.full(T, occ.pos[1]), w=np.full(T, w), h=np.full(T, h),
                rgb=np.tile(np.asarray(PALETTE[occ.color], float), (T, 1)), color=[occ.color] * T,
                shape=["rectangle"] * T, visible=np.ones(T, bool), facing=np.ones(T, np.int8),
                bite=np.zeros(T, bool), crack=np.zeros(T, bool), brightness=np.ones(T),
                texture=occ.texture,
            )
        )  # fmt: skip
    by_id = {tr.id: tr for tr in tracks}
    for oid, tc, ev in changes:
        tr = by_id[oid]
        after = t >= tc - 1e-9
        if ev.change == "color" and ev.to is not None:
            tr.rgb[after] = PALETTE[ev.to]
            for i in np.flatnonzero(after):
                tr.color[i] = ev.to
        elif ev.change == "bite":
            tr.bite[after] = True
            tr.bite_side = -1 if by_id[ev.subject].x[0] < tr.x[0] else 1
        elif ev.change == "crack":
            tr.crack[after] = True
        elif ev.change == "fall":
            idx = np.flatnonzero(after)
            if idx.size:
                tau = t[idx] - tc
                tr.y[idx] = np.minimum(tr.y[idx] + 0.5 * scene.gravity * tau**2, scene.ground - tr.h[idx] / 2)
    tracks.sort(key=lambda tr: tr.z)  # stable: equal z keeps scene order
    cx, cy, zoom = _camera(scene, t)
    return Timeline(T, tracks, cx, cy, zoom, scene, contacts)
