"""Clips are reproducible byte for byte: the same frames always encode to the same file, whatever
the process did before (what lets 1 and N shards, or a killed and resumed run, agree exactly).

Known bug (reported, not fixed here): x264's macroblock tree, as PyAV's wheel builds it, reads
memory it never wrote for frame sizes such as 64x64, 96x96, 160x160 and 480x848 (128x128 and
256x256 are safe): the same frames give different files in 5-50% of encodes. ``x264-params:
mbtree=0`` in ``write_video`` fixes it, but changes every clip's compression and two physics tests
at their thresholds (kinematics fall, plain), so the fix is the lead's and the physics helper's
call. The test of the bug is an xfail, not strict: glibc's MALLOC_PERTURB_ fills fresh memory with a
chosen byte, which makes the bug show in most runs instead of in some encodes, but a clean CI
checkout on a loaded machine once encoded both heaps alike (XPASS), and a strict marker made that a
failed CI; an XPASS in the report is the sign to look again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENCODE = """
import hashlib, sys, tempfile
from model import get_generator
from prompts import load_suite
from t2vbase.video import write_video
prompt = load_suite("nightly").prompt("cam-zoom-in-003")
size = int(sys.argv[1])
video = get_generator("reference").generate(prompt, num_frames=16, height=size, width=size, seed=0)
path = tempfile.mktemp(suffix=".mp4")
write_video(path, video)
print(hashlib.sha256(open(path, "rb").read()).hexdigest())
"""


def encode_with_heap_filled_with(byte: int, size: int = 160) -> str:
    """The file's sha256 when freshly allocated memory holds ``byte`` (glibc's MALLOC_PERTURB_):
    an encoder that reads memory it never wrote gives a different file for each byte."""
    env = {**os.environ, "MALLOC_PERTURB_": str(byte), "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-c", ENCODE, str(size)]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


BUG = "x264 mbtree reads uninitialised memory (see the module docstring)"


@pytest.mark.xfail(strict=False, reason=BUG)
def test_encoding_never_reads_uninitialised_memory() -> None:
    assert encode_with_heap_filled_with(85) == encode_with_heap_filled_with(170)


def test_a_safe_size_encodes_the_same_whatever_the_heap_holds() -> None:
    """128x128 (the reference world's default) does not hit the bug; shard tests rely on it."""
    assert encode_with_heap_filled_with(85, 128) == encode_with_heap_filled_with(170, 128)
