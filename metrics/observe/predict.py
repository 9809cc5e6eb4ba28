"""Where a track is while unseen: its boxes extrapolated from the motion of its clean sightings."""

from __future__ import annotations

import numpy as np

from metrics.observe.base import Track

#: sightings the velocity of a lost track is fitted to
SIGHTINGS = 4


def predicted_boxes(track: Track, sightings: int = SIGHTINGS) -> np.ndarray:
    """``(T, 4)`` boxes: seen boxes where seen, else extrapolated at the velocity of the last
    ``sightings`` clean sightings just before (or, before the first sighting, just after) the gap."""
    T = track.num_frames
    out = track.box.copy()
    clean = np.flatnonzero(track.full())
    seen = np.flatnonzero(track.visible)
    if seen.size == 0:
        return out
    ref = clean if clean.size else seen
    for t in range(T):
        if track.visible[t] and not track.shared[t]:
            continue
        before = ref[ref < t][-sightings:]
        after = ref[ref > t][:sightings]
        use = before if before.size else after
        if use.size == 0:
            continue
        c = track.center[use]
        v = np.polyfit(use.astype(float), c, 1)[0] if use.size >= 2 else np.zeros(2)
        anchor = use[-1] if before.size else use[0]
        center = track.center[anchor] + v * (t - anchor)
        half = (track.box[anchor, 2:] - track.box[anchor, :2]) / 2
        out[t] = np.concatenate([center - half, center + half])
    return out
