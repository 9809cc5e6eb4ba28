"""Multi-object tracking of colour blobs: identities across frames by Hungarian assignment.

Each frame, every live track predicts its centre (constant velocity from its last clean
sightings) and competes for the frame's blobs in one assignment (``linear_sum_assignment``):
blobs of the track's own colour are preferred; a blob of another colour can continue a track that
was just lost at the same place and size (the object changed colour) unless the blob is static
scenery. Left-over fragments of a matched object are absorbed; a track whose prediction falls on
a blob that grew to hold two objects is marked ``shared`` (objects overlapping); left-over blobs
of an expected colour start new tracks.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from metrics.observe.base import Track
from metrics.observe.blobs import DEFAULT as BLOBS
from metrics.observe.blobs import Blob, descriptors, split_touching
from metrics.observe.geometry import boxes_overlap, object_size, overlap
from metrics.observe.params import TUNED, BlobParams, Scale, TrackingParams

DEFAULT = TrackingParams()

INF = 1e9
#: Typical (extent, circularity) of each shape as the colour backend measures it.
PROTOTYPES: dict[str, tuple[float, float]] = {
    "circle": (0.78, 0.89),
    "square": (0.98, 0.87),
    "rectangle": (0.98, 0.76),
    "triangle": (0.55, 0.59),
    "star": (0.47, 0.44),
    "vehicle": (0.66, 0.43),
}


@dataclass
class GroupSpec:
    """An expected object group the tracker looks for."""

    id: str
    cls: int
    count: int
    shape: str | None = None


@dataclass(eq=False)
class Motion:
    """Where one track is and is heading: constant velocity fitted to its last clean sightings
    (seen whole, not at the frame edge). Shared by every tracker of the observation layer;
    ``sc`` turns its thresholds in seconds and per second into frames and per step."""

    track: Track
    p: TrackingParams = DEFAULT
    sc: Scale = TUNED
    sightings: list[tuple[int, np.ndarray, float]] = field(default_factory=list)  # (t, centre, area) clean
    last: int = -1
    last_box: np.ndarray | None = None
    last_area: float = 0.0
    exited: bool = False
    #: velocity and reference area as of ``len(sightings)`` (asked many times per frame)
    _cached: dict[str, tuple[int, object]] = field(default_factory=dict, repr=False)

    def _memo(self, name: str, compute: Callable[[], object]) -> object:
        n = len(self.sightings)
        hit = self._cached.get(name)
        if hit is None or hit[0] != n:
            hit = self._cached[name] = (n, compute())
        return hit[1]

    def velocity(self) -> np.ndarray:
        """``(2,)`` pixels per frame: the least-squares slope of the last clean sightings."""
        return self._memo("velocity", self._fit_velocity)  # type: ignore[return-value]

    def _fit_velocity(self) -> np.ndarray:
        pts = self.sightings[-self.sc.frames(self.p.fit_seconds) :]
        if len(pts) < 2:
            return np.zeros(2)
        ts = np.array([p[0] for p in pts], float)
        cs = np.array([p[1] for p in pts])
        tc = ts - ts.mean()
        denom = float((tc * tc).sum())
        return (tc[:, None] * (cs - cs.mean(0))).sum(0) / denom if denom > 0 else np.zeros(2)

    def predict(self, t: int) -> np.ndarray:
        if not self.sightings:
            return self.track.center[self.last].copy()
        t0, c0, _ = self.sightings[-1]
        return c0 + self.velocity() * (t - t0)

    def ref_area(self) -> float:
        if self.sightings:
            return self._memo("area", self._median_area)  # type: ignore[return-value]
        return max(self.last_area, 1.0)

    def _median_area(self) -> float:
        return float(statistics.median(a for _, _, a in self.sightings[-self.sc.frames(self.p.area_seconds) :]))

    def size(self) -> float:
        return object_size(self.ref_area())

    def pred_box(self, t: int) -> np.ndarray:
        c = self.predict(t)
        box = self.last_box
        half = np.full(2, self.size() / 2) if box is None else (box[2:] - box[:2]) / 2
        return np.concatenate([c - half, c + half])

    def distances(self, t: int, centers: np.ndarray) -> np.ndarray:
        """``(n,)`` distance of ``(n, 2)`` centres from the prediction at frame t in object sizes, or,
        for a track seen in the frame before, if nearer, from where it was seen (a bounce, a stop)
        in up to 1.5x its speed. A track hidden longer must be found where its motion leads: near
        its last place it would steal the blob of another object that went on (a crossing)."""
        p, size = self.predict(t), self.size()
        to_pred = np.hypot(centers[:, 0] - p[0], centers[:, 1] - p[1]) / size
        if self.last < 0 or t - self.last != 1:
            return to_pred
        last_c = self.track.center[self.last]
        reach = max(size, self.p.reach_speed * float(np.hypot(*self.velocity())))
        to_last = np.hypot(centers[:, 0] - last_c[0], centers[:, 1] - last_c[1]) / reach
        return np.minimum(to_pred, to_last)

    def gate(self, t: int) -> float:
        """Largest :meth:`distances` a match may have; it widens while the track is lost."""
        lost = min(t - self.last - 1, self.sc.frames(self.p.gate_growth_seconds))
        return self.p.gate + self.sc.per_step(self.p.gate_growth) * lost

    def see(self, t: int, box: np.ndarray, center: np.ndarray, area: float, edge: bool) -> None:
        """Record a sighting at frame t (pixels); a clean one updates the motion model."""
        tr = self.track
        tr.visible[t] = True
        tr.box[t] = box
        tr.center[t] = center
        tr.area[t] = area
        tr.edge[t] = edge
        ref = self.ref_area() if self.sightings else area
        if not edge and area >= self.p.clean_area * ref:
            self.sightings.append((t, center.copy(), area))
            self.last_box = box.copy()
        elif self.last_box is None:
            self.last_box = box.copy()
        self.last, self.last_area = t, area

    def unsee(self, t: int) -> None:
        """Drop frame t's sighting from the motion model (its blob held another object too: its
        area and centre are not this object's)."""
        if self.sightings and self.sightings[-1][0] == t:
            self.sightings.pop()
            self._cached.clear()

    def outside(self, t: int, H: int, W: int) -> bool:
        """Whether the box predicted at frame t lies wholly outside an ``H x W`` frame."""
        pb = self.pred_box(t)
        return bool(pb[2] < 0 or pb[0] > W or pb[3] < 0 or pb[1] > H)


@dataclass(eq=False, kw_only=True)
class _State(Motion):
    cls: int
    spec: GroupSpec
    parts: int = 1  # separate regions it is made of when it first appears (a car body and its roof)


def _beside(host: Blob, b: Blob, p: TrackingParams, sc: Scale) -> bool:
    """Whether blob ``b``, born in the same frame as ``host``, is one of its parts: within
    ``beside_short``, or, when much smaller, within ``beside_sizes`` of the host's size (a bumper that
    the opening cut off a small car's body across a 2 px neck)."""
    pad = sc.px(p.beside_short) + (p.beside_sizes * host.size if b.area < p.beside_small * host.area else 0.0)
    return boxes_overlap(host.box, b.box, pad=pad)


def _shape_score(blob: Blob, shape: str | None, bp: BlobParams) -> float:
    if shape is None or shape not in PROTOTYPES:
        return 0.0
    d = descriptors(blob.mask, p=bp)
    ext, circ = PROTOTYPES[shape]
    return float(abs(d[0] - ext) + abs(d[1] - circ)) if np.isfinite(d[:2]).all() else 0.0


class ColorTracker:
    """Builds :class:`Track` s for the expected groups from per-frame blobs.

    Args:
        specs: the expected groups (colour class, count, shape).
        T, H, W: clip size.
        is_scenery: ``f(blob, t_prev) -> bool``, True for a blob whose colour was already where it
            is in frame ``t_prev`` (scenery such as a wall, not an object that changed colour).
        gray: ``(T, H, W)`` luma, for the dark marks (cracks) inside an object.
        cmap: ``(T, H, W)`` palette classes before cleaning, for a vehicle's thin cabin.
        p, blobs: tracking and blob parameters.
        sc: how they scale to pixels and frames of these frames (short side, fps).
    """

    def __init__(
        self,
        specs: list[GroupSpec],
        T: int,
        H: int,
        W: int,
        is_scenery: Callable[[Blob, int], bool] | None = None,
        gray: np.ndarray | None = None,
        cmap: np.ndarray | None = None,
        p: TrackingParams = DEFAULT,
        blobs: BlobParams = BLOBS,
        sc: Scale = TUNED,
    ) -> None:
        self.specs = specs
        self.sc = sc
        self.T, self.H, self.W = T, H, W
        self.p, self.bp = p, blobs
        self.by_cls: dict[int, list[GroupSpec]] = {}
        for s in specs:
            self.by_cls.setdefault(s.cls, []).append(s)
        self.expected = set(self.by_cls)
        self.states: list[_State] = []
        self.is_scenery = is_scenery or (lambda b, t_prev: False)
        self.gray = gray
        self.cmap = cmap
        self._count: dict[str, int] = {}
        self._masks: dict[tuple[int, int], Blob] = {}
        self._in_frame: dict[int, dict[int, Blob]] = {}  # frame -> id(state) -> its blob there
        self._touch: dict[tuple[int, int], list[np.ndarray]] = {}  # (state, frame) -> boxes beside it

    # --------------------------------------------------------------------------------------
    def _new(self, blob: Blob, t: int) -> _State:
        specs = self.by_cls[blob.cls]
        if len(specs) > 1:  # several groups share the colour: pick by count, then by shape

            def rank(s: GroupSpec) -> tuple[int, float]:
                n = sum(1 for st in self.states if st.spec.id == s.id)
                return (int(n >= s.count), _shape_score(blob, s.shape, self.bp))

            spec = min(specs, key=rank)
        else:
            spec = specs[0]
        k = self._count.get(spec.id, 0) + 1
        self._count[spec.id] = k
        tid = spec.id if spec.count <= 1 and k == 1 else f"{spec.id}#{k}"
        st = _State(Track.empty(tid, spec.id, self.T), self.p, self.sc, cls=blob.cls, spec=spec)
        self.states.append(st)
        self._see(st, blob, t)
        return st

    def _see(self, st: _State, blob: Blob, t: int) -> None:
        st.see(t, blob.box, blob.center, blob.area, blob.edge)
        st.track.color[t] = str(blob.cls)
        st.cls = blob.cls
        self._masks[(id(st), t)] = blob
        self._in_frame.setdefault(t, {})[id(st)] = blob

    def _absorb(self, st: _State, blob: Blob, t: int, cut: bool = False) -> None:
        """A further region of an already matched object (one of its parts, or a piece of it cut
        off by a thin occluder)."""
        tr = st.track
        b = tr.box[t]
        tr.box[t] = [
            min(b[0], blob.box[0]),
            min(b[1], blob.box[1]),
            max(b[2], blob.box[2]),
            max(b[3], blob.box[3]),
        ]
        a0 = tr.area[t]
        tr.center[t] = (tr.center[t] * a0 + blob.center * blob.area) / (a0 + blob.area)
        tr.area[t] = a0 + blob.area
        tr.partial[t] = tr.partial[t] or cut

    def _split(self, blobs: list[Blob], live: list[_State]) -> list[Blob]:
        """Split blobs that hold several touching objects of a followed kind (a copy beside its
        original, two marbles in contact): the unit is the usual area of that colour's tracks."""
        out: list[Blob] = []
        for b in blobs:
            units = [st.ref_area() for st in live if st.cls == b.cls and st.sightings]
            out += split_touching(b, float(np.median(units)), self.W, self.H, self.bp, self.sc) if units else [b]
        return out

    def _is_part(self, st: _State, b: Blob, t: int, cands: list[Blob]) -> str | None:
        """Whether an unclaimed blob is another region of matched track ``st`` this frame, and why:
        ``"sliver"`` of its own body (inside its expected extent and under ``sliver_area`` of its
        area, or under ``crumb_area`` of it anywhere beside it — window frames and seams cut a car's
        colour), ``"part"`` of a multi-part object, or ``"cut"`` off by a thin occluder. A split half
        (about half of it) or a copy (all of it) is another object (None)."""
        if b.cls != st.cls:
            return None
        p = self.p
        ref = st.ref_area()
        pb = st.pred_box(t)
        grow = p.part_grow * (pb[2:] - pb[:2]) + self.sc.px(p.part_grow_short)
        ext = np.concatenate([pb[:2] - grow, pb[2:] + grow])
        inside = bool((b.box[:2] >= ext[:2]).all() and (b.box[2:] <= ext[2:]).all())
        near = boxes_overlap(pb, b.box, pad=p.part_near * st.size())
        sliver = inside and b.area < p.sliver_area * ref and st.track.area[t] + b.area <= p.sliver_total * ref
        if sliver or (near and b.area < p.crumb_area * ref):
            return "sliver"
        if near and st.parts > 1:
            return "part"
        if near and b.area < p.cut_area * ref and self._cut_between(st, b, t, cands):
            return "cut"
        return None

    def _cut_between(self, st: _State, frag: Blob, t: int, cands: list[Blob]) -> bool:
        """A fragment belongs to a matched object only when something other than background lies
        between them (a thin occluder cut it in two); across open background it is another object."""
        box = st.track.box[t]
        if not np.isfinite(box).all():
            return False
        gap = np.array(
            [min(box[2], frag.box[2]), min(box[3], frag.box[3]), max(box[0], frag.box[0]), max(box[1], frag.box[1])]
        )
        gx0, gx1 = sorted((gap[0], gap[2]))
        gy0, gy1 = sorted((gap[1], gap[3]))
        between = np.array([gx0, gy0, gx1, gy1])
        return any(o is not frag and o.cls != st.cls and boxes_overlap(between, o.box) for o in cands)

    # --------------------------------------------------------------------------------------
    def run(self, blobs: list[list[Blob]]) -> list[Track]:
        """``blobs[t]``: every blob of frame t (all classes). Returns the tracks."""
        self._masks, self._touch, self._in_frame = {}, {}, {}
        for t in range(self.T):
            live = [s for s in self.states if not s.exited]
            cands = self._split(blobs[t], live)
            claimed = self._assign(live, cands, t)
            matched = set(claimed.values())
            self._absorb_parts(matched, cands, claimed, t)
            self._mark_shared(live, matched, cands, claimed, t)
            self._births(cands, claimed, t)
            self._mark_touching(cands, claimed, t)
            for st in live:
                if st.last != t and not st.track.shared[t] and st.outside(t, self.H, self.W):
                    st.exited = True
        return self._finish()

    def _cost(self, st: _State, b: Blob, d: float, t: int) -> float:
        """Cost of continuing ``st`` with blob ``b`` at distance ``d`` (object sizes) from where it
        was expected; ``INF`` when it may not. Its own colour within the gate; another colour
        just after it was lost at the same place and size (the object changed colour), dearer."""
        p = self.p
        lost = t - st.last
        ratio = abs(np.log(max(b.area, 1.0) / max(st.ref_area(), 1.0)))
        if b.cls == st.cls:
            return d + p.area_cost * ratio if d <= st.gate(t) else INF
        if lost > self.sc.frames(p.recolor_seconds):
            return INF
        if d <= p.recolor_sizes and ratio <= np.log(p.recolor_ratio) and b.cls not in self.expected:
            if not self.is_scenery(b, st.last):
                return d + p.area_cost * ratio + p.recolor_cost
            return INF
        if d <= p.to_expected_sizes and ratio <= np.log(p.to_expected_ratio) and b.cls in self.expected:
            # became the colour of another expected group: dearer, so that group's own tracks win
            # the blobs they predict
            return d + p.area_cost * ratio + p.to_expected_cost
        return INF

    def _assign(self, live: list[_State], cands: list[Blob], t: int) -> dict[int, _State]:
        """One Hungarian assignment of live tracks to this frame's blobs: blob index -> track."""
        from scipy.optimize import linear_sum_assignment

        claimed: dict[int, _State] = {}
        if not (live and cands):
            return claimed
        cost = np.full((len(live), len(cands)), INF)
        centers = np.array([b.center for b in cands])
        for i, st in enumerate(live):
            dist = st.distances(t, centers)
            for j, b in enumerate(cands):
                cost[i, j] = self._cost(st, b, float(dist[j]), t)
        rows, cols = linear_sum_assignment(cost)
        for i, j in zip(rows, cols, strict=True):
            if cost[i, j] < INF:
                claimed[j] = live[i]
                self._see(live[i], cands[j], t)
        return claimed

    def _absorb_parts(self, matched: set[_State], cands: list[Blob], claimed: dict[int, _State], t: int) -> None:
        """Left-over blobs that are slivers, parts or cut-off pieces of a matched track join it."""
        for j, b in enumerate(cands):
            if j in claimed:
                continue
            for st in matched:
                why = self._is_part(st, b, t, cands)
                if why is not None:
                    self._absorb(st, b, t, cut=why == "cut")
                    claimed[j] = st
                    break

    def _mark_shared(
        self, live: list[_State], matched: set[_State], cands: list[Blob], claimed: dict[int, _State], t: int
    ) -> None:
        """An unmatched track whose prediction falls on a claimed blob of its colour that grew to
        hold two objects is there too, overlapping its owner (``shared``)."""
        for st in live:
            if st in matched:
                continue
            pb = st.pred_box(t)
            for j, owner in claimed.items():
                b = cands[j]
                if owner is st or b.cls != st.cls or not boxes_overlap(pb, b.box):
                    continue
                if b.area >= self.p.shared_area * owner.ref_area():
                    tr = st.track
                    tr.visible[t], tr.shared[t] = True, True
                    owner.track.shared[t] = True
                    owner.unsee(t)  # its reference area would grow to the pair's within a few frames
                    inter = np.concatenate([np.maximum(pb[:2], b.box[:2]), np.minimum(pb[2:], b.box[2:])])
                    tr.box[t] = inter if (inter[2:] > inter[:2]).all() else b.box
                    tr.center[t] = np.clip(st.predict(t), b.box[:2], b.box[2:])
                    tr.area[t] = np.nan
                    tr.color[t] = str(st.cls)
                    tr.hidden_by[t] = f"merged:{owner.track.id}"
                    break

    def _births(self, cands: list[Blob], claimed: dict[int, _State], t: int) -> None:
        """Left-over blobs of an expected colour start tracks; a part of an object born this frame
        (largest part first) joins it: one object, several regions."""
        born: list[tuple[_State, Blob]] = []
        for j, b in enumerate(cands):
            if j in claimed or b.cls not in self.expected:
                continue
            host = next((st for st, hb in born if st.cls == b.cls and _beside(hb, b, self.p, self.sc)), None)
            if host is not None:
                self._absorb(host, b, t)
                host.parts += 1
                claimed[j] = host
                continue
            st = self._new(b, t)
            born.append((st, b))
            claimed[j] = st

    def _mark_touching(self, cands: list[Blob], claimed: dict[int, _State], t: int) -> None:
        """What could cut a track: the other regions right beside one of its blobs."""
        pad = self.sc.px(self.p.touch_short)
        for j, st in claimed.items():
            box = cands[j].box
            near = self._touch.setdefault((id(st), t), [])
            near += [
                o.box
                for k, o in enumerate(cands)
                if k != j and claimed.get(k) is not st and boxes_overlap(box, o.box, pad=pad)
            ]

    def _cabin_lean(self, body: Blob, t: int, others: list[np.ndarray]) -> float | None:
        """Horizontal offset, in body widths, of the vehicle's colour above its body (the thin
        cabin frame the cleaned mask drops) from the body's centre; pixels inside the boxes of
        ``others`` (other objects of its colour passing close by) are not its cabin."""
        if self.cmap is None:
            return None
        x0, y0, x1, y1 = body.box.astype(int)
        h, w = y1 - y0, x1 - x0
        top = max(0, int(y0 - self.p.cabin_above * h))
        region = self.cmap[t, top : y0 + max(1, int(h * self.p.cabin_below + 1e-9)), x0:x1] == body.cls
        for b in others:
            bx0, by0, bx1, by1 = (round(float(v)) for v in b)
            region[max(by0 - top, 0) : max(by1 - top, 0), max(bx0 - x0, 0) : max(bx1 - x0, 0)] = False
        xs = np.nonzero(region)[1]
        return float((xs.mean() + 0.5) / w - 0.5) if xs.size >= self.sc.area(self.p.cabin_min_area) else None

    def _finish(self) -> list[Track]:
        """Palette names, ``partial`` frames, shape descriptors and a vehicle's facing."""
        from prompts.palette import COLOR_NAMES

        for st in self.states:
            tr = st.track
            typical = tr.typical_area() or 1.0
            extents = self._typical_extents(st)
            for t in range(self.T):
                if tr.color[t] is not None:
                    tr.color[t] = COLOR_NAMES[int(tr.color[t])]
                if not tr.visible[t] or tr.shared[t]:
                    continue
                # partly hidden: at the frame edge, or smaller than usual with something beside it,
                # or shorter than usual on a side that lies along the edge of what is beside it
                near = self._touch.get((id(st), t), [])
                small = tr.area[t] < self.p.partial_area * typical and bool(near)
                cut = any(self._cut_along(tr.box[t], o, extents) for o in near)
                tr.partial[t] = tr.partial[t] or tr.edge[t] or small or cut
                blob = self._masks.get((id(st), t))
                if blob is not None and not tr.partial[t]:
                    self._describe(st, blob, t)
        return [st.track for st in self.states]

    def _typical_extents(self, st: _State) -> np.ndarray:
        """``(2,)`` median width and height of the track where it is seen with nothing beside it
        (NaN when it never is)."""
        tr = st.track
        alone = [t for t in np.flatnonzero(tr.visible & ~tr.edge & ~tr.shared) if not self._touch.get((id(st), t))]
        if not alone:
            return np.full(2, np.nan)
        b = tr.box[alone]
        return np.median(b[:, 2:] - b[:, :2], axis=0)

    def _cut_along(self, box: np.ndarray, other: np.ndarray, extents: np.ndarray) -> bool:
        """Whether ``other`` cuts ``box`` along one of its edges: ``box`` ends where ``other``
        begins on a side across which it is shorter than ``partial_extent`` of its usual extent,
        and ``other`` covers most of the strip it lost there (a ball rolling under a fence's lower
        edge keeps its width and loses its top, which the fence covers). An object resting
        against something keeps its extent; one bitten by what touches it lost a strip that lies
        open beside the biter, not under it."""
        pad = self.sc.px(self.p.touch_short)
        size = box[2:] - box[:2]
        for ax in (0, 1):
            if not size[ax] < self.p.partial_extent * extents[ax]:
                continue
            lost = float(extents[ax] - size[ax])
            lo, hi = float(other[ax]), float(other[ax + 2])
            if abs(box[ax] - hi) <= pad and overlap(box[ax] - lost, box[ax], lo, hi) >= 0.5 * lost:
                return True
            if abs(box[ax + 2] - lo) <= pad and overlap(box[ax + 2], box[ax + 2] + lost, lo, hi) >= 0.5 * lost:
                return True
        return False

    def _describe(self, st: _State, blob: Blob, t: int) -> None:
        """Shape descriptors of a whole frame, and, for a vehicle, its facing from the cabin."""
        tr = st.track
        crop = None
        if self.gray is not None:
            x0, y0, x1, y1 = blob.box.astype(int)
            crop = self.gray[t, y0:y1, x0:x1]
        tr.desc[t] = descriptors(blob.mask, blob.raw, crop, self.bp)
        if st.spec.shape != "vehicle":
            return
        others = [ob.box for k, ob in self._in_frame.get(t, {}).items() if k != id(st) and ob.cls == blob.cls]
        lean = self._cabin_lean(blob, t, others)
        if lean is not None and abs(lean) > self.p.cabin_lean:
            tr.facing[t] = -np.sign(lean)  # the cabin sits toward the back
