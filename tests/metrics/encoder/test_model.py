"""The encoder's interface on tiny randomly initialised models built here: shapes, dtypes,
normalisation, inputs of any size and length, the tokenizer, save and load with checksums."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch

from metrics.encoder import EncoderConfig, Tokenizer, VideoTextEncoder, load_encoder, save_encoder
from metrics.encoder.model import frame_indices, preprocess
from metrics.encoder.tokenizer import UNK, build_vocab
from t2vbase.errors import WeightsError

VOCAB = ("<pad>", "<unk>", "a", "ball", "blue", "left", "of", "red", "right", "the", "to")


def tiny(**kw: object) -> VideoTextEncoder:
    torch.manual_seed(0)
    cfg = EncoderConfig(frames=4, height=16, width=24, dim=8, patch=2, widths=(4, 8, 8), frame_dim=8, text_dim=8,
                        text_layers=1, text_heads=2, max_len=12, vocab=VOCAB, **kw)  # fmt: skip
    return VideoTextEncoder(cfg).eval()


def clips(b: int, t: int, h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (b, t, h, w, 3), dtype=np.uint8)


def test_tokenizer_keeps_order_pads_and_maps_unknown_words() -> None:
    tok = Tokenizer(VOCAB, max_len=6)
    ids = tok.encode(["Red ball, left of the blue ball.", "zebra"])
    assert ids.dtype == np.int64 and ids.shape == (2, 6)
    assert [VOCAB[i] for i in ids[0]] == ["red", "ball", "left", "of", "the", "blue"]  # truncated at 6
    assert ids[1].tolist() == [UNK, 0, 0, 0, 0, 0]
    assert tok.encode(["red left of blue"]).tolist() != tok.encode(["blue left of red"]).tolist()


def test_tokenizer_refuses_a_vocab_without_specials() -> None:
    with pytest.raises(ValueError, match="must start with"):
        Tokenizer(["a", "b"])


def test_bundled_vocab_covers_the_suites_words() -> None:
    vocab = build_vocab(["zyzzyva"])
    assert vocab[:2] == ["<pad>", "<unk>"] and "leftward" in vocab and "magenta" in vocab and "zyzzyva" in vocab
    assert len(set(vocab)) == len(vocab)


@pytest.mark.parametrize("shape", [(2, 16, 32, 32), (1, 3, 48, 80), (3, 40, 20, 20)])
def test_encode_video_gives_unit_vectors_for_any_size_and_length(shape: tuple[int, ...]) -> None:
    m = tiny()
    with torch.no_grad():
        v = m.encode_video(clips(*shape))
    assert v.shape == (shape[0], 8) and v.dtype == torch.float32
    assert torch.allclose(v.norm(dim=-1), torch.ones(shape[0]), atol=1e-5)


def test_numpy_and_torch_inputs_agree_and_one_clip_is_a_batch_of_one() -> None:
    m, x = tiny(), clips(2, 6, 16, 24)
    with torch.no_grad():
        a = m.encode_video(x)
        b = m.encode_video(torch.from_numpy(x))
        c = m.encode_video(x[0])
    assert torch.allclose(a, b) and torch.allclose(a[:1], c, atol=1e-6)


def test_bad_video_input_is_refused() -> None:
    m = tiny()
    with pytest.raises(ValueError, match="uint8"):
        m.encode_video(np.zeros((1, 4, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match=r"\(B, T, H, W, 3\)"):
        m.encode_video(np.zeros((1, 4, 8, 8), np.uint8))


def test_encode_text_is_normalised_and_order_aware() -> None:
    m = tiny()
    with torch.no_grad():
        t = m.encode_text(["red left of blue", "blue left of red", "red left of blue"])
    assert t.shape == (3, 8) and torch.allclose(t.norm(dim=-1), torch.ones(3), atol=1e-5)
    assert not torch.allclose(t[0], t[1], atol=1e-4) and torch.allclose(t[0], t[2])
    with pytest.raises(TypeError):
        m.encode_text("red ball")


def test_score_is_the_cosine_of_each_pair() -> None:
    m, x = tiny(), clips(2, 4, 16, 24)
    texts = ["a red ball", "a blue ball"]
    s = m.score(x, texts)
    with torch.no_grad():
        want = (m.encode_video(x) * m.encode_text(texts)).sum(-1)
    assert len(s) == 2 and all(-1.0 <= v <= 1.0 for v in s)
    assert np.allclose(s, want.numpy(), atol=1e-6)
    assert len(m.score(x, ["a red ball"])) == 2  # one text is broadcast


def test_frames_are_sampled_evenly_and_resized_by_area() -> None:
    assert frame_indices(16, 8).tolist() == [0, 2, 4, 6, 9, 11, 13, 15]
    assert frame_indices(2, 4).tolist() == [0, 0, 1, 1]
    x = np.zeros((1, 3, 4, 4, 3), np.uint8)
    x[0, :, :, 2:] = 255  # right half white
    y = preprocess(x, 3, 2, 2)
    assert y.shape == (1, 3, 3, 2, 2)
    assert torch.allclose(y[0, 0, 0], torch.tensor([[-2.0, 2.0], [-2.0, 2.0]]))


def test_save_load_roundtrip_with_checksum(tmp_path: Path) -> None:
    m = tiny()
    path = save_encoder(m, tmp_path / "enc.pt")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / "SHA256SUMS").write_text(f"{digest}  enc.pt\n")
    got = load_encoder(path)
    assert got.sha256 == digest and got.protocol()["weights_sha256"] == digest
    assert got.config == m.config
    x = clips(1, 4, 16, 24)
    assert np.allclose(got.score(x, ["a red ball"]), m.score(x, ["a red ball"]), atol=1e-6)
    p = got.protocol()
    assert p["frames"] == 4 and p["size"] == [16, 24] and "0.25" in p["value_range"]


def test_a_corrupt_or_missing_weights_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = save_encoder(tiny(), tmp_path / "enc.pt")
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  enc.pt\n")
    with pytest.raises(WeightsError, match=r"enc\.pt has sha256"):
        load_encoder(path)
    with pytest.raises(WeightsError, match="not found"):
        load_encoder(tmp_path / "nope.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a model")
    with pytest.raises(WeightsError, match=r"junk\.pt"):
        load_encoder(tmp_path / "junk.pt")


def test_encode_frames_gives_one_vector_per_frame_and_sees_each_frame() -> None:
    m, x = tiny(), clips(2, 7, 16, 24)
    with torch.no_grad():
        f = m.encode_frames(x)
        same = m.encode_frames(np.repeat(x[:, :1], 7, axis=1))
    assert f.shape == (2, 7, 8) and f.dtype == torch.float32
    assert torch.allclose(same[:, 0], same[:, 3], atol=1e-5)  # a frozen clip: equal frame features
    assert not torch.allclose(f[:, 0], f[:, 3], atol=1e-4)


def test_layout_heads_enter_the_score_as_the_mean_with_the_cosine() -> None:
    """With layout heads the score is (cosine + signed layout agreement) / 2, still a dot product
    of ``align_video`` and ``align_text``, in [-1, 1]; ``encode_video`` stays the plain unit vector."""
    m, x = tiny(halves=2), clips(2, 4, 16, 24)
    texts = ["red ball left of blue ball", "blue ball left of red ball"]
    assert m.config.colours and m.config.halves == 2
    with torch.no_grad():
        v, lv = m.video(m.preprocess(x))
        t, lt = m.text(torch.from_numpy(m.tokenizer.encode(texts)))
        assert lv.shape == lt.shape == (2, 2, len(m.config.colours))
        agree = ((2 * lv - 1) * (2 * lt - 1)).flatten(1).mean(1)
        want = 0.5 * (torch.nn.functional.normalize(v, dim=-1) * torch.nn.functional.normalize(t, dim=-1)).sum(1)
        want = want + 0.5 * agree
        assert torch.allclose(m.encode_video(x), torch.nn.functional.normalize(v, dim=-1), atol=1e-6)
    s = m.score(x, texts)
    assert np.allclose(s, want.numpy(), atol=1e-6) and all(-1.0 <= v <= 1.0 for v in s)


def test_a_model_with_layout_heads_saves_and_loads(tmp_path: Path) -> None:
    m = tiny(halves=2)
    path = save_encoder(m, tmp_path / "w.pt")
    back = load_encoder(path, reuse=False)
    assert back.config.halves == 2 and back.config.colours == m.config.colours
    x = clips(1, 4, 16, 24)
    assert back.score(x, ["red ball"]) == m.score(x, ["red ball"])


def test_layout_per_span_of_time_reads_the_halves_of_each_span() -> None:
    """``times = 2``, ``layout = "pixels"``: one layout per half of the frames; a clip that shows
    its first frames' left half in its last frames gives the same probabilities, spans swapped."""
    m = tiny(halves=2, times=2, layout="pixels")
    x = clips(1, 4, 16, 24)
    swapped = np.concatenate([x[:, 2:], x[:, :2]], 1)
    with torch.no_grad():
        _, lv = m.video(m.preprocess(x))
        _, back = m.video(m.preprocess(swapped))
        _, lt = m.text(torch.from_numpy(m.tokenizer.encode(["red ball left of blue ball"])))
    C = len(m.config.colours)
    assert lv.shape == lt.shape == (1, 4, C)  # (span, half) in order: span 0 left, right, span 1 left, right
    assert torch.allclose(lv[:, :2], back[:, 2:], atol=1e-6) and torch.allclose(lv[:, 2:], back[:, :2], atol=1e-6)
    assert not torch.allclose(lv[:, :2], lv[:, 2:], atol=1e-4)  # the spans see different frames
    s = m.score(x, ["red ball left of blue ball"])
    assert -1.0 <= s[0] <= 1.0


def test_a_pixel_layout_reads_where_a_colour_is() -> None:
    """The pixel reader is local and pools per half: a patch in the left half changes the left
    half's probabilities and leaves the right half's as on the blank clip."""
    m = tiny(halves=2, times=1, layout="pixels")
    blank = np.full((1, 4, 16, 24, 3), 180, np.uint8)
    x = blank.copy()
    x[:, :, 4:10, 2:8] = (215, 38, 38)
    with torch.no_grad():
        _, a = m.video(m.preprocess(x))
        _, b = m.video(m.preprocess(blank))
    assert torch.allclose(a[:, 1], b[:, 1], atol=1e-6)
    assert not torch.allclose(a[:, 0], b[:, 0], atol=1e-4)


def test_a_model_with_layout_spans_saves_and_loads(tmp_path: Path) -> None:
    m = tiny(halves=2, times=2, layout="pixels")
    back = load_encoder(save_encoder(m, tmp_path / "w.pt"), reuse=False)
    assert (back.config.times, back.config.layout) == (2, "pixels")
    x = clips(1, 4, 16, 24)
    assert back.score(x, ["red ball"]) == m.score(x, ["red ball"])
