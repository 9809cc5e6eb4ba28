"""The Generator protocol: diffusers-style arguments in, a :class:`~t2vbase.video.Video` out."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from prompts.schema import Prompt
from t2vbase.video import Video


@runtime_checkable
class Generator(Protocol):
    """Anything that turns a prompt into a clip.

    ``prompt`` is a :class:`~prompts.schema.Prompt` when the harness calls (so generators that
    need the scene or the id have them) or a plain string; use :func:`prompt_text` for the text.
    Arguments left ``None`` take the generator's defaults.
    """

    name: str
    version: str

    def generate(
        self,
        prompt: Prompt | str,
        *,
        num_frames: int | None = None,
        height: int | None = None,
        width: int | None = None,
        fps: float | None = None,
        seed: int = 0,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
    ) -> Video:
        """Returns a ``Video`` with ``(T, H, W, 3)`` uint8 frames, its fps and metadata."""
        ...


# Optional, beside ``generate``:
#   generate_batch(prompts, *, seeds, num_frames, height, width, fps) -> list[Video]
#       several units at once (``t2vbench run --batch N``); unit k's clip must be the clip
#       ``generate(prompts[k], seed=seeds[k])`` gives, so a unit is the same alone and in a batch.
#   batch_size: int               the batch it prefers when ``--batch`` is not given
#   to(device) -> self            move to the run's device (``cuda:LOCAL_RANK`` under torchrun)
#   options() -> dict             what defines its clips (enters every unit's gen_key)
#   execution() -> dict           how it runs without changing its clips (device, offload, batch):
#                                 recorded in the manifest's environment fingerprint


def prompt_text(prompt: Prompt | str) -> str:
    return prompt if isinstance(prompt, str) else prompt.text


def unit_seed(prompt: Prompt | str, seed: int) -> int:
    """The random seed of one unit, from its prompt text and seed (63 bits of a sha256).

    A generator that seeds a ``torch.Generator`` per unit from this gives the same clip for a unit
    whether it runs alone, in a batch, in any shard or on any rank; the text (not the prompt id)
    is what the model sees, so the same prompt in two suites gets the same clip.
    """
    digest = hashlib.sha256(f"{prompt_text(prompt)}\x00{int(seed)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def can_batch(gen: Any) -> bool:
    """Whether the generator takes several prompts at once (``generate_batch``)."""
    return callable(getattr(gen, "generate_batch", None))


def execution(gen: Any) -> dict[str, Any]:
    """How a generator runs (device, offload, batch: what does not change its clips), if it says."""
    fn = getattr(gen, "execution", None)
    return dict(fn()) if callable(fn) else {}


def describe(gen: Any) -> dict[str, Any]:
    """Identity of a generator for manifests: name, version and options (if it says them)."""
    out: dict[str, Any] = {
        "name": getattr(gen, "name", type(gen).__name__),
        "version": str(getattr(gen, "version", "unknown")),
    }
    options = getattr(gen, "options", None)
    if callable(options):
        out["options"] = options()
    return out


def source_key(gen: Any, prompt_id: str, seed: int) -> dict[str, Any] | None:
    """What identifies a file-backed generator's source for a unit (path, size, mtime), else
    None: it enters the unit's ``gen_key``, so a replaced source file is generated again."""
    fn = getattr(gen, "source_key", None)
    return fn(prompt_id, seed) if callable(fn) else None


def source_path(gen: Any, prompt_id: str, seed: int) -> Path | None:
    """The file a file-backed generator (``folder:``) serves for a unit, else None: the harness
    copies such files instead of decoding and re-encoding them."""
    fn = getattr(gen, "source_path", None)
    return fn(prompt_id, seed) if callable(fn) else None
