"""sha256 of weights files: one digest per file version, ``SHA256SUMS`` files, and a digest of many.

Every package that loads weights (an observation backend, a diffusers pipeline) records which
weights produced its numbers and checks them against a pin. Digests are remembered per (path,
size, mtime) for the life of the process and, when asked (``persist=True``), in the local cache
too, so a nightly run of an unchanged 30 GB checkpoint does not read it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from pathlib import Path

from t2vbase.errors import T2VError
from t2vbase.files import atomic_write_json

SUMS = "SHA256SUMS"
_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
_HEX = re.compile(r"[0-9a-fA-F]{64}")
_DIGESTS: dict[tuple[str, int, int], str] = {}


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/t2vbench``, by default ``~/.cache/t2vbench``."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "t2vbench"


def _disk_entry(key: tuple[str, int, int]) -> Path:
    name = hashlib.sha256(key[0].encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return cache_dir() / "sha256" / f"{name}.json"


def _read_disk(key: tuple[str, int, int]) -> str | None:
    try:
        doc = json.loads(_disk_entry(key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(doc, dict) and [doc.get("path"), doc.get("size"), doc.get("mtime_ns")] == list(key)
    digest = doc.get("sha256") if ok else None
    return digest if isinstance(digest, str) and _HEX.fullmatch(digest) else None


def _write_disk(key: tuple[str, int, int], digest: str) -> None:
    with contextlib.suppress(OSError):  # a read-only cache only costs time
        atomic_write_json(_disk_entry(key), {"path": key[0], "size": key[1], "mtime_ns": key[2], "sha256": digest})


def sha256_file(path: Path, persist: bool = False) -> str:
    """Hex sha256 of a file, remembered per (path, size, mtime): for the process, and with
    ``persist`` in ``cache_dir()/sha256`` for later processes (shards, tomorrow's run)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key in _DIGESTS:
        return _DIGESTS[key]
    digest = _read_disk(key) if persist else None
    if digest is None:
        h = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        digest = h.hexdigest()
        if persist:
            _write_disk(key, digest)
    _DIGESTS[key] = digest
    return digest


def read_sums(folder: Path, who: str, error: type[T2VError]) -> dict[str, str]:
    """``SHA256SUMS`` of ``folder`` as ``{file name: hex digest}`` (``{}`` without one); names
    may be paths below the folder."""
    path = folder / SUMS
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = _LINE.match(line.strip())
        if m is None:
            raise error(f"{who}: {path} line {n}: expected '<64 hex digits>  <file name>' (as sha256sum writes)")
        out[m.group(2).strip()] = m.group(1).lower()
    return out


def sums_digest(sums: dict[str, str]) -> str:
    """One digest for many files: the sha256 of their ``SHA256SUMS`` text, names sorted (so it
    is what ``sha256sum $(find ... | sort) | sha256sum`` prints, with relative names)."""
    text = "".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_hex_digest(text: str) -> bool:
    return bool(_HEX.fullmatch(text))
