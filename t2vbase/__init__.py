"""t2vbench's foundations: what every other package of the project may import.

``errors`` (user-facing error types), ``registry`` (the one registry and spec-string parsing),
``files`` (atomic writes), ``video`` (``Video``, ``read_video``, ``write_video``) and ``rundir``
(the run-directory layout, row schema, readers and writers). This package imports no other
project package, so the dependency graph stays one-way:
``t2vbase <- prompts <- {model, metrics} <- bench`` and ``t2vbase <- reports``.
"""

__version__ = "0.2.0"
