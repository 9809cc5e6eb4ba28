"""The Generator protocol: diffusers-style arguments in, a :class:`~t2vbase.video.Video` out."""

from __future__ import annotations

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


def prompt_text(prompt: Prompt | str) -> str:
    return prompt if isinstance(prompt, str) else prompt.text


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
