"""Training and evaluation clips for the embedded encoder, rendered by the reference world.

Clips are rendered at the sizes runs use, augmented (palette shades, textured backgrounds, light,
sensor noise, static texture, blur, colour casts, H.264 at several crf), then reduced once to
what the video tower sees (8 frames at 64x64, uint8) and cached outside the repository, one file
per chunk of prompts, so a longer training run reuses what an earlier one rendered. Each clip
keeps its layout per sampled frame (which colours each half of the frame shows, from the world's
ground truth: after the camera, occlusion and faults), the layout heads' targets for scenes that
move as well as still ones. Deterministic from the seeds.
"""

from __future__ import annotations

import colorsys
import contextlib
import hashlib
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

import prompts.build as build
from metrics.encoder.model import frame_indices, preprocess
from model.reference import ReferenceGenerator
from prompts import COLOR_NAMES, Prompt, load_suite
from prompts.palette import PALETTE
from prompts.scene import Background
from t2vbase.video import read_video, write_video

FRAMES, SIZE = 8, 64
DATA_VERSION = "v2"  # v2: per-clip layout per sampled frame; blur and colour casts
#: Faults whose clip no longer shows its prompt (negative videos for the prompt's text).
CONTRADICTING = ("mirror", "reverse", "recolor", "duplicate", "vanish", "spawn", "flip", "camera_reverse", "merge")
SIZES = ((128, 128), (128, 128), (128, 128), (96, 160), (112, 112), (144, 96))
LENGTHS = (16, 16, 16, 24, 12)
CRFS = (None, 18, 23, 28, 33, 38)
EVAL_SEED = 50_000  # render seeds from here on are held out, rendered plain


def generated_prompts(chunk: int) -> list[Prompt]:
    """The core generator's prompts drawn with another seed (new nouns, colours, layouts)."""
    saved = build.SEED
    build.SEED = f"t2vbench-encoder-train-{chunk}"
    try:
        return [Prompt.model_validate(p) for p in build.core_prompts()]
    finally:
        build.SEED = saved


def reduce(frames: np.ndarray) -> np.ndarray:
    """``(T, H, W, 3)`` uint8 -> ``(8, 64, 64, 3)`` uint8: the video tower's sampling and resize."""
    x = preprocess(frames, FRAMES, SIZE, SIZE)[0]  # (8, 3, 64, 64), normalised
    x = ((x * 0.25 + 0.5) * 255.0).round().clamp(0, 255).to(torch.uint8)
    return x.permute(0, 2, 3, 1).numpy()


@contextlib.contextmanager
def shaded_palette(rng: random.Random) -> Iterator[None]:
    """The world's palette with every colour's hue, saturation and value nudged (then restored)."""
    saved = dict(PALETTE)
    for name, (r, g, b) in saved.items():
        h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        if s > 0.3:
            h = (h + rng.uniform(-9, 9) / 360) % 1.0
            s = min(1.0, max(0.4, s * rng.uniform(0.8, 1.05)))
        v = min(1.0, max(0.0, v * rng.uniform(0.85, 1.08)))
        PALETTE[name] = tuple(round(c * 255) for c in colorsys.hsv_to_rgb(h, s, v))
    try:
        yield
    finally:
        PALETTE.update(saved)


def _hex(rng: random.Random, lo: int, hi: int) -> str:
    return "#" + "".join(f"{rng.randint(lo, hi):02x}" for _ in range(3))


def restyled(p: Prompt, rng: random.Random) -> Prompt:
    """``p`` with its background sometimes replaced by a texture or a gradient."""
    if p.scene is None or rng.random() < 0.5:
        return p
    kind = rng.choice(["texture", "texture", "gradient"])
    bg = Background(kind=kind, color=_hex(rng, 120, 230), color2=_hex(rng, 90, 210))
    return p.model_copy(update={"scene": p.scene.model_copy(update={"background": bg})})


def degrade(frames: np.ndarray, rng: random.Random, tmp: Path) -> np.ndarray:
    """Light, contrast, a colour cast, blur, a static texture, sensor noise and H.264 at a random
    crf: another camera or renderer (softer edges, tinted white balance) must read the same."""
    nrng = np.random.default_rng(rng.randrange(2**32))
    x = frames.astype(np.float32) * rng.uniform(0.85, 1.15) + rng.uniform(-15, 15)
    if rng.random() < 0.5:
        x *= np.array([rng.uniform(0.92, 1.08) for _ in range(3)], np.float32)
    if rng.random() < 0.3:
        sigma = rng.uniform(0.4, 1.2) * max(x.shape[1:3]) / 128
        x = np.stack([cv2.GaussianBlur(f, (0, 0), sigma) for f in x])
    if rng.random() < 0.5:
        field = cv2.GaussianBlur(nrng.normal(0, 1, x.shape[1:3]).astype(np.float32), (0, 0), rng.uniform(1.0, 3.0))
        x += (field / (field.std() + 1e-6) * rng.uniform(2, 9))[None, :, :, None]
    x += nrng.normal(0, rng.uniform(0, 5), x.shape).astype(np.float32)
    out = np.clip(x + 0.5, 0, 255).astype(np.uint8)
    crf = rng.choice(CRFS)
    if crf is None:
        return out
    return read_video(write_video(tmp / "clip.mp4", out, fps=8, crf=crf)).frames


def frame_layout(truth: dict, n: int, colours: tuple[str, ...]) -> np.ndarray:
    """``(FRAMES, 2, colours)`` uint8: per frame the video tower samples from a clip of ``n``
    frames, the colours its left and right half show (a thing counts in a half that holds at
    least a quarter of its visible width, if at least a fifth of it is visible), from the
    world's ground truth (``metadata["truth"]``: boxes after the camera, faults and occluders)."""
    out = np.zeros((FRAMES, 2, len(colours)), np.uint8)
    for k, f in enumerate(frame_indices(n, FRAMES)):
        for o in truth["objects"]:
            if o["color"][f] in colours:
                out[k, :, colours.index(o["color"][f])] |= _halves_at(o, f)
    return out


def _halves_at(o: dict, f: int) -> np.ndarray:
    """``(2,)`` bool: the halves track ``o`` (of ``metadata["truth"]``) stands in at frame ``f``."""
    x0, x1 = max(0.0, o["bbox"][f][0]), min(1.0, o["bbox"][f][2])
    if o["visible_frac"][f] < 0.2 or x1 <= x0:
        return np.zeros(2, bool)
    quarter = (x1 - x0) / 4
    return np.array([min(x1, 0.5) - x0 >= quarter, x1 - max(x0, 0.5) >= quarter])


def group_layout(truth: dict, n: int) -> dict[str, tuple[str, np.ndarray]]:
    """Per group of tracks (a prompt's thing, several for a count): its colour in the first frame
    and ``(FRAMES, 2)`` uint8, the halves it stands in at each sampled frame."""
    out: dict[str, tuple[str, np.ndarray]] = {}
    idx = frame_indices(n, FRAMES)
    for o in truth["objects"]:
        halves = np.stack([_halves_at(o, f) for f in idx]).astype(np.uint8)
        colour, prev = out.get(o["group"], (o["color"][0], np.zeros_like(halves)))
        out[o["group"]] = (colour, prev | halves)
    return out


def plain(gen: ReferenceGenerator, p: Prompt, seed: int, tmp: Path) -> tuple[np.ndarray, np.ndarray]:
    """A clip as a default run stores it (16 frames, 128x128, H.264 at the default crf), reduced,
    and its layout per sampled frame."""
    video = gen.generate(p, seed=seed)
    layout = frame_layout(video.metadata["truth"], len(video.frames), COLOR_NAMES)
    return reduce(read_video(write_video(tmp / "clip.mp4", video.frames, fps=8)).frames), layout


def render(
    gen: ReferenceGenerator, p: Prompt, seed: int, rng: random.Random, tmp: Path
) -> tuple[np.ndarray, np.ndarray] | None:
    """One augmented clip of ``p`` reduced to ``(8, 64, 64, 3)`` and its layout per sampled
    frame (:func:`frame_layout`); None if ``gen``'s fault did not apply."""
    if seed >= EVAL_SEED:
        return plain(gen, p, seed, tmp)
    H, W = rng.choice(SIZES)
    with shaded_palette(rng):
        video = gen.generate(restyled(p, rng), seed=seed, num_frames=rng.choice(LENGTHS), height=H, width=W)
    if gen.plan and not video.metadata["faults"]:
        return None
    layout = frame_layout(video.metadata["truth"], len(video.frames), COLOR_NAMES)
    return reduce(degrade(video.frames, rng, tmp)), layout


def text_layout(p: Prompt) -> tuple[np.ndarray, dict[str, tuple[str, np.ndarray]]]:
    """What a clip of ``p`` shows where, as the unjittered scene renders at the default length:
    :func:`frame_layout` and :func:`group_layout` (the text tower's targets, its words' too)."""
    video = ReferenceGenerator(profile="clean", jitter=0.0).generate(p, seed=0, height=32, width=32)
    truth, n = video.metadata["truth"], len(video.frames)
    return frame_layout(truth, n, COLOR_NAMES), group_layout(truth, n)


@dataclass
class Chunk:
    """Clips of one prompt chunk: ``clips[i]`` shows ``texts[text[i]]`` (``faulty[i]``: a fault
    that contradicts the text)."""

    clips: np.ndarray
    text: np.ndarray
    faulty: np.ndarray
    texts: list[str]
    motion: np.ndarray  # per text: the prompt expects motion
    layout: np.ndarray  # per clip: (FRAMES, 2, colours) colours per half per sampled frame


def _motion(p: Prompt) -> bool:
    return bool(p.expect is not None and p.expect.motion)


def render_chunk(plist: list[Prompt], seeds: int, fault_share: float, tag: str, first_seed: int = 10_000) -> Chunk:
    """``seeds`` clean clips per prompt and, for a share of prompts, one clip with a fault."""
    rng = random.Random(f"encoder-data:{tag}")
    clean = ReferenceGenerator(profile="clean")
    got: list[tuple[np.ndarray, np.ndarray]] = []
    text, faulty = [], []
    with tempfile.TemporaryDirectory() as d:
        for i, p in enumerate(plist):
            for s in range(seeds):
                got.append(render(clean, p, first_seed + s, rng, Path(d)))  # type: ignore[arg-type]
                text.append(i)
                faulty.append(False)
            if rng.random() < fault_share:
                for name in rng.sample(CONTRADICTING, 3):
                    bad = render(ReferenceGenerator(faults=name, rate=1.0), p, 20_000, rng, Path(d))
                    if bad is not None:
                        got.append(bad)
                        text.append(i)
                        faulty.append(True)
                        break
    return Chunk(
        np.stack([g[0] for g in got]),
        np.array(text),
        np.array(faulty),
        [p.text for p in plist],
        np.array([_motion(p) for p in plist]),
        np.stack([g[1] for g in got]),
    )


def cached_chunk(cache: Path, tag: str, make: callable) -> Chunk:  # type: ignore[valid-type]
    """The chunk ``tag`` from ``cache`` (rendered by ``make()`` and saved on the first call)."""
    path = cache / f"{DATA_VERSION}-{tag}.npz"
    if path.is_file():
        z = np.load(path, allow_pickle=False)
        return Chunk(z["clips"], z["text"], z["faulty"], [str(t) for t in z["texts"]], z["motion"], z["layout"])
    chunk = make()
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        clips=chunk.clips,
        text=chunk.text,
        faulty=chunk.faulty,
        texts=np.array(chunk.texts),
        motion=chunk.motion,
        layout=chunk.layout,
    )
    tmp.replace(path)
    return chunk


def train_chunk(cache: Path, k: int, seeds: int = 2) -> Chunk:
    return cached_chunk(
        cache, f"train{k}-s{seeds}", lambda: render_chunk(generated_prompts(k), seeds, 0.5, f"train{k}")
    )


def eval_chunk(cache: Path) -> Chunk:
    """Held-out: the core suite (its prompts are not trained on), render seeds not used in training."""
    core = load_suite("core").prompts
    return cached_chunk(cache, "eval-core", lambda: render_chunk(core, 1, 0.0, "eval", EVAL_SEED))


def colour_words(text: str) -> list[str]:
    return [w for w in text.lower().replace("-", " ").split() if w.strip(".,") in COLOR_NAMES]


def digest(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]


def sided_chunk(cache: Path, k: int, seeds: int = 2) -> Chunk | None:
    """Only the static left/right prompts (spatial family, a side named, nothing moving) of the
    generator drawn with seed ``k``: the hardest case, which needs many nouns to generalise."""

    def make() -> Chunk:
        from prompts.mirror import mirror_text

        keep = [
            p
            for p in generated_prompts(k)
            if p.family == "spatial" and mirror_text(p.text) != p.text and not _motion(p)
        ]
        return render_chunk(keep, seeds, 0.0, f"sided{k}")

    try:
        return cached_chunk(cache, f"sided{k}-s{seeds}", make)
    except IndexError:  # the prompt generator cannot draw every case with some seeds (prompts/gen)
        return None


#: The spatial generator's left/right cases: two things side by side, three in a row, passing.
RELATION_CASES = ("spat-lr", "spat-row", "spat-pass")


def suite_texts() -> set[str]:
    """Every text of the bundled suites (and its mirror): never trained on, so held out."""
    from prompts.mirror import mirror_text

    out: set[str] = set()
    for name in ("core", "nightly", "smoke", "showcase"):
        for p in load_suite(name).prompts:
            out |= {p.text, mirror_text(p.text)}
    return out


def relation_prompts(k: int, pairs: int) -> list[Prompt]:
    """One side (chosen at random) of ``pairs`` left/right mirror pairs drawn straight from the
    spatial generator with seed ``k``; a text of a bundled suite (or its mirror) is skipped. The
    other side is the flipped clip with the mirrored text (the trainer's flip positive)."""
    from prompts.gen import spatial

    cases = [c for c in spatial.CASES if c.prefix in RELATION_CASES]
    rng = random.Random(f"t2vbench-encoder-relations-{k}")
    held_out = suite_texts()
    out: list[Prompt] = []
    while len(out) < pairs:
        case = cases[len(out) % len(cases)]
        draft = rng.choice(case.make(rng, rng.choice(case.templates)))
        if draft.text in held_out:
            continue
        body = {"id": f"rel-{k}-{len(out):05d}", "text": draft.text, "family": case.family, "tags": draft.tags}
        out.append(Prompt.model_validate({**body, "scene": draft.scene, "expect": draft.expect}))
    return out


def relation_chunk(cache: Path, k: int, pairs: int = 600) -> Chunk:
    """Augmented clips of :func:`relation_prompts` (one per prompt, every prompt a new text)."""
    return cached_chunk(cache, f"rel{k}-p{pairs}", lambda: render_chunk(relation_prompts(k, pairs), 1, 0.0, f"rel{k}"))


def still(p: Prompt) -> bool:
    """Nothing moves, falls or hides in ``p``'s scene, and the camera stays put."""
    sc = p.scene
    if sc is None or sc.occluders or sc.camera.motion != "static":
        return False
    return all(o.vel == (0.0, 0.0) and o.acc == (0.0, 0.0) and not o.gravity for o in sc.objects)


def halves_target(p: Prompt, colours: tuple[str, ...]) -> np.ndarray | None:
    """``(2, colours)`` 0/1: the colours ``p``'s still scene shows in the left and the right half
    of the frame (an object counts in a half that holds at least a quarter of its width); None
    for a scene that moves (where things are then depends on the time)."""
    if not still(p):
        return None
    out = np.zeros((2, len(colours)), np.float32)
    for o in p.scene.objects:  # type: ignore[union-attr]
        w = o.size
        c = colours.index(o.color)
        out[0, c] = max(out[0, c], float(o.pos[0] - w / 4 < 0.5))
        out[1, c] = max(out[1, c], float(o.pos[0] + w / 4 > 0.5))
    return out


def word_targets(p: Prompt, colours: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
    """Per word of ``p.text`` (the tokenizer's words): the colour index of the thing whose noun it
    is (-1 for any other word) and the halves that thing stands in ``(words, 2)``; None for a
    scene that moves. Teaches the text tower's tagger which words name which thing where."""
    from metrics.encoder.tokenizer import words

    halves = halves_target(p, colours)
    if halves is None or p.expect is None:
        return None
    text = words(p.text)
    colour = np.full(len(text), -1, np.int64)
    side = np.zeros((len(text), 2), np.float32)
    where = {o.id: o for o in p.scene.objects}  # type: ignore[union-attr]
    for e in p.expect.objects:
        o = where.get(e.id)
        if o is None or not e.noun:
            continue
        head = words(e.noun)[-1]
        for i, w in enumerate(text):
            if w == head:
                colour[i] = colours.index(o.color)
                side[i] = (float(o.pos[0] - o.size / 4 < 0.5), float(o.pos[0] + o.size / 4 > 0.5))
    return colour, side
