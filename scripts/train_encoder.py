"""Train the embedded video–text encoder tiny-v2 on the reference world (tiny-v3 is tiny-v2 with its
layout heads retrained by ``scripts/train_layout.py``; tiny-v2.pt is in git history, commit 130c7a1).
tiny-v2 was trained on ``encoder_data`` clips of DATA_VERSION v1 (that commit); v2 adds colour
casts and blur, which draw from the same random stream, so a rerun now gives other weights.

    python scripts/train_encoder.py --out /tmp/stage1.pt          # stage 1: 400 steps from a random init
    python scripts/train_encoder.py --init /tmp/stage1.pt --sided-chunks 12 --steps 150 --lr 1e-3 \
        --out /tmp/stage2.pt                                      # stage 2 (was tiny-v1.pt)
    python scripts/train_encoder.py --init /tmp/stage2.pt --sided-chunks 12 --relation-chunks 8 \
        --halves 2 --text-pairs 6000 --text-batch 192 --steps 160 --lr 2e-3 --eval-every 80 --out /tmp/stage3.pt
    python scripts/train_encoder.py --init /tmp/stage3.pt --sided-chunks 12 --relation-chunks 8 --halves 2 \
        --text-pairs 6000 --text-batch 192 --steps 0 --tagger-steps 300 --tagger-lr 4e-3
                                                                  # stage 4 -> tiny-v2.pt (--out)
    python scripts/train_encoder.py --eval-only --out metrics/encoder/weights/tiny-v3.pt   # evaluate weights

The committed weights are stage 4 (about 23 + 10 + 19 + 21 minutes here on a shared CPU, with
clip rendering cached).
Stage 2 adds still left/right prompts from 12 more generator seeds; stage 3 adds the layout heads
(``--halves 2``: which colours each half of the frame shows, from the video cells and from the
words), 8 chunks of left/right pairs drawn straight from the spatial generator (half of every
batch) and 6000 unrendered generator texts whose words are tagged from their scenes; stage 4
trains only the text tower's word tagger on those texts (160 joint steps had left it at chance).

Reproducible from ``--seed`` (same clips, batches and initialisation; same threads give the same
weights). Clips come from ``scripts/encoder_data.py``: prompts of the core generator drawn with
other seeds (the core suite itself is held out for evaluation), rendered with shaded palettes,
textured backgrounds, noise and H.264 at several crf, cached in ``~/.cache/t2vbench/encoder``.

Loss: symmetric multi-positive InfoNCE over the batch's clips and texts, with hard negatives:
the mirrored text (left/right swapped) of a clip, the horizontally flipped clip (whose positive
is the mirrored text: hflip(clip) <-> mirror(prompt)), the clip played backwards (prompts with
motion), a clip with a contradicting fault (mirror, reverse, recolor, duplicate, vanish, ...),
the text with its colours swapped, another count; plus a logistic term on score(clip, text) -
score(clip, mirrored text). With layout heads, binary cross-entropy of both towers' colours per
half on still scenes (targets from the prompt's scene; a flipped clip or a mirrored text swaps
the halves) and of the text tagger's per-word colour and halves. Every suite text (and its
mirror) is held out of every chunk; held-out figures use the core suite at render seeds never
used in training. The log (this script's output) is committed beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import encoder_data as data  # noqa: E402

from metrics.encoder import EncoderConfig, VideoTextEncoder, build_vocab, save_encoder  # noqa: E402
from prompts import COLOR_NAMES, load_suite  # noqa: E402
from prompts.mirror import mirror_text  # noqa: E402

NUMBERS = ("two", "three", "four", "five", "six")
_COLOUR = re.compile(r"\b(" + "|".join(COLOR_NAMES) + r")\b")
_NUMBER = re.compile(r"\b(" + "|".join(NUMBERS) + r")\b")


def colour_negative(text: str, rng: random.Random) -> str | None:
    """``text`` with its first two colours swapped, or its one colour replaced."""
    found = list(dict.fromkeys(_COLOUR.findall(text)))
    if len(found) >= 2:
        a, b = found[:2]
        return _COLOUR.sub(lambda m: b if m.group(0) == a else a if m.group(0) == b else m.group(0), text)
    if found:
        other = rng.choice([c for c in COLOR_NAMES if c != found[0]])
        return _COLOUR.sub(lambda m: other if m.group(0) == found[0] else m.group(0), text)
    return None


def count_negative(text: str, rng: random.Random) -> str | None:
    """``text`` with its first count word replaced by another."""
    m = _NUMBER.search(text)
    if m is None:
        return None
    other = rng.choice([n for n in NUMBERS if n != m.group(0)])
    return text[: m.start()] + other + text[m.end() :]


@dataclass
class Pool:
    """All training clips; per text: clean clip indices, faulty ones, motion, mirror."""

    clips: np.ndarray
    texts: list[str]
    clean: list[list[int]] = field(default_factory=list)
    faulty: list[list[int]] = field(default_factory=list)
    motion: list[bool] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)
    relation: list[bool] = field(default_factory=list)  # from a relation chunk (sampled apart)
    halves: dict[str, np.ndarray] = field(default_factory=dict)  # text -> colours per half (still scenes)

    def target(self, text: str) -> np.ndarray | None:
        """Which colours a clip of ``text`` shows in each half (the mirrored text: halves swapped)."""
        if text in self.halves:
            return self.halves[text]
        got = self.halves.get(mirror_text(text))
        return None if got is None else got[::-1].copy()


def text_weight(text: str, moving: bool) -> float:
    if mirror_text(text) == text:
        return 1.0
    return 2.0 if moving else 3.0


def make_pool(chunks: list[data.Chunk], relation: int = 0) -> Pool:
    """The texts and clips of ``chunks``; the last ``relation`` chunks are relation chunks."""
    index: dict[str, int] = {}
    pool = Pool(np.concatenate([c.clips for c in chunks]), [])
    offset = 0
    for n, c in enumerate(chunks):
        ids = []
        for t, moving in zip(c.texts, c.motion, strict=True):
            if t not in index:
                index[t] = len(pool.texts)
                pool.texts.append(t)
                pool.clean.append([])
                pool.faulty.append([])
                pool.motion.append(bool(moving))
                pool.weight.append(text_weight(t, bool(moving)))
                pool.relation.append(n >= len(chunks) - relation)
            ids.append(index[t])
        for i, (t, bad) in enumerate(zip(c.text, c.faulty, strict=True)):
            (pool.faulty if bad else pool.clean)[ids[t]].append(offset + i)
        offset += len(c.clips)
    return pool


@dataclass
class Batch:
    videos: torch.Tensor  # (V, T, 3, H, W) normalised
    texts: list[str]
    positive: torch.Tensor  # (V, S) bool: video v shows text s
    mirror: list[tuple[int, int, int]]  # (video, text, mirrored text) for the logistic term
    video_halves: list[np.ndarray | None]  # per video: its colours per half, if known
    text_halves: list[np.ndarray | None]  # per text naming a side: the colours it puts in each half


def to_input(clips: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(np.ascontiguousarray(clips)).float()
    return ((x / 255.0 - 0.5) / 0.25).permute(0, 1, 4, 2, 3).contiguous()


def weighted_sample(pool: Pool, rng: random.Random, size: int, relation_share: float = 0.0) -> list[int]:
    """``size`` distinct texts; those naming a side weigh 2, static left/right relations 3 (the
    hardest: which object is which must be read from the nouns and colours). A share
    ``relation_share`` of them comes uniformly from the relation chunks (thousands of texts that
    would otherwise crowd out every other family)."""
    rel = [i for i, c in enumerate(pool.clean) if c and pool.relation[i]]
    n_rel = min(len(rel), round(size * relation_share)) if rel else 0
    ids = [i for i, c in enumerate(pool.clean) if c and not pool.relation[i]]
    weight = [pool.weight[i] for i in ids]
    keys = [rng.random() ** (1.0 / w) for w in weight]
    return [ids[j] for j in sorted(range(len(ids)), key=lambda j: -keys[j])[: size - n_rel]] + rng.sample(rel, n_rel)


def sample_batch(pool: Pool, rng: random.Random, size: int, relation_share: float = 0.0) -> Batch:
    """``size`` distinct prompts, each with its clip, mirrored pair and hard negatives."""
    videos: list[np.ndarray] = []
    owner: list[str | None] = []
    halves: list[np.ndarray | None] = []
    negatives: list[str] = []
    for t in weighted_sample(pool, rng, size, relation_share):
        text, clip = pool.texts[t], pool.clips[rng.choice(pool.clean[t])]
        mirrored, target = mirror_text(text), pool.target(text)
        swapped = None if target is None else target[::-1].copy()
        flip = mirrored == text and rng.random() < 0.5  # a text with no side: flipping is augmentation
        videos.append(clip[:, :, ::-1] if flip else clip)
        owner.append(text)
        halves.append(swapped if flip else target)
        if mirrored != text:
            videos.append(clip[:, :, ::-1])
            owner.append(mirrored)
            halves.append(swapped)
        if pool.motion[t] and rng.random() < 0.5:
            videos.append(clip[::-1])
            owner.append(None)
            halves.append(None)
        if pool.faulty[t] and rng.random() < 0.7:
            videos.append(pool.clips[rng.choice(pool.faulty[t])])
            owner.append(None)
            halves.append(None)
        negatives += [n for n in (colour_negative(text, rng), count_negative(text, rng)) if n]
    texts = list(dict.fromkeys([o for o in owner if o is not None] + negatives))
    col = {s: i for i, s in enumerate(texts)}
    positive = torch.zeros(len(videos), len(texts), dtype=torch.bool)
    mirror = []
    for v, o in enumerate(owner):
        if o is not None:
            positive[v, col[o]] = True
            m = mirror_text(o)
            if m != o:
                mirror.append((v, col[o], col[m]))
    sides = [pool.target(s) if mirror_text(s) != s else None for s in texts]
    return Batch(to_input(np.stack(videos)), texts, positive, mirror, halves, sides)


def halves_loss(logits: torch.Tensor | None, targets: list[np.ndarray | None]) -> torch.Tensor:
    """Binary cross-entropy of the layout logits on the rows whose colours per half are known."""
    keep = [i for i, y in enumerate(targets) if y is not None]
    if logits is None or not keep:
        return torch.zeros(())
    y = torch.from_numpy(np.stack([targets[i] for i in keep]))
    return F.binary_cross_entropy(logits[keep].clamp(1e-6, 1 - 1e-6), y)


def contrastive_loss(model: VideoTextEncoder, b: Batch) -> tuple[torch.Tensor, dict[str, float]]:
    vec, lv = model.video(b.videos)
    ids = model.tokenizer.encode(b.texts)
    tvec, lt = model.text(torch.from_numpy(ids[:, : int((ids > 0).sum(1).max())]))  # no all-padding columns
    cos = model.joint(vec, lv) @ model.joint(tvec, lt).T
    s = cos * model.logit_scale.clamp(max=4.6).exp()
    neg_inf = torch.finfo(s.dtype).min
    rows = b.positive.any(1)
    cols = b.positive.any(0)
    v2t = torch.logsumexp(s[rows], 1) - torch.logsumexp(s[rows].masked_fill(~b.positive[rows], neg_inf), 1)
    t2v = torch.logsumexp(s[:, cols], 0) - torch.logsumexp(s[:, cols].masked_fill(~b.positive[:, cols], neg_inf), 0)
    idx = torch.tensor(b.mirror, dtype=torch.long).reshape(-1, 3)
    gap = cos[idx[:, 0], idx[:, 1]] - cos[idx[:, 0], idx[:, 2]]
    mirror = F.softplus(-20.0 * gap).mean() if len(idx) else cos.new_zeros(())
    layout = halves_loss(lv, b.video_halves) + halves_loss(lt, b.text_halves)
    loss = 0.5 * (v2t.mean() + t2v.mean()) + mirror + layout
    parts = {"v2t": v2t.mean(), "t2v": t2v.mean(), "mirror": mirror, "halves": layout}
    return loss, {k: float(v.detach()) for k, v in parts.items()}


@torch.no_grad()
def embed_clips(model: VideoTextEncoder, clips: np.ndarray, batch: int = 64) -> torch.Tensor:
    return torch.cat([model.align_inputs(to_input(clips[i : i + batch])) for i in range(0, len(clips), batch)])


@torch.no_grad()
def embed_texts(model: VideoTextEncoder, texts: list[str]) -> torch.Tensor:
    return torch.cat([model.align_text(texts[i : i + 256]) for i in range(0, len(texts), 256)])


def share(ok: list[bool]) -> str:
    return f"{np.mean(ok):.3f} ({sum(ok)}/{len(ok)})" if ok else "n/a"


#: The held-out figures logged during training (``--eval-every``).
PROGRESS = ("left/right relation (spatial family)", "mirror gap > 0, every core prompt with a side")


@torch.no_grad()
def evaluate(model: VideoTextEncoder, chunk: data.Chunk) -> dict[str, str]:
    """Held-out figures on the core suite (prompts never trained on, render seeds never used)."""
    model.eval()
    prompts = {p.text: p for p in load_suite("core").prompts}
    v = embed_clips(model, chunk.clips)
    vf = embed_clips(model, chunk.clips[:, :, :, ::-1])
    texts = [chunk.texts[i] for i in chunk.text]
    t = embed_texts(model, chunk.texts)
    top1 = ((v @ t.T).argmax(1) == torch.from_numpy(chunk.text)).tolist()
    rng = random.Random(0)

    def gap(other: list[str | None], vids: torch.Tensor = v) -> list[tuple[int, float]]:
        keep = [i for i, o in enumerate(other) if o is not None]
        if not keep:
            return []
        a = (vids[keep] * embed_texts(model, [texts[i] for i in keep])).sum(1)
        b = (vids[keep] * embed_texts(model, [other[i] for i in keep])).sum(1)
        return list(zip(keep, (a - b).tolist(), strict=True))

    mirrors = [mirror_text(x) if mirror_text(x) != x else None for x in texts]
    fam = [prompts[x].family for x in texts]
    paired = [prompts[x].mirror is not None for x in texts]
    mg, mgf = gap(mirrors), gap(mirrors, vf)
    out = {
        "retrieval top-1 among the 448 core prompts": share(top1),
        "mirror gap > 0, every core prompt with a side": share([g > 0 for _, g in mg]),
        "mirror gap > 0, the suite's mirror pairs": share([g > 0 for i, g in mg if paired[i]]),
        "mirror gap < 0 on the flipped clip": share([g < 0 for _, g in mgf]),
        "left/right relation (spatial family)": share([g > 0 for i, g in mg if fam[i] == "spatial"]),
        "left/right motion (direction family)": share([g > 0 for i, g in mg if fam[i] == "direction"]),
        "pan direction (camera family)": share([g > 0 for i, g in mg if fam[i] == "camera"]),
        "colour: text beats colour-swapped text": share(
            [g > 0 for _, g in gap([colour_negative(x, rng) for x in texts])]
        ),
        "count: text beats another count": share([g > 0 for _, g in gap([count_negative(x, rng) for x in texts])]),
        "mean mirror gap": f"{np.mean([g for _, g in mg]):.4f}",
    }
    return out


def layout_targets(args: argparse.Namespace, colours: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Text -> colours per half for every still scene of the training prompts (from their scenes)."""
    prompts = [p for k in range(args.chunks) for p in data.generated_prompts(k)]
    for k in range(args.sided_chunks):
        with contextlib.suppress(IndexError):  # as in data.sided_chunk
            prompts += data.generated_prompts(100 + k)
    prompts += [p for k in range(args.relation_chunks) for p in data.relation_prompts(k, args.relation_pairs)]
    out = {p.text: data.halves_target(p, colours) for p in prompts}
    return {t: y for t, y in out.items() if y is not None}


@dataclass
class TextTarget:
    """An unrendered text of a still scene: colours per half; per word its colour index and halves."""

    text: str
    halves: np.ndarray
    colour: np.ndarray
    side: np.ndarray


def text_only_targets(args: argparse.Namespace, colours: tuple[str, ...]) -> list[TextTarget]:
    """``--text-pairs`` relation prompts (generator seeds from 1000, never rendered) with their
    targets; suite texts are held out as for every chunk."""
    prompts = [p for k in range(1000, 1000 + -(-args.text_pairs // 600)) for p in data.relation_prompts(k, 600)]
    out = []
    for p in prompts[: args.text_pairs]:
        halves, tags = data.halves_target(p, colours), data.word_targets(p, colours)
        if halves is not None and tags is not None:
            out.append(TextTarget(p.text, halves, *tags))
    return out


def log(msg: str, file: Path | None) -> None:
    print(msg, flush=True)
    if file is not None:
        with file.open("a", encoding="utf-8") as f:
            f.write(msg + "\n")


def lr_at(step: int, steps: int, peak: float, warmup: int = 40) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * 0.5 * (1 + np.cos(np.pi * (step - warmup) / max(1, steps - warmup)))


def text_layout_loss(model: VideoTextEncoder, texts: list[TextTarget], rng: random.Random, size: int) -> torch.Tensor:
    """The text tower's layout head on ``size`` texts of still scenes that were never rendered
    (words cost nothing; which colour is on which side must be read from the sentence), each
    mirrored (halves swapped) half of the time: the colours per half, and per word the colour and
    halves of the thing it names (the other words: no colour)."""
    batch = rng.sample(texts, size)
    flip = [rng.random() < 0.5 for _ in batch]
    words = [mirror_text(b.text) if f else b.text for b, f in zip(batch, flip, strict=True)]
    ids = model.tokenizer.encode(words)
    ids = ids[:, : int((ids > 0).sum(1).max())]
    _, colour, side = model.text.tags(torch.from_numpy(ids))
    _, bag = model.text(torch.from_numpy(ids))
    L = ids.shape[1]
    y_bag = np.stack([b.halves[::-1] if f else b.halves for b, f in zip(batch, flip, strict=True)])
    y_col = np.zeros(colour.shape, np.float32)  # type: ignore[union-attr]
    y_side = np.zeros(side.shape, np.float32)  # type: ignore[union-attr]
    named = np.zeros(ids.shape, bool)
    for i, (b, f) in enumerate(zip(batch, flip, strict=True)):
        n = min(L, len(b.colour))
        hit = np.flatnonzero(b.colour[:n] >= 0)
        y_col[i, hit, b.colour[hit]] = 1.0
        y_side[i, :n] = b.side[:n, ::-1] if f else b.side[:n]
        named[i, hit] = True
    real = torch.from_numpy(ids > 0)
    bce = F.binary_cross_entropy
    loss = bce(bag.clamp(1e-6, 1 - 1e-6), torch.from_numpy(np.ascontiguousarray(y_bag)))  # type: ignore[union-attr]
    loss = loss + bce(colour[real].clamp(1e-6, 1 - 1e-6), torch.from_numpy(y_col)[real])  # type: ignore[index]
    mask = torch.from_numpy(named)
    if mask.any():
        loss = loss + bce(side[mask].clamp(1e-6, 1 - 1e-6), torch.from_numpy(y_side)[mask])  # type: ignore[index]
    return loss


def train(
    model: VideoTextEncoder, pool: Pool, args: argparse.Namespace, logfile: Path | None, held_out: data.Chunk
) -> None:
    rng = random.Random(args.seed)
    texts = text_only_targets(args, model.config.colours) if model.config.halves and args.text_pairs else []
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.02)
    model.train()
    start = time.time()
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, args.lr)
        loss, parts = contrastive_loss(model, sample_batch(pool, rng, args.batch, args.relation_share))
        if texts:
            words = text_layout_loss(model, texts, rng, args.text_batch)
            loss, parts = loss + words, {**parts, "words": float(words.detach())}
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 25 == 0 or step == args.steps - 1:
            extra = " ".join(f"{k} {v:.3f}" for k, v in parts.items())
            log(f"step {step:4d}  loss {float(loss.detach()):.3f}  {extra}  {time.time() - start:.0f}s", logfile)
        if args.eval_every and (step + 1) % args.eval_every == 0 and step + 1 < args.steps:
            got = evaluate(model, held_out)
            log(f"  held out at step {step + 1}: " + "; ".join(f"{k} {got[k]}" for k in PROGRESS), logfile)
            model.train()
    model.eval()


def fit_tagger(
    model: VideoTextEncoder,
    batch_loss: Callable[[random.Random], torch.Tensor],
    args: argparse.Namespace,
    logfile: Path | None,
    warmup: int = 40,
) -> None:
    """Train only the text tower's word tagger (GRU, colour and side heads) for
    ``args.tagger_steps`` steps of ``batch_loss(rng)``: no clip is encoded, and nothing that
    ``dist`` or ``temporal`` read changes. Shared by this script and ``train_layout.py``."""
    params = [p for m in (model.text.words, model.text.colour, model.text.side) for p in m.parameters()]  # type: ignore[union-attr]
    opt = torch.optim.AdamW(params, lr=args.tagger_lr, weight_decay=0.0)
    rng = random.Random(args.seed + 1)
    model.train()
    start = time.time()
    for step in range(args.tagger_steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.tagger_steps, args.tagger_lr, warmup=warmup)
        loss = batch_loss(rng)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == args.tagger_steps - 1:
            log(f"tagger step {step:4d}  words {float(loss.detach()):.4f}  {time.time() - start:.0f}s", logfile)
    model.eval()


def train_tagger(model: VideoTextEncoder, args: argparse.Namespace, logfile: Path | None) -> None:
    """The word tagger on unrendered texts of still scenes (which colour is on which side)."""
    texts = text_only_targets(args, model.config.colours)
    fit_tagger(model, lambda rng: text_layout_loss(model, texts, rng, args.text_batch), args, logfile)


def write_sums(weights: Path) -> str:
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    (weights.parent / "SHA256SUMS").write_text(f"{digest}  {weights.name}\n", encoding="utf-8")
    return digest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunks", type=int, default=2, help="chunks of generated training prompts (448 each)")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=32, help="prompts per batch")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "t2vbench" / "encoder")
    ap.add_argument("--out", type=Path, default=Path("/tmp/tiny-v2.pt"), help="(the committed default is tiny-v3)")
    ap.add_argument("--log", type=Path, default=ROOT / "scripts" / "train_encoder.log")
    ap.add_argument("--eval-only", action="store_true", help="evaluate the weights at --out")
    ap.add_argument("--sided-chunks", type=int, default=0, help="extra chunks of static left/right prompts only")
    ap.add_argument(
        "--relation-chunks", type=int, default=0, help="chunks of left/right pairs from the spatial generator"
    )
    ap.add_argument("--relation-pairs", type=int, default=600, help="pairs per relation chunk")
    ap.add_argument("--relation-share", type=float, default=0.5, help="share of each batch from the relation chunks")
    ap.add_argument("--eval-every", type=int, default=0, help="log held-out figures every N steps (0: at the end)")
    ap.add_argument("--halves", type=int, default=0, help="layout heads: colours per half (2), 0: none")
    ap.add_argument("--text-pairs", type=int, default=0, help="unrendered relation texts for the text layout head")
    ap.add_argument("--text-batch", type=int, default=128, help="of those, texts per step")
    ap.add_argument("--tagger-steps", type=int, default=0, help="then train only the text tower's word tagger")
    ap.add_argument("--tagger-lr", type=float, default=3e-3)
    ap.add_argument("--init", type=Path, default=None, help="start from these weights instead of a random init")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    held_out = data.eval_chunk(args.cache)
    if args.eval_only:
        from metrics.encoder import load_encoder

        for k, v in evaluate(load_encoder(args.out), held_out).items():
            print(f"{k:50s} {v}")
        return 0
    if not args.init:
        args.log.write_text("", encoding="utf-8")
    log(
        f"train_encoder: {' '.join(f'--{k}={v}' for k, v in vars(args).items() if k not in ('cache', 'out', 'log'))}",
        args.log,
    )
    t0 = time.time()
    chunks = [data.train_chunk(args.cache, k) for k in range(args.chunks)]
    sided = [data.sided_chunk(args.cache, 100 + k) for k in range(args.sided_chunks)]
    chunks += [c for c in sided if c is not None]
    chunks += [data.relation_chunk(args.cache, k, args.relation_pairs) for k in range(args.relation_chunks)]
    pool = make_pool(chunks, args.relation_chunks)
    log(
        f"data: {len(pool.clips)} clips of {len(pool.texts)} texts ({time.time() - t0:.0f}s to render or load)",
        args.log,
    )
    if args.init:  # continue from earlier weights (their vocabulary): a second stage
        from metrics.encoder.load import load_encoder

        model = load_encoder(args.init, reuse=False)
        vocab = model.config.vocab
        log(f"init: {args.init} sha256 {model.sha256}", args.log)
        if args.halves != model.config.halves:  # add (fresh) layout heads to the earlier weights
            init = model
            model = VideoTextEncoder(EncoderConfig(**{**init.config.__dict__, "halves": args.halves}))
            missing = model.load_state_dict(init.state_dict(), strict=False).missing_keys
            log(f"layout heads added ({len(missing)} new tensors)", args.log)
    else:
        vocab = tuple(build_vocab(pool.texts))
        model = VideoTextEncoder(EncoderConfig(vocab=vocab, halves=args.halves))
    if model.config.halves:
        pool.halves = layout_targets(args, model.config.colours)
        log(f"layout targets: {len(pool.halves)} texts of still scenes", args.log)
    log(f"model: {sum(p.numel() for p in model.parameters())} parameters, vocabulary {len(vocab)} words", args.log)
    train(model, pool, args, args.log, held_out)
    if args.tagger_steps:
        train_tagger(model, args, args.log)
    for k, v in evaluate(model, held_out).items():
        log(f"held out: {k:50s} {v}", args.log)
    digest = write_sums(save_encoder(model, args.out))
    log(
        f"weights: {args.out.name} sha256 {digest} ({args.out.stat().st_size / 1e6:.1f} MB); total {time.time() - t0:.0f}s",
        args.log,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
