"""Thresholds in physical units give back their tuned pixel and frame values at the tuned format
(16 frames, 128x128, 8 fps), and scale with the frame and the frame rate elsewhere."""

from __future__ import annotations

import pytest

from metrics.observe.params import (
    TUNED,
    BlobParams,
    CameraParams,
    ExplainParams,
    Scale,
    SceneryParams,
    TrackingParams,
)
from metrics.physics.lifecycle import LifecycleParams

B, K, C, E, S, L = BlobParams(), TrackingParams(), CameraParams(), ExplainParams(), SceneryParams(), LifecycleParams()


@pytest.mark.parametrize(
    ("value", "old"),
    [
        (TUNED.kernel(B.open_short), 3),
        (TUNED.area(B.min_piece_area), 4),
        (TUNED.frames(K.fit_seconds), 4),
        (TUNED.frames(K.area_seconds), 3),
        (TUNED.per_step(K.gate_growth), 0.4),
        (TUNED.frames(K.gate_growth_seconds), 5),
        (TUNED.frames(K.recolor_seconds), 2),
        (TUNED.px(K.beside_short), 3.0),
        (TUNED.px(K.part_grow_short), 3.0),
        (TUNED.px(K.touch_short), 3.0),
        (TUNED.area(K.cabin_min_area), 4),
        (TUNED.px(C.corner_spacing_short), 5),
        (TUNED.kernel(C.corner_block_short), 5),
        (TUNED.kernel(C.flow_window_short), 15),
        (TUNED.px(C.round_trip_short), 0.5),
        (TUNED.px(C.ransac_short), 0.75),
        (TUNED.px(C.exclude_pad_short), 2.0),
        (TUNED.kernel(C.exclude_dilate_short), 5),
        (TUNED.per_step(C.anchor_reach), 0.5),
        (TUNED.per_step(TUNED.px(C.anchor_reach_short)), 4.0),
        (TUNED.px(C.anchor_ransac_short), 1.5),
        (TUNED.px(E.born_touch_short), 3.0),
        (TUNED.kernel(S.open_short), 3),
        (TUNED.frames(L.predict_seconds), 4),
        (TUNED.frames(L.merge_lookback), 5),
        (TUNED.frames(L.fragment_seconds), 4),
        (TUNED.frames(L.fragment_lag), 2),
        (TUNED.per_step(L.reemerge_growth), 0.15),
        (TUNED.px(L.jump_floor_short), 2.0),
    ],
)
def test_the_tuned_format_gives_the_old_values_exactly(value: float, old: float) -> None:
    assert value == old


def test_scaled_to_a_larger_faster_clip() -> None:
    sc = Scale(240, 16.0)  # 48 frames 240x416 at 16 fps
    assert sc.px(K.touch_short) == pytest.approx(3.0 * 240 / 128)
    assert sc.kernel(C.flow_window_short) == 29  # 15 px at 128 is 28.1 px at 240: 2 * floor(x / 2) + 1
    assert sc.kernel(B.open_short) % 2 == 1 and sc.kernel(B.open_short) == 5
    assert sc.frames(K.fit_seconds) == 8 and sc.per_step(K.gate_growth) == pytest.approx(0.2)
    assert sc.area(K.cabin_min_area) == pytest.approx(4 * (240 / 128) ** 2)
