"""``launch --executor local``: each shard a process forked from a warm fork server.

multiprocessing's fork server imports what a shard and the merge need (torch, OpenCV, the
metrics, pandas, the report) once, while the launcher checks its input; the shards forked from it
start their units at once. A fresh interpreter per shard (submitit's local executor) spent about
2 s importing the same modules before its first unit, and the last shard's merge another half
second after its last: together a third of a 2-shard nightly run on two cores. The server is a
clean process that only imported modules: forking the launcher itself is unsafe once it has used
OpenCV's or OpenMP's thread pools (a library caller, a test). Slurm jobs still go through submitit
(:mod:`bench.launch`).

A shard writes its stdout and stderr to ``shards/logs/<i>_log.out|err`` and its
:class:`~bench.launch.ShardResult` to ``shards/logs/<i>_result.pkl``. Past ``--time`` it gets
SIGTERM (the run stops between units, finished units kept), SIGKILL ``GRACE_S`` later, and is
started again (``--resume`` skips what it finished) up to ``--max-requeue`` times.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GRACE_S = 10.0
#: Imported by the fork server before it forks (what every shard and the merge import anyway):
#: the heavy libraries, the runner and report, every built-in metric and bundled generator.
WARM_MODULES = (
    "torch",
    "cv2",
    "av",
    "scipy.optimize",
    "pandas",
    "pyarrow.parquet",
    "bench.runner",
    "bench.execute",
    "bench.merge",
    "reports.build",
    "metrics.encoder.model",
    "metrics.observe.color_backend",
    "metrics.observe.tracker",
    "bench.preload",
)


def context() -> Any:
    """The fork-server context, its server importing :data:`WARM_MODULES` (a server already
    running in this process keeps what it has imported); ``spawn`` where there is no fork server
    (Windows: each shard then imports for itself)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(WARM_MODULES))
    return ctx


def start_server() -> None:
    """Start the fork server now, so that its imports overlap the launcher's own start and input
    checks (the first shard waits until the server has imported everything). The server gets
    /dev/null for stdout and stderr: it outlives the launcher by its own shutdown (~0.4 s with
    torch loaded), and a pipe it held open would keep ``launch | tee`` or a CI log waiting."""
    if context().get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
            forkserver.ensure_running()
    finally:
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


@dataclass
class ShardPaths:
    stdout: Path
    stderr: Path
    result: Path


def _child(fn: Callable[[int], Any], index: int, paths: ShardPaths, env: dict[str, str], cwd: str) -> None:
    """In the forked process: the launcher's environment and folder (not the server's), logs on
    fds 1 and 2, run, pickle the result."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    for fd, path in ((1, paths.stdout), (2, paths.stderr)):
        with open(path, "ab") as f:
            os.dup2(f.fileno(), fd)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C is the launcher's: it stops the shards
    print(f"t2vbench launch: shard {index}: started at {time.time():.3f} (pid {os.getpid()})", file=sys.stderr)
    try:
        out: Any = fn(index)
    except BaseException as err:
        traceback.print_exc()
        out = err if _picklable(err) else RuntimeError(f"{type(err).__name__}: {err}")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    tmp = paths.result.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(out))
    tmp.replace(paths.result)


def _picklable(obj: Any) -> bool:
    try:
        pickle.dumps(obj)
    except Exception:
        return False
    return True


class LocalShard:
    """One shard's process, with the part of submitit's ``Job`` interface :func:`bench.launch.wait_all`
    uses (``job_id``, ``paths.stderr``, ``done``, ``result``, ``exception``, ``cancel``)."""

    def __init__(
        self,
        fn: Callable[[int], Any],
        index: int,
        folder: Path,
        env: dict[str, str] | None = None,
        limit_s: float | None = None,
        max_requeue: int = 0,
    ) -> None:
        self.fn, self.index, self.env = fn, index, env or {}
        self.limit_s, self.max_requeue = limit_s, max_requeue
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / str(index)
        self.paths = ShardPaths(Path(f"{stem}_log.out"), Path(f"{stem}_log.err"), Path(f"{stem}_result.pkl"))
        self.paths.result.unlink(missing_ok=True)
        self.attempts = 0
        self._outcome: tuple[bool, Any] | None = None
        self._start()

    @property
    def job_id(self) -> str:
        return f"local-{self.index}"

    def _start(self) -> None:
        self.attempts += 1
        self.started, self.termed = time.monotonic(), None
        sys.stdout.flush()
        sys.stderr.flush()
        env = {**os.environ, **self.env}
        start_server()
        self.proc = context().Process(target=_child, args=(self.fn, self.index, self.paths, env, os.getcwd()))
        self.proc.start()

    def _log(self, text: str) -> None:
        with open(self.paths.stderr, "a") as f:
            f.write(f"t2vbench launch: shard {self.index}: {text}\n")

    def _watch_time(self) -> None:
        if self.limit_s is None:
            return
        over = time.monotonic() - self.started - self.limit_s
        if over >= 0 and self.termed is None:
            self._log(f"timed out after {self.limit_s:g} s (attempt {self.attempts}): SIGTERM")
            self.termed = time.monotonic()
            self.proc.terminate()
        elif self.termed is not None and time.monotonic() - self.termed > GRACE_S:
            self.proc.kill()

    def done(self, force_check: bool = False) -> bool:  # submitit's signature
        if self._outcome is not None:
            return True
        self._watch_time()
        if self.proc.is_alive():
            return False
        self.proc.join()
        if self.termed is not None and self.attempts <= self.max_requeue:
            self._log(f"requeued: attempt {self.attempts + 1} resumes where attempt {self.attempts} stopped")
            self.paths.result.unlink(missing_ok=True)
            self._start()
            return False
        self._outcome = self._collect()
        return True

    def _collect(self) -> tuple[bool, Any]:
        code = self.proc.exitcode
        if self.termed is not None:
            return False, RuntimeError(f"timed out after {self.limit_s:g} s, {self.attempts} attempt(s)")
        if not self.paths.result.exists():
            return False, RuntimeError(f"the shard's process ended with exit code {code} and no result")
        out = pickle.loads(self.paths.result.read_bytes())
        return (False, out) if isinstance(out, BaseException) else (True, out)

    def result(self) -> Any:
        while not self.done():
            time.sleep(0.05)
        ok, value = self._outcome  # type: ignore[misc]
        if not ok:
            raise value
        return value

    def exception(self) -> BaseException | None:
        if not self.done():
            return None
        ok, value = self._outcome  # type: ignore[misc]
        return None if ok else value

    def cancel(self, check: bool = True) -> None:  # submitit's signature
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(GRACE_S)
            if self.proc.is_alive():
                self.proc.kill()
