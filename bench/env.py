"""The machine and software a run used (for manifests and profiles)."""

from __future__ import annotations

import os
import platform
import re
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


def nvidia_driver(proc: Path = Path("/proc/driver/nvidia/version")) -> str | None:
    """The NVIDIA kernel driver's version (``/proc/driver/nvidia/version``, else ``nvidia-smi``)."""
    try:
        text = proc.read_text()
        m = re.search(r"Kernel Module(?: for [\w-]+)?\s+([0-9][0-9.]+)", text)
        if m:
            return m.group(1)
    except OSError:
        pass
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    line = out.stdout.strip().splitlines()[0].strip() if out.returncode == 0 and out.stdout.strip() else ""
    return line or None


def _determinism(torch: Any) -> dict[str, Any]:
    """The switches that decide whether GPU kernels give the same numbers twice."""
    return {
        "deterministic_algorithms": bool(torch.are_deterministic_algorithms_enabled()),
        "cudnn_deterministic": bool(torch.backends.cudnn.deterministic),
        "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
        "tf32_matmul": bool(torch.backends.cuda.matmul.allow_tf32),
        "tf32_cudnn": bool(torch.backends.cudnn.allow_tf32),
        "cublas_workspace_config": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
    }


def fingerprint(device: str, batch: int = 1, execution: dict[str, Any] | None = None) -> dict[str, Any]:
    """What can change a run's numbers beyond its options: the device kind, GPU model, driver,
    CUDA, cuDNN, torch, the determinism switches and the batch size (plus how the generator
    runs: offload, ...). Two runs to compare should have equal fingerprints; every shard records
    its own. Device indices are left out (cuda:3 computes as cuda:0); on the CPU only the device,
    batch and torch version are recorded (torch is not imported to ask)."""
    kind = "cuda" if device.startswith("cuda") else device
    torch = sys.modules.get("torch")
    out: dict[str, Any] = {"device": kind, "batch": int(batch)}
    out["torch"] = torch.__version__ if torch is not None else _versions(["torch"])["torch"]
    out |= {"gpu": None, "driver": None, "cuda": None, "cudnn": None}
    if kind == "cuda" and torch is not None and torch.cuda.is_available():
        index = torch.device(device).index
        index = torch.cuda.current_device() if index is None else index
        out |= {"gpu": torch.cuda.get_device_name(index), "driver": nvidia_driver(), "cuda": torch.version.cuda}
        out["cudnn"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
        out |= _determinism(torch)
    generator = {k: v for k, v in (execution or {}).items() if k not in ("device", "batch")}
    if generator:
        out["generator"] = generator
    return out
