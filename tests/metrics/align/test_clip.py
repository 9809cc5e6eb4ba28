"""``align.clip`` with a tiny randomly initialised CLIP built here and saved to a folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from metrics import Clip, build_metric, resolve_metrics
from metrics.align import clip as clipmod
from metrics.align.clip import ClipScore, Preprocess, load_clip_scorer
from metrics.weights import sha256_file
from t2vbase.errors import WeightsError
from tests.conftest import blank_prompt
from tests.metrics.align.tiny import tiny_clip


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_clip(tmp_path_factory.mktemp("clip"))


def frames(T: int = 6, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (T, 40, 56, 3), dtype=np.uint8)


def reference_scores(folder: Path, clip: np.ndarray, text: str) -> np.ndarray:
    """The same scores through transformers' own processor and model forward (logits_per_image
    are logit_scale * cos)."""
    import transformers

    model = transformers.CLIPModel.from_pretrained(folder).eval()
    tok = transformers.AutoTokenizer.from_pretrained(folder)
    proc = transformers.CLIPImageProcessor.from_pretrained(folder)
    pixels = proc(images=list(clip), return_tensors="pt")["pixel_values"]
    ids = tok([text], padding="max_length", max_length=16, return_tensors="pt")
    with torch.no_grad():
        out = model(pixel_values=pixels, input_ids=ids["input_ids"], attention_mask=ids["attention_mask"])
    cos = (out.logits_per_image[:, 0] / model.logit_scale.exp()).detach()
    return 100 * np.maximum(cos.numpy(), 0)


def test_scores_match_transformers(weights: Path) -> None:
    clip = frames()
    m = ClipScore(path=str(weights))
    r = m.score(Clip(clip, 8.0, blank_prompt().model_copy(update={"text": "a red ball rolls left"})))
    want = reference_scores(weights, clip, "a red ball rolls left")
    assert r.detail["per_frame"] == pytest.approx(want, abs=2e-3)
    assert r.value == pytest.approx(want.mean(), abs=1e-3)
    assert r.detail["min"] == pytest.approx(want.min(), abs=1e-3)
    assert r.detail["min_frame"] == int(np.argmin(want))
    assert 0.0 <= r.detail["min"] <= r.value <= 100.0


def test_preprocess_matches_the_image_processor(weights: Path) -> None:
    import transformers

    proc = transformers.CLIPImageProcessor.from_pretrained(weights)
    pre = Preprocess.from_config(json.loads((weights / "preprocessor_config.json").read_text()))
    for shape in ((40, 56), (57, 33), (32, 32)):
        img = np.random.default_rng(1).integers(0, 256, (2, *shape, 3), dtype=np.uint8)
        want = proc(images=list(img), return_tensors="np")["pixel_values"]
        assert pre(img) == pytest.approx(want, abs=1e-5)


def test_scorer_for_any_alignment_consumer(weights: Path) -> None:
    scorer = load_clip_scorer(str(weights))
    a, b = frames(4, 1), frames(4, 2)
    both = scorer.score(np.stack([a, b]), ["a red ball", "a blue box"])
    assert both == pytest.approx(
        [scorer.frame_scores(a, "a red ball").mean(), scorer.frame_scores(b, "a blue box").mean()]
    )
    assert scorer.score([a], "a red ball") == pytest.approx(both[:1])
    assert scorer.score(torch.from_numpy(np.stack([a, b])), ["a red ball"])[0] == pytest.approx(both[0])
    with pytest.raises(ValueError, match="2 clips but 3 texts"):
        scorer.score(np.stack([a, b]), ["x", "y", "z"])


def test_protocol_pins_the_weights_and_frames(weights: Path, tmp_path: Path) -> None:
    p = ClipScore(path=str(weights)).protocol()
    assert p["weights_sha256"] == sha256_file(weights / "model.safetensors")
    assert p["higher_is_better"] is True and p["max_frames"] == 32 and "path" not in p
    r = ClipScore(path=str(weights), max_frames=3).score(Clip(frames(10), 8.0, blank_prompt()))
    assert r.detail["frames"] == [0, 4, 9]
    with pytest.raises(WeightsError, match="has sha256"):
        ClipScore(path=str(weights), sha256="0" * 64).protocol()


def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face hub cache and t2vbench cache, no $T2V_CLIP_PATH."""
    import huggingface_hub

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(clipmod.ENV, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return tmp_path / "hub"


def test_found_in_the_hugging_face_cache(weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = hf_cache(tmp_path, monkeypatch)
    snapshot = hub / "models--test--tiny-clip" / "snapshots" / "0123abcd"
    shutil.copytree(weights, snapshot)
    (hub / "models--test--tiny-clip" / "refs").mkdir()
    (hub / "models--test--tiny-clip" / "refs" / "main").write_text("0123abcd")
    m = ClipScore(model_id="test/tiny-clip")
    assert m.scorer().folder == snapshot
    assert m.protocol()["weights_sha256"] == sha256_file(weights / "model.safetensors")


def test_missing_weights_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hf_cache(tmp_path, monkeypatch)
    with pytest.raises(WeightsError) as err:
        build_metric("align.clip").protocol()
    assert "\n" not in str(err.value) and "no CLIP weights at" in str(err.value) and "T2V_CLIP_PATH" in str(err.value)
    (tmp_path / "half").mkdir()
    with pytest.raises(WeightsError, match=r"lacks config\.json, model\.safetensors"):
        ClipScore(path=str(tmp_path / "half")).protocol()


def test_not_in_all_but_selectable_and_a_torchmetric(weights: Path) -> None:
    assert "align.clip" not in resolve_metrics("all")
    assert "align.clip" in resolve_metrics("align.*")
    from metrics.torchmetric import AlignClip

    m = AlignClip(path=str(weights))
    clip = frames(4)
    m.update(torch.from_numpy(clip[None]), blank_prompt())
    want = ClipScore(path=str(weights)).score(Clip(clip, 8.0, blank_prompt())).value
    assert float(m.compute()) == pytest.approx(want, abs=1e-3)


def test_an_alignment_model_for_mirror_gap(weights: Path) -> None:
    from metrics.align.models import build_align_model

    model = build_align_model("clip", str(weights)).to("cpu")
    assert model.protocol()["weights_sha256"] == sha256_file(weights / "model.safetensors")
    clip = frames(4, 3)
    s, m = model.score(clip[None], ["a red ball rolls left", "a red ball rolls right"])  # one clip, two texts
    scorer = load_clip_scorer(str(weights))
    assert [s, m] == pytest.approx(
        [scorer.frame_scores(clip, t).mean() for t in ("a red ball rolls left", "a red ball rolls right")]
    )


def test_min_over_frames_shares_the_scores(weights: Path) -> None:
    clip = Clip(frames(5, 7), 8.0, blank_prompt())
    mean = build_metric("align.clip", path=str(weights)).score(clip)
    low = build_metric("align.clip_min", path=str(weights)).score(clip)
    assert low.value == pytest.approx(min(mean.detail["per_frame"]), abs=1e-3) and low.detail == mean.detail
    assert [k for k in clip.cache if k.startswith("clip_scores:")] != []
    assert "align.clip_min" not in resolve_metrics("all") and resolve_metrics("align.clip*") == [
        "align.clip",
        "align.clip_min",
    ]
