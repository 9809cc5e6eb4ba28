"""``python -m bench`` is ``t2vbench``."""

from bench.cli import console

console()
