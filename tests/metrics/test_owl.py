"""The ``owl`` backend on a tiny randomly initialised OWLv2 (and OWL-ViT) saved to a temporary folder.

A random model detects arbitrary things, so these tests check what does not depend on what it
finds: loading, checksums, errors, preprocessing, well-formed observations, the path from the
command line to the run's protocol, and tracking with a fake detector swapped in.
"""

from __future__ import annotations

import hashlib
import json
import string
import sys
from pathlib import Path

import numpy as np
import pytest

transformers = pytest.importorskip("transformers")

from bench.cli import main  # noqa: E402
from metrics import Clip  # noqa: E402
from metrics.observe import get_backend, observe, owl  # noqa: E402
from metrics.observe.owl import OwlBackend, Preprocess, default_dir  # noqa: E402
from metrics.physics.count import CountCheck  # noqa: E402
from t2vbase.errors import MetricError, WeightsError  # noqa: E402
from tests.conftest import blank_prompt, disc_clip, write_suite  # noqa: E402
from tests.metrics.test_detect import FakeDetector, square  # noqa: E402

RED = (215, 38, 38)
EXPECT = {"objects": [{"id": "ball", "noun": "ball", "color": "red"}, {"id": "cube", "noun": "cube", "count": 2}]}
PREPROCESSOR = {
    "do_normalize": True,
    "do_pad": True,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "resample": 2,
    "rescale_factor": 1 / 255,
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_tiny(folder: Path, model_type: str = "owlv2", image_size: int = 64) -> Path:
    """A tiny random OWL checkpoint laid out as the hub's: config, safetensors, preprocessor, tokenizer."""
    import torch

    folder.mkdir(parents=True)
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in string.ascii_lowercase:  # one token per letter: no merges needed
        vocab[c] = len(vocab)
        vocab[c + "</w>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    transformers.CLIPTokenizer.from_pretrained(folder).save_pretrained(folder)
    text = {"vocab_size": len(vocab), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1}
    text |= {"num_attention_heads": 2, "max_position_embeddings": 16, "bos_token_id": 0, "eos_token_id": 1}
    text |= {"pad_token_id": 1}
    vision = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2}
    vision |= {"image_size": image_size, "patch_size": 16}
    if model_type == "owlv2":
        config = transformers.Owlv2Config(text_config=text, vision_config=vision, projection_dim=32)
        cls = transformers.Owlv2ForObjectDetection
    else:
        config = transformers.OwlViTConfig(text_config=text, vision_config=vision, projection_dim=32)
        cls = transformers.OwlViTForObjectDetection
    torch.manual_seed(0)
    cls(config).save_pretrained(folder)
    pre = {**PREPROCESSOR, "size": {"height": image_size, "width": image_size}}
    if model_type == "owlvit":
        pre = {**pre, "do_pad": False, "resample": 3}
    (folder / "preprocessor_config.json").write_text(json.dumps(pre))
    return folder


def write_sums(folder: Path, names: tuple[str, ...] = ("config.json", "model.safetensors")) -> None:
    (folder / "SHA256SUMS").write_text("".join(f"{sha256(folder / n)}  {n}\n" for n in names))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_tiny(tmp_path_factory.mktemp("owl") / "owlv2")
    write_sums(folder)
    return folder


def clip(T: int = 6, expect: dict | None = None) -> Clip:
    frames = disc_clip([[(20 + 6 * t, 40)] for t in range(T)], [RED])
    return Clip(frames, 8.0, blank_prompt(EXPECT if expect is None else expect))


def one_line_error(err: pytest.ExceptionInfo[BaseException]) -> str:
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def test_loads_and_observes_a_well_formed_observation(tiny: Path) -> None:
    be = get_backend(f"owl:path={tiny},threshold=0.05,device=cpu,batch=4")
    assert isinstance(be, OwlBackend) and be.threshold == 0.05
    p = be.protocol()
    assert p["backend"] == "owl" and p["model"] == "owlv2" and p["image_size"] == 64
    assert p["weights_sha256"] == sha256(tiny / "model.safetensors")
    c = clip()
    obs = observe(c, be)
    assert obs.backend == "owl" and (obs.num_frames, obs.height, obs.width) == (6, 96, 96)
    assert obs.groups.keys() == {"ball", "cube"} and all(obs.observed(g) for g in obs.groups)
    assert obs.camera.steps.shape == (5, 2, 3)
    ids = [tr.id for tr in obs.tracks]
    assert len(ids) == len(set(ids))
    for tr in obs.tracks:
        assert tr.group in ("ball", "cube") and tr.visible.any()
        assert tr.box.shape == (6, 4) and np.isfinite(tr.box[tr.visible]).all()
        assert (tr.box[tr.visible, :2] >= 0).all() and (tr.box[tr.visible, 2:] <= 96).all()
        assert len(tr.color) == len(tr.hidden_by) == 6
    assert observe(c, be) is obs  # cached per clip and protocol


def test_the_fake_detector_goes_through_the_same_path(tiny: Path) -> None:
    be = OwlBackend(path=str(tiny))
    be.detector = FakeDetector([[(0, square(20 + 6 * t, 40), 0.9)] for t in range(6)])
    obs = be.observe(clip())
    assert be.detector.queries == ["a photo of a red ball", "a photo of a cube"]
    (tr,) = obs.tracks
    assert tr.id == "ball" and tr.visible.all() and tr.color == ["red"] * 6 and tr.born_from == "start"
    res = CountCheck(backend=be).score(clip())
    assert res.verdict == "fail" and {e.type for e in res.events} == {"count_missing"}  # no cube found


def test_a_physics_check_runs_end_to_end_with_a_backend_spec(tiny: Path) -> None:
    spec = f"owl:path={tiny},threshold=0.05"
    check = CountCheck(backend=spec)
    assert check.protocol()["backend_spec"] == spec and check.protocol()["model"] == "owlv2"
    assert check.score(clip()).verdict in ("pass", "fail")
    assert check.score(clip(expect={"camera": "static"})).verdict == "n/a"


def test_owlvit_is_picked_by_the_config(tmp_path: Path) -> None:
    folder = make_tiny(tmp_path / "owlvit", "owlvit")
    be = OwlBackend(path=str(folder), threshold=0.05)
    assert be.protocol()["model"] == "owlvit"
    obs = be.observe(clip())
    assert obs.num_frames == 6 and all(tr.visible.any() for tr in obs.tracks)


def test_tiny_model_time_per_frame(tiny: Path) -> None:
    import time

    be = OwlBackend(path=str(tiny))
    c = clip(16)
    be.detector.detect(c.frames[:1], ["a photo of a ball"], 0.1)  # load once
    t0 = time.perf_counter()
    dets = be.detector.detect(c.frames, ["a photo of a red ball", "a photo of a cube"], 0.0)
    per_frame = (time.perf_counter() - t0) / 16
    assert len(dets) == 16 and all(len(d) == 16 for d in dets)  # 4x4 patches, every box kept at 0
    assert all(d.labels.max() <= 1 for d in dets)
    assert per_frame < 0.2  # about 1 ms on a laptop core; generous for a busy CI machine


def test_preprocessing_matches_transformers_image_processors() -> None:
    try:
        from transformers.models.owlv2.image_processing_pil_owlv2 import Owlv2ImageProcessorPil
        from transformers.models.owlvit.image_processing_pil_owlvit import OwlViTImageProcessorPil
    except ImportError:
        # transformers 4 has no Pillow-backed processors, and its OWLv2 one pads with gray (0.5), not
        # with zeros as the official implementation and transformers 5 do
        pytest.skip("this transformers has no Pillow-backed OWL image processors to compare with")
    rng = np.random.default_rng(0)
    cfg = {"size": {"height": 64, "width": 64}}
    for H, W in ((48, 80), (200, 150)):
        img = np.clip(np.cumsum(rng.normal(0, 6, (H, W, 3)), 1) + 128, 0, 255).astype(np.uint8)
        for model_type, proc in (("owlv2", Owlv2ImageProcessorPil), ("owlvit", OwlViTImageProcessorPil)):
            ref = np.asarray(proc(**cfg)(images=[img], return_tensors="np")["pixel_values"])[0]
            ours = Preprocess.from_config(cfg, model_type)(img[None])[0]
            assert ours.shape == ref.shape == (3, 64, 64)
            np.testing.assert_allclose(ours, ref, atol=1e-4, err_msg=model_type)


def test_boxes_map_back_to_pixels() -> None:
    pad = Preprocess.from_config({"size": 64}, "owlv2")
    # padded square of side 100 for a 50x100 frame: the box's normalised coordinates scale by 100
    assert pad.to_pixels(np.array([[0.5, 0.25, 0.2, 0.1]]), 50, 100).tolist() == [[40.0, 20.0, 60.0, 30.0]]
    plain = Preprocess.from_config({"size": 64}, "owlvit")
    assert plain.to_pixels(np.array([[0.5, 0.5, 0.2, 0.2]]), 50, 100).tolist() == [[40.0, 20.0, 60.0, 30.0]]


# --- errors ----------------------------------------------------------------------------------


def test_missing_folder_says_what_to_put_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "nowhere"
    with pytest.raises(WeightsError) as err:
        get_backend(f"owl:path={gone}")
    msg = one_line_error(err)
    assert f"no weights at {gone} (from path=)" in msg
    assert "google/owlv2-base-patch16-ensemble" in msg and "model.safetensors" in msg and "owl:path=DIR" in msg
    monkeypatch.delenv("T2V_OWL_PATH", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_dir() == tmp_path / "cache" / "t2vbench" / "owlv2"
    with pytest.raises(WeightsError, match=r"no weights at .*cache/t2vbench/owlv2 \(from cache\)"):
        OwlBackend()


def test_env_var_names_the_folder(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T2V_OWL_PATH", str(tiny))
    assert OwlBackend().weights_sha256 == sha256(tiny / "model.safetensors")
    monkeypatch.setenv("T2V_OWL_PATH", "/no/such/owl")
    with pytest.raises(WeightsError, match=r"no weights at /no/such/owl \(from \$T2V_OWL_PATH\)"):
        OwlBackend()


def test_missing_files_are_named(tiny: Path, tmp_path: Path) -> None:
    folder = tmp_path / "partial"
    folder.mkdir()
    (folder / "config.json").write_bytes((tiny / "config.json").read_bytes())
    with pytest.raises(WeightsError) as err:
        OwlBackend(path=str(folder))
    msg = one_line_error(err)
    assert f"{folder} (from path=) lacks model.safetensors, preprocessor_config.json, tokenizer.json" in msg


def test_checksums_are_verified(tiny: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    for f in tiny.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    good = sha256(folder / "model.safetensors")
    assert OwlBackend(path=str(folder), sha256=good.upper()).weights_sha256 == good
    with pytest.raises(WeightsError) as err:
        OwlBackend(path=str(folder), sha256="0" * 64)
    msg = one_line_error(err)
    assert f"{folder / 'model.safetensors'} has sha256 {good}, expected {'0' * 64} (sha256=)" in msg
    with pytest.raises(WeightsError, match="is not 64 hex digits"):
        OwlBackend(path=str(folder), sha256="abc")
    (folder / "config.json").write_text((folder / "config.json").read_text() + " ")
    with pytest.raises(WeightsError, match=r"config.json has sha256 .* \(SHA256SUMS\)"):
        OwlBackend(path=str(folder))
    write_sums(folder, ("config.json",))
    with pytest.raises(WeightsError, match=r"SHA256SUMS does not list model\.safetensors"):
        OwlBackend(path=str(folder))
    (folder / "SHA256SUMS").write_text("not a sum line\n")
    with pytest.raises(WeightsError, match="SHA256SUMS line 1: expected"):
        OwlBackend(path=str(folder))
    (folder / "SHA256SUMS").write_text(f"{good}  model.safetensors\n{good} *tokenizer.bin\n")
    with pytest.raises(WeightsError, match=r"tokenizer\.bin is listed in SHA256SUMS but missing"):
        OwlBackend(path=str(folder))
    (folder / "SHA256SUMS").unlink()
    assert OwlBackend(path=str(folder)).weights_sha256 == good  # no checksum: still recorded


def test_unloadable_weights_stop_at_construction(tiny: Path, tmp_path: Path) -> None:
    folder = tmp_path / "truncated"
    folder.mkdir()
    for f in tiny.iterdir():
        if f.name != "SHA256SUMS":
            (folder / f.name).write_bytes(f.read_bytes()[:100] if f.name == "model.safetensors" else f.read_bytes())
    with pytest.raises(WeightsError) as err:
        OwlBackend(path=str(folder))
    assert one_line_error(err).startswith(f"owl: cannot load {folder}: ")


def test_missing_transformers_is_a_clear_error(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # `import transformers` now fails
    monkeypatch.setattr(owl, "_LOADED", {})  # as in a fresh process
    with pytest.raises(MetricError) as err:
        OwlBackend(path=str(tiny))
    msg = one_line_error(err)
    assert msg.startswith("owl: needs the transformers package") and "pip install 't2v-bench[detect]'" in msg


def test_bad_config_is_named(tiny: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    for f in tiny.iterdir():
        if f.name != "SHA256SUMS":
            (folder / f.name).write_bytes(f.read_bytes())
    cfg = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**cfg, "model_type": "clip"}))
    with pytest.raises(WeightsError, match="model_type 'clip' is not owlv2 or owlvit"):
        OwlBackend(path=str(folder))
    (folder / "config.json").write_text(json.dumps(cfg))
    (folder / "preprocessor_config.json").write_text(
        json.dumps({**PREPROCESSOR, "size": {"height": 960, "width": 960}})
    )
    with pytest.raises(WeightsError, match=r"size \(960, 960\) does not match the model's image_size 64"):
        OwlBackend(path=str(folder))


# --- command line ----------------------------------------------------------------------------


def test_cli_backend_reaches_the_run_protocol(tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from prompts import load_suite

    p = load_suite("smoke").prompt("smoke-count-three").model_dump(mode="json", by_alias=True, exclude_none=True)
    suite = write_suite(tmp_path / "one.yaml", [p])
    spec = f"owl:path={tiny},threshold=0.05,device=cpu"
    out = tmp_path / "run"
    argv = ["run", "--suite", str(suite), "--metrics", "physics.count", "--backend", spec, "--out", str(out)]
    assert main([*argv, "--no-report", "--frames", "8"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    (proto,) = manifest["metrics"]
    assert proto["name"] == "physics.count" and proto["backend_spec"] == spec and proto["backend"] == "owl"
    assert proto["weights_sha256"] == sha256(tiny / "model.safetensors")
    rows = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert [r["verdict"] in ("pass", "fail") and r["error"] is None for r in rows] == [True]
    capsys.readouterr()
    assert main(["run", "--suite", str(suite), "--metrics", "physics.count", "--backend", "owl:path=/no/owl"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("t2vbench: error: owl: no weights at /no/owl") and len(err.splitlines()) == 1
