"""Local model weights: where a folder is, what it must hold, and its sha256 sums.

Nothing is ever downloaded. A folder comes from an explicit path, else an environment variable,
else a fixed folder of the local cache (:func:`cache_dir`). A checksum pins the weights: a
``sha256=`` option (the weights file's digest) and/or a ``SHA256SUMS`` file in the folder, in the
format ``sha256sum`` writes (``<64 hex digits>  <file name>`` per line), whose every listed file
must match. The weights file's digest is always computed (once per file version and process) so
that runs record which weights produced their numbers.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from t2vbase.errors import WeightsError

SUMS = "SHA256SUMS"
_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
_DIGESTS: dict[tuple[str, int, int], str] = {}


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/t2vbench``, by default ``~/.cache/t2vbench``."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "t2vbench"


def locate(path: str | os.PathLike[str] | None, env: str, default: Path) -> tuple[Path, str]:
    """The folder to load from and how it was chosen: ``path`` (``"path="``), else ``$env``,
    else ``default`` (``"cache"``). ``~`` is expanded."""
    if path:
        return Path(path).expanduser(), "path="
    if os.environ.get(env):
        return Path(os.environ[env]).expanduser(), f"${env}"
    return default, "cache"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, remembered per (path, size, mtime) for the life of the process."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        h = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        _DIGESTS[key] = h.hexdigest()
    return _DIGESTS[key]


def read_sums(folder: Path, who: str) -> dict[str, str]:
    """``SHA256SUMS`` of ``folder`` as ``{file name: hex digest}`` (``{}`` without one)."""
    path = folder / SUMS
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = _LINE.match(line.strip())
        if m is None:
            raise WeightsError(f"{who}: {path} line {n}: expected '<64 hex digits>  <file name>' (as sha256sum writes)")
        out[m.group(2).strip()] = m.group(1).lower()
    return out


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
