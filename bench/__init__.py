"""t2vbench harness: the orchestration (CLI, runs, work units, resume, validate, profiling).

Every other package is below it: nothing outside ``bench`` imports ``bench``. The shared
foundations (errors, registries, video I/O, the run directory) live in :mod:`t2vbase`.
"""

from t2vbase import __version__

__all__ = ["__version__"]
