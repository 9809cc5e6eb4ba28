"""A tiny LTX-Video pipeline with random weights, saved as a real diffusers pipeline folder.

For trying ``diffusers:`` end to end (and the GPU path) without downloading a checkpoint:

    python -m model.tiny_diffusers /tmp/tiny-ltx
    t2vbench run --generator diffusers:/tmp/tiny-ltx,steps=2 --frames 9 --height 32 --width 32

It is a real ``LTXPipeline`` (transformer, VAE, T5 text encoder, a word-level tokenizer, flow
matching scheduler) at a few thousand parameters: the clips are noise, the code path is the one a
real checkpoint takes. Needs the ``diffusers`` extra.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

WORDS = [
    "a",
    "an",
    "the",
    "red",
    "green",
    "blue",
    "yellow",
    "orange",
    "purple",
    "cyan",
    "magenta",
    "white",
    "black",
    "gray",
    "brown",
    "ball",
    "cube",
    "car",
    "box",
    "wall",
    "rolls",
    "moves",
    "falls",
    "to",
    "of",
    "left",
    "right",
    "behind",
    "in",
    "front",
    "on",
    "and",
    "camera",
    "pans",
]


def _tokenizer(max_length: int) -> object:
    """A word-level tokenizer built here (no vocabulary file to download)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for w in WORDS:
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=max_length
    )


def build_tiny_ltx(seed: int = 0) -> object:
    """An ``LTXPipeline`` with random weights (deterministic for ``seed``)."""
    import torch
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXPipeline
    from diffusers import LTXVideoTransformer3DModel as Transformer
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(seed)
    transformer = Transformer(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=32,
    )
    four = (8, 8, 8, 8)
    vae = AutoencoderKLLTXVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=8,
        block_out_channels=four,
        decoder_block_out_channels=four,
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1),
        timestep_conditioning=False,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    config = T5Config(
        vocab_size=64, d_model=32, d_kv=8, d_ff=37, num_layers=1, num_heads=4, relative_attention_num_buckets=8
    )
    return LTXPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=T5EncoderModel(config),
        tokenizer=_tokenizer(128),
    )


def save_tiny_ltx(path: str | Path, seed: int = 0) -> Path:
    """Build the tiny pipeline and save it to ``path`` (a folder ``diffusers:`` loads)."""
    out = Path(path)
    build_tiny_ltx(seed).save_pretrained(str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", type=Path, help="folder to write the pipeline to")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    args = ap.parse_args(argv)
    print(save_tiny_ltx(args.path, args.seed))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
