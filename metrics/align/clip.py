"""``align.clip``: CLIP score of a clip's frames against its prompt, from local weights only.

Weights: a folder holding what ``openai/clip-vit-base-patch32`` (or any CLIP checkpoint) ships —
``config.json``, ``model.safetensors``, ``preprocessor_config.json`` and the tokenizer files
(``tokenizer.json``, or ``vocab.json`` and ``merges.txt``) — found at ``path=``, else
``$T2V_CLIP_PATH``, else ``~/.cache/t2vbench/clip``, else the Hugging Face cache's snapshot of
``model_id`` (never downloaded). A ``sha256=`` option and/or a ``SHA256SUMS`` file in the folder
pin the weights (:mod:`metrics.weights`); the weights' digest always enters the protocol.

Frames are preprocessed as ``preprocessor_config.json`` says and transformers' CLIP image
processor does (Pillow resize of the shorter side, centre crop, rescale, normalise), here without
torchvision. The model runs through transformers' ``CLIPModel`` directly: torchmetrics 1.9.0's
``CLIPScore`` breaks with transformers >= 5 and refuses local paths given as strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from metrics.align.models import ALIGN_MODELS
from metrics.base import Clip, ClipMetric, ClipResult, param
from metrics.registry import register_metric
from metrics.weights import cache_dir, check_hf_folder, locate, verify
from t2vbase.errors import MetricError, WeightsError

MODEL_ID = "openai/clip-vit-base-patch32"
ENV = "T2V_CLIP_PATH"
WEIGHTS = "model.safetensors"
NEEDED = ("config.json", WEIGHTS, "preprocessor_config.json")
TOKENIZERS = (("tokenizer.json",), ("vocab.json", "merges.txt"))
HINT = (
    f"download {MODEL_ID} elsewhere and copy config.json, model.safetensors, preprocessor_config.json and the "
    f"tokenizer files (tokenizer.json, tokenizer_config.json, vocab.json, merges.txt) there, or set ${ENV}"
)
SCORE = "100 * max(cos(image, text), 0)"

#: Loaded scorers by (folder, weights sha256, device): every metric of a process shares one.
_LOADED: dict[tuple[str, str, str], ClipScorer] = {}


def default_dir() -> Path:
    """Where the weights are looked for without ``path=`` or ``$T2V_CLIP_PATH``."""
    return cache_dir() / "clip"


def find_folder(path: str | None, model_id: str = MODEL_ID) -> tuple[Path, str]:
    """The weights folder and how it was found; the Hugging Face cache is the last resort."""
    folder, source = locate(path, ENV, default_dir())
    if source == "cache" and not folder.is_dir():
        try:
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(model_id, local_files_only=True)), "the Hugging Face cache"
        except Exception:  # not cached (or no huggingface_hub): report the folder we looked in
            pass
    return folder, source


def check_folder(folder: Path, source: str) -> None:
    """Raise a one-line :class:`WeightsError` unless ``folder`` holds every file the model needs."""
    check_hf_folder(folder, source, "align.clip", NEEDED, TOKENIZERS, HINT, what="CLIP weights")


@dataclass(frozen=True)
class Preprocess:
    """Frames -> CLIP input, as transformers' ``CLIPImageProcessor`` does with Pillow."""

    shortest_edge: int
    crop: tuple[int, int]  # (height, width)
    resample: int
    rescale: float
    mean: tuple[float, ...]
    std: tuple[float, ...]

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Preprocess:
        size = cfg.get("size", {"shortest_edge": 224})
        edge = size if isinstance(size, int) else size.get("shortest_edge", size.get("height", 224))
        crop = cfg.get("crop_size", edge)
        hw = (crop, crop) if isinstance(crop, int) else (crop["height"], crop["width"])
        norm = cfg.get("do_normalize", True)
        return cls(
            shortest_edge=int(edge),
            crop=(int(hw[0]), int(hw[1])),
            resample=int(cfg.get("resample", 3)),
            rescale=float(cfg.get("rescale_factor", 1 / 255)) if cfg.get("do_rescale", True) else 1.0,
            mean=tuple(cfg.get("image_mean", (0.0, 0.0, 0.0))) if norm else (0.0, 0.0, 0.0),
            std=tuple(cfg.get("image_std", (1.0, 1.0, 1.0))) if norm else (1.0, 1.0, 1.0),
        )

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        """``(N, H, W, 3)`` uint8 RGB -> ``(N, 3, h, w)`` float32."""
        from PIL import Image

        mean, std = np.asarray(self.mean, np.float32), np.asarray(self.std, np.float32)
        ch, cw = self.crop
        out = np.empty((len(frames), 3, ch, cw), np.float32)
        for i, frame in enumerate(frames):
            H, W = frame.shape[:2]
            s = self.shortest_edge
            size = (s, int(s * H / W)) if W <= H else (int(s * W / H), s)  # (width, height)
            img = np.asarray(Image.fromarray(frame).resize(size, Image.Resampling(self.resample)))
            top, left = (img.shape[0] - ch) // 2, (img.shape[1] - cw) // 2
            img = img[max(top, 0) : max(top, 0) + ch, max(left, 0) : max(left, 0) + cw]
            x = img.astype(np.float32) * np.float32(self.rescale)
            out[i] = ((x - mean) / std).transpose(2, 0, 1)
        return out


def _as_clips(frames: Any) -> list[np.ndarray]:
    """``(B, T, H, W, 3)`` array/tensor or a list of ``(T, H, W, 3)`` uint8 clips -> list of arrays."""
    if hasattr(frames, "detach"):
        frames = frames.detach().cpu().numpy()
    clips = [np.asarray(c) for c in frames] if isinstance(frames, (list, tuple)) else list(np.asarray(frames))
    for c in clips:
        if c.dtype != np.uint8 or c.ndim != 4 or c.shape[-1] != 3:
            raise ValueError(f"clips must be uint8 (T, H, W, 3), got {c.dtype} {c.shape}")
    return clips


@dataclass
class ClipScorer:
    """A CLIP model, its tokenizer and preprocessing: per-frame scores and image features.

    ``score(frames, texts)`` has the signature of the embedded encoder's, so any alignment
    consumer (``align.mirror_gap``) can take either.
    """

    model: Any
    tokenizer: Any
    pre: Preprocess
    sha256: str
    folder: Path
    device: str = "cpu"
    batch: int = 32
    _texts: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def image_features(self, frames: np.ndarray) -> np.ndarray:
        """``(N, H, W, 3)`` uint8 -> ``(N, D)`` unit vectors."""
        import torch

        out = []
        with torch.inference_mode():
            for s in range(0, len(frames), self.batch):
                pixels = torch.from_numpy(self.pre(frames[s : s + self.batch])).to(self.device)
                out.append(_unit(_tensor(self.model.get_image_features(pixel_values=pixels))))
        return np.concatenate(out)

    def text_features(self, text: str) -> np.ndarray:
        """``(D,)`` unit vector of one text (remembered)."""
        if text not in self._texts:
            import torch

            length = int(self.model.config.text_config.max_position_embeddings)
            tok = self.tokenizer([text], padding="max_length", max_length=length, truncation=True, return_tensors="pt")
            with torch.inference_mode():
                feats = self.model.get_text_features(
                    input_ids=tok["input_ids"].to(self.device), attention_mask=tok["attention_mask"].to(self.device)
                )
            self._texts[text] = _unit(_tensor(feats))[0]
        return self._texts[text]

    def frame_scores(self, frames: np.ndarray, text: str) -> np.ndarray:
        """``(T,)`` CLIP score of each frame of a ``(T, H, W, 3)`` uint8 clip: ``100 max(cos, 0)``."""
        cos = self.image_features(frames) @ self.text_features(text)
        return 100.0 * np.maximum(cos, 0.0)

    def score(self, frames: Any, texts: Sequence[str]) -> list[float]:
        """Per clip, the mean over its frames of the CLIP score against its text (one text is
        broadcast to every clip; one clip is scored against each text)."""
        clips = _as_clips(frames)
        texts = [texts] if isinstance(texts, str) else list(texts)
        if len(texts) == 1:
            texts = texts * len(clips)
        if len(clips) == 1:
            clips = clips * len(texts)
        if len(texts) != len(clips):
            raise ValueError(f"{len(clips)} clips but {len(texts)} texts")
        return [float(self.frame_scores(c, t).mean()) for c, t in zip(clips, texts, strict=True)]

    def protocol(self) -> dict[str, Any]:
        cfg = self.model.config
        return {
            "model": "CLIP",
            "weights_sha256": self.sha256,
            "image_size": int(cfg.vision_config.image_size),
            "preprocess": f"Pillow resize shorter side to {self.pre.shortest_edge} (filter {self.pre.resample}), centre crop {self.pre.crop[0]}x{self.pre.crop[1]}",
            "score": SCORE,
        }


def _tensor(out: Any) -> Any:
    """transformers 5 may return a model output where 4 returned the embedding tensor."""
    return out if hasattr(out, "norm") else out.pooler_output


def _unit(x: Any) -> np.ndarray:
    x = x.float()
    return (x / x.norm(dim=-1, keepdim=True).clamp(min=1e-12)).cpu().numpy()


def _device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise MetricError(f"align.clip: device={device}: no CUDA device is available (use cpu or auto)")
    return device


def load_clip_scorer(
    path: str | None = None, sha256: str | None = None, model_id: str = MODEL_ID, device: str = "cpu", batch: int = 32
) -> ClipScorer:
    """A checked CLIP scorer from local weights (loaded once per process, folder and device)."""
    import json

    folder, source = find_folder(path, model_id)
    check_folder(folder, source)
    checked = verify(folder, WEIGHTS, sha256, "align.clip")
    dev = _device(device)
    key = (str(folder.resolve()), checked.sha256, dev)
    if key not in _LOADED:
        try:
            import transformers as tf
        except ImportError as err:
            raise MetricError(f"align.clip: needs the transformers package ({err}); pip install transformers") from None
        try:
            model = tf.CLIPModel.from_pretrained(folder, local_files_only=True).to(dev).eval()
            tokenizer = tf.AutoTokenizer.from_pretrained(folder, local_files_only=True)
            pre = Preprocess.from_config(json.loads((folder / "preprocessor_config.json").read_text(encoding="utf-8")))
        except Exception as err:  # whatever transformers, safetensors or json raise on a bad folder
            msg = " ".join(str(err).split())
            raise WeightsError(f"align.clip: cannot load {folder}: {type(err).__name__}: {msg}") from None
        _LOADED[key] = ClipScorer(model, tokenizer, pre, checked.sha256, folder, dev, batch)
    return _LOADED[key]


class ClipAlign:
    """CLIP as an alignment model (``metrics.align.models``, name ``clip``): ``weights`` is the
    checkpoint folder (else ``$T2V_CLIP_PATH``, the caches). ``protocol()`` checks the weights
    without loading the network."""

    def __init__(self, weights: str | None = None) -> None:
        self.weights, self.device = weights, "cpu"

    def to(self, device: Any) -> ClipAlign:
        self.device = _device(str(device))
        return self

    def score(self, frames: Any, texts: Sequence[str]) -> list[float]:
        return load_clip_scorer(self.weights, device=self.device).score(frames, texts)

    def protocol(self) -> dict[str, Any]:
        folder, source = find_folder(self.weights)
        check_folder(folder, source)
        return {"model": "clip", "weights_sha256": verify(folder, WEIGHTS, None, "align.clip").sha256, "score": SCORE}


ALIGN_MODELS.add("clip", ClipAlign, description="CLIP from local weights: mean over frames of 100*max(cos, 0)")


def sample(n: int, most: int) -> np.ndarray:
    """Indices of at most ``most`` frames spread evenly over ``n`` (all when ``n <= most``)."""
    return np.unique(np.round(np.linspace(0, n - 1, min(n, most))).astype(int))


@register_metric
@dataclass(kw_only=True)
class ClipScore(ClipMetric):
    """CLIP score of the frames against the prompt's text: ``100 * max(cos, 0)`` per frame (image
    and text embeddings of a local CLIP), averaged over frames; in [0, 100], higher is better.
    ``detail.min`` is the lowest frame's score (a clip that loses its subject midway; also the
    value of ``align.clip_min``) and ``detail.min_frame`` its index, with ``detail.per_frame``
    and ``detail.frames``.

    Frames: all, or ``max_frames`` spread evenly over a longer clip. Weights come from ``path``,
    ``$T2V_CLIP_PATH``, ``~/.cache/t2vbench/clip`` or the Hugging Face cache (never downloaded);
    a missing folder or a wrong checksum is a one-line error before the run starts. Not part of
    ``--metrics all`` (its weights are not bundled): name it.

    Input: ``(T, H, W, 3)`` uint8 clips and their prompt. Output: one float per clip.
    """

    name: ClassVar[str] = "align.clip"
    version: ClassVar[str] = "1"
    higher_is_better: ClassVar[bool | None] = True
    description: ClassVar[str] = "CLIP score 100*max(cos,0) of frames vs the prompt, mean over frames (min in detail)"
    unit: ClassVar[str] = "CLIP score (0-100)"
    in_all: ClassVar[bool] = False

    max_frames: int = param(32, unit="frames", doc="frames scored, spread evenly over the clip")
    path: str | None = param(None, protocol=False, doc="weights folder (else $T2V_CLIP_PATH, the cache)")
    sha256: str | None = param(None, protocol=False, doc="expected sha256 of model.safetensors")
    model_id: str = param(MODEL_ID, protocol=False, doc="the Hugging Face cache entry looked in last")
    device: str = param("cpu", protocol=False)
    batch: int = param(32, protocol=False)

    @property
    def uses_device(self) -> bool:
        return True

    def to(self, device: Any) -> ClipScore:
        self.device = str(device)
        return self

    def scorer(self) -> ClipScorer:
        """The loaded scorer (``score(frames, texts) -> list[float]``: per-clip mean over frames)."""
        return load_clip_scorer(self.path, self.sha256, self.model_id, self.device, self.batch)

    def protocol(self) -> dict[str, Any]:
        return {**super().protocol(), **self.scorer().protocol()}

    def frame_scores(self, clip: Clip) -> tuple[np.ndarray, np.ndarray]:
        """The frames scored and their scores, computed once per clip and weights (``align.clip``
        and ``align.clip_min`` share them)."""
        scorer = self.scorer()
        idx = sample(clip.num_frames, self.max_frames)
        key = f"clip_scores:{scorer.sha256}:{self.max_frames}"
        if key not in clip.cache:
            clip.cache[key] = idx, scorer.frame_scores(clip.frames[idx], clip.prompt.text)
        return clip.cache[key]

    def score(self, clip: Clip) -> ClipResult:
        idx, per = self.frame_scores(clip)
        low = int(np.argmin(per))
        detail = {
            "mean": round(float(per.mean()), 4),
            "min": round(float(per[low]), 4),
            "min_frame": int(idx[low]),
            "per_frame": [round(float(s), 3) for s in per],
            "frames": idx.tolist(),
        }
        return ClipResult(value=round(float(self.reduce(per)), 4), detail=detail)

    def reduce(self, per: np.ndarray) -> float:
        return float(per.mean())


@register_metric
@dataclass(kw_only=True)
class ClipScoreMin(ClipScore):
    """The lowest frame's CLIP score (``100 * max(cos, 0)`` against the prompt), in [0, 100],
    higher is better: a clip that shows its prompt only part of the time scores its worst frame.
    Same frames, weights and ``detail`` as ``align.clip``, computed once for both.

    Input: ``(T, H, W, 3)`` uint8 clips and their prompt. Output: one float per clip.
    """

    name: ClassVar[str] = "align.clip_min"
    description: ClassVar[str] = "lowest per-frame CLIP score 100*max(cos,0) of the frames vs the prompt"

    def reduce(self, per: np.ndarray) -> float:
        return float(per.min())
