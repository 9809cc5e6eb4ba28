"""The registered distances: rows carry value, CIs, floor, N, warnings and the protocol."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metrics import build_metric, resolve_metrics
from metrics.base import Clip
from metrics.dist import ReferenceHalves
from metrics.registry import build_metrics
from tests.conftest import blank_prompt, disc_clip


@pytest.fixture(scope="module")
def encoder_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    from metrics.encoder import VideoTextEncoder, save_encoder

    torch.manual_seed(0)
    return save_encoder(VideoTextEncoder(), tmp_path_factory.mktemp("enc") / "tiny.pt")


def halves(rng: np.random.Generator, n: int, d: int) -> ReferenceHalves:
    return ReferenceHalves(rng.normal(size=(n, d)), rng.normal(size=(n, d)), {"spec": "test"})


def test_distances_are_opt_in_and_take_reference_and_backbone(encoder_file: Path) -> None:
    assert not any(n.startswith("dist.") for n in resolve_metrics("all"))
    assert resolve_metrics("dist.*") == ["dist.fvd", "dist.kvd", "dist.motion"]
    ms = build_metrics(["dist.fvd", "dist.motion"], reference="folder:/x", backbone=f"tiny:path={encoder_file}")
    assert ms[0].reference == "folder:/x" and ms[0].backbone == f"tiny:path={encoder_file}"
    assert ms[1].reference == "folder:/x" and not hasattr(ms[1], "backbone")
    p = ms[0].protocol()
    assert p["higher_is_better"] is False and p["features"]["weights_sha256"] and p["features"]["dim"] == 128


def test_fvd_row_detail_and_rank_warning(encoder_file: Path) -> None:
    fvd = build_metric("dist.fvd", backbone=f"tiny:path={encoder_file}", n_boot=20)
    rng = np.random.default_rng(0)
    res = fvd.compute_set(rng.normal(size=(40, 128)), halves(rng, 40, 128))
    d = res.detail
    assert res.value > 0 and d["n"] == 40 and d["dim"] == 128 and d["n_reference"] == 80
    assert d["ci95"][0] <= res.value <= d["ci95"][1] and d["floor_ci95"][0] <= d["floor"] <= d["floor_ci95"][1]
    assert "N = 40 clips is below the feature dimension 128" in d["warning"]
    prot = d["protocol"]
    assert prot["backbone"] == "tiny" and prot["n"] == 40 and prot["reference"] == {"spec": "test"}
    assert {"weights_sha256", "frames", "stride", "resize", "value_range"} <= set(prot)
    with pytest.raises(ValueError, match="needs reference features"):
        fvd.compute_set(rng.normal(size=(4, 128)))


def test_kvd_has_no_rank_warning_above_the_dimension(encoder_file: Path) -> None:
    kvd = build_metric("dist.kvd", backbone=f"tiny:path={encoder_file}", n_boot=10)
    rng = np.random.default_rng(1)
    res = kvd.compute_set(rng.normal(size=(30, 8)), halves(rng, 30, 8))
    assert res.detail["warning"] is None and np.isfinite(res.value)
    res = kvd.compute_set(rng.normal(size=(30, 8)), ReferenceHalves(rng.normal(size=(20, 8)), rng.normal(size=(30, 8))))
    assert "not N = 30" in res.detail["warning"]


def test_fvd_and_kvd_share_one_backbone_pass_per_clip(encoder_file: Path) -> None:
    spec = f"tiny:path={encoder_file}"
    fvd, kvd = build_metric("dist.fvd", backbone=spec), build_metric("dist.kvd", backbone=spec)
    frames = disc_clip([[(10.0 + 4 * t, 30.0)] for t in range(8)], [(200, 30, 30)], size=48)
    clip = Clip(frames, 8.0, blank_prompt())
    a = fvd.features(clip)
    assert kvd.features(clip) is a and a.shape == (128,)


def test_motion_features_of_a_clip() -> None:
    m = build_metric("dist.motion")
    frames = disc_clip([[(10.0 + 4 * t, 30.0)] for t in range(8)], [(200, 30, 30)], size=96)
    f = m.features(Clip(frames, 8.0, blank_prompt()))
    assert f.shape == (m.feature_protocol()["dim"],) and np.isfinite(f).all()
    assert m.protocol()["short_side"] == 64 and m.protocol()["units"]["short_side"] == "px"
