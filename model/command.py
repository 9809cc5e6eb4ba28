"""``command:[key=value,... --] PROGRAM ARG...`` — any external program, run once per unit.

The text after ``command:`` is split into an argument list as a POSIX shell would split it
(``shlex.split``: quotes group words) and run **without** a shell, so a prompt can never be read
as shell syntax. Each argument may hold placeholders, replaced per unit: ``{prompt}`` (the text,
one argument however many words), ``{prompt_id}``, ``{seed}``, ``{out}`` (the video file the
program must write; required), ``{frames}``, ``{height}``, ``{width}``, ``{fps}``. Other braces
are left alone (a JSON argument is fine). Options go first, before ``--``::

    command:timeout=900,version=ckpt-42 -- python gen.py --prompt {prompt} --seed {seed} --out {out}

The program has ``timeout`` seconds (default 3600); past it, it and every process it started are
killed. A non-zero exit, a timeout or no file at ``{out}`` fails the unit, and the last lines the
program wrote to stderr are in its error row. A JSON object written beside the video (``{out}``
with ``.json``) becomes the clip's sidecar metadata, as with ``folder:``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from model.base import prompt_text
from model.registry import parse_options, register_generator
from prompts.schema import Prompt
from t2vbase.errors import GeneratorError
from t2vbase.registry import did_you_mean
from t2vbase.video import Video, read_video

PLACEHOLDERS = ("prompt", "prompt_id", "seed", "out", "frames", "height", "width", "fps")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
TAIL_CHARS = 600
KILL_GRACE_S = 5.0


def placeholders_in(argv: list[str]) -> set[str]:
    return {m.group(1) for a in argv for m in _FIELD.finditer(a)}


def fill(arg: str, values: dict[str, str]) -> str:
    """Replace known ``{name}`` fields of one argument; anything else stays as written."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), arg)


def tail(path: Path, chars: int = TAIL_CHARS) -> str:
    """The end of a log file as one line (lines joined by `` | ``), or ``""``."""
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - chars))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [" ".join(x.split()) for x in text.splitlines()]
    return " | ".join(x for x in lines if x)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the program's process group, SIGKILL what is left after a grace period."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_S), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_program(argv: list[str], timeout: float, log: Path, cwd: Path | None = None) -> None:
    """Run ``argv`` (no shell) in its own process group; GeneratorError on a non-zero exit or a
    timeout, with the stderr tail. An interruption (Ctrl-C, a unit time limit) kills it too."""
    with log.open("wb") as err:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd, start_new_session=True
        )
        try:
            code = proc.wait(timeout=timeout if timeout > 0 else None)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise GeneratorError(f"command timed out after {timeout:g} s (killed): {tail(log)}") from None
        except BaseException:
            _kill_group(proc)
            raise
    if code != 0:
        what = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
        raise GeneratorError(f"command {what}: {tail(log) or 'no stderr'}")


def split_spec(text: str, spec: str) -> tuple[dict[str, str], list[str]]:
    """``k=v,... -- PROGRAM ARG...`` -> (options, argv); without ``--``, all of it is argv."""
    try:
        words = shlex.split(text)
    except ValueError as err:
        raise GeneratorError(f"generator spec {spec!r}: {err} (quotes must be closed)") from None
    if len(words) >= 2 and words[1] == "--" and "=" in words[0]:
        return parse_options(words[0], spec), words[2:]
    if words and words[0] == "--":
        return {}, words[1:]
    return {}, words


class CommandGenerator:
    """An external program as a generator: one process per unit, its video read back."""

    def __init__(
        self,
        argv: list[str],
        timeout: float = 3600.0,
        name: str | None = None,
        version: str = "unknown",
        frames: int | None = None,
        height: int | None = None,
        width: int | None = None,
        fps: float | None = None,
        ext: str = "mp4",
    ) -> None:
        who = f"command:{shlex.join(argv)}"
        self._check(who, argv, timeout, ext)
        self.argv, self.timeout, self.ext = list(argv), float(timeout), ext.lstrip(".")
        self.name = name or self._default_name(argv)
        self.version = version
        self.defaults = {"num_frames": frames, "height": height, "width": width, "fps": fps}

    @staticmethod
    def _check(who: str, argv: list[str], timeout: float, ext: str) -> None:
        if not argv:
            raise GeneratorError(f"{who}: no program given (command:PROGRAM ARG...)")
        if shutil.which(argv[0]) is None:
            raise GeneratorError(f"{who}: program {argv[0]!r} not found (not on PATH, or not executable)")
        for field in sorted(placeholders_in(argv) - set(PLACEHOLDERS)):
            raise GeneratorError(f"{who}: {{{field}}}: " + did_you_mean(field, list(PLACEHOLDERS), "placeholder"))
        if "out" not in placeholders_in(argv):
            raise GeneratorError(f"{who}: no {{out}} placeholder: the program must write its video to {{out}}")
        if not (math.isfinite(timeout) and timeout >= 0):
            raise GeneratorError(f"{who}: timeout={timeout}: seconds, finite and >= 0 (0: no limit)")
        if not re.fullmatch(r"[A-Za-z0-9]{1,8}", ext.lstrip(".")):
            raise GeneratorError(f"{who}: ext={ext!r}: a file extension such as mp4 or webm")

    @staticmethod
    def _default_name(argv: list[str]) -> str:
        """The program's name, or the script's for an interpreter (``python gen.py`` -> ``gen``)."""
        prog = Path(argv[0]).name
        if re.fullmatch(r"(python|python3(\.\d+)?|bash|sh|node|Rscript)", prog) and len(argv) > 1:
            script = next((a for a in argv[1:] if not a.startswith("-")), None)
            if script is not None and "{" not in script:
                return Path(script).stem
        return prog

    def options(self) -> dict[str, Any]:
        """What defines the clips: the argument list as written (with its placeholders)."""
        return {"argv": self.argv, "ext": self.ext}

    def execution(self) -> dict[str, Any]:
        return {"timeout_s": self.timeout}

    def _values(self, prompt: Prompt | str, seed: int, out: Path, video: dict[str, Any]) -> dict[str, str]:
        values = {"prompt": prompt_text(prompt), "seed": str(seed), "out": str(out)}
        values["prompt_id"] = prompt.id if isinstance(prompt, Prompt) else ""
        for field, key in (("frames", "num_frames"), ("height", "height"), ("width", "width"), ("fps", "fps")):
            value = video.get(key) if video.get(key) is not None else self.defaults[key]
            if value is None:
                if field in placeholders_in(self.argv):
                    flag = "--frames" if field == "frames" else f"--{field}"
                    raise GeneratorError(f"command: {{{field}}} has no value; pass {flag} or {field}= in the spec")
                continue
            values[field] = f"{value:g}" if isinstance(value, float) else str(value)
        return values

    def generate(
        self,
        prompt: Prompt | str,
        *,
        num_frames: int | None = None,
        height: int | None = None,
        width: int | None = None,
        fps: float | None = None,
        seed: int = 0,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
    ) -> Video:
        """Run the program for one unit and read the video it wrote."""
        video = {"num_frames": num_frames, "height": height, "width": width, "fps": fps}
        with tempfile.TemporaryDirectory(prefix="t2vbench-command-") as tmp:
            out = Path(tmp) / f"{seed}.{self.ext}"
            values = self._values(prompt, seed, out, video)
            run_program([fill(a, values) for a in self.argv], self.timeout, Path(tmp) / "stderr.log")
            if not out.is_file():
                raise GeneratorError(
                    f"command exited 0 but wrote no video at {{out}}: {tail(Path(tmp) / 'stderr.log')}"
                )
            clip = read_video(out)
            return Video(clip.frames, clip.fps, metadata=self._sidecar(out.with_suffix(".json")))

    @staticmethod
    def _sidecar(path: Path) -> dict[str, Any]:
        if not path.is_file():
            return {}
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise GeneratorError(
                f"command: its sidecar {path.name} is not valid JSON ({' '.join(str(err).split())})"
            ) from None
        if not isinstance(meta, dict):
            raise GeneratorError(f"command: its sidecar {path.name} must be a JSON object, got {type(meta).__name__}")
        meta.pop("t2vbench", None)
        return meta


@register_generator(
    "command",
    arg="raw",
    description="an external program per unit, no shell: command:[timeout=S,version=V --] PROGRAM ARG... "
    "with {prompt} {prompt_id} {seed} {out} {frames} {height} {width} {fps}",
)
def load_command(target: str) -> CommandGenerator:
    spec = f"command:{target}"
    options, argv = split_spec(target, spec)
    typed: dict[str, Any] = {}
    for key, value in options.items():
        kind = {"timeout": float, "frames": int, "height": int, "width": int, "fps": float}.get(key, str)
        if key not in ("timeout", "name", "version", "frames", "height", "width", "fps", "ext"):
            options_known = ["timeout", "name", "version", "frames", "height", "width", "fps", "ext"]
            raise GeneratorError(f"generator spec {spec!r}: " + did_you_mean(key, options_known, "option"))
        try:
            typed[key] = kind(value)
        except ValueError:
            raise GeneratorError(
                f"generator spec {spec!r}: option {key}={value!r} is not a valid {kind.__name__}"
            ) from None
    return CommandGenerator(argv, **typed)
