"""Why a track is unseen: what the observation says of a track lost right after it was merged."""

from __future__ import annotations

import pytest

from metrics.observe.base import Camera, Track
from metrics.observe.explain import explain

T, SIDE = 8, 128


def _cans(shared_before_loss: bool) -> tuple[Track, Track]:
    """``can#2`` stands still; ``can#1`` rolls into it at 10 px a frame, is seen inside its blob at
    frames 4-5 (``shared``, or just overlapping when not ``shared_before_loss``), and is lost from
    frame 6, its prediction already past ``can#2``."""
    still, roll = Track.empty("can#2", "can", T), Track.empty("can#1", "can", T)
    still.visible[:] = True
    still.box[:] = [50, 50, 70, 70]
    for t in range(6):
        x0 = 10 + 10 * t
        roll.visible[t], roll.box[t] = True, [x0, 50, x0 + 20, 70]
        roll.center[t], roll.area[t] = [x0 + 10, 60], 400.0
    if shared_before_loss:
        roll.shared[4:6] = still.shared[4:6] = True
        roll.hidden_by[4] = roll.hidden_by[5] = "merged:can#2"
    return roll, still


@pytest.mark.parametrize("shared_before_loss", [True, False])
def test_a_track_lost_right_after_it_was_merged_went_under_its_twin(shared_before_loss: bool) -> None:
    roll, still = _cans(shared_before_loss)
    explain([roll, still], [], Camera.static(T), SIDE, SIDE)
    assert roll.hidden_by[6] == ("merged:can#2" if shared_before_loss else None)
    assert roll.hidden_by[7] is None  # only the frame after a shared one: the lifecycle reads the run
