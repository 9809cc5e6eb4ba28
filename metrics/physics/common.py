"""Helpers shared by the physics checks: group positions, camera-compensated trajectories."""

from __future__ import annotations

import numpy as np

from metrics.observe import Observation, Track


def group_tracks(obs: Observation, gid: str) -> list[Track]:
    return [tr for tr in obs.group(gid) if tr.visible.any()]


def track_size(tr: Track) -> float:
    return max(float(np.sqrt(max(tr.typical_area(), 1.0))), 4.0)


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
    size = float(np.median([track_size(tr) for tr in tracks])) if tracks else 4.0
    return centers, seen, size


def world_path(obs: Observation, tr: Track, clean: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Frames and ``(n, 2)`` centres of a track in frame-0 coordinates (camera motion removed).

    ``clean`` keeps only frames where it is seen whole (partial or shared centres are biased).
    """
    ok = (tr.full() if clean else tr.visible) & np.isfinite(tr.center).all(1)
    if clean and ok.sum() < 3:
        ok = tr.visible & np.isfinite(tr.center).all(1)
    frames = np.flatnonzero(ok)
    if frames.size == 0:
        return frames, np.zeros((0, 2))
    pts = np.full((obs.num_frames, 2), np.nan)
    pts[frames] = tr.center[frames]
    world = obs.camera.stabilise(pts)
    return frames, world[frames]


def main_track(tracks: list[Track]) -> Track | None:
    """The longest-seen track of a group."""
    return max(tracks, key=lambda tr: int(tr.visible.sum()), default=None)


def boxes_touch(a: np.ndarray, b: np.ndarray, pad: float) -> bool:
    return bool(np.isfinite(a).all() and np.isfinite(b).all()
                and a[0] - pad <= b[2] and b[0] - pad <= a[2] and a[1] - pad <= b[3] and b[1] - pad <= a[3])  # fmt: skip
