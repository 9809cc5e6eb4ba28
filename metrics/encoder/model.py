"""The embedded video–text encoder: a small (2+1)D conv video tower and a tiny transformer text tower.

The video tower keeps *where* things are: it pools its last feature map to a coarse grid of cells
(``config.grid``, rows x columns) and concatenates them instead of averaging them away, then mixes
the T frame vectors with a temporal convolution and a flatten over time (so order matters too).
Global pooling loses left/right and scores a mirrored clip like the original (an earlier attempt
got 62% of mirrored pairs right). The text tower is order-aware (positional embeddings), so "red
left of blue" and "blue left of red" embed differently.

That alone did not teach it which colour stands on which side (57.5% of the suite's still
left/right pairs with tiny-v1). Layout heads (``config.halves``, tiny-v2) make it explicit: the
video tower says which colours each half of the frame shows (from the cells), the text tower tags
each word with a colour and the halves its thing stands in (a GRU over the transformer's words),
and the score averages the cosine with the signed agreement of the two layouts.

On clips drawn by another renderer tiny-v2 fell to 85% (its cell-reading head found 59% of the
colours present even on the world's clips, and its layouts, averaged over the clip and trained on
still scenes, said nothing about motion). tiny-v3 keeps every other weight and gives the heads a
layout per span of time (``config.times``: where each colour is early and late, so a car driving
right and a pan have a layout too) and a video head that reads colours from the pixels
(:class:`ColourLayout`, ``config.layout = "pixels"``), weighted 3 to 1 against the cosine.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from metrics.encoder.config import RESIZE, SAMPLING, VALUE_RANGE, EncoderConfig
from metrics.encoder.tokenizer import Tokenizer, build_vocab


def one_cpu_thread(method: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """Run an encoding with one CPU thread: how a reduction is split between threads moves the
    last float bits, so a lone 2-thread process and its 1-thread shards gave different 6th
    decimals. The towers are small (milliseconds per clip), so one thread costs nothing."""

    @functools.wraps(method)
    def wrapper(self: nn.Module, *args: Any, **kwargs: Any) -> torch.Tensor:
        n = torch.get_num_threads()
        if n == 1:
            return method(self, *args, **kwargs)
        torch.set_num_threads(1)
        try:
            return method(self, *args, **kwargs)
        finally:
            torch.set_num_threads(n)

    return wrapper


def frame_indices(n: int, frames: int) -> np.ndarray:
    """Indices of ``frames`` frames spread evenly over ``n`` (repeats when ``n < frames``)."""
    return np.round(np.linspace(0, n - 1, frames)).astype(np.int64)


def _writable(video: Any) -> np.ndarray:
    arr = np.asarray(video)
    return arr if arr.flags.writeable and arr.flags.c_contiguous else np.array(arr)


def preprocess(video: Any, frames: int, height: int, width: int, device: Any = None) -> torch.Tensor:
    """uint8 ``(B, T, H, W, 3)`` (or one ``(T, H, W, 3)`` clip), numpy or torch, any size and
    length -> float ``(B, frames, 3, height, width)``: evenly sampled frames, area-resized,
    scaled to [0, 1] and normalised by ``(x - 0.5) / 0.25``."""
    x = video if isinstance(video, torch.Tensor) else torch.from_numpy(_writable(video))
    if x.dtype != torch.uint8:
        raise ValueError(f"video must be uint8, got {x.dtype}")
    if x.ndim == 4:
        x = x[None]
    if x.ndim != 5 or x.shape[-1] != 3:
        raise ValueError(f"video must be (B, T, H, W, 3), got {tuple(x.shape)}")
    B = x.shape[0]
    idx = torch.from_numpy(frame_indices(x.shape[1], frames)).to(x.device)
    x = x.index_select(1, idx)
    if device is not None:
        x = x.to(device)
    x = x.permute(0, 1, 4, 2, 3).reshape(B * frames, 3, x.shape[2], x.shape[3]).float()
    if tuple(x.shape[-2:]) != (height, width):
        x = F.interpolate(x, size=(height, width), mode="area")
    x = (x / 255.0 - 0.5) / 0.25
    return x.reshape(B, frames, 3, height, width)


def _conv(cin: int, cout: int, kernel: int = 3, stride: int = 2) -> nn.Sequential:
    conv = nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2 if stride < kernel else 0, bias=False)
    return nn.Sequential(conv, nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class TemporalMix(nn.Module):
    """A residual temporal convolution (kernel 3 over time, 1x1 in space) on per-frame maps; the
    ends repeat the first and last frame (a frozen clip gives equal features in every frame)."""

    def __init__(self, channels: int, frames: int) -> None:
        super().__init__()
        self.frames = frames
        self.conv = nn.Conv3d(channels, channels, (3, 1, 1), padding=(1, 0, 0), padding_mode="replicate", bias=False)
        self.norm = nn.BatchNorm3d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B*T, C, H, W)
        BT, C, H, W = x.shape
        y = x.reshape(BT // self.frames, self.frames, C, H, W).transpose(1, 2)
        y = F.relu(self.norm(self.conv(y)))
        return x + y.transpose(1, 2).reshape(BT, C, H, W)


class ColourLayout(nn.Module):
    """Which colours each half of the frame shows, read from the pixels: a small per-pixel colour
    classifier at half the tower's resolution (3x3 then 1x1 convolutions, softmax over the
    colours and "anything else"), the
    share of each half's pixels of each colour over a span of frames, and per colour a learnt
    threshold on the log of that share. Colour is local: unlike the video tower's cells (tuned
    for retrieval, 63% of present colours found on held-out clips), it does not hinge on how a
    renderer draws shapes, shades or backgrounds."""

    def __init__(self, colours: int, halves: int, hidden: int = 16) -> None:
        super().__init__()
        self.halves = halves
        self.pixels = nn.Sequential(
            nn.Conv2d(3, hidden, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, hidden, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, colours + 1, 1),
        )
        with torch.no_grad():  # start with every pixel "anything else": no colour anywhere
            self.pixels[-1].bias[-1] = 3.0
        self.gain = nn.Parameter(torch.full((colours,), 1.0))
        self.bias = nn.Parameter(torch.full((colours,), math.log(100.0)))  # present from 1% of a half

    def forward(self, x: torch.Tensor, times: int) -> torch.Tensor:
        """``(B, T, 3, H, W)`` normalised frames -> ``(B, times * halves, colours)`` probabilities."""
        B, T = x.shape[:2]
        p = self.pixels(F.avg_pool2d(x.flatten(0, 1), 2)).softmax(1)[:, :-1]  # (B*T, colours, H/2, W/2)
        halves = torch.stack([h.mean((2, 3)) for h in torch.tensor_split(p, self.halves, dim=3)], 1)
        share = halves.reshape(B, T, self.halves, -1)
        share = torch.stack([s.mean(1) for s in torch.tensor_split(share, times, dim=1)], 1).flatten(1, 2)
        return torch.sigmoid(self.gain * torch.log(share + 1e-4) + self.bias)


class VideoTower(nn.Module):
    """``(B, T, 3, H, W)`` normalised frames -> ``(B, dim)`` (not normalised).

    A patchify stem (``patch`` x ``patch``, stride ``patch``), then 3x3 stride-2 convolutions
    each followed by a residual temporal convolution ((2+1)D), a grid of cells, per-frame
    vectors with time embeddings, a temporal convolution and a linear map of all T vectors."""

    def __init__(self, cfg: EncoderConfig) -> None:
        super().__init__()
        w, T = cfg.widths, cfg.frames
        stages: list[nn.Module] = [_conv(3, w[0], cfg.patch, cfg.patch)]  # patchify: cheap on a CPU
        for cin, cout in itertools.pairwise(w):
            stages += [_conv(cin, cout), TemporalMix(cout, T)]
        self.stages = nn.Sequential(*stages)
        self.grid = tuple(cfg.grid)
        cells = w[-1] * cfg.grid[0] * cfg.grid[1]
        self.frame = nn.Sequential(nn.Linear(cells, cfg.frame_dim), nn.ReLU(inplace=True))
        self.time = nn.Parameter(torch.zeros(T, cfg.frame_dim))
        self.temporal = nn.Conv1d(cfg.frame_dim, cfg.frame_dim, 3, padding=1)
        self.head = nn.Linear(T * cfg.frame_dim, cfg.dim)
        self.times = cfg.times
        self.shape = (cfg.times * cfg.halves, len(cfg.colours))
        self.layout: nn.Module | None = None
        if cfg.halves and cfg.layout == "pixels":
            self.layout = ColourLayout(len(cfg.colours), cfg.halves)
        elif cfg.halves:
            self.layout = nn.Linear(cells, cfg.halves * len(cfg.colours))

    def cells(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, 3, H, W)`` -> ``(B, T, cells)``: the grid's cells in row-major order (layout kept)."""
        B, T = x.shape[:2]
        y = self.stages(x.flatten(0, 1))
        return F.adaptive_avg_pool2d(y, self.grid).flatten(1).reshape(B, T, -1)

    def frames(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, 3, H, W)`` -> ``(B, T, frame_dim)`` per-frame vectors (T = ``config.frames``)."""
        return self.frame(self.cells(x))

    def windows(self, cells: torch.Tensor) -> torch.Tensor:
        """``(B, T, cells)`` -> ``(B, times, cells)``: the cells averaged over each of ``times``
        consecutive spans of the frames (one span: the whole clip)."""
        return torch.stack([w.mean(1) for w in torch.tensor_split(cells, self.times, dim=1)], 1)

    def read_layout(self, windows: torch.Tensor) -> torch.Tensor:
        """``(B, times, cells)`` -> layout probabilities ``(B, times * halves, colours)``: the same
        head reads every span (where a colour is does not depend on when)."""
        assert self.layout is not None
        return torch.sigmoid(self.layout(windows)).flatten(1, 2).unflatten(-1, self.shape)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The clip vector and the layout probabilities ``(B, times * halves, colours)`` (None
        without a layout head): which colours the clip shows in each half, in each span of time
        (the first span's halves, then the next's), from the cells averaged over that span."""
        cells = self.cells(x)
        vec = self.vector(cells)
        if self.layout is None:
            layout = None
        elif isinstance(self.layout, ColourLayout):
            layout = self.layout(x, self.times)
        else:
            layout = self.read_layout(self.windows(cells))
        return vec, layout

    def vector(self, cells: torch.Tensor) -> torch.Tensor:
        """``(B, T, cells)`` -> the clip vector ``(B, dim)`` (not normalised)."""
        y = self.frame(cells) + self.time
        y = y + F.relu(self.temporal(y.transpose(1, 2))).transpose(1, 2)
        return self.head(y.flatten(1))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """The clip vector alone (what ``dist`` and ``temporal`` read: no layout head runs)."""
        return self.vector(self.cells(x))


class TextTower(nn.Module):
    """``(B, L)`` token ids -> ``(B, dim)``: embeddings + positions, a pre-norm transformer,
    mean over the words (padding excluded)."""

    def __init__(self, cfg: EncoderConfig, vocab_size: int) -> None:
        super().__init__()
        d = cfg.text_dim
        self.embed = nn.Embedding(vocab_size, d, padding_idx=0)
        self.pos = nn.Parameter(torch.randn(cfg.max_len, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, cfg.text_heads, 2 * d, dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, cfg.text_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, cfg.dim)
        self.words = nn.GRU(d, d // 2, batch_first=True, bidirectional=True) if cfg.halves else None
        self.colour = nn.Linear(d, len(cfg.colours)) if cfg.halves else None
        self.side = nn.Linear(d, cfg.times * cfg.halves) if cfg.halves else None

    def tags(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """The text vector and, with a layout head, per word the probability of each colour and
        of standing in each half in each span of time ``(B, L, colours)``, ``(B, L, times *
        halves)`` (0 on padding), read by a bidirectional GRU over the transformer's words."""
        pad = ids == 0
        x = self.norm(self.encoder(self.embed(ids) + self.pos[: ids.shape[1]], src_key_padding_mask=pad))
        keep = (~pad).unsqueeze(-1).float()
        t = self.head((x * keep).sum(1) / keep.sum(1).clamp(min=1.0))
        colour, side = self.tag_words(x, pad)
        return t, colour, side

    def tag_words(self, x: torch.Tensor, pad: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """The tagger alone on the transformer's normalised words ``x`` ``(B, L, d)`` (``pad``:
        padding): per word colour and halves probabilities (None, None without a layout head)."""
        if self.words is None or self.colour is None or self.side is None:
            return None, None
        keep = (~pad).unsqueeze(-1).float()
        lengths = (~pad).sum(1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        h = nn.utils.rnn.pad_packed_sequence(self.words(packed)[0], batch_first=True, total_length=x.shape[1])[0]
        return torch.sigmoid(self.colour(h)) * keep, torch.sigmoid(self.side(h)) * keep

    @staticmethod
    def bag(colour: torch.Tensor, side: torch.Tensor) -> torch.Tensor:
        """Per-word tags -> layout ``(B, times * halves, colours)``: a colour is in a half if any
        word names a thing of that colour there (noisy-or over the words)."""
        both = (side.unsqueeze(-1) * colour.unsqueeze(-2)).clamp(max=1 - 1e-6)  # (B, L, slots, colours)
        return 1 - torch.log1p(-both).sum(1).exp()

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The text vector and the layout probabilities ``(B, halves, colours)`` (None without a
        layout head): a colour is in a half if any word names a thing of that colour in that half
        (noisy-or over the words of :meth:`tags`). Tagging word by word is what made it learnable:
        a pooled query per half sat on a symmetric saddle and never learnt which colour went where."""
        t, colour, side = self.tags(ids)
        if colour is None or side is None:
            return t, None
        return t, self.bag(colour, side)


class VideoTextEncoder(nn.Module):
    """A small video–text encoder with a shared ``(B, D)`` L2-normalised embedding space.

    ``encode_video(frames)``: uint8 ``(B, T, H, W, 3)`` (or one ``(T, H, W, 3)`` clip), numpy or
    torch, any size and length. It samples ``config.frames`` frames evenly over the clip (indices
    ``round(linspace(0, T - 1, frames))``), resizes each to ``config.height x config.width`` by
    area averaging (the aspect ratio is not kept; left stays left), scales to [0, 1] and
    normalises by ``(x - 0.5) / 0.25``. ``encode_text(texts)``: a list of strings, word-level
    tokens over ``config.vocab`` (unknown words share one id). ``score(frames, texts)``: each
    clip's score with its text, a list of floats in [-1, 1]: the cosine of the two embeddings or,
    for a model with layout heads (``config.halves``), its mean with the signed agreement of the
    colours each tower puts in each half of the frame (``align_video``/``align_text`` give the
    vectors whose dot product it is).

    ``VideoTextEncoder()`` builds a randomly initialised model over the bundled vocabulary
    (tests, training); :func:`metrics.encoder.load_encoder` loads the committed weights.
    """

    def __init__(self, config: EncoderConfig | None = None) -> None:
        super().__init__()
        cfg = config or EncoderConfig()
        if not cfg.vocab:
            cfg = EncoderConfig(**{**cfg.__dict__, "vocab": tuple(build_vocab())})
        if cfg.halves and not cfg.colours:
            from prompts import COLOR_NAMES

            cfg = EncoderConfig(**{**cfg.__dict__, "colours": tuple(COLOR_NAMES)})
        self.config = cfg
        self.tokenizer = Tokenizer(cfg.vocab, cfg.max_len)
        self.video = VideoTower(cfg)
        self.text = TextTower(cfg, len(cfg.vocab))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.sha256: str | None = None  # of the weights file, set by load_encoder
        self.eval()

    @property
    def device(self) -> torch.device:
        return self.logit_scale.device

    def preprocess(self, frames: Any) -> torch.Tensor:
        c = self.config
        return preprocess(frames, c.frames, c.height, c.width, self.device)

    def embed_video(self, x: torch.Tensor) -> torch.Tensor:
        """Preprocessed ``(B, T, 3, H, W)`` -> L2-normalised ``(B, D)``."""
        return F.normalize(self.video.embed(x), dim=-1)

    def embed_tokens(self, ids: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.text(ids)[0], dim=-1)

    def joint(self, vec: torch.Tensor, layout: torch.Tensor | None) -> torch.Tensor:
        """A tower's output as the vector whose dot products are prompt–clip scores: the unit
        vector alone, or (with a layout head) ``[vec, sqrt(w) (2 layout - 1)] / sqrt(1 + w)``
        with the layout part scaled to unit length at most and ``w`` = ``config.layout_weight``,
        so a score is ``(cosine + w * signed layout agreement) / (1 + w)`` in [-1, 1] (w = 1: their
        mean, tiny-v2)."""
        if layout is None:
            return F.normalize(vec, dim=-1)
        w = self.config.layout_weight
        signs = (2 * layout - 1).flatten(1) * math.sqrt(w / layout[0].numel())
        return torch.cat([F.normalize(vec, dim=-1), signs], -1) / math.sqrt(1 + w)

    def align_inputs(self, x: torch.Tensor) -> torch.Tensor:
        """Preprocessed ``(B, T, 3, H, W)`` -> joint vectors (:meth:`joint`)."""
        return self.joint(*self.video(x))

    def align_tokens(self, ids: torch.Tensor) -> torch.Tensor:
        return self.joint(*self.text(ids))

    @one_cpu_thread
    def encode_video(self, frames: Any) -> torch.Tensor:
        """uint8 ``(B, T, H, W, 3)`` clips -> ``(B, D)`` unit vectors (float32)."""
        return self.embed_video(self.preprocess(frames))

    @one_cpu_thread
    def encode_frames(self, frames: Any) -> torch.Tensor:
        """Per-frame features of every frame: uint8 ``(B, T, H, W, 3)`` -> ``(B, T, frame_dim)``
        float32 (not normalised), for frame-to-frame consistency. Frames are resized like
        :meth:`encode_video` but not sampled: the tower runs on consecutive windows of
        ``config.frames`` frames (the last one padded by repeating its final frame), and its
        temporal convolutions mix each frame with its neighbours inside a window."""
        c = self.config
        x = frames if isinstance(frames, torch.Tensor) else torch.from_numpy(_writable(frames))
        x = x[None] if x.ndim == 4 else x
        n = x.shape[1]
        pad = (-n) % c.frames
        if pad:
            x = torch.cat([x, x[:, -1:].expand(-1, pad, -1, -1, -1)], 1)
        windows = x.unflatten(1, (-1, c.frames)).flatten(0, 1)  # (B * windows, frames, H, W, 3)
        y = self.video.frames(preprocess(windows, c.frames, c.height, c.width, self.device))
        return y.reshape(x.shape[0], -1, y.shape[-1])[:, :n]

    def _ids(self, texts: Sequence[str]) -> torch.Tensor:
        if isinstance(texts, str):
            raise TypeError("encode_text takes a list of strings")
        return torch.from_numpy(self.tokenizer.encode(list(texts))).to(self.device)

    @one_cpu_thread
    def encode_text(self, texts: Sequence[str]) -> torch.Tensor:
        """``B`` strings -> ``(B, D)`` unit vectors (float32)."""
        return self.embed_tokens(self._ids(texts))

    @one_cpu_thread
    def align_video(self, frames: Any) -> torch.Tensor:
        """uint8 clips -> joint vectors whose dot product with :meth:`align_text`'s is the score."""
        return self.align_inputs(self.preprocess(frames))

    @one_cpu_thread
    def align_text(self, texts: Sequence[str]) -> torch.Tensor:
        """``B`` strings -> joint vectors (:meth:`joint`); equal to :meth:`encode_text` without a layout head."""
        return self.align_tokens(self._ids(texts))

    @torch.no_grad()
    def score(self, frames: Any, texts: Sequence[str]) -> list[float]:
        """The prompt–clip score of clip ``i`` with text ``i`` (one text for all clips is
        broadcast): the cosine of the two embeddings, averaged with the signed agreement of the
        two layout heads (which colours in which half) when the model has them."""
        v = self.align_video(frames)
        t = self.align_text(list(texts))
        if t.shape[0] == 1 and v.shape[0] > 1:
            t = t.expand_as(v)
        if t.shape[0] != v.shape[0]:
            raise ValueError(f"{v.shape[0]} clips but {t.shape[0]} texts")
        return [float(s) for s in (v * t).sum(-1)]

    def protocol(self) -> dict[str, Any]:
        """What produced the features: name, weights sha256, frames, size, value range, sampling."""
        c = self.config
        return {
            "name": c.name,
            "weights_sha256": self.sha256,
            "frames": c.frames,
            "size": [c.height, c.width],
            "dim": c.dim,
            "value_range": VALUE_RANGE,
            "sampling": SAMPLING,
            "resize": RESIZE,
        }
