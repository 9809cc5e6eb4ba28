"""``align.mirror_gap``: does the alignment score know left from right?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from metrics.align.video_text import AlignMetric
from metrics.base import Clip, ClipResult
from metrics.registry import register_metric
from prompts.mirror import mirror_text


@register_metric
@dataclass(kw_only=True)
class MirrorGap(AlignMetric):
    """score(prompt) − score(mirrored prompt), for prompts that name a side.

    The mirrored prompt swaps left and right in the text (``prompts.mirror.mirror_text``: the
    same swap that makes the suites' ``mirror`` pairs). Positive when the clip follows the prompt,
    negative when it shows the mirror image; about 0 for a relation-blind scorer. Range [-2, 2]
    for scores in [-1, 1]; higher is better. Prompts without a side (no "left", "right",
    "leftward", ...) get no value (``n/a`` in ``detail``). ``model`` chooses the scorer
    (``tiny``: the embedded encoder; any registered alignment model), so the same number
    exposes relation-blind CLIP-type scorers.

    Input: ``(T, H, W, 3)`` uint8 clips and their prompts. Output: one float per clip, with both
    scores and the mirrored text in ``detail``.
    """

    name: ClassVar[str] = "align.mirror_gap"
    version: ClassVar[str] = "3"  # 2: tiny-v2 (layout heads in the score); 3: tiny-v3 (layout per span of time)
    higher_is_better: ClassVar[bool | None] = True
    description: ClassVar[str] = "score(prompt) - score(left/right-mirrored prompt); > 0: follows the prompt"

    def score(self, clip: Clip) -> ClipResult:
        text = clip.prompt.text
        mirrored = mirror_text(text)
        if mirrored == text:
            return ClipResult(value=None, detail={"note": "n/a: the prompt names no left or right"})
        s, m = self.aligner().score(clip.frames[None], [text, mirrored])
        return ClipResult(
            value=round(s - m, 6), detail={"score": round(s, 6), "mirrored_score": round(m, 6), "mirrored": mirrored}
        )
