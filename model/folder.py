"""``folder:PATH`` — pre-generated clips at ``PATH/<prompt_id>/<seed>.mp4`` (any model, any API)."""

from __future__ import annotations

from pathlib import Path

from model.registry import register_generator
from prompts.schema import Prompt
from t2vbase.errors import GeneratorError
from t2vbase.video import Video, read_video

EXTENSIONS = (".mp4", ".webm", ".mkv", ".mov", ".avi")


@register_generator("folder", arg="raw", description="pre-generated videos at PATH/<prompt_id>/<seed>.mp4")
class FolderGenerator:
    """Serves existing files. The harness copies them into the run (no re-encoding) via
    :meth:`source_path`; :meth:`generate` decodes them for direct use."""

    name = "folder"
    version = "1"

    def __init__(self, path: str) -> None:
        self.root = Path(path).expanduser()
        if not self.root.is_dir():
            raise GeneratorError(f"folder:{path}: no such folder")

    def options(self) -> dict[str, str]:
        return {"path": str(self.root)}

    def source_path(self, prompt_id: str, seed: int) -> Path:
        base = self.root / prompt_id
        for ext in EXTENSIONS:
            cand = base / f"{seed}{ext}"
            if cand.is_file():
                return cand
        raise GeneratorError(f"{base / f'{seed}.mp4'}: no clip for prompt {prompt_id!r} seed {seed}")

    def generate(self, prompt: Prompt | str, *, seed: int = 0, **_: object) -> Video:
        if not isinstance(prompt, Prompt):
            raise GeneratorError("folder: generate() needs a Prompt (the id names the sub-folder)")
        return read_video(self.source_path(prompt.id, seed))
