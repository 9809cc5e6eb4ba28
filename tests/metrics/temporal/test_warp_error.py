from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from metrics import build_metric
from metrics.temporal.warp_error import WarpError
from tests.metrics.temporal.clips import blob, clip, pan, texture

STEADY = [20 + 3 * t for t in range(14)]


def warp_error(frames: np.ndarray) -> float:
    return WarpError().score(clip(frames)).value


def test_static_clip_is_zero() -> None:
    assert warp_error(np.repeat(texture(96, 96)[None], 10, 0)) == 0.0


@pytest.mark.parametrize("amp", [5, 10, 20])
def test_brightness_toggle_scores_its_amplitude(amp: int) -> None:
    frames = pan(dx=2).astype(np.int16)
    frames[1::2] += amp  # every pair changes by amp gray levels that no motion explains
    assert warp_error(np.clip(frames, 0, 255).astype(np.uint8)) == pytest.approx(amp, rel=0.05)


def test_motion_is_explained() -> None:
    assert warp_error(pan(dx=2)) < 2.0
    assert warp_error(blob(STEADY)) < 2.0


def test_jump_and_flicker_raise_it_at_their_frame() -> None:
    steady = WarpError().score(clip(blob(STEADY)))
    jump = WarpError().score(clip(blob([x + (25 if t >= 6 else 0) for t, x in enumerate(STEADY)])))
    assert jump.value > 1.3 * steady.value
    assert [e.frame for e in jump.events] == [6]
    assert int(np.nanargmax(jump.detail["per_pair"])) == 5  # the pair (5, 6)
    blinking = blob([40] * 14, gains=[0.5 if t in (5, 7, 9) else 1.0 for t in range(14)])
    assert warp_error(blob([40] * 14)) == 0.0
    assert warp_error(blinking) > 1.0  # a disc darkening in place is no occlusion


def test_cost_does_not_grow_with_resolution() -> None:
    small = pan(dx=2)
    big = np.stack([cv2.resize(f, (384, 384), interpolation=cv2.INTER_LINEAR) for f in small])
    c = clip(big)
    WarpError().score(c)
    flows = c.cache["pair_flows:64"]
    assert flows.fwd.shape[1:3] == (64, 64)


def test_short_and_tiny_clips() -> None:
    assert WarpError().score(clip(np.zeros((1, 32, 32, 3), np.uint8))).value == 0.0
    r = WarpError().score(clip(np.zeros((4, 8, 8, 3), np.uint8)))
    assert r.value is None and "too small" in r.detail["note"]


def test_registered_and_torchmetrics() -> None:
    from metrics.torchmetric import TemporalWarpError

    assert type(build_metric("temporal.warp_error")) is WarpError
    assert WarpError().protocol()["units"]["occlusion_tolerance"] == "fraction of the shorter side"
    still = np.repeat(texture(64, 64)[None], 6, 0)
    toggled = still.copy()
    toggled[1::2] = np.clip(still[1::2].astype(np.int16) + 10, 0, 255).astype(np.uint8)
    m = TemporalWarpError()
    m.update(torch.from_numpy(np.stack([still, toggled])))
    assert float(m.compute()) == pytest.approx((0.0 + warp_error(toggled)) / 2)
