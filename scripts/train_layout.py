"""Train the embedded encoder's layout heads alone, per span of time (tiny-v3 from tiny-v2).

    git show 130c7a1:metrics/encoder/weights/tiny-v2.pt > /tmp/tiny-v2.pt   # tiny-v2 left the tree
    python scripts/train_layout.py --init /tmp/tiny-v2.pt --out /tmp/stage5.pt            # ~11 min, 1 thread
    python scripts/train_layout.py --init /tmp/stage5.pt --video-steps 0 --tagger-steps 0 \
        --layout-weight 3                                 # -> metrics/encoder/weights/tiny-v3.pt

tiny-v2's layout heads said which colours each half of the frame shows, averaged over the whole
clip, and learnt it from still scenes only: for anything that moves (a car heading left, a pan)
the layout agreement was noise and the score rested on the cosine alone, which was what failed
on clips drawn by another renderer. Here the heads see ``--times`` spans of the clip (the first
and the second half of its frames): "a red car drives from left to right" puts red on the left
early and on the right late, which a time-averaged layout cannot say.

Only the heads train (the video tower's layout linear on frozen cells, the text tower's word
tagger on frozen words), so the embeddings that ``align.video_text``'s cosine, ``dist`` and
``temporal`` read stay exactly tiny-v2's. Targets come from the world's ground truth: per clip
the colours per half at each sampled frame (after the camera, occluders and faults; see
``encoder_data.frame_layout``), per text what its unjittered scene shows, and per word the halves
of the thing it names. Every clip is also seen flipped with its halves swapped, every text that
names a side also mirrored. Every suite text (and its mirror) is held out; the figures printed at
the end are the core suite at render seeds never used in training.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import encoder_data as data  # noqa: E402
import train_encoder as te  # noqa: E402

from metrics.encoder import EncoderConfig, VideoTextEncoder, save_encoder  # noqa: E402
from metrics.encoder.load import load_encoder  # noqa: E402
from metrics.encoder.tokenizer import words  # noqa: E402
from prompts import Prompt  # noqa: E402
from prompts.mirror import mirror_text  # noqa: E402


def widen(init: VideoTextEncoder, times: int, reads: str, weight: float) -> VideoTextEncoder:
    """``init`` with layout heads over ``times`` spans, the video one reading ``reads`` (cells or
    pixels): every other weight kept, the word tagger's side head repeated per span (a still
    scene stands in the same halves in every span)."""
    cfg = {**init.config.__dict__, "times": times, "layout": reads, "layout_weight": weight}
    model = VideoTextEncoder(EncoderConfig(**cfg))
    fresh = reads != init.config.layout
    state = {k: v for k, v in init.state_dict().items() if not (fresh and k.startswith("video.layout."))}
    for k in ("text.side.weight", "text.side.bias"):
        state[k] = state[k].repeat(times // init.config.times, *([1] * (state[k].ndim - 1)))
    missing = model.load_state_dict(state, strict=False).missing_keys
    assert all(k.startswith("video.layout.") for k in missing), missing
    return model.eval()


def spans(layout: np.ndarray, times: int) -> np.ndarray:
    """``(..., FRAMES, 2, C)`` per-frame layout -> ``(..., times * 2, C)``: present in a half in a
    span if present there in any of its frames (the video tower's :meth:`windows`)."""
    parts = np.array_split(np.arange(layout.shape[-3]), times)
    out = np.stack([layout[..., p, :, :].max(-3) for p in parts], -3)
    return out.reshape(*out.shape[:-3], times * 2, out.shape[-1])


def flip_halves(y: np.ndarray) -> np.ndarray:
    """Swap left and right in ``(..., times * 2, C)`` (a flipped clip, a mirrored text)."""
    return y.reshape(*y.shape[:-2], -1, 2, y.shape[-1])[..., ::-1, :].reshape(y.shape).copy()


@torch.no_grad()
def read_layouts(model: VideoTextEncoder, clips: np.ndarray, batch: int = 128) -> torch.Tensor:
    """The video layout head's probabilities ``(N, times * halves, colours)``."""
    return torch.cat([model.video(te.to_input(clips[i : i + batch]))[1] for i in range(0, len(clips), batch)])


def load_clips(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """Every rendered training clip and its per-frame layout (the chunks of ``encoder_data``)."""
    chunks = [data.train_chunk(args.cache, k) for k in range(args.chunks)]
    chunks += [data.relation_chunk(args.cache, k, 600) for k in range(args.relation_chunks)]
    chunks += [c for c in (data.sided_chunk(args.cache, 100 + k) for k in range(args.sided_chunks)) if c]
    return np.concatenate([c.clips for c in chunks]), np.concatenate([c.layout for c in chunks])


def train_video_head(model: VideoTextEncoder, clips: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> None:
    """The video tower's pixel colour reader on ``clips`` (each flipped half of the time, its halves
    swapped) and their span layouts ``y``."""
    head = model.video.layout
    assert head is not None
    opt = torch.optim.AdamW(head.parameters(), lr=args.video_lr, weight_decay=1e-4)
    rng = np.random.default_rng(args.seed)
    head.train()
    start = time.time()
    for step in range(args.video_steps):
        for g in opt.param_groups:
            g["lr"] = te.lr_at(step, args.video_steps, args.video_lr, warmup=20)
        idx = rng.integers(len(clips), size=args.video_batch)
        flip = rng.random(args.video_batch) < 0.5
        batch = np.stack([c[:, :, ::-1] if f else c for c, f in zip(clips[idx], flip, strict=True)])
        target = np.where(flip[:, None, None], flip_halves(y[idx]), y[idx])
        got = head(te.to_input(batch), model.config.times)
        loss = F.binary_cross_entropy(got.clamp(1e-6, 1 - 1e-6), torch.from_numpy(target))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 500 == 0 or step == args.video_steps - 1:
            te.log(f"video head step {step:5d}  bce {float(loss.detach()):.4f}  {time.time() - start:.0f}s", args.log)


@dataclass
class TextItem:
    """A text's frozen transformer words and its targets: layout, per word colour and halves."""

    words: torch.Tensor  # (L, d)
    layout: np.ndarray  # (times * 2, C)
    colour: np.ndarray  # (L,) colour index of the thing the word names, -1 for any other word
    side: np.ndarray  # (L, times * 2) its halves per span (0 for any other word)


def word_tags(
    text: str, groups: dict[str, tuple[str, np.ndarray]], p: Prompt, times: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per word of ``text``: the colour index and halves per span of the thing whose noun it is."""
    from prompts import COLOR_NAMES

    tokens = words(text)
    colour = np.full(len(tokens), -1, np.int64)
    side = np.zeros((len(tokens), times * 2), np.float32)
    for e in p.expect.objects if p.expect else []:
        if e.id not in groups or not e.noun or groups[e.id][0] not in COLOR_NAMES:
            continue
        name, halves = groups[e.id]
        head = words(e.noun)[-1]
        for i, w in enumerate(tokens):
            if w == head:
                colour[i] = COLOR_NAMES.index(name)
                side[i] = spans(halves[:, :, None], times)[:, 0]
    return colour, side


def text_items(model: VideoTextEncoder, prompts: list[Prompt], times: int) -> list[TextItem]:
    """Targets of every prompt's text (and, naming a side, of its mirror with the halves swapped)."""
    raw = []
    for p in prompts:
        layout, groups = data.text_layout(p)
        y = spans(layout, times).astype(np.float32)
        colour, side = word_tags(p.text, groups, p, times)
        raw.append((p.text, y, colour, side))
        if mirror_text(p.text) != p.text:
            m = mirror_text(p.text)
            if len(words(m)) == len(colour):  # the same words, left and right swapped
                raw.append((m, flip_halves(y), colour, flip_halves(side[:, :, None])[:, :, 0]))
    out = []
    with torch.no_grad():
        for i in range(0, len(raw), 256):
            part = raw[i : i + 256]
            ids = torch.from_numpy(model.tokenizer.encode([r[0] for r in part]))
            pad = ids == 0
            x = model.text.norm(
                model.text.encoder(model.text.embed(ids) + model.text.pos[: ids.shape[1]], src_key_padding_mask=pad)
            )
            for (_text, y, colour, side), xi, pi in zip(part, x, pad, strict=True):
                n = int((~pi).sum())
                out.append(TextItem(xi[:n].clone(), y, colour[:n], side[:n]))
    return out


def tagger_loss(model: VideoTextEncoder, items: list[TextItem]) -> torch.Tensor:
    """BCE of the text layout (noisy-or of the tags), of every word's colour and of the named
    words' halves per span."""
    L = max(len(it.words) for it in items)
    x = torch.zeros(len(items), L, items[0].words.shape[1])
    pad = torch.ones(len(items), L, dtype=torch.bool)
    y_col = torch.zeros(len(items), L, len(model.config.colours))
    y_side = torch.zeros(len(items), L, items[0].side.shape[1])
    named = torch.zeros(len(items), L, dtype=torch.bool)
    for i, it in enumerate(items):
        n = len(it.words)
        x[i, :n], pad[i, :n] = it.words, False
        hit = np.flatnonzero(it.colour[:n] >= 0)
        y_col[i, hit, it.colour[hit]] = 1.0
        y_side[i, :n] = torch.from_numpy(it.side[:n])
        named[i, hit] = True
    colour, side = model.text.tag_words(x, pad)
    assert colour is not None and side is not None
    bag = model.text.bag(colour, side)
    y_bag = torch.from_numpy(np.stack([it.layout for it in items]))
    bce = F.binary_cross_entropy
    loss = bce(bag.clamp(1e-6, 1 - 1e-6), y_bag) + bce(colour[~pad].clamp(1e-6, 1 - 1e-6), y_col[~pad])
    if named.any():
        loss = loss + bce(side[named].clamp(1e-6, 1 - 1e-6), y_side[named])
    return loss


def train_tagger(model: VideoTextEncoder, items: list[TextItem], args: argparse.Namespace) -> None:
    """The word tagger on per-span layout targets of texts (never rendered)."""
    te.fit_tagger(model, lambda rng: tagger_loss(model, rng.sample(items, args.text_batch)), args, args.log, warmup=20)


def training_prompts(args: argparse.Namespace) -> list[Prompt]:
    """The prompts of the rendered chunks and of ``--text-seeds`` more generator seeds (texts
    only), suite texts and their mirrors left out."""
    held_out = data.suite_texts()
    seeds = list(range(args.chunks)) + [100 + k for k in range(args.sided_chunks)]
    seeds += [200 + k for k in range(args.text_seeds)]
    prompts: list[Prompt] = []
    for k in seeds:
        with contextlib.suppress(IndexError, RuntimeError):  # some seeds cannot draw every case
            prompts += data.generated_prompts(k)
    prompts += [p for k in range(args.relation_chunks) for p in data.relation_prompts(k, 600)]
    seen: set[str] = set()
    out = []
    for p in prompts:
        if p.scene is not None and p.text not in held_out and p.text not in seen:
            seen.add(p.text)
            out.append(p)
    return out


@torch.no_grad()
def layout_figures(model: VideoTextEncoder, chunk: data.Chunk) -> dict[str, str]:
    """How well the video layout head reads held-out clips (the core suite, plain renders): per
    span, half and colour, the share of present colours it finds and of absent ones it claims."""
    got = read_layouts(model, chunk.clips).numpy() > 0.5
    want = spans(chunk.layout, model.config.times) > 0
    exact = (got == want).all((1, 2))
    return {
        "video layout: colours present found (recall)": f"{got[want].mean():.3f}",
        "video layout: colours absent claimed": f"{got[~want].mean():.4f}",
        "video layout: clips read exactly": f"{exact.mean():.3f}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", type=Path, required=True, help="tiny-v2.pt (see above) or an earlier stage")
    ap.add_argument("--out", type=Path, default=ROOT / "metrics" / "encoder" / "weights" / "tiny-v3.pt")
    ap.add_argument("--times", type=int, default=2)
    ap.add_argument("--layout-weight", type=float, default=1.0, help="the layout agreement's weight in a score")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--chunks", type=int, default=4, help="rendered chunks of generated prompts")
    ap.add_argument("--relation-chunks", type=int, default=6)
    ap.add_argument("--sided-chunks", type=int, default=12)
    ap.add_argument("--text-seeds", type=int, default=24, help="more generator seeds, texts only")
    ap.add_argument("--video-steps", type=int, default=1200)
    ap.add_argument("--video-batch", type=int, default=32)
    ap.add_argument("--video-lr", type=float, default=1e-2)
    ap.add_argument("--tagger-steps", type=int, default=500)
    ap.add_argument("--text-batch", type=int, default=256)
    ap.add_argument("--tagger-lr", type=float, default=3e-3)
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "t2vbench" / "encoder")
    ap.add_argument("--log", type=Path, default=ROOT / "scripts" / "train_encoder.log")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    te.log(
        f"train_layout: {' '.join(f'--{k}={v}' for k, v in vars(args).items() if k not in ('cache', 'log'))}", args.log
    )
    t0 = time.time()
    init = load_encoder(args.init, reuse=False)
    te.log(f"init: {args.init} sha256 {init.sha256}", args.log)
    model = widen(init, args.times, "pixels", args.layout_weight)
    items = text_items(model, training_prompts(args), args.times) if args.tagger_steps else []
    te.log(f"text: {len(items)} texts with targets ({time.time() - t0:.0f}s)", args.log)
    if args.video_steps:
        clips, layout = load_clips(args)
        te.log(f"video: {len(clips)} clips ({time.time() - t0:.0f}s)", args.log)
        train_video_head(model, clips, spans(layout, args.times).astype(np.float32), args)
        model.eval()
        save_encoder(model, args.out.with_suffix(".video.pt"))  # to train the tagger again from here
    if items:
        train_tagger(model, items, args)
    held_out = data.eval_chunk(args.cache)
    for k, v in {**layout_figures(model, held_out), **te.evaluate(model, held_out)}.items():
        te.log(f"held out: {k:50s} {v}", args.log)
    digest = te.write_sums(save_encoder(model, args.out))
    te.log(f"weights: {args.out.name} sha256 {digest}; total {time.time() - t0:.0f}s", args.log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
