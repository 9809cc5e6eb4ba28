"""The environment fingerprint: what can change a run's numbers besides its options."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from bench.env import fingerprint, nvidia_driver


def test_cpu_fingerprint_names_device_batch_and_torch_only() -> None:
    fp = fingerprint("cpu", 4, {"device": "cpu", "offload": "none", "batch": 4})
    assert fp["device"] == "cpu" and fp["batch"] == 4 and fp["torch"]
    assert fp["gpu"] is None and fp["driver"] is None and fp["cuda"] is None
    assert fp["generator"] == {"offload": "none"}  # device and batch are said once
    assert "cudnn_deterministic" not in fp


def _fake_torch(deterministic: bool) -> types.SimpleNamespace:
    cuda = types.SimpleNamespace(
        is_available=lambda: True,
        current_device=lambda: 0,
        get_device_name=lambda i: f"Fake GPU {i}",
        matmul=types.SimpleNamespace(allow_tf32=False),
    )
    cudnn = types.SimpleNamespace(
        is_available=lambda: True, version=lambda: 90100, deterministic=deterministic, benchmark=False, allow_tf32=True
    )

    class Device:
        def __init__(self, text: str) -> None:
            self.index = int(text.split(":")[1]) if ":" in text else None

    return types.SimpleNamespace(
        __version__="9.9.9",
        cuda=cuda,
        version=types.SimpleNamespace(cuda="12.8"),
        backends=types.SimpleNamespace(cudnn=cudnn, cuda=cuda),
        device=Device,
        are_deterministic_algorithms_enabled=lambda: deterministic,
    )


def test_cuda_fingerprint_without_device_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    proc = tmp_path / "version"
    proc.write_text("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\n")
    monkeypatch.setattr("bench.env.nvidia_driver", lambda: nvidia_driver(proc))
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(True))
    a = fingerprint("cuda:3", 2)
    assert a["gpu"] == "Fake GPU 3" and a["driver"] == "550.54.15" and a["cuda"] == "12.8" and a["cudnn"] == 90100
    assert a["deterministic_algorithms"] is True and a["cudnn_deterministic"] is True and a["device"] == "cuda"
    monkeypatch.setitem(sys.modules, "torch", _fake_torch(False))
    b = fingerprint("cuda:0", 2)
    assert {k for k in a if a[k] != b[k]} == {"gpu", "deterministic_algorithms", "cudnn_deterministic"}


def test_driver_version_from_proc(tmp_path: Path) -> None:
    proc = tmp_path / "version"
    proc.write_text("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build\n")
    assert nvidia_driver(proc) == "570.86.15"


@pytest.mark.gpu
@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs CUDA")
def test_real_gpu_fingerprint() -> None:
    import torch

    fp = fingerprint("cuda:0", 1)
    assert fp["gpu"] == torch.cuda.get_device_name(0) and fp["cuda"] == torch.version.cuda
    assert fp["driver"] and fp["cudnn"] == torch.backends.cudnn.version()
