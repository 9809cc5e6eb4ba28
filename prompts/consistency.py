"""Does a clean render show what ``expect`` says? Checked on the generator's sidecar ``truth``.

A prompt's ``expect`` must be exactly what a viewer sees in the clean render of its ``scene``;
otherwise the physics checks would raise false alarms on correct clips. :func:`check_truth`
compares ``expect`` with the per-frame ground truth the reference generator writes (the documented
``truth`` block of docs/DESIGN.md: bbox, visible_frac, in_frame_frac, occluded_by, colour, shape,
facing, bite, crack per frame; the camera; first contact frames) and returns what does not hold:

* objects: every expected object is rendered ``count`` times in its colour and shape; objects are
  on screen in every frame (permanence prompts: at least half the frames) and keep colour, shape,
  size and a vehicle's front (facing its travel) unless an expected event changes them;
* counts: at the first and last frame each expected object shows ``count`` separate instances
  (permanence prompts may start with one out of frame or hidden, and end with one gone out of
  frame);
* relations hold at ``when``, by centres, outside a dead zone of half the objects' summed extent
  and inside a 45 degree cone;
* motion: net displacement after removing the camera, at least 0.15 and 1.5 object sizes, along
  the named direction, dominant over the other axis, with no step backwards;
* camera: the rendered camera does what ``expect.camera`` names, clearly (no camera motion when
  none is named);
* kinematics: falls and projectiles accelerate downward, uniform motion is linear, bounces reverse
  at the floor lower than they started, rises go up, collisions meet and exchange momentum;
* events: contacts happen inside the clip with frames before and after them, and a state change
  starts at its contact (not before) and persists to the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from prompts.schema import ContactEvent, Expect, Prompt, StateChangeEvent

ON_SCREEN = 0.5  # in_frame_frac at which an object counts as on screen
SEEN = 0.5  # visible_frac at which an object counts as seen
MIN_MOVE = 0.15  # net displacement (frame units) of a named motion
MIN_MOVE_SIZES = 1.5  # ... and in object sizes
DEAD_ZONE = 0.45  # relation dead zone, times the summed extents of the two objects
PAN_MIN = 0.15  # camera travel (frame widths) of a pan or tilt
ZOOM_MIN = 1.25  # scale ratio of a zoom
CONTACT_WINDOW = (0.12, 0.85)  # contacts happen inside this part of the clip


@dataclass(frozen=True)
class Finding:
    """One way the render disagrees with ``expect``."""

    prompt_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"prompt {self.prompt_id!r}: {self.field}: {self.message}"


class Track:
    """Per-frame truth of one rendered object, with screen and camera-free (world) centres."""

    def __init__(self, raw: dict[str, Any], cam: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        self.id: str = raw["id"]
        self.group: str = raw["group"]
        self.kind: str = raw["kind"]
        box = np.asarray(raw["bbox"], float)
        self.cx, self.cy = (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2
        self.w, self.h = box[:, 2] - box[:, 0], box[:, 3] - box[:, 1]
        cx, cy, zoom = cam
        self.wx, self.wy = (self.cx - 0.5) / zoom + cx, (self.cy - 0.5) / zoom + cy
        self.ww, self.wh = self.w / zoom, self.h / zoom
        self.seen = np.asarray(raw["visible_frac"], float) * np.asarray(raw["visible"], bool)
        self.in_frame = np.asarray(raw["in_frame_frac"], float)
        self.occluded_by: list[list[str]] = raw["occluded_by"]
        self.color: list[str] = raw["color"]
        self.shape: list[str] = raw["shape"]
        self.facing = np.asarray(raw["facing"], int)
        self.bite = np.asarray(raw["bite"], bool)
        self.crack = np.asarray(raw["crack"], bool)


def _frames(flags: np.ndarray) -> str:
    idx = np.flatnonzero(flags)
    return f"{idx[0]}-{idx[-1]}" if len(idx) > 1 else str(idx[0])


class _Checker:
    def __init__(self, prompt: Prompt, truth: dict[str, Any]) -> None:
        self.p = prompt
        self.exp: Expect = prompt.expect or Expect()
        cam = truth["camera"]
        self.cam = (
            np.asarray(cam["cx"], float),
            np.asarray(cam["cy"], float),
            np.asarray(cam["zoom"], float),
        )
        self.tracks = [Track(o, self.cam) for o in truth["objects"]]
        self.T = len(self.cam[0])
        self.contacts: dict[str, int] = truth.get("contacts", {})
        self.out: list[Finding] = []
        changes = {e.object for e in self.exp.events if isinstance(e, StateChangeEvent)}
        self.changing = changes

    def add(self, field: str, message: str) -> None:
        self.out.append(Finding(self.p.id, field, message))

    def of(self, oid: str) -> list[Track]:
        """Rendered instances of an expected object (objects of that group, or the occluder)."""
        return [tr for tr in self.tracks if tr.group == oid]

    # -- objects, presence, counts, rigidity -------------------------------------------------

    def objects(self) -> None:
        lenient = self.p.family == "permanence"
        for i, eo in enumerate(self.exp.objects):
            f = f"expect.objects[{i}]"
            inst = self.of(eo.id)
            if len(inst) != eo.count:
                self.add(f"{f}.count", f"{eo.count} expected, {len(inst)} rendered")
                continue
            for tr in inst:
                if eo.color and tr.color[0] != eo.color:
                    self.add(f"{f}.color", f"{tr.id} is rendered {tr.color[0]}, not {eo.color}")
                if eo.shape and tr.shape[0] != eo.shape and not _box_occluder(tr, eo.shape):
                    self.add(f"{f}.shape", f"{tr.id} is rendered as a {tr.shape[0]}, not a {eo.shape}")
                on = tr.in_frame >= ON_SCREEN
                if lenient and on.mean() < 0.5:
                    self.add(f, f"{tr.id} is on screen in only {on.sum()} of {self.T} frames")
                elif not lenient and not on.all():
                    self.add(f, f"{tr.id} is off screen in frames {_frames(~on)}")
                self.rigid(f, tr, eo.id in self.changing)
            self.counts(f, eo.id, inst, lenient)

    def counts(self, f: str, oid: str, inst: list[Track], lenient: bool) -> None:
        for k, when in ((0, "start"), (self.T - 1, "end")):
            for tr in inst:
                if tr.seen[k] >= SEEN:
                    continue
                gone = tr.in_frame[k] < ON_SCREEN
                hidden = k == 0 and any(self.kind(o) == "occluder" for o in tr.occluded_by[k])
                if not (lenient and (gone or hidden)):
                    self.add(f"{f}.count", f"{tr.id} is not seen at the {when} (visible {tr.seen[k]:.2f})")
            for a in range(len(inst)):
                for b in range(a + 1, len(inst)):
                    s, t = inst[a], inst[b]
                    apart = (
                        abs(s.cx[k] - t.cx[k]) > (s.w[k] + t.w[k]) / 2 or abs(s.cy[k] - t.cy[k]) > (s.h[k] + t.h[k]) / 2
                    )
                    if not apart and min(s.seen[k], t.seen[k]) > 0:
                        self.add(
                            f"{f}.count",
                            f"{s.id} and {t.id} touch at the {when}: a colour key sees one {oid}",
                        )

    def kind(self, tid: str) -> str:
        return next((tr.kind for tr in self.tracks if tr.id == tid), "?")

    def rigid(self, f: str, tr: Track, changes: bool) -> None:
        if not changes:
            if len(set(tr.color)) > 1:
                self.add(f"{f}.color", f"{tr.id} changes colour {tr.color[0]} -> {tr.color[-1]} without an event")
            if tr.bite.any() or tr.crack.any():
                self.add(f, f"{tr.id} is bitten or cracked without an event")
        if len(set(tr.shape)) > 1:
            self.add(f"{f}.shape", f"{tr.id} changes shape {tr.shape[0]} -> {tr.shape[-1]}")
        for size, name in ((tr.ww, "width"), (tr.wh, "height")):
            if np.ptp(size) > 0.02 * size.max():
                self.add(f, f"{tr.id} changes {name} by {np.ptp(size) / size.max():.0%} (camera removed)")
        if tr.shape[0] == "vehicle":
            if len(set(tr.facing.tolist())) > 1:
                self.add(f, f"vehicle {tr.id} turns its front around")
            dx = tr.wx[-1] - tr.wx[0]
            if abs(dx) > 0.05 and np.sign(dx) != tr.facing[0]:
                self.add(f, f"vehicle {tr.id} drives backwards (front {tr.facing[0]:+d}, travel {dx:+.2f})")

    # -- relations, motion, camera -----------------------------------------------------------

    def relations(self) -> None:
        for i, r in enumerate(self.exp.relations):
            f = f"expect.relations[{i}]"
            frames = {"start": [0], "end": [self.T - 1], "all": range(self.T)}[r.when]
            for s in self.of(r.subject):
                for o in self.of(r.object):
                    bad = [k for k in frames if not _holds(r.relation, s, o, k)]
                    if bad:
                        k = bad[0]
                        self.add(
                            f,
                            f"{s.id} {r.relation} {o.id} fails in {len(bad)} frame(s), first {k} "
                            f"(dx {s.cx[k] - o.cx[k]:+.3f}, dy {s.cy[k] - o.cy[k]:+.3f})",
                        )

    def motion(self) -> None:
        axis = {"left": (0, -1), "right": (0, 1), "up": (1, -1), "down": (1, 1)}
        for i, m in enumerate(self.exp.motion):
            f = f"expect.motion[{i}]"
            a, sign = axis[m.direction]
            for tr in self.of(m.subject):
                on = np.flatnonzero(tr.in_frame >= ON_SCREEN)
                if len(on) < 2:
                    self.add(f, f"{tr.id} is never on screen long enough to move")
                    continue
                pos = (tr.wx, tr.wy)
                along = sign * (pos[a][on[-1]] - pos[a][on[0]])
                across = abs(pos[1 - a][on[-1]] - pos[1 - a][on[0]])
                size = (tr.ww, tr.wh)[a].max()
                steps = sign * np.diff(pos[a][on])
                if along < max(MIN_MOVE, MIN_MOVE_SIZES * size):
                    self.add(f, f"{tr.id} moves {along:+.3f} {m.direction} (camera removed), too little")
                elif across > along / 2:
                    self.add(f, f"{tr.id} moves {across:.3f} across, not clearly {m.direction}")
                elif steps.min() < -0.005:
                    self.add(
                        f,
                        f"{tr.id} steps back against {m.direction} at frame {on[int(np.argmin(steps))] + 1}",
                    )

    def camera(self) -> None:
        cx, cy, zoom = self.cam
        dx, dy, zr = cx[-1] - cx[0], cy[-1] - cy[0], zoom[-1] / zoom[0]
        seen = "static"
        if abs(dx) >= PAN_MIN:
            seen = "pan_right" if dx > 0 else "pan_left"
        elif abs(dy) >= PAN_MIN:
            seen = "tilt_down" if dy > 0 else "tilt_up"
        elif zr >= ZOOM_MIN or zr <= 1 / ZOOM_MIN:
            seen = "zoom_in" if zr > 1 else "zoom_out"
        moving = max(np.ptp(cx), np.ptp(cy), np.ptp(np.log(zoom))) > 1e-6
        want = self.exp.camera
        if want is None and moving:
            self.add("expect.camera", f"the camera moves ({seen}) but expect names no camera motion")
        elif want is not None and want != seen:
            self.add(
                "expect.camera",
                f"{want} expected, the render's camera is {seen} (dx {dx:+.2f}, dy {dy:+.2f}, zoom x{zr:.2f})",
            )
        elif want == "static" and moving:
            self.add("expect.camera", "static expected but the camera moves a little")

    # -- kinematics ----------------------------------------------------------------------------

    def kinematics(self) -> None:
        for i, k in enumerate(self.exp.kinematics):
            f = f"expect.kinematics[{i}]"
            for tr in self.of(k.subject):
                msg = self.kinematic(tr, k.motion, k.with_)
                if msg:
                    self.add(f, f"{tr.id} {k.motion}: {msg}")

    def kinematic(self, tr: Track, motion: str, other: str | None) -> str | None:
        t = np.linspace(0.0, 1.0, self.T)
        on = tr.in_frame >= ON_SCREEN
        moved = np.flatnonzero(np.hypot(tr.wx - tr.wx[0], tr.wy - tr.wy[0]) > 1e-6)
        start = max(int(moved[0]) - 1, 0) if len(moved) else 0
        sel = on & (np.arange(self.T) >= start)
        if sel.sum() < 4:
            return "too few frames on screen while moving"
        ts, x, y = t[sel], tr.wx[sel], tr.wy[sel]
        dx, dy = x[-1] - x[0], y[-1] - y[0]
        if motion in ("falls", "projectile"):
            acc = 2 * np.polyfit(ts, y, 2)[0]
            res = y - np.polyval(np.polyfit(ts, y, 2), ts)
            if acc < 0.5:
                return f"vertical acceleration {acc:.2f}, not a clear fall"
            if np.abs(res).max() > 0.01:
                return "height is not a parabola (a bounce or a stop inside the fall)"
            if motion == "falls" and (dy < MIN_MOVE or abs(dx) > 0.3 * dy):
                return f"falls {dy:+.2f} with {dx:+.2f} sideways: not straight down"
            if motion == "projectile":
                lin = np.abs(x - np.polyval(np.polyfit(ts, x, 1), ts)).max()
                if abs(dx) < 0.1 or lin > 0.01:
                    return f"horizontal travel {dx:+.2f} (deviation from uniform {lin:.3f})"
        elif motion == "rises":
            if -dy < MIN_MOVE or abs(dx) > -dy / 2:
                return f"rises {-dy:+.2f} with {dx:+.2f} sideways"
        elif motion == "uniform":
            dist = float(np.hypot(dx, dy))
            res = max(np.abs(c - np.polyval(np.polyfit(ts, c, 1), ts)).max() for c in (x, y))
            if dist < MIN_MOVE or res > 0.004:
                return f"travels {dist:.2f}, deviation from a straight steady line {res:.3f}"
        elif motion == "bounces":
            up = np.flatnonzero(np.diff(y) < -0.005)  # frames after which it moves up
            if not len(up) or up[0] == 0:
                return "never comes back up from the floor"
            low = int(up[0])
            if y[low:].min() > y[low] - 0.03:
                return "comes back up less than 0.03 from the floor"
            if y[low + 1 :].min() <= y[0]:
                return "rebounds as high as it started"
        elif motion == "collides" and other is not None:
            return self.collision(tr, other, t)
        return None

    def collision(self, a: Track, other: str, t: np.ndarray) -> str | None:
        masses = {o.id: o.mass for o in self.p.scene.objects} if self.p.scene else {}
        for b in self.of(other):
            gap = np.abs(a.wx - b.wx) - (a.ww + b.ww) / 2
            # the contact falls between frames: allow the distance they close in one frame
            closing = np.abs(np.diff(a.wx - b.wx)).max(initial=0.0)
            hit = np.flatnonzero(gap <= max(0.01, closing))
            if not len(hit):
                return f"never meets {b.id} (closest gap {gap.min():.3f})"
            k = int(hit[0])
            if k < 2 or k > self.T - 3:
                return f"meets {b.id} at frame {k}, too close to an end of the clip"
            va0, vb0 = np.diff(a.wx[:2])[0], np.diff(b.wx[:2])[0]
            va1, vb1 = np.diff(a.wx[-2:])[0], np.diff(b.wx[-2:])[0]
            if np.sign(va0 - vb0) == np.sign(va1 - vb1) and abs(va1 - vb1) > 1e-6:
                return f"passes through {b.id} without a collision response"
            ma, mb = masses.get(a.id, 1.0), masses.get(b.id, 1.0)
            p0, p1 = ma * va0 + mb * vb0, ma * va1 + mb * vb1
            scale = ma * abs(va0) + mb * abs(vb0)
            if abs(p1 - p0) > 0.15 * scale:
                return f"momentum {p0:+.4f} before, {p1:+.4f} after the collision with {b.id}"
        return None

    # -- events ----------------------------------------------------------------------------------

    def contact_frame(self, subject: str, obj: str) -> int | None:
        for key, k in self.contacts.items():
            s, _, o = key.partition(">")
            if {self.group_of(s), self.group_of(o)} == {subject, obj}:
                return int(k)
        return None

    def group_of(self, tid: str) -> str:
        return next((tr.group for tr in self.tracks if tr.id == tid), tid)

    def events(self) -> None:
        lo, hi = (round(c * (self.T - 1)) for c in CONTACT_WINDOW)
        cause: dict[str, int] = {}
        for i, e in enumerate(self.exp.events):
            if isinstance(e, ContactEvent):
                k = self.contact_frame(e.subject, e.object)
                if k is None:
                    self.add(f"expect.events[{i}]", f"{e.subject} never touches {e.object}")
                elif not lo <= k <= hi:
                    self.add(f"expect.events[{i}]", f"contact at frame {k}, outside frames {lo}-{hi}")
                else:
                    cause[e.object] = k
        for i, e in enumerate(self.exp.events):
            if not isinstance(e, StateChangeEvent):
                continue
            f = f"expect.events[{i}]"
            k = cause.get(e.object)
            if k is None:
                k = next(
                    (int(v) for key, v in self.contacts.items() if self.group_of(key.split(">")[1]) == e.object),
                    None,
                )
            if k is None:
                self.add(f, f"no contact causes the {e.change} of {e.object}")
                continue
            for tr in self.of(e.object):
                msg = self.change(tr, e, k)
                if msg:
                    self.add(f, f"{tr.id} {e.change}: {msg}")

    def change(self, tr: Track, e: StateChangeEvent, k: int) -> str | None:
        if e.change == "color":
            before, after = set(tr.color[:k]), set(tr.color[k:])
            was = self.exp.object(e.object)
            if before != {was.color if was and was.color else tr.color[0]} or after != {e.to}:
                return f"colours {sorted(before)} before frame {k}, {sorted(after)} from it"
        elif e.change in ("bite", "crack"):
            flag = tr.bite if e.change == "bite" else tr.crack
            if flag[:k].any() or not flag[k:].all():
                return f"not exactly from the contact at frame {k} to the end"
        elif e.change == "fall":
            still = np.ptp(tr.wy[:k]) < 1e-6
            drop = tr.wy[-1] - tr.wy[k - 1]
            if not still or drop < 0.1 or np.diff(tr.wy[k - 1 :]).min() < -1e-6:
                return f"moves before frame {k} or drops only {drop:+.2f} after it"
        return None

    def run(self) -> list[Finding]:
        self.objects()
        self.relations()
        self.motion()
        self.camera()
        self.kinematics()
        self.events()
        return self.out


def _box_occluder(tr: Track, shape: str) -> bool:
    """Occluders are rendered as boxes; the truth calls a square one a rectangle."""
    return tr.kind == "occluder" and {shape, tr.shape[0]} <= {"square", "rectangle"}


def _holds(relation: str, s: Track, o: Track, k: int) -> bool:
    if min(s.seen[k], o.seen[k]) < SEEN:
        return False
    dx, dy = s.cx[k] - o.cx[k], s.cy[k] - o.cy[k]
    if relation in ("left_of", "right_of"):
        sign = -1 if relation == "left_of" else 1
        return sign * dx >= DEAD_ZONE * (s.w[k] + o.w[k]) and abs(dy) <= abs(dx)
    sign = -1 if relation == "above" else 1
    return sign * dy >= DEAD_ZONE * (s.h[k] + o.h[k]) and abs(dx) <= abs(dy)


def check_truth(prompt: Prompt, truth: dict[str, Any]) -> list[Finding]:
    """Every way the rendered ``truth`` disagrees with ``prompt.expect`` (empty: consistent)."""
    return _Checker(prompt, truth).run()
