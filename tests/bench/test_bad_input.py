"""A corpus of bad input, each with its defined outcome.

Every case runs the real command line (``bench.cli.main``) and checks the exit code, that what
went wrong is said in one line naming the file, prompt, option or field, and that nothing else
changes: the other units' rows of a folder run are those of a clean run, and an existing run's
files stay as they were.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
import yaml

from bench.cli import main
from model import get_generator
from prompts import load_suite
from t2vbase.video import write_video
from tests.conftest import SMOKE_IDS, write_suite

METRICS = "physics.count,temporal.flicker"
SIZE = ["--frames", "8", "--height", "64", "--width", "64"]
BAD = (SMOKE_IDS[0], 0)  # the unit a unit-level case spoils


# the clips and runs every case starts from ----------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bad-input")
    smoke = load_suite("smoke")
    prompts = [smoke.prompt(pid).model_dump(mode="json", by_alias=True, exclude_none=True) for pid in SMOKE_IDS]
    for p in prompts:
        p.pop("mirror", None)
    suite = write_suite(root / "suite.yaml", prompts)
    clips = root / "clips"
    gen = get_generator("reference:profile=clean")
    for p in load_suite(suite).prompts:
        for seed in (0, 1):
            video = gen.generate(p, num_frames=8, height=64, width=64, seed=seed)
            write_video(clips / p.id / f"{seed}.mp4", video)
    clean = root / "clean"
    assert (
        run_cli("run", "--suite", str(suite), "--generator", f"folder:{clips}", "--seeds", "2", *common(clean))[0] == 0
    )
    return {"root": root, "suite": suite, "clips": clips, "clean": clean}


def common(out: Path) -> list[str]:
    return ["--out", str(out), "--metrics", METRICS, "--no-progress", "--no-report"]


def run_cli(*argv: str) -> tuple[int, str]:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(argv))
    return code, err.getvalue().strip()


def rows(run: Path) -> dict[tuple[str, int, str], dict[str, Any]]:
    out = {}
    for line in (run / "samples.jsonl").read_text().splitlines():
        r = json.loads(line)
        out[(r["prompt_id"], r["seed"], r["metric"])] = r
    return out


# unit-level spoilers: (clips folder, bad clip path) -> None ------------------------------------
def _write_raw(path: Path, data: bytes) -> None:
    path.unlink()
    path.write_bytes(data)


def _encode(path: Path, frames: np.ndarray, codec: str = "libx264", rate: Any = 8, pix: str = "yuv420p") -> None:
    path.unlink(missing_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], pix
        for f in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _audio_only(path: Path) -> None:
    path.unlink()
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=16000)
        samples = np.zeros((1, 16000), np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _frames(h: int, w: int, t: int = 8) -> np.ndarray:
    rng = np.random.default_rng(0)
    base = np.full((t, h, w, 3), 200, np.uint8)
    base[:, h // 4 : h // 2, w // 4 : w // 2] = (220, 30, 30)
    return np.clip(base.astype(int) + rng.integers(-3, 4, base.shape), 0, 255).astype(np.uint8)


def _png_as_mp4(path: Path) -> None:
    import cv2

    ok, png = cv2.imencode(".png", _frames(64, 64, 1)[0])
    assert ok
    _write_raw(path, png.tobytes())


def _dir_named_mp4(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _link_out(path: Path) -> None:
    path.unlink()
    path.symlink_to("/etc/hostname" if Path("/etc/hostname").exists() else "/etc/passwd")


def _link_in(path: Path) -> None:
    other = path.parent / "1.mp4"
    path.unlink()
    path.symlink_to(other)


def _sidecar(text: str) -> Callable[[Path], None]:
    return lambda path: path.with_suffix(".json").write_text(text)


def _swap_ext(ext: str, maker: Callable[[Path], None]) -> Callable[[Path], None]:
    def spoil(path: Path) -> None:
        path.unlink()
        maker(path.with_suffix(ext))

    return spoil


@dataclass
class Case:
    name: str
    argv: Callable[[dict[str, Path], Path], list[str]] | None = None  # command-level case
    spoil: Callable[[Path], None] | None = None  # unit-level case: spoils the BAD unit's clip
    code: int = 2
    needle: str = ""
    setup: Callable[[dict[str, Path], Path], None] | None = None
    keeps: bool = False  # an existing run in `out` must stay byte for byte as it was
    extra: dict[str, Any] = field(default_factory=dict)


def _run(w: dict[str, Path], out: Path, *extra: str) -> list[str]:
    return ["run", "--suite", str(w["suite"]), *common(out), *SIZE, *extra]


def _suite_file(doc: Any) -> Callable[[dict[str, Path], Path], list[str]]:
    def argv(w: dict[str, Path], out: Path) -> list[str]:
        path = out.parent / "s.yaml"
        if isinstance(doc, bytes):
            path.write_bytes(doc)
        else:
            path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
        return ["run", "--suite", str(path), *common(out), *SIZE]

    return argv


def _scene_suite(**obj: Any) -> dict[str, Any]:
    ball = {"id": "ball", "shape": "circle", "color": "red", "pos": [0.3, 0.5], **obj}
    prompt = {"id": "p-one", "text": "a red ball", "family": "count", "scene": {"objects": [ball]}}
    return {"suite": "odd", "version": 1, "description": "d", "prompts": [prompt]}


def _finished(w: dict[str, Path], out: Path) -> None:
    shutil.copytree(w["clean"], out)


def _manifest(text: str) -> Callable[[dict[str, Path], Path], None]:
    def setup(w: dict[str, Path], out: Path) -> None:
        _finished(w, out)
        (out / "manifest.json").write_text(text)

    return setup


def _resume(*extra: str) -> Callable[[dict[str, Path], Path], list[str]]:
    return lambda w, out: ["run", "--out", str(out), "--resume", "--no-progress", "--no-report", *extra]


BOMB = "suite: b\nversion: 1\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{k}: &{k} [{', '.join(['*' + p] * 9)}]\n" for p, k in zip("abcdefg", "bcdefgh", strict=True)
)
CASES = [
    # --- options (exit 2 before anything is written)
    *[
        Case(f"seeds {s!r}", lambda w, o, s=s: _run(w, o, "--seeds", s), needle="--seeds")
        for s in ("5-2", ",", "-1", "9223372036854775808", "0-100000000", "1,1", "abc")
    ],
    *[
        Case(f"metrics {m!r}", lambda w, o, m=m: [*_run(w, o), "--metrics", m], needle="--metrics")
        for m in ("", "nope", "zzz*")
    ],
    *[
        Case(f"{opt} {v}", lambda w, o, opt=opt, v=v: _run(w, o, opt, v), needle=opt)
        for opt, v in (
            ("--frames", "0"),
            ("--frames", "-5"),
            ("--height", "0"),
            ("--width", "100000"),
            ("--fps", "0"),
            ("--fps", "-1"),
            ("--fps", "nan"),
            ("--fps", "inf"),
            ("--unit-timeout", "-1"),
            ("--shard", "2/2"),
        )
    ],
    Case("--backend colr", lambda w, o: _run(w, o, "--backend", "colr"), needle="backend spec 'colr'"),
    *[
        Case(f"generator {g}", lambda w, o, g=g: _run(w, o, "--generator", g), needle="generator spec")
        for g in ("module:os:system", "module:no_such_mod:X", "refrence", "reference:rate=abc")
    ],
    Case("generator folder:/no/such", lambda w, o: _run(w, o, "--generator", "folder:/no/such"), needle="/no/such"),
    Case("out under a file", lambda w, o: _run(w, w["suite"] / "run"), needle="is a file"),
    Case("resume and force-new", lambda w, o: _run(w, o, "--resume", "--force-new"), needle="--force-new"),
    # --- suites
    Case("suite file missing", lambda w, o: ["run", "--suite", str(o.parent / "nope.yaml")], needle="no such suite"),
    Case("suite nan position", _suite_file(_scene_suite(pos=[float("nan"), 0.5])), needle="pos[0]"),
    Case("suite inf velocity", _suite_file(_scene_suite(vel=[float("inf"), 0.0])), needle="vel[0]"),
    Case("suite malformed yaml", _suite_file("suite: [unclosed\n"), needle="not valid YAML"),
    Case("suite python tag", _suite_file("suite: !!python/object/apply:os.system [id]\n"), needle="not valid YAML"),
    Case("suite alias bomb", _suite_file(BOMB), needle="aliases"),
    Case("suite is a list", _suite_file("- a\n- b\n"), needle="must be a mapping"),
    Case("suite binary", _suite_file(b"suite: \xff\xfe\x00binary"), needle="not UTF-8"),
    Case(
        "suite duplicate ids",
        _suite_file({**_scene_suite(), "prompts": _scene_suite()["prompts"] * 2}),
        needle="p-one",
    ),
    # --- existing runs (their files must not change)
    Case("run over a run", lambda w, o: _run(w, o), setup=_finished, needle="--resume", keeps=True),
    Case("resume other seeds", _resume("--seeds", "3"), setup=_finished, needle="--seeds", keeps=True),
    Case(
        "resume other generator", _resume("--generator", "reference"), setup=_finished, needle="--generator", keeps=True
    ),
    Case("resume other frames", _resume("--frames", "16"), setup=_finished, needle="--frames", keeps=True),
    Case("resume other metrics", _resume("--metrics", "physics.*"), setup=_finished, needle="--metrics", keeps=True),
    Case("resume manifest not object", _resume(), setup=_manifest("[1, 2]"), needle="not a JSON object", keeps=True),
    Case("resume manifest corrupt", _resume(), setup=_manifest('{"run_id": '), needle="unreadable", keeps=True),
    Case("report no run", lambda w, o: ["report", str(o.parent)], needle="no manifest.json"),
    Case("report corrupt manifest", lambda w, o: ["report", str(o)], setup=_manifest("{"), needle="unreadable"),
    Case("validate crf", lambda w, o: ["validate", "--crf", "99", "--out", str(o)], needle="--crf"),
    Case("validate severities", lambda w, o: ["validate", "--severities", "0", "--out", str(o)], needle="--severities"),
    # --- one bad clip in a folder run: its rows say why (exit 3), the others are untouched
    Case("clip empty file", spoil=lambda p: _write_raw(p, b""), code=3, needle="0.mp4"),
    Case("clip truncated", spoil=lambda p: _write_raw(p, p.read_bytes()[:300]), code=3, needle="0.mp4"),
    Case("clip is text", spoil=lambda p: _write_raw(p, b"not a video at all\n" * 20), code=3, needle="0.mp4"),
    Case("clip audio only", spoil=_audio_only, code=3, needle="0.mp4"),
    Case("clip is a folder", spoil=_dir_named_mp4, code=3, needle="not a file"),
    Case("clip png renamed", spoil=_png_as_mp4, code=3, needle="not a video: 1 frame"),
    Case("clip one frame", spoil=lambda p: _encode(p, _frames(64, 64, 1)), code=3, needle="not a video: 1 frame"),
    Case("clip link outside", spoil=_link_out, code=3, needle="outside folder"),
    Case("clip missing", spoil=lambda p: p.unlink(), code=3, needle="no clip for prompt"),
    Case("sidecar not object", spoil=_sidecar("[1, 2, 3]"), code=3, needle="must be a JSON object"),
    Case("sidecar invalid json", spoil=_sidecar("{nope"), code=3, needle="not valid JSON"),
    # --- odd but valid clips: scored like any other (exit 0)
    Case("clip link inside", spoil=_link_in, code=0),
    Case("clip tiny frames", spoil=lambda p: _encode(p, _frames(8, 8)), code=0),
    Case("clip odd size", spoil=lambda p: _encode(p, _frames(45, 67), pix="yuv444p"), code=0),
    Case("clip huge frames", spoil=lambda p: _encode(p, _frames(2160, 3840, 2)), code=0),
    Case("clip ntsc fps", spoil=lambda p: _encode(p, _frames(64, 64), rate=Fraction(30000, 1001)), code=0),
    Case("clip 1 fps", spoil=lambda p: _encode(p, _frames(64, 64), rate=1), code=0),
    Case("clip mpeg4 codec", spoil=lambda p: _encode(p, _frames(64, 64), codec="mpeg4"), code=0),
    Case("clip vp9 webm", spoil=_swap_ext(".webm", lambda p: _encode(p, _frames(64, 64), "libvpx-vp9")), code=0),
    Case(
        "clip mjpeg avi",
        spoil=_swap_ext(".avi", lambda p: _encode(p, _frames(64, 64), "mjpeg", pix="yuvj420p")),
        code=0,
    ),
]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)


def _snapshot(run: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file() and p.name != ".lock"
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, world: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "run"
    if case.setup is not None:
        case.setup(world, out)
    before = _snapshot(out) if case.keeps else {}
    if case.spoil is not None:
        clips = tmp_path / "clips"
        shutil.copytree(world["clips"], clips, symlinks=True)
        case.spoil(clips / BAD[0] / f"{BAD[1]}.mp4")
        argv = ["run", "--suite", str(world["suite"]), "--generator", f"folder:{clips}", "--seeds", "2", *common(out)]
    else:
        assert case.argv is not None
        argv = case.argv(world, out)
    code, err = run_cli(*argv)
    assert code == case.code, err
    if case.code == 2:
        assert len(err.splitlines()) == 1 and err.startswith("t2vbench: error: ") and case.needle in err, err
    if case.keeps:
        assert _snapshot(out) == before
    if case.spoil is None:
        return
    got, clean = rows(out), rows(world["clean"])
    assert got.keys() == clean.keys()
    bad = {k: r for k, r in got.items() if k[:2] == BAD}
    if case.code == 3:
        assert all(r["error"] and case.needle in r["error"] and "\n" not in r["error"] for r in bad.values())
    else:
        assert not any(r["error"] for r in bad.values())
    others = {k for k in got if k[:2] != BAD}
    assert {k: got[k] for k in others} == {k: clean[k] for k in others}


def test_a_full_disk_stops_the_run_keeping_what_is_finished(
    world: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while recording a unit: exit 2 with one line, status ``stopped``, finished units
    kept, and ``--resume`` completes the run to the clean rows."""
    import errno

    from t2vbase.rundir import RunDir

    out = tmp_path / "run"
    real, calls = RunDir.write_unit, []

    def full_after_two(self: RunDir, *a: Any, **kw: Any) -> None:
        calls.append(a)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.unit_path(*a[:2])))
        real(self, *a, **kw)

    argv = ["run", "--suite", str(world["suite"]), "--generator", f"folder:{world['clips']}", "--seeds", "2"]
    monkeypatch.setattr(RunDir, "write_unit", full_after_two)
    code, err = run_cli(*argv, *common(out))
    assert code == 2 and len(err.splitlines()) == 1 and "No space left" in err and "--resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "stopped" and manifest["counts"]["done"] == 2
    monkeypatch.setattr(RunDir, "write_unit", real)
    assert run_cli("run", "--out", str(out), "--resume", "--no-progress", "--no-report")[0] == 0
    assert rows(out) == rows(world["clean"])
