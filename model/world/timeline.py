"""Compile a :class:`~prompts.scene.Scene` into a per-frame timeline of object states.

The timeline is the world's single source of truth: the rasterizer draws it, fault operators edit
it (a fault is an operator on the timeline, not a pixel hack), and the sidecar's ground truth is
read from it. Every array is indexed by frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from model.world.motion import CausalRecord, Floor, Path, extent, run_motion
from prompts.palette import PALETTE
from prompts.scene import CameraSpec, Scene

#: Seconds of one unit of scene time: a scene's script (its speeds, its events, its camera travel)
#: takes this long, at every format; a longer clip shows what follows (16 frames at 8 fps span
#: exactly one unit, the format the scenes were written for).
SCENE_SECONDS = 1.875
#: Frames per second of the format the scenes and faults were written for.
TUNED_FPS = 8.0

_ARRAYS = ("x", "y", "w", "h", "rgb", "visible", "opacity", "facing", "bite", "crack", "brightness", "blend")
_LISTS = ("color", "shape", "shape2")


@dataclass
class Track:
    """One object's (or occluder's) state over ``T`` frames, in world coordinates.

    Attributes:
        x, y: ``(T,)`` centre, normalised world coordinates (frame widths, heights).
        w, h: ``(T,)`` full width and height, fractions of the shorter frame side.
        rgb: ``(T, 3)`` float base colour (0..255) before shading; ``color``: its palette name.
        shape: ``(T,)`` shape names; ``shape2`` and ``blend`` ``(T,)``: a morph's target and weight.
        visible: ``(T,)`` drawn at all; ``opacity`` ``(T,)``: 1 opaque .. 0 transparent.
        facing: ``(T,)`` +1 front to the right, -1 to the left (vehicles).
        bite, crack: ``(T,)`` causal marks, on the side ``mark`` (left, right, top, bottom).
        brightness: ``(T,)`` multiplier on the colour (flicker).
        path, floor: the scripted motion (before faults) and its ground, for operators that
            re-time or re-plan it.
        detail: half the longer side at the scene camera's closest zoom (shorter-side units),
            fixed before faults: the rasterizer's sprite resolution for this track.
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
    shape2: list[str]
    blend: np.ndarray
    visible: np.ndarray
    opacity: np.ndarray
    facing: np.ndarray
    bite: np.ndarray
    crack: np.ndarray
    brightness: np.ndarray
    mark: str = "right"
    texture: str = "none"
    outline: bool = False
    mass: float = 1.0
    path: Path | None = None
    floor: Floor | None = None
    detail: float = 0.0

    def copy(self, new_id: str | None = None) -> Track:
        out = Track(**{f.name: getattr(self, f.name) for f in fields(self)})
        for name in _ARRAYS:
            setattr(out, name, getattr(self, name).copy())
        for name in _LISTS:
            setattr(out, name, list(getattr(self, name)))
        if new_id is not None:
            out.id = new_id
        return out

    def changed(self, other: Track) -> np.ndarray:
        """``(T,)`` frames where this track's drawn state differs from ``other``'s."""
        T = len(self.x)
        diff = np.zeros(T, bool)
        for name in _ARRAYS:
            a, b = getattr(self, name), getattr(other, name)
            diff |= (a != b).reshape(T, -1).any(axis=1)
        for name in _LISTS:
            diff |= np.array([p != q for p, q in zip(getattr(self, name), getattr(other, name), strict=True)])
        if self.mark != other.mark:
            diff |= self.bite | self.crack | other.bite | other.crack
        return diff & (self.visible | other.visible)


@dataclass
class Timeline:
    """All tracks plus the camera over ``T`` frames.

    Camera: the world point ``(cx, cy)`` seen at the frame centre and the ``zoom`` factor;
    screen ``x = (x_world - cx) * zoom + 0.5``, likewise for ``y``. ``aspect`` is the frame's
    width / height and ``fps`` its frame rate (frame ``k`` shows scene time
    ``k / (fps * SCENE_SECONDS)``). ``contacts`` and ``collisions`` give the first frame at or after each causal
    contact (``"subject>object"``) and declared collision (``"a>b"``). ``faulted`` holds the
    tracks (and ``camera``) a fault has edited: no second fault touches them.
    """

    num_frames: int
    tracks: list[Track]
    cx: np.ndarray
    cy: np.ndarray
    zoom: np.ndarray
    scene: Scene
    aspect: float = 1.0
    contacts: dict[str, int] = field(default_factory=dict)
    collisions: dict[str, int] = field(default_factory=dict)
    causal: list[CausalRecord] = field(default_factory=list)
    faulted: set[str] = field(default_factory=set)
    fps: float = TUNED_FPS

    @property
    def t(self) -> np.ndarray:
        """``(T,)`` scene time of each frame (1 is ``SCENE_SECONDS`` in)."""
        return frame_times(self.num_frames, self.fps)

    def frames(self, seconds: float) -> int:
        """Frames that last ``seconds`` at this timeline's rate (at least 1)."""
        return max(1, round(seconds * self.fps))

    def box(self, tr: Track, x: np.ndarray | None = None, y: np.ndarray | None = None,
            scale: float = 1.0) -> np.ndarray:  # fmt: skip
        """``(T, 4)`` screen box ``[x0, y0, x1, y1]`` (normalised) of ``tr`` seen through the camera,
        optionally at world centre ``x``, ``y`` ``(T,)`` and scaled by ``scale``."""
        x = tr.x if x is None else x
        y = tr.y if y is None else y
        cx = (x - self.cx) * self.zoom + 0.5
        cy = (y - self.cy) * self.zoom + 0.5
        hx = 0.5 * tr.w * scale * self.zoom * min(1.0, 1.0 / self.aspect)
        hy = 0.5 * tr.h * scale * self.zoom * min(1.0, self.aspect)
        return np.stack([cx - hx, cy - hy, cx + hx, cy + hy], axis=1)

    def boxes(self) -> np.ndarray:
        """``(n, T, 4)`` screen boxes of every track."""
        return np.stack([self.box(tr) for tr in self.tracks]) if self.tracks else np.zeros((0, self.num_frames, 4))

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
            self.aspect,
            dict(self.contacts),
            dict(self.collisions),
            list(self.causal),
            set(self.faulted),
            self.fps,
        )


def frame_times(num_frames: int, fps: float = TUNED_FPS) -> np.ndarray:
    """``(T,)`` scene time of each frame: one unit every ``SCENE_SECONDS``."""
    end = (num_frames - 1) / (fps * SCENE_SECONDS)
    return np.linspace(0.0, end, num_frames) if num_frames > 1 else np.zeros(1)


def frame_at(t: np.ndarray, time: float) -> int:
    """First frame at or after clip time ``time``."""
    return int(np.searchsorted(t, time - 1e-9))


def camera_path(cam: CameraSpec, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera centre and zoom at times ``t``; the words name what the camera does (``pan_right``
    turns it right, so the scene moves left in the frame)."""
    a = cam.amount
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


def _track(tid: str, group: str, kind: str, z: int, xy: np.ndarray, w: float, h: float, color: str,
           shape: str, face: int, texture: str, outline: bool = False, mass: float = 1.0,
           path: Path | None = None, floor: Floor | None = None) -> Track:  # fmt: skip
    T = len(xy)
    return Track(
        id=tid, group=group, kind=kind, z=z, x=xy[:, 0].copy(), y=xy[:, 1].copy(), w=np.full(T, w),
        h=np.full(T, h), rgb=np.tile(np.asarray(PALETTE[color], float), (T, 1)), color=[color] * T,
        shape=[shape] * T, shape2=[shape] * T, blend=np.zeros(T), visible=np.ones(T, bool),
        opacity=np.ones(T), facing=np.full(T, face, np.int8), bite=np.zeros(T, bool),
        crack=np.zeros(T, bool), brightness=np.ones(T), texture=texture, outline=outline, mass=mass,
        path=path, floor=floor,
    )  # fmt: skip


def simulate(scene: Scene, num_frames: int, aspect: float = 1.0, fps: float = TUNED_FPS) -> Timeline:
    """Compile ``scene`` into a :class:`Timeline` of ``num_frames`` frames of ``aspect`` (W / H) at
    ``fps``: the same scene time is the same second at every format."""
    t = frame_times(num_frames, fps)
    motion = run_motion(scene, aspect, until=max(1.0, float(t[-1])))
    tracks: list[Track] = []
    for obj in scene.objects:
        w, h = extent(obj)
        path = motion.paths[obj.id]
        vx = obj.vel[0] if obj.vel[0] != 0 else obj.acc[0]
        face = {"right": 1, "left": -1}.get(obj.facing or "", 1 if vx >= 0 else -1)
        tracks.append(
            _track(obj.id, obj.group_id, "object", obj.z, path.position(t), w, h, obj.color, obj.shape,
                   face, obj.texture, obj.outline, obj.mass, path, motion.floors[obj.id])
        )  # fmt: skip
    for occ in scene.occluders:
        w = occ.size * occ.aspect if occ.shape == "rectangle" else occ.size
        xy = np.tile(np.asarray(occ.pos, float), (num_frames, 1))
        tracks.append(_track(occ.id, occ.id, "occluder", occ.z, xy, w, occ.size, occ.color, "rectangle", 1,
                             occ.texture))  # fmt: skip
    cx, cy, zoom = camera_path(scene.camera, t)
    for tr in tracks:
        tr.detail = float(max(tr.w[0], tr.h[0]) / 2 * zoom.max())
    by_id = {tr.id: tr for tr in tracks}
    contacts = {}
    for rec in motion.causal:
        if rec.time is None:
            continue
        k = frame_at(t, rec.time)
        contacts[f"{rec.subject}>{rec.object}"] = k
        apply_effect(by_id[rec.object], rec, k, num_frames)
    tracks.sort(key=lambda tr: tr.z)  # stable: equal z keeps scene order
    collisions = {key: frame_at(t, te) for key, te in motion.collisions.items()}
    return Timeline(num_frames, tracks, cx, cy, zoom, scene, aspect, contacts, collisions, motion.causal, fps=fps)


def apply_effect(tr: Track, rec: CausalRecord, k: int, end: int) -> None:
    """Show the state change of ``rec`` on ``tr`` over frames ``k .. end - 1`` (a ``fall`` is
    motion: it is part of the object's path)."""
    sl = slice(k, end)
    if rec.change == "color" and rec.to is not None:
        tr.rgb[sl] = PALETTE[rec.to]
        tr.color[sl] = [rec.to] * len(tr.color[sl])
    elif rec.change == "bite":
        tr.bite[sl] = True
        tr.mark = rec.side
    elif rec.change == "crack":
        tr.crack[sl] = True
        tr.mark = rec.side
