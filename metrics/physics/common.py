"""Helpers shared by the physics checks: group positions, camera-compensated trajectories."""

from __future__ import annotations

import numpy as np

from metrics.observe import Observation, Track
from metrics.observe.geometry import MIN_SIZE_PX, boxes_touch, object_size
from prompts.schema import Expect

__all__ = [
    "boxes_touch",
    "group_center",
    "group_tracks",
    "joined",
    "main_track",
    "object_tracks",
    "track_size",
    "world_path",
    "zoom_of",
]

#: a track's per-frame arrays
PER_FRAME = ("visible", "box", "center", "area", "desc", "facing", "shared", "partial", "edge")


def group_tracks(obs: Observation, gid: str) -> list[Track]:
    return [tr for tr in obs.group(gid) if tr.visible.any()]


def track_size(tr: Track) -> float:
    """An object's usual size (pixels): the square root of its typical area."""
    return object_size(tr.typical_area())


def group_center(tracks: list[Track], T: int) -> tuple[np.ndarray, np.ndarray, float]:
    """``(T, 2)`` mean centre of the visible members, ``(T,)`` whether any is visible, and the
    members' median size (pixels)."""
    centers = np.full((T, 2), np.nan)
    seen = np.zeros(T, bool)
    for t in range(T):
        pts = [tr.center[t] for tr in tracks if tr.visible[t] and np.isfinite(tr.center[t]).all()]
        if pts:
            centers[t] = np.mean(pts, axis=0)
            seen[t] = True
    size = float(np.median([track_size(tr) for tr in tracks])) if tracks else MIN_SIZE_PX
    return centers, seen, size


def world_path(obs: Observation, tr: Track, clean: bool = True, min_clean: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Frames and ``(n, 2)`` centres of a track in frame-0 coordinates (camera motion removed).

    ``clean`` keeps only frames where it is seen whole (partial or shared centres are biased),
    unless fewer than ``min_clean`` are.
    """
    ok = (tr.full() if clean else tr.visible) & np.isfinite(tr.center).all(1)
    if clean and ok.sum() < min_clean:
        ok = tr.visible & np.isfinite(tr.center).all(1)
    frames = np.flatnonzero(ok)
    if frames.size == 0:
        return frames, np.zeros((0, 2))
    pts = np.full((obs.num_frames, 2), np.nan)
    pts[frames] = tr.center[frames]
    world = obs.camera.stabilise(pts)
    return frames, world[frames]


def object_tracks(expect: Expect, obs: Observation, gid: str) -> list[Track]:
    """The seen tracks of group ``gid``, as one track when the prompt expects one such object and
    no two of them are seen in the same frame: they are that object, which the tracker lost and
    picked up again under a new id (it moved further in one step than its motion model allowed,
    or came out from behind an occluder going another way than it went in)."""
    tracks = group_tracks(obs, gid)
    one = any(o.id == gid and o.count == 1 for o in expect.objects)
    if not one or len(tracks) < 2 or np.sum([tr.visible for tr in tracks], axis=0).max() > 1:
        return tracks
    return [joined(tracks)]


def joined(tracks: list[Track]) -> Track:
    """Tracks never seen in the same frame as one track (the id and birth of the first seen)."""
    order = sorted(tracks, key=lambda tr: int(np.flatnonzero(tr.visible)[0]))
    first = order[0]
    out = Track.empty(first.id, first.group, first.num_frames)
    out.born_from = first.born_from
    for tr in reversed(order):  # a frame nobody is seen in keeps the earliest track's reason
        for t in np.flatnonzero(~tr.visible):
            out.hidden_by[t] = tr.hidden_by[t] or out.hidden_by[t]
    for tr in order:
        seen = np.flatnonzero(tr.visible)
        for name in PER_FRAME:
            getattr(out, name)[seen] = getattr(tr, name)[seen]
        for t in seen:
            out.color[t], out.hidden_by[t] = tr.color[t], tr.hidden_by[t]
    return out


def main_track(tracks: list[Track]) -> Track | None:
    """The longest-seen track of a group."""
    return max(tracks, key=lambda tr: int(tr.visible.sum()), default=None)


def zoom_of(obs: Observation) -> np.ndarray:
    """``(T,)`` apparent scale of frame t relative to frame 0, where a step the camera could not
    measure zooms as its measured neighbours do (not at all, as :meth:`Camera.scale` assumes):
    over a long zoom, a few unmeasured steps would otherwise add up to a size change."""
    cam = obs.camera
    steps = np.log(np.maximum(np.hypot(cam.steps[:, 0, 0], cam.steps[:, 1, 0]), 1e-9))
    ok = np.asarray(cam.valid, bool)
    if ok.any() and not ok.all():
        idx = np.arange(len(steps))
        steps = np.where(ok, steps, np.interp(idx, idx[ok], steps[ok]))
    return np.exp(np.concatenate([[0.0], np.cumsum(steps)]))
