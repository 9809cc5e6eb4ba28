"""Where a track is while unseen: its boxes extrapolated from the motion of its clean sightings."""

from __future__ import annotations

import numpy as np

from metrics.observe.base import Track

#: sightings the velocity of a lost track is fitted to
SIGHTINGS = 4


def predicted_boxes(track: Track, sightings: int = SIGHTINGS) -> np.ndarray:
    """``(T, 4)`` boxes: seen boxes where seen, else extrapolated at the velocity of the last
    ``sightings`` clean sightings just before (or, before the first sighting, just after) the gap.

    Linear in ``T``: every frame between two consecutive sightings extrapolates from the same
    sightings, so the velocity is fitted once per such interval, not once per frame.
    """
    out = track.box.copy()
    clean = np.flatnonzero(track.full())
    seen = np.flatnonzero(track.visible)
    if seen.size == 0:
        return out
    ref = clean if clean.size else seen
    todo = np.flatnonzero(~(track.visible & ~track.shared))
    # the sightings before frame t are ref[:k], k = #ref < t; with none, those after it, ref[j:],
    # j = #ref <= t: one fit per distinct (k, j), so per interval between sightings
    k = np.searchsorted(ref, todo, side="left")
    j = np.where(k > 0, -1, np.searchsorted(ref, todo, side="right"))
    for kk, jj in sorted(set(zip(k.tolist(), j.tolist(), strict=True))):
        use = ref[max(0, kk - sightings) : kk] if kk > 0 else ref[jj : jj + sightings]
        if use.size == 0:
            continue
        anchor = use[-1] if kk > 0 else use[0]
        v = np.polyfit(use.astype(float), track.center[use], 1)[0] if use.size >= 2 else np.zeros(2)
        half = (track.box[anchor, 2:] - track.box[anchor, :2]) / 2
        ts = todo[(k == kk) & (j == jj)]
        centers = track.center[anchor] + v * (ts - anchor)[:, None]
        out[ts] = np.concatenate([centers - half, centers + half], axis=1)
    return out
