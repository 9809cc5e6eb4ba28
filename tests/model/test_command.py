"""``command:``: an external program per unit, argument list with placeholders, no shell, a time
limit that kills the program and its children, stderr's tail in the unit's error row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model import get_generator
from model.command import CommandGenerator, split_spec
from prompts import Prompt
from t2vbase.errors import GeneratorError

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable

WRITER = """
import json, sys
import numpy as np
from t2vbase.video import Video, write_video
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
if args.get("--fail-on") and args["--fail-on"] == args["--id"]:
    print("loading checkpoint ... ok", file=sys.stderr)
    print("RuntimeError: CUDA out of memory at denoising step 3", file=sys.stderr)
    sys.exit(3)
t, h, w, fps = int(args["--frames"]), int(args["--height"]), int(args["--width"]), float(args["--fps"])
level = (int(args["--seed"]) * 40 + 20) % 256
frames = np.full((t, h, w, 3), level, np.uint8)
frames[:, : h // 2, : w // 2] = 255 - level
write_video(args["--out"], Video(frames, fps))
json.dump({"argv": sys.argv[1:], "model": "writer"}, open(args["--out"][:-4] + ".json", "w"))
"""

SLEEPER = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
open(sys.argv[1], "w").write(str(child.pid))
print("step 1 of 50", file=sys.stderr, flush=True)
time.sleep(120)
"""


@pytest.fixture
def writer(tmp_path: Path) -> Path:
    path = tmp_path / "writer.py"
    path.write_text(WRITER)
    return path


def spec(script: Path, extra: str = "", options: str = "timeout=60") -> str:
    args = "--id {prompt_id} --prompt {prompt} --seed {seed} --out {out} --frames {frames} "
    args += f"--height {{height}} --width {{width}} --fps {{fps}} {extra}"
    return f"command:{options} -- {PY} {script} {args}".strip()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie (killed, not yet reaped by init) is dead
        return fh.read().split()[2] != "Z"


def test_placeholders_fill_one_argument_each_and_no_shell_sees_the_prompt(writer: Path, tmp_path: Path) -> None:
    hostile = 'a "red" ball; $(touch PWNED) `touch PWNED2` && echo {seed} > x'
    gen = get_generator(spec(writer))
    video = gen.generate(
        Prompt(id="p-1", text=hostile, family="count"), num_frames=5, height=32, width=48, fps=12, seed=2
    )
    assert video.frames.shape == (5, 32, 48, 3) and video.fps == 12.0
    assert abs(int(video.frames[0, -1, -1, 0]) - 100) <= 2  # level (2 * 40 + 20) % 256 from {seed}
    argv = video.metadata["argv"]  # the program's sidecar becomes the clip's metadata
    assert argv[argv.index("--prompt") + 1] == hostile and argv[argv.index("--id") + 1] == "p-1"
    assert argv[argv.index("--fps") + 1] == "12" and video.metadata["model"] == "writer"
    assert not list(Path.cwd().glob("PWNED*")) and not list(tmp_path.glob("PWNED*"))
    assert gen.name == "writer" and gen.options() == {"argv": split_spec(spec(writer)[8:], "x")[1], "ext": "mp4"}


def test_a_non_zero_exit_fails_with_the_stderr_tail(writer: Path) -> None:
    gen = get_generator(spec(writer, "--fail-on p-2"))
    with pytest.raises(GeneratorError) as err:
        gen.generate(Prompt(id="p-2", text="x", family="count"), num_frames=4, height=16, width=16, fps=8)
    text = str(err.value)
    assert text.startswith("command exited with status 3: ") and "\n" not in text
    assert "loading checkpoint ... ok | RuntimeError: CUDA out of memory at denoising step 3" in text


def test_a_timeout_kills_the_program_and_its_children(tmp_path: Path) -> None:
    script, pidfile = tmp_path / "sleeper.py", tmp_path / "child.pid"
    script.write_text(SLEEPER)
    gen = get_generator(f"command:timeout=2 -- {PY} {script} {pidfile} {{out}}")
    t0 = time.monotonic()
    with pytest.raises(GeneratorError, match=r"command timed out after 2 s \(killed\): step 1 of 50"):
        gen.generate("anything", seed=0)
    assert time.monotonic() - t0 < 20
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child)


def test_no_video_written(tmp_path: Path) -> None:
    gen = get_generator(f"command:{PY} -c pass {{out}}")
    with pytest.raises(GeneratorError, match=r"command exited 0 but wrote no video at \{out\}"):
        gen.generate("x", num_frames=4, height=16, width=16, fps=8)


def test_missing_video_values_are_named(writer: Path) -> None:
    with pytest.raises(GeneratorError, match=r"\{frames\} has no value; pass --frames or frames= in the spec"):
        get_generator(spec(writer)).generate("x", height=16, width=16, fps=8)
    gen = get_generator(spec(writer, options="timeout=60,frames=3,height=16,width=16,fps=8"))
    assert gen.generate("x").frames.shape == (3, 16, 16, 3)  # the spec's own defaults


@pytest.mark.parametrize(
    "text, match",
    [
        ("timeout=5 --", "no program given"),
        (f"{PY} -c pass", r"no \{out\} placeholder"),
        (f"{PY} gen.py --p {{promt}} {{out}}", r"\{promt\}: unknown placeholder 'promt'.*did you mean 'prompt'"),
        ("no-such-program-xyz {out}", "program 'no-such-program-xyz' not found"),
        (f"timeout=5,tiemout=3 -- {PY} {{out}}", "did you mean 'timeout'"),
        (f"timeout=-1 -- {PY} {{out}}", "timeout=-1.0: seconds"),
        (f"timeout=soon -- {PY} {{out}}", "timeout='soon' is not a valid float"),
        (f'{PY} "unclosed {{out}}', "quotes must be closed"),
    ],
)
def test_bad_specs_are_one_line_errors(text: str, match: str) -> None:
    with pytest.raises(GeneratorError, match=match):
        get_generator(f"command:{text}")


def test_braces_that_are_not_placeholders_stay(tmp_path: Path) -> None:
    gen = CommandGenerator([PY, "-c", "pass", '{"steps": 30}', "{out}"])
    assert gen.options()["argv"][3] == '{"steps": 30}'


def test_a_run_through_the_command_line(writer: Path, tiny_suite: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    generator = spec(writer, "--fail-on smoke-spatial-left")
    args = [PY, "-m", "bench", "run", "--suite", str(tiny_suite), "--generator", generator, "--out", str(out)]
    args += ["--frames", "6", "--height", "48", "--width", "64", "--fps", "8", "--metrics", "temporal.flicker"]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stderr  # finished, one unit failed
    rows = {r["prompt_id"]: r for r in map(json.loads, (out / "samples.jsonl").read_text().splitlines())}
    bad = rows["smoke-spatial-left"]["error"]
    assert bad.startswith("generate: command exited with status 3:") and "CUDA out of memory" in bad
    assert rows["smoke-count-three"]["error"] is None and rows["smoke-count-three"]["value"] is not None
    side = json.loads((out / "clips" / "smoke-count-three" / "0.json").read_text())
    assert side["model"] == "writer" and side["t2vbench"]["generator"]["name"] == "writer"
    m: dict[str, Any] = json.loads((out / "manifest.json").read_text())
    assert m["generator"]["options"]["argv"][0] == PY and m["env"]["fingerprint"]["generator"] == {"timeout_s": 60.0}
    frames = np.asarray(json.loads((out / "profile.json").read_text())["units"][0]["wall_s"])
    assert frames > 0
