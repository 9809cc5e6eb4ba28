from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_version_via_python_m_bench() -> None:
    out = subprocess.run([sys.executable, "-m", "bench", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.startswith("t2vbench ")


def test_listings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suites"]) == 0
    assert re.search(r"^smoke\s+v2\s+15\s+[0-9a-f]{12}\s+camera:2", capsys.readouterr().out, re.M)
    assert main(["generators"]) == 0
    out = capsys.readouterr().out
    assert "reference" in out and "folder" in out and "module" in out and "vanish" in out
    assert main(["metrics"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"physics\.count\s+check", out) and re.search(r"temporal\.flicker\s+score", out)


def test_suites_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suites", "validate", str(ROOT / "prompts/suites/smoke.yaml")]) == 0
    assert "ok — suite smoke v2, 15 prompts" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("suite: bad\nversion: 1\nprompts:\n  - {id: ok-1, text: t, family: physic}\n")
    assert main(["suites", "validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("t2vbench: error: ") and "bad.yaml: prompt 'ok-1': family:" in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["run", "--suite", "smok"], "did you mean 'smoke'"),
        (["run", "--generator", "refrence"], "did you mean 'reference'"),
        (["run", "--metrics", "physics.cont"], "did you mean 'physics.count'"),
        (["run", "--backend", "owl:treshold=0.3"], "unknown option 'treshold'; did you mean 'threshold'?"),
        (["report", "/nonexistent/run"], "no manifest.json"),
    ],
)
def test_bad_usage_exits_2_with_one_line(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1


def test_argparse_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as err:
        main(["run", "--device", "tpu"])
    assert err.value.code == 2


def test_run_and_report_commands(tiny_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    argv = [
        "run",
        "--suite",
        str(tiny_suite),
        "--out",
        str(out),
        "--frames",
        "8",
        "--height",
        "64",
        "--width",
        "64",
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "finished: 3/3 units done, 0 failed" in text and "report.html" in text
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").is_file()


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, re.S)
    return blocks[1].strip()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    command = _readme_test_command()
    assert "pytest" in command
    assert command in ci


def test_readme_exit_code_table_matches_the_code() -> None:
    """The README's exit-code table lists exactly the codes the CLI returns."""
    import re

    from bench import signals
    from bench.cli import EXIT_INTERNAL
    from bench.launch import EXIT_SHARD_FAILED
    from bench.runner import EXIT_GATE, EXIT_OK, EXIT_UNITS_FAILED, EXIT_USAGE

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("Exit codes:", 1)[1].split("\n\n", 2)[1]
    listed = {int(c) for c in re.findall(r"^\| `(\d+)` \|", table, flags=re.M)}
    codes = {
        EXIT_OK,
        EXIT_GATE,
        EXIT_USAGE,
        EXIT_UNITS_FAILED,
        EXIT_SHARD_FAILED,
        EXIT_INTERNAL,
        signals.EXIT_SIGINT,
        signals.EXIT_SIGTERM,
    }
    assert listed == codes == {0, 1, 2, 3, 4, 70, 130, 143}


def test_an_unwritable_out_is_exit_2(tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """A read-only file system (simulated: root ignores permission bits) is one line, exit 2."""
    import errno
    import os

    real = os.open

    def read_only(path, *a, **kw):
        if str(path).startswith(str(tmp_path / "ro")):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, *a, **kw)

    monkeypatch.setattr(os, "open", read_only)
    argv = ["run", "--suite", str(tiny_suite), "--out", str(tmp_path / "ro" / "run"), "--metrics", "none"]
    assert main([*argv, "--frames", "8", "--height", "64", "--width", "64", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot write there" in err and "Read-only" in err


def test_console_exits_fast_but_runs_exit_handlers_and_keeps_the_code(tmp_path: Path) -> None:
    """``console`` skips Python's module teardown, not the atexit handlers (temporary folders,
    logging) and not the exit code; an unfinished non-daemon thread is still waited for."""
    mark = tmp_path / "atexit.txt"
    code = (
        "import atexit, sys, pathlib\n"
        f"atexit.register(lambda: pathlib.Path({str(mark)!r}).write_text('ran'))\n"
        "sys.argv = ['t2vbench']\n"  # no command: help, exit 2
        "from bench.cli import console\n"
        "console()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2 and "usage: t2vbench" in proc.stdout
    assert mark.read_text() == "ran"
    late = tmp_path / "thread.txt"
    slow = f"threading.Thread(target=lambda: (time.sleep(0.3), pathlib.Path({str(late)!r}).write_text('done'))).start()"
    threaded = code.replace("from bench.cli", f"import threading, time\n{slow}\nfrom bench.cli")
    proc = subprocess.run([sys.executable, "-c", threaded], capture_output=True, text=True)
    assert proc.returncode == 2 and late.read_text() == "done"
