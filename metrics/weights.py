"""Local model weights: where a folder is, what it must hold, and its sha256 sums.

Nothing is ever downloaded. A folder comes from an explicit path, else an environment variable,
else a fixed folder of the local cache (:func:`cache_dir`). A checksum pins the weights: a
``sha256=`` option (the weights file's digest) and/or a ``SHA256SUMS`` file in the folder, in the
format ``sha256sum`` writes (``<64 hex digits>  <file name>`` per line), whose every listed file
must match. The weights file's digest is always computed (once per file version and process) so
that runs record which weights produced their numbers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from t2vbase import checksum
from t2vbase.checksum import SUMS, cache_dir, sha256_file
from t2vbase.errors import WeightsError

__all__ = ["SUMS", "Verified", "cache_dir", "check_hf_folder", "locate", "read_sums", "sha256_file", "verify"]


def locate(path: str | os.PathLike[str] | None, env: str, default: Path) -> tuple[Path, str]:
    """The folder to load from and how it was chosen: ``path`` (``"path="``), else ``$env``,
    else ``default`` (``"cache"``). ``~`` is expanded."""
    if path:
        return Path(path).expanduser(), "path="
    if os.environ.get(env):
        return Path(os.environ[env]).expanduser(), f"${env}"
    return default, "cache"


def read_sums(folder: Path, who: str) -> dict[str, str]:
    """``SHA256SUMS`` of ``folder`` as ``{file name: hex digest}`` (``{}`` without one)."""
    return checksum.read_sums(folder, who, WeightsError)


@dataclass(frozen=True)
class Verified:
    """A checked weights folder: the weights file's digest and whether a checksum pinned it."""

    folder: Path
    sha256: str
    pinned: bool


def verify(folder: Path, weights: str, sha256: str | None, who: str) -> Verified:
    """Check the weights file ``folder/weights`` against ``sha256`` (if given) and every file of
    the folder's ``SHA256SUMS`` (if any; it must list the weights file). Raises a one-line
    :class:`WeightsError` that names the file and both digests."""
    sums = read_sums(folder, who)
    if sums and weights not in sums:
        raise WeightsError(f"{who}: {folder / SUMS} does not list {weights}; add its line (sha256sum {weights})")
    checks = [(name, want, SUMS) for name, want in sorted(sums.items())]
    if sha256:
        if not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
            raise WeightsError(f"{who}: sha256={sha256!r} is not 64 hex digits")
        checks.append((weights, sha256.lower(), "sha256="))
    for name, want, source in checks:
        path = folder / name
        if not path.is_file():
            raise WeightsError(f"{who}: {path} is listed in {source} but missing; copy it there")
        got = sha256_file(path)
        if got != want:
            raise WeightsError(
                f"{who}: {path} has sha256 {got}, expected {want} ({source}); "
                "the file is corrupt or another version: copy it again or fix the checksum"
            )
    return Verified(folder, sha256_file(folder / weights), bool(checks))


def check_hf_folder(
    folder: Path,
    source: str,
    who: str,
    needed: Sequence[str],
    tokenizers: Sequence[Sequence[str]],
    hint: str,
    what: str = "weights",
) -> None:
    """Raise a one-line :class:`WeightsError` unless the transformers folder ``folder`` holds
    every ``needed`` file and one complete group of ``tokenizers`` files (``owl``, ``align.clip``)."""
    if not folder.is_dir():
        raise WeightsError(f"{who}: no {what} at {folder} (from {source}); {hint}")
    missing = [name for name in needed if not (folder / name).is_file()]
    if not any(all((folder / n).is_file() for n in group) for group in tokenizers):
        first, *others = (" and ".join(group) for group in tokenizers)
        missing.append(f"{first} (or {' or '.join(others)})" if others else first)
    if missing:
        raise WeightsError(f"{who}: {folder} (from {source}) lacks {', '.join(missing)}; {hint}")
