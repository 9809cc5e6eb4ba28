"""``diffusers:``: a tiny LTX-Video pipeline with random weights, built and saved here, loaded
through the spec; its identity in the manifest; seeds reproducible unit by unit, alone and in a
batch; every mistake in the spec or the folder a one-line error."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("diffusers")

from bench.runner import RunConfig, run
from model import get_generator, unit_seed
from model.diffusers_pipeline import DiffusersGenerator
from model.tiny_diffusers import save_tiny_ltx
from prompts import load_suite
from t2vbase.checksum import sha256_file, sums_digest
from t2vbase.errors import GeneratorError, WeightsError
from t2vbase.video import read_video

ROOT = Path(__file__).resolve().parents[2]
SIZE: dict[str, Any] = {"num_frames": 9, "height": 32, "width": 32}


@pytest.fixture(scope="module")
def pipeline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_ltx(tmp_path_factory.mktemp("tiny") / "ltx")


@pytest.fixture(scope="module")
def gen(pipeline_dir: Path) -> DiffusersGenerator:
    g = get_generator(f"diffusers:{pipeline_dir},steps=2")
    assert isinstance(g, DiffusersGenerator)
    return g


def test_identity_goes_into_the_manifest(gen: DiffusersGenerator, pipeline_dir: Path) -> None:
    opts = gen.options()
    assert opts["pipeline"] == "LTXPipeline" and opts["dtype"] == "float32" and opts["steps"] == 2
    weights = opts["weights"]
    assert "transformer/diffusion_pytorch_model.safetensors" in weights
    assert weights["vae/diffusion_pytorch_model.safetensors"] == sha256_file(
        pipeline_dir / "vae" / "diffusion_pytorch_model.safetensors"
    )
    assert opts["weights_sha256"] == sums_digest(weights) and len(opts["config_sha256"]) == 64
    assert gen.defaults == {"num_frames": 161, "height": 512, "width": 704, "fps": 25.0}  # LTXPipeline's own
    assert gen.execution() == {"device": "auto", "offload": "none", "batch": 1}


def test_a_unit_is_the_same_alone_twice_and_in_a_batch(gen: DiffusersGenerator) -> None:
    suite = load_suite("smoke")
    p, q, r = suite.prompts[:3]
    alone = gen.generate(p, seed=1, **SIZE)
    again = gen.generate(p, seed=1, **SIZE)
    assert alone.frames.shape == (9, 32, 32, 3) and alone.fps == 25.0
    assert np.array_equal(alone.frames, again.frames)  # bit for bit
    assert alone.metadata == {"pipeline": "LTXPipeline", "dtype": "float32", "unit_seed": unit_seed(p, 1)}
    batch = gen.generate_batch([q, p, r], seeds=[0, 1, 0], **SIZE)
    # batched float kernels may round differently in the last bit: at most one gray level apart
    assert np.abs(batch[1].frames.astype(int) - alone.frames).max() <= 1
    other_seed = gen.generate(p, seed=2, **SIZE)
    assert np.abs(other_seed.frames.astype(int) - alone.frames).mean() > 5
    assert np.abs(batch[0].frames.astype(int) - alone.frames).mean() > 5  # another prompt


def test_pipeline_arguments_pass_through(pipeline_dir: Path) -> None:
    g = get_generator(f"diffusers:{pipeline_dir},steps=1,guidance=1.0,decode_timestep=0.05,negative_prompt=blurry")
    assert g.options()["call"] == {"decode_timestep": 0.05, "negative_prompt": "blurry"}
    assert g.generate("a red ball", **SIZE).frames.shape == (9, 32, 32, 3)


@pytest.mark.parametrize(
    "options, error, match",
    [
        (",stpes=2", GeneratorError, "did you mean 'steps'"),
        (",num_frames=9", GeneratorError, "'num_frames' is set by t2vbench"),
        (",steps=0", GeneratorError, "steps=0: must be at least 1"),
        (",steps=two", GeneratorError, "steps='two' is not a valid int"),
        (",dtype=fp8", GeneratorError, "dtype='fp8': expected auto, bf16, fp16 or fp32"),
        (",device=tpu", GeneratorError, "device='tpu'"),
        (",offload=model,device=cpu", GeneratorError, "offload=model moves weights to a GPU"),
        (",sha256=" + "0" * 64, WeightsError, "the weights' sha256 is [0-9a-f]{64}, expected 0{64}"),
        (",sha256=abc", WeightsError, "sha256='abc' is not 64 hex digits"),
    ],
)
def test_bad_options(pipeline_dir: Path, options: str, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        get_generator(f"diffusers:{pipeline_dir}{options}")


def test_pins_and_folders(pipeline_dir: Path, tmp_path: Path) -> None:
    g = get_generator(
        f"diffusers:{pipeline_dir},sha256={get_generator(f'diffusers:{pipeline_dir}').options()['weights_sha256']}"
    )
    assert g.options()["pipeline"] == "LTXPipeline"  # the right pin passes
    copy = tmp_path / "copy"
    shutil.copytree(pipeline_dir, copy)
    weights = "vae/diffusion_pytorch_model.safetensors"
    (copy / "SHA256SUMS").write_text(f"{sha256_file(copy / weights)}  {weights}\n")
    get_generator(f"diffusers:{copy}")
    (copy / "SHA256SUMS").write_text(f"{'1' * 64}  {weights}\n")
    with pytest.raises(
        WeightsError, match=r"vae/diffusion_pytorch_model.safetensors has sha256 [0-9a-f]{64}, expected 1{64}"
    ):
        get_generator(f"diffusers:{copy}")
    (copy / "SHA256SUMS").unlink()
    index = json.loads((copy / "model_index.json").read_text())
    (copy / "model_index.json").write_text(json.dumps({**index, "_class_name": "MadeUpPipeline"}))
    with pytest.raises(GeneratorError, match=r"names 'MadeUpPipeline', which diffusers .* does not have"):
        get_generator(f"diffusers:{copy}")
    (copy / "model_index.json").unlink()
    with pytest.raises(GeneratorError, match=r"model_index.json is missing; expected a diffusers pipeline folder"):
        get_generator(f"diffusers:{copy}")
    with pytest.raises(GeneratorError, match="no such folder"):
        get_generator(f"diffusers:{tmp_path / 'nowhere'}")


def test_end_to_end_through_the_command_line(pipeline_dir: Path, tiny_suite: Path, tmp_path: Path) -> None:
    """``t2vbench run --generator diffusers:DIR --batch 2``, then each unit again alone: the
    same clips (the seeds are the units', not the batch's)."""
    out = tmp_path / "batched"
    args = [sys.executable, "-m", "bench", "run", "--suite", str(tiny_suite), "--seeds", "2", "--out", str(out)]
    args += ["--generator", f"diffusers:{pipeline_dir},steps=2", "--batch", "2", "--metrics", "temporal.flicker"]
    args += ["--frames", "9", "--height", "32", "--width", "32"]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    m = json.loads((out / "manifest.json").read_text())
    assert m["generator"]["options"]["pipeline"] == "LTXPipeline" and m["generator"]["name"] == "diffusers"
    assert m["env"]["fingerprint"]["batch"] == 2 and m["device"] == "cpu"
    units = json.loads((out / "profile.json").read_text())["units"]
    assert len(units) == 6 and all(u["batch"] == 2 and u["generate_s"] > 0 for u in units)
    alone = tmp_path / "alone"
    res = run(
        RunConfig(
            suite=str(tiny_suite),
            seeds="1",
            out=alone,
            generator=f"diffusers:{pipeline_dir},steps=2",
            metrics="none",
            progress=False,
            **SIZE,
        )
    )
    assert res.exit_code == 0
    for clip in sorted(alone.glob("clips/*/0.mp4")):
        a = read_video(clip).frames.astype(int)
        b = read_video(out / clip.relative_to(alone)).frames.astype(int)
        assert np.abs(a - b).mean() < 0.5, clip  # one gray level before encoding at most


@pytest.mark.gpu
@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs CUDA")
def test_on_the_gpu_with_per_unit_memory(pipeline_dir: Path, tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "gpu"
    res = run(
        RunConfig(
            suite=str(tiny_suite),
            out=out,
            generator=f"diffusers:{pipeline_dir},steps=2,dtype=bf16",
            device="cuda",
            batch=3,
            metrics="temporal.flicker",
            progress=False,
            **SIZE,
        )
    )
    assert res.exit_code == 0
    prof = json.loads((out / "profile.json").read_text())
    assert prof["stages"]["generate"]["cuda_ms"]["total"] > 0
    assert all(u["peak_allocated_bytes"] > 0 and u["cuda_ms"] > 0 and u["batch"] == 3 for u in prof["units"])
    fp = json.loads((out / "manifest.json").read_text())["env"]["fingerprint"]
    assert fp["device"] == "cuda" and fp["gpu"] and fp["batch"] == 3
