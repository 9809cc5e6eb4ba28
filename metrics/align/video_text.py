"""``align.video_text``: how well a clip shows its prompt, by the embedded video–text encoder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from metrics.align.models import AlignModel, build_align_model
from metrics.base import Clip, ClipMetric, ClipResult, param
from metrics.registry import register_metric


@dataclass(kw_only=True)
class AlignMetric(ClipMetric):
    """Shared by ``align.*``: the alignment model, built on first use, and its protocol."""

    model: str = param("tiny", doc="alignment model: tiny (embedded encoder) or a registered one")
    weights: str | None = param(
        None,
        doc="weights file of the model (default: the committed tiny-v3.pt); its sha256 enters the protocol",
        protocol=False,
    )
    scorer: AlignModel | None = param(None, doc="the built model (set on first use)", protocol=False)

    def aligner(self) -> AlignModel:
        if self.scorer is None:
            self.scorer = build_align_model(self.model, self.weights)
        return self.scorer

    def protocol(self) -> dict[str, Any]:
        return {**super().protocol(), "align_model": self.aligner().protocol()}

    def to(self, device: Any) -> AlignMetric:
        if self.uses_device:
            self.aligner().to(device)
        return self

    @property
    def uses_device(self) -> bool:
        """The embedded encoder stays on the CPU (about 5 ms a clip; a GPU would wait on copies,
        and a run that scores nothing need not import torch to pick a device); other alignment
        models take the run's device."""
        return self.model != "tiny"


@register_metric
@dataclass(kw_only=True)
class VideoTextScore(AlignMetric):
    """Prompt–clip alignment: the alignment model's prompt–clip score (by default the embedded
    encoder ``tiny``: the mean of the cosine of the clip's and the text's embeddings and the signed
    agreement of the colours both put in each half of the frame; CLIP-type models: the cosine).

    Range [-1, 1]; higher = the clip shows the prompt better. The embedded encoder samples 8
    frames evenly and sees them at 64x64; its numbers compare runs within the synthetic world
    (it was trained on the reference world) and are no substitute for a CLIP score on real video.

    Input: ``(T, H, W, 3)`` uint8 clips and their prompts. Output: one float per clip.
    """

    name: ClassVar[str] = "align.video_text"
    version: ClassVar[str] = "3"  # 2: tiny-v2 adds its layout heads to the cosine; 3: tiny-v3 (per span)
    higher_is_better: ClassVar[bool | None] = True
    description: ClassVar[str] = "prompt-clip score of the embedded video-text encoder, [-1, 1]"

    def score(self, clip: Clip) -> ClipResult:
        value = self.aligner().score(clip.frames[None], [clip.prompt.text])[0]
        return ClipResult(value=round(value, 6))
