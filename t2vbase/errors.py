"""Error types shared by every package (a leaf module: imports no project package).

Every error a user can cause carries a one-line message that names the file, prompt id or field.
The CLI prints ``t2vbench: error: <message>`` and exits with ``exit_code``.
"""

from __future__ import annotations


class T2VError(Exception):
    """Base of all user-facing errors. ``str(err)`` is one line that says what and where."""

    exit_code: int = 2

    def __str__(self) -> str:
        text = str(self.args[0]) if self.args else ""
        return " ".join(text.split()) if text else self.__class__.__name__


class UsageError(T2VError):
    """Bad command-line usage or an option the run cannot start with."""


class UnknownNameError(T2VError, KeyError):
    """A name not found in a registry; the message offers the closest names."""


class SuiteError(T2VError):
    """A suite file that cannot be read or does not follow the schema."""


class GeneratorError(T2VError):
    """A generator that cannot be built or that failed on one unit."""


class VideoError(T2VError):
    """A video that cannot be read or written; the message names the file."""


class MetricError(T2VError):
    """A metric that cannot be built (bad options, missing weights)."""


class WeightsError(T2VError):
    """Weights missing from the local path or cache, or failing their sha256."""
