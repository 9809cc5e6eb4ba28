"""The ``owl`` backend: open-vocabulary detection for real video, OWLv2 (or OWL-ViT) through
transformers, from local weights only.

Weights: a folder holding what ``google/owlv2-base-patch16-ensemble`` ships — ``config.json``,
``model.safetensors``, ``preprocessor_config.json`` and the tokenizer files (``tokenizer.json``,
or ``vocab.json`` and ``merges.txt``) — found at ``path=``, else ``$T2V_OWL_PATH``, else
``~/.cache/t2vbench/owlv2`` (``$XDG_CACHE_HOME`` respected). ``config.json``'s ``model_type``
(``owlv2`` or ``owlvit``) picks the model class. A ``sha256=`` option and/or a ``SHA256SUMS`` file
in the folder pin the weights (:mod:`metrics.weights`). Loading is ``local_files_only``: nothing
is ever downloaded, and a folder that is missing or incomplete, a wrong checksum or a missing
transformers package is a one-line error saying what to put where.

Frames are preprocessed as the folder's ``preprocessor_config.json`` says and transformers' OWL
image processors do, without torchvision: OWLv2 rescales to [0, 1], pads to a square at the bottom
and right with zeros (as the official implementation and transformers 5 do; transformers 4 padded
with gray), blurs (Gaussian anti-aliasing) when shrinking, resizes bilinearly (SciPy/OpenCV); OWL-ViT resizes the frame with Pillow (``resample``) and rescales; both normalise
by ``image_mean`` / ``image_std``. Boxes come back in the padded square's (or
the resized frame's) normalised coordinates and are mapped to the clip's pixels. What happens to
the boxes after that is :mod:`metrics.observe.detect`'s business.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from scipy import ndimage
from scipy.special import expit

from metrics.observe.base import Observation
from metrics.observe.detect import BoxObserving, Detections, Detector, observe_with
from metrics.weights import cache_dir, check_hf_folder, locate, verify
from t2vbase.errors import MetricError, WeightsError

MODEL_ID = "google/owlv2-base-patch16-ensemble"
ENV = "T2V_OWL_PATH"
WEIGHTS = "model.safetensors"
NEEDED = ("config.json", WEIGHTS, "preprocessor_config.json")
TOKENIZERS = (("tokenizer.json",), ("vocab.json", "merges.txt"))
MODEL_TYPES = ("owlv2", "owlvit")
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
HINT = (
    f"download {MODEL_ID} elsewhere and copy config.json, model.safetensors, preprocessor_config.json and the "
    "tokenizer files (tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.json, merges.txt) "
    f"there, or pass --backend owl:path=DIR (or set ${ENV})"
)

#: Loaded (model, tokenizer) by (folder, weights sha256, device): every check of a run shares one.
_LOADED: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def default_dir() -> Path:
    """Where the backend looks without ``path=`` or ``$T2V_OWL_PATH``: ``<cache>/owlv2``."""
    return cache_dir() / "owlv2"


def _transformers() -> Any:
    try:
        import transformers
    except ImportError as err:
        raise MetricError(
            f"owl: needs the transformers package ({err}); pip install 't2v-bench[detect]' "
            "(weights stay local: nothing is downloaded)"
        ) from None
    return transformers


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise WeightsError(f"owl: cannot read {path}: {err}") from None


def check_folder(folder: Path, source: str) -> None:
    """Raise a one-line :class:`WeightsError` unless ``folder`` holds every file the model needs."""
    check_hf_folder(folder, source, "owl", NEEDED, TOKENIZERS, HINT)


@dataclass(frozen=True)
class Preprocess:
    """Frames -> model input as ``preprocessor_config.json`` says (see the module docstring)."""

    model_type: str  # owlv2: anti-aliased bilinear resize; owlvit: Pillow resize
    size: tuple[int, int]  # (height, width) of the model input
    mean: tuple[float, ...]
    std: tuple[float, ...]
    rescale: float
    pad: bool  # pad to a square at the bottom and right first (OWLv2)
    resample: int  # Pillow's resampling filter for OWL-ViT (2 bilinear, 3 bicubic)

    @classmethod
    def from_config(cls, cfg: dict[str, Any], model_type: str) -> Preprocess:
        size = cfg.get("size", 960 if model_type == "owlv2" else 768)
        hw = (size, size) if isinstance(size, int) else (size["height"], size["width"])
        norm = cfg.get("do_normalize", True)
        return cls(
            model_type=model_type,
            size=(int(hw[0]), int(hw[1])),
            mean=tuple(cfg.get("image_mean", CLIP_MEAN)) if norm else (0.0, 0.0, 0.0),
            std=tuple(cfg.get("image_std", CLIP_STD)) if norm else (1.0, 1.0, 1.0),
            rescale=float(cfg.get("rescale_factor", 1 / 255)) if cfg.get("do_rescale", True) else 1.0,
            pad=model_type == "owlv2" and bool(cfg.get("do_pad", True)),
            resample=int(cfg.get("resample", 2 if model_type == "owlv2" else 3)),
        )

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        """``(B, H, W, 3)`` uint8 RGB -> ``(B, 3, h, w)`` float32 model input."""
        h, w = self.size
        mean, std = np.asarray(self.mean, np.float32), np.asarray(self.std, np.float32)
        out = np.empty((len(frames), 3, h, w), np.float32)
        for i, frame in enumerate(frames):
            out[i] = ((self._resize(frame) - mean) / std).transpose(2, 0, 1)
        return out

    def _resize(self, frame: np.ndarray) -> np.ndarray:
        h, w = self.size
        if self.model_type == "owlvit":  # its processor: Pillow resize of the uint8 frame, then rescale
            from PIL import Image

            small = Image.fromarray(frame).resize((w, h), Image.Resampling(self.resample))
            return np.asarray(small, np.float32) * np.float32(self.rescale)
        x = frame.astype(np.float32) * np.float32(self.rescale)
        if self.pad:
            side = max(x.shape[:2])
            square = np.zeros((side, side, 3), np.float32)
            square[: x.shape[0], : x.shape[1]] = x
            x = square
        sigma = max(0.0, (x.shape[0] / h - 1) / 2), max(0.0, (x.shape[1] / w - 1) / 2)
        if max(sigma) > 0:
            x = ndimage.gaussian_filter(x, (*sigma, 0), mode="mirror")
        return np.clip(cv2.resize(x, (w, h), interpolation=cv2.INTER_LINEAR), x.min(), x.max())

    def to_pixels(self, boxes: np.ndarray, H: int, W: int) -> np.ndarray:
        """``(n, 4)`` normalised ``cx, cy, w, h`` of the model input -> ``x0, y0, x1, y1`` pixels of an
        ``H x W`` frame."""
        corners = np.concatenate([boxes[:, :2] - boxes[:, 2:] / 2, boxes[:, :2] + boxes[:, 2:] / 2], axis=1)
        scale = np.full(4, max(H, W), float) if self.pad else np.array([W, H, W, H], float)
        return corners * scale


class OwlDetector:
    """An OWL model and its tokenizer from a checked folder (loaded once per process).

    Args:
        folder: the weights folder; ``model_type`` ``owlv2`` or ``owlvit``; ``sha256`` of the weights.
        pre: the preprocessing; ``device`` a torch device; ``batch`` frames per forward pass.
    """

    def __init__(self, folder: Path, model_type: str, sha256: str, pre: Preprocess, device: str, batch: int) -> None:
        self.folder, self.model_type, self.sha256 = folder, model_type, sha256
        self.pre, self.device, self.batch = pre, device, max(int(batch), 1)

    def load(self) -> tuple[Any, Any]:
        key = (str(self.folder.resolve()), self.sha256, self.device)
        if key not in _LOADED:
            tf = _transformers()
            cls = tf.Owlv2ForObjectDetection if self.model_type == "owlv2" else tf.OwlViTForObjectDetection
            try:
                model = cls.from_pretrained(self.folder, local_files_only=True).to(self.device).eval()
                tokenizer = tf.AutoTokenizer.from_pretrained(self.folder, local_files_only=True)
            except Exception as err:  # whatever transformers or safetensors raise on a bad folder
                msg = " ".join(str(err).split())
                raise WeightsError(f"owl: cannot load {self.folder}: {type(err).__name__}: {msg}") from None
            _LOADED[key] = (model, tokenizer)
        return _LOADED[key]

    def detect(self, frames: np.ndarray, queries: list[str], min_score: float) -> list[Detections]:
        """Per frame of ``(T, H, W, 3)`` uint8 ``frames``: boxes whose best query scores ``min_score``
        or more, labelled with that query (OWL's usual reading of its per-query logits)."""
        import torch

        model, tokenizer = self.load()
        T, H, W = frames.shape[:3]
        length = int(model.config.text_config.max_position_embeddings)
        text = tokenizer(queries, padding="max_length", max_length=length, truncation=True, return_tensors="pt")
        ids, mask = text["input_ids"].to(self.device), text["attention_mask"].to(self.device)
        out: list[Detections] = []
        with torch.inference_mode():
            for s in range(0, T, self.batch):
                chunk = frames[s : s + self.batch]
                n = len(chunk)
                pixels = torch.from_numpy(self.pre(chunk)).to(self.device)
                res = model(input_ids=ids.repeat(n, 1), attention_mask=mask.repeat(n, 1), pixel_values=pixels)
                logits = res.logits.float().cpu().numpy()  # (n, patches, queries)
                boxes = res.pred_boxes.float().cpu().numpy()  # (n, patches, 4) cx, cy, w, h
                for b in range(n):
                    scores = expit(logits[b].max(-1))
                    keep = np.flatnonzero(scores >= min_score)
                    labels = logits[b].argmax(-1)[keep]
                    out.append(Detections(self.pre.to_pixels(boxes[b, keep], H, W), scores[keep], labels))
        return out


def _device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise MetricError(f"owl: device={device}: no CUDA device is available (use device=cpu or auto)")
    return device


class OwlBackend:
    """Observes every expected object by its words (``"a photo of a red ball"``) with OWLv2 or OWL-ViT.

    Args:
        path: the weights folder (default ``$T2V_OWL_PATH``, else ``~/.cache/t2vbench/owlv2``).
        sha256: expected sha256 of ``model.safetensors`` (optional; see also ``SHA256SUMS``).
        threshold: score a box needs to start a track (half of it continues one).
        nms: IoU above which a lower-scoring box of the same query is dropped.
        device: ``auto`` (CUDA when available), ``cpu``, ``cuda`` or ``cuda:N``.
        batch: frames per forward pass.
    """

    name = "owl"

    def __init__(
        self,
        path: str | None = None,
        sha256: str | None = None,
        threshold: float = 0.2,
        nms: float = 0.3,
        device: str = "auto",
        batch: int = 8,
    ) -> None:
        folder, source = locate(path, ENV, default_dir())
        check_folder(folder, source)
        config = _read_json(folder / "config.json")
        model_type = config.get("model_type")
        if model_type not in MODEL_TYPES:
            raise WeightsError(f"owl: {folder / 'config.json'}: model_type {model_type!r} is not owlv2 or owlvit")
        pre = Preprocess.from_config(_read_json(folder / "preprocessor_config.json"), model_type)
        image_size = int(config.get("vision_config", {}).get("image_size", 768))
        if pre.size != (image_size, image_size):
            raise WeightsError(
                f"owl: {folder / 'preprocessor_config.json'}: size {pre.size} does not match the model's "
                f"image_size {image_size} (config.json); copy both files from the same checkpoint"
            )
        checked = verify(folder, WEIGHTS, sha256, "owl")
        detector = OwlDetector(folder, model_type, checked.sha256, pre, _device(device), batch)
        detector.load()  # a folder that cannot be loaded stops the run before it starts
        self.threshold, self.nms = float(threshold), float(nms)
        self.model_type, self.image_size, self.weights_sha256 = model_type, image_size, checked.sha256
        self.detector: Detector = detector

    def protocol(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": self.model_type,
            "weights_sha256": self.weights_sha256,
            "image_size": self.image_size,
            "threshold": self.threshold,
            "nms_iou": self.nms,
            "query": "a photo of a [color] noun",
            **BoxObserving().protocol(),
        }

    def observe(self, clip: Any) -> Observation:
        return observe_with(self.detector, clip, self.name, self.threshold, self.nms)
