"""Backbones: one interface, weights checked, each tested with a tiny model built here."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from metrics.dist.backbones import BACKBONES, get_backbone
from t2vbase.errors import MetricError, WeightsError


def clips(b: int = 3, t: int = 16, size: int = 32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(b, t, size, size, 3), dtype=np.uint8)


def i3d_standin(path: Path) -> Path:
    """A TorchScript with StyleGAN-V's I3D call signature: uint8 [B, C, T, H, W] in, 400-d out;
    it refuses any other input or flags, so the test proves how the backbone calls it."""
    import torch

    class StandIn(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = torch.nn.Linear(3, 400)

        def forward(
            self, x: torch.Tensor, rescale: bool = False, resize: bool = False, return_features: bool = False
        ) -> torch.Tensor:
            if x.dtype != torch.uint8 or x.dim() != 5 or x.shape[1] != 3:
                raise ValueError("expected uint8 [B, C, T, H, W]")
            if not (rescale and resize and return_features):
                raise ValueError("expected rescale=True, resize=True, return_features=True")
            y = x.float() / 127.5 - 1.0
            return self.proj(y.mean(dim=(2, 3, 4)))

    torch.manual_seed(0)
    torch.jit.script(StandIn()).save(str(path))
    return path


def test_registry_names_three_backbones_and_suggests() -> None:
    assert set(BACKBONES.names()) == {"tiny", "i3d", "videomae"}
    with pytest.raises(MetricError, match="did you mean 'i3d'"):
        get_backbone("i3e")


def test_i3d_calls_the_torchscript_as_stylegan_v_does(tmp_path: Path) -> None:
    file = i3d_standin(tmp_path / "i3d_torchscript.pt")
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    net = get_backbone(f"i3d:path={tmp_path},sha256={digest},batch=2")
    x = clips(5)
    feats = net(x)
    assert feats.shape == (5, 400) and feats.dtype == np.float64
    one = net(x[3:4])
    np.testing.assert_allclose(one[0], feats[3], rtol=1e-5)  # batching does not change a clip's features
    p = net.protocol()
    assert p["weights_sha256"] == digest and p["pinned"] and p["frames"] == 16 and p["stride"] == 1 and p["dim"] == 400


def test_i3d_short_clips_repeat_their_last_frame(tmp_path: Path) -> None:
    i3d_standin(tmp_path / "i3d_torchscript.pt")
    net = get_backbone(f"i3d:path={tmp_path / 'i3d_torchscript.pt'},frames=4,stride=3")
    x = clips(1, t=6)
    padded = x[:, [0, 3, 5, 5]]
    np.testing.assert_allclose(net(x), get_backbone(f"i3d:path={tmp_path},frames=4,stride=1")(padded))


def test_i3d_missing_or_wrong_weights_say_where_and_what(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("T2V_I3D_PATH", raising=False)
    with pytest.raises(WeightsError, match=r"no weights at .*cache/t2vbench/i3d/i3d_torchscript.pt.*StyleGAN-V") as err:
        get_backbone("i3d")
    assert "\n" not in str(err.value)
    i3d_standin(tmp_path / "i3d_torchscript.pt")
    with pytest.raises(WeightsError, match=r"has sha256 .* expected 0{64}"):
        get_backbone(f"i3d:path={tmp_path},sha256={'0' * 64}")
    monkeypatch.setenv("T2V_I3D_PATH", str(tmp_path))
    assert get_backbone("i3d").protocol()["pinned"] is False  # found by $T2V_I3D_PATH, digest still recorded


def videomae_folder(path: Path) -> Path:
    import torch
    from transformers import VideoMAEConfig, VideoMAEModel

    torch.manual_seed(0)
    cfg = VideoMAEConfig(
        image_size=32, patch_size=16, num_frames=4, tubelet_size=2, hidden_size=24,
        num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
    )  # fmt: skip
    VideoMAEModel(cfg).save_pretrained(str(path), safe_serialization=True)
    return path


def test_videomae_tiny_random_model(tmp_path: Path) -> None:
    folder = videomae_folder(tmp_path / "vmae")
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  model.safetensors\n")
    net = get_backbone(f"videomae:path={folder}")
    feats = net(clips(2, t=8))
    assert feats.shape == (2, 24) and np.isfinite(feats).all()
    p = net.protocol()
    assert p["weights_sha256"] == digest and p["frames"] == 4 and p["resize"] == "bilinear to 32x32"


def test_videomae_checks_its_folder(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match=r"lacks config\.json, model\.safetensors"):
        get_backbone(f"videomae:path={tmp_path}")
    folder = videomae_folder(tmp_path / "vmae")
    cfg = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**cfg, "model_type": "vit"}))
    with pytest.raises(WeightsError, match="model_type 'vit', not 'videomae'"):
        get_backbone(f"videomae:path={folder}")


def test_tiny_wraps_the_embedded_encoder(tmp_path: Path) -> None:
    import torch

    from metrics.encoder import VideoTextEncoder, save_encoder

    torch.manual_seed(0)
    file = save_encoder(VideoTextEncoder(), tmp_path / "enc.pt")
    net = get_backbone(f"tiny:path={file}")
    feats = net(clips(3))
    assert feats.shape == (3, net.dim)
    np.testing.assert_allclose(np.linalg.norm(feats, axis=1), 1.0, rtol=1e-5)  # unit vectors
    p = net.protocol()
    assert p["backbone"] == "tiny" and p["weights_sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()
