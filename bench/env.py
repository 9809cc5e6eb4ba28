"""The machine and software a run used (for manifests and profiles)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import t2vbase


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def total_memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def git_commit() -> str | None:
    """Commit of the t2vbench checkout, if it runs from one (``+dirty`` when modified)."""
    root = Path(t2vbase.__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return None
    try:
        sha = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if sha.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return sha.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _torch_facts() -> dict[str, Any]:
    """torch version, CUDA and GPU. torch is asked only if the run already imported it (a run
    that never used it ran nothing on a GPU); otherwise its installed version is read."""
    torch = sys.modules.get("torch")
    if torch is None:
        return {"torch": _versions(["torch"])["torch"], "cuda": None, "gpu": None}
    cuda = torch.cuda.is_available()
    return {
        "torch": torch.__version__,
        "cuda": torch.version.cuda if cuda else None,
        "gpu": torch.cuda.get_device_name(0) if cuda else None,
    }


def environment() -> dict[str, Any]:
    """python, torch, cuda, gpu, cpu, platform, git commit and key library versions."""
    return {
        "t2vbench": t2vbase.__version__,
        "python": sys.version.split()[0],
        **_torch_facts(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_bytes": total_memory_bytes(),
        "platform": platform.platform(),
        "git_commit": git_commit(),
        "libraries": _versions(["numpy", "opencv-python-headless", "av", "decord", "torchmetrics", "scipy"]),
    }


def _versions(names: list[str]) -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = None
    return out
