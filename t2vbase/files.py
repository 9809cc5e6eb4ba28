"""Atomic file writes (temporary file in the same folder, fsync, then rename) and JSON helpers."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

TMP_SUFFIX = ".tmp"
_UMASK: list[int] = []


def umask() -> int:
    """The process umask (read once: ``os.umask`` can only be read by setting it)."""
    if not _UMASK:
        current = os.umask(0o022)
        os.umask(current)
        _UMASK.append(current)
    return _UMASK[0]


def temp_beside(dest: Path, suffix: str = TMP_SUFFIX) -> str:
    """A new temporary file beside ``dest`` (to be renamed onto it), with the mode a plain
    ``open`` would give: mkstemp makes 0600 files, which a teammate or a web server could not read
    once renamed. ``suffix`` must end in ``.tmp`` so a killed writer's leftovers can be found."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=suffix, dir=dest.parent)
    os.fchmod(fd, 0o666 & ~umask())
    os.close(fd)
    return tmp


def is_temp_name(name: str) -> bool:
    """Whether a file name is one of :func:`temp_beside`'s (left behind by a killed writer)."""
    return name.startswith(".") and name.endswith(TMP_SUFFIX) and name.count(".") >= 3


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    dest = Path(path)
    tmp = temp_beside(dest)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def to_jsonable(obj: Any) -> Any:
    """numpy scalars/arrays and Paths to plain JSON types."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        f = float(obj)
        return f if np.isfinite(f) else None
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def atomic_write_json(path: str | os.PathLike[str], data: Any, indent: int | None = 2) -> Path:
    text = json.dumps(to_jsonable(data), indent=indent, ensure_ascii=False, sort_keys=False, allow_nan=False)
    return atomic_write_text(path, text + "\n")


def atomic_copy(src: str | os.PathLike[str], dest: str | os.PathLike[str]) -> Path:
    d = Path(dest)
    tmp = temp_beside(d)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, d)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return d


def read_json(path: str | os.PathLike[str]) -> Any:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
