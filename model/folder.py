"""``folder:PATH`` — pre-generated clips at ``PATH/<prompt_id>/<seed>.mp4`` (any model, any API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.registry import register_generator
from prompts.schema import Prompt
from t2vbase.errors import GeneratorError
from t2vbase.video import Video, read_video

EXTENSIONS = (".mp4", ".webm", ".mkv", ".mov", ".avi")


@register_generator("folder", arg="raw", description="pre-generated videos at PATH/<prompt_id>/<seed>.mp4")
class FolderGenerator:
    """Serves existing files. The harness copies them into the run (no re-encoding) via
    :meth:`source_path`; :meth:`generate` decodes them for direct use.

    A clip must be a regular file inside the folder: a symbolic link is followed only while it
    stays inside (a link to a system file is refused, so it never lands in a published run).
    """

    name = "folder"
    version = "2"

    def __init__(self, path: str) -> None:
        self.root = Path(path).expanduser()
        if not self.root.is_dir():
            raise GeneratorError(f"folder:{path}: no such folder")
        self.real_root = self.root.resolve()

    def options(self) -> dict[str, str]:
        return {"path": str(self.root)}

    def source_path(self, prompt_id: str, seed: int) -> Path:
        """The unit's clip file; a one-line error if it is missing, not a file or leaves the folder."""
        base = self.root / prompt_id
        for ext in EXTENSIONS:
            cand = base / f"{seed}{ext}"
            if cand.is_symlink() or cand.exists():
                return self._checked(cand)
        raise GeneratorError(f"{base / f'{seed}.mp4'}: no clip for prompt {prompt_id!r} seed {seed}")

    def _checked(self, cand: Path) -> Path:
        real = cand.resolve()
        if not real.is_relative_to(self.real_root):
            raise GeneratorError(f"{cand}: a link to {real}, outside folder {self.root}; copy the clip into the folder")
        if not real.is_file():
            raise GeneratorError(f"{cand}: not a file")
        return cand

    def source_key(self, prompt_id: str, seed: int) -> dict[str, Any]:
        """What identifies the unit's source clip now: its path, size and modification time (a
        replaced clip is a new clip, so ``--resume`` re-scores it)."""
        try:
            path = self.source_path(prompt_id, seed)
            st = path.stat()
        except (GeneratorError, OSError) as err:
            return {"unavailable": str(err)}
        return {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}

    def generate(self, prompt: Prompt | str, *, seed: int = 0, **_: object) -> Video:
        if not isinstance(prompt, Prompt):
            raise GeneratorError("folder: generate() needs a Prompt (the id names the sub-folder)")
        return read_video(self.source_path(prompt.id, seed))
