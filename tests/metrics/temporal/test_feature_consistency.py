"""``temporal.feature_consistency`` with a randomly initialised embedded encoder (its trained
weights are the encoder's business; the definition is what is tested here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from metrics import Clip
from metrics.encoder import VideoTextEncoder
from metrics.temporal.feature_consistency import FeatureConsistency
from metrics.temporal.frame_features import EmbeddedFrames
from tests.conftest import blank_prompt, disc_clip
from tests.metrics.temporal.clips import texture

BALL = {"objects": [{"id": "b", "noun": "ball", "color": "red"}]}


@pytest.fixture(scope="module")
def source() -> EmbeddedFrames:
    torch.manual_seed(0)
    return EmbeddedFrames(VideoTextEncoder())


def metric(source: EmbeddedFrames, **kw: object) -> FeatureConsistency:
    return FeatureConsistency(source=source, **kw)


def test_still_clip_is_one(source: EmbeddedFrames) -> None:
    r = metric(source).score(Clip(disc_clip([[(40, 48)]] * 10, [(215, 38, 38)]), 8.0, blank_prompt(BALL)))
    assert r.value == pytest.approx(1.0, abs=1e-6)
    assert r.detail["subject"] == pytest.approx(1.0, abs=1e-6) and r.detail["background"] == pytest.approx(
        1.0, abs=1e-6
    )


def test_alternating_frames_give_the_definition(source: EmbeddedFrames) -> None:
    a, b = texture(64, 64, 3), texture(64, 64, 4)
    frames = np.stack([a, b] * 4)  # 8 frames: A B A B ...
    fa, fb = source(np.stack([a, b]))
    c = float(fa @ fb)
    r = metric(source).score(Clip(frames, 8.0, blank_prompt()))
    assert c < 0.999
    assert r.detail["adjacent"] == pytest.approx(c, abs=1e-5)
    assert r.detail["to_first"] == pytest.approx((4 * c + 3) / 7, abs=1e-5)
    assert r.value == pytest.approx((r.detail["adjacent"] + r.detail["to_first"]) / 2, abs=1e-5)
    assert "subject" not in r.detail  # no objects expected: no regions


def test_subject_and_background_apart(source: EmbeddedFrames) -> None:
    still = disc_clip([[(40, 48)]] * 16, [(215, 38, 38)], radius=12)
    recolored = still.copy()
    recolored[8:] = disc_clip([[(40, 48)]] * 8, [(225, 60, 130)], radius=12)  # the ball turns pink-red
    r = metric(source).score(Clip(recolored, 8.0, blank_prompt(BALL)))
    assert r.detail["subject"] < 0.9999 and r.detail["background"] == pytest.approx(1.0, abs=1e-6)
    moved_bg = still.copy()
    moved_bg[8:] = disc_clip([[(40, 48)]] * 8, [(215, 38, 38)], radius=12, bg=(120, 150, 110))  # the scenery changes
    r2 = metric(source).score(Clip(moved_bg, 8.0, blank_prompt(BALL)))
    assert r2.detail["background"] < r.detail["background"]
    assert r2.detail["background"] < r2.detail["subject"]  # the crops are mostly ball


def test_protocol_names_the_encoder_and_observation(source: EmbeddedFrames) -> None:
    p = metric(source).protocol()
    assert p["name"] == "temporal.feature_consistency" and p["higher_is_better"] is True
    assert p["encoder"]["features"] == "embedded" and "weights_sha256" in p["encoder"]
    assert p["observation"]["backend"] == "color"
    assert "observation" not in metric(source, regions=False).protocol()


def test_clip_features_from_local_weights(tmp_path: Path) -> None:
    from tests.metrics.align.tiny import tiny_clip

    folder = tiny_clip(tmp_path / "clip")
    m = FeatureConsistency(features="clip", weights=str(folder), regions=False)
    still = np.repeat(texture(48, 48, 5)[None], 6, 0)
    cut = still.copy()
    cut[3:] = texture(48, 48, 6)
    assert m.score(Clip(still, 8.0, blank_prompt())).value == pytest.approx(1.0, abs=1e-6)
    assert m.score(Clip(cut, 8.0, blank_prompt())).value < 0.9999
    assert m.protocol()["encoder"]["features"] == "clip" and m.uses_device
