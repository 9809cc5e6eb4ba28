"""Video type and I/O (a leaf module: imports no other project package).

Reading uses decord (batched) with guards, falling back to PyAV:

1. the file is probed with PyAV, which counts the packets that really demux, so frame indices are
   validated against what the file holds, not against the container's nominal frame count (decord
   trusts ``nb_frames`` and can loop forever on indices past the real end: dmlc/decord#373);
2. decord runs in a worker process that is killed after a timeout (its ``get_batch`` can spin in
   native code holding the GIL, so a thread watchdog cannot stop it: dmlc/decord#375); a killed or
   failing worker falls back to sequential PyAV decoding of the same file.

Writing uses PyAV: H.264 (libx264), yuv420p, one encoder thread so that re-encoding the same frames
gives byte-identical files; odd sizes are padded to even by repeating the last row/column,
grayscale and RGBA frames are converted to RGB. Files are written to a temporary name and renamed.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from t2vbase.errors import VideoError
from t2vbase.files import temp_beside

#: decord ships an x86-64 Linux wheel only; elsewhere PyAV does all the decoding. Looked up, not
#: imported: decord's own FFmpeg libraries, once loaded in this process, break PyAV's encoders
#: (libvpx-vp9 then fails to open) — decord runs in its worker process.
HAVE_DECORD = importlib.util.find_spec("decord") is not None

__all__ = ["Video", "VideoInfo", "probe_video", "read_video", "to_rgb_uint8", "write_video"]

DEFAULT_CRF = 18
DEFAULT_PRESET = "medium"


@dataclass
class Video:
    """A clip in memory.

    Attributes:
        frames: ``(T, H, W, 3)`` uint8 RGB frames.
        fps: frames per second.
        metadata: what the producer knows (generator: scene and faults; reader: backend, counts).
        path: the file the clip was read from, if any.
    """

    frames: np.ndarray
    fps: float
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def __post_init__(self) -> None:
        f = self.frames
        if not isinstance(f, np.ndarray) or f.dtype != np.uint8 or f.ndim != 4 or f.shape[-1] != 3:
            shape = getattr(f, "shape", None)
            dtype = getattr(f, "dtype", type(f).__name__)
            raise VideoError(f"Video.frames must be a (T, H, W, 3) uint8 array, got {shape} {dtype}")
        if f.shape[0] < 1:
            raise VideoError("Video.frames has no frames")
        if not np.isfinite(self.fps) or self.fps <= 0:
            raise VideoError(f"Video.fps must be positive, got {self.fps}")

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def height(self) -> int:
        return int(self.frames.shape[1])

    @property
    def width(self) -> int:
        return int(self.frames.shape[2])


@dataclass(frozen=True)
class VideoInfo:
    """What a file holds, from demuxing it (no decoding)."""

    path: Path
    num_frames: int  # video packets that really demux
    nominal_frames: int  # what the container header claims (0 when absent)
    fps: float
    width: int
    height: int
    codec: str


def to_rgb_uint8(frames: np.ndarray, where: str = "frames") -> np.ndarray:
    """Convert ``(T,H,W)``, ``(T,H,W,1)``, ``(T,H,W,3)`` or ``(T,H,W,4)`` uint8 frames to RGB.

    RGBA drops its alpha channel; grayscale repeats its single channel.
    Returns a C-contiguous ``(T, H, W, 3)`` uint8 array.
    """
    arr = np.asarray(frames)
    if arr.dtype != np.uint8:
        raise VideoError(f"{where}: frames must be uint8, got {arr.dtype}")
    if arr.ndim == 3:
        arr = arr[..., None]
    if arr.ndim != 4 or arr.shape[-1] not in (1, 3, 4):
        raise VideoError(f"{where}: frames must be (T, H, W[, 1|3|4]), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0 or arr.shape[2] == 0:
        raise VideoError(f"{where}: frames are empty, shape {arr.shape}")
    if arr.shape[-1] == 1:
        arr = np.repeat(arr, 3, axis=-1)
    elif arr.shape[-1] == 4:
        arr = arr[..., :3]
    return np.ascontiguousarray(arr)


def _pad_even(frames: np.ndarray) -> np.ndarray:
    """Pad H and W to even sizes by repeating the last row/column (yuv420p needs even sizes)."""
    _, h, w, _ = frames.shape
    ph, pw = h % 2, w % 2
    if not (ph or pw):
        return frames
    return np.pad(frames, ((0, 0), (0, ph), (0, pw), (0, 0)), mode="edge")


def write_video(
    path: str | os.PathLike[str],
    video: Video | np.ndarray,
    fps: float | None = None,
    *,
    crf: int = DEFAULT_CRF,
    preset: str = DEFAULT_PRESET,
    threads: int = 1,
) -> Path:
    """Write ``video`` as H.264 yuv420p mp4, atomically.

    Args:
        path: destination ``.mp4``; parent folders are created.
        video: a :class:`Video` or a ``(T, H, W[, C])`` uint8 array (then ``fps`` is required).
        fps: frames per second when ``video`` is an array.
        crf: x264 constant rate factor (0 lossless-ish .. 51 worst).
        preset: x264 preset.
        threads: encoder threads; 1 makes the bytes independent of the machine's core count.

    Returns:
        The written path.
    """
    import av

    dest = Path(path)
    if isinstance(video, Video):
        frames, rate = video.frames, video.fps if fps is None else fps
    else:
        if fps is None:
            raise VideoError(f"{dest}: fps is required when writing a raw array")
        frames, rate = video, fps
    frames = _pad_even(to_rgb_uint8(frames, where=str(dest)))
    t, h, w, _ = frames.shape
    tmp = temp_beside(dest, ".mp4.tmp")
    try:
        with av.open(tmp, mode="w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=Fraction(rate).limit_denominator(1001))
            stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
            stream.codec_context.thread_count = threads
            stream.options = {"crf": str(int(crf)), "preset": preset}
            for i in range(t):
                frame = av.VideoFrame.from_ndarray(frames[i], format="rgb24")
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        os.replace(tmp, dest)
    except VideoError:
        raise
    except Exception as err:
        raise VideoError(f"{dest}: cannot write video: {_one_line(err)}") from err
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text[:300]


def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Demux ``path`` with PyAV (no decoding) and count the video packets that really exist."""
    import av

    p = Path(path)
    if not p.exists():
        raise VideoError(f"{p}: no such file")
    if p.is_dir():
        raise VideoError(f"{p}: is a folder, not a video")
    if p.stat().st_size == 0:
        raise VideoError(f"{p}: empty file (0 bytes)")
    try:
        with av.open(str(p)) as container:
            if not container.streams.video:
                raise VideoError(f"{p}: no video stream")
            stream = container.streams.video[0]
            nominal = int(stream.frames or 0)
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            fps = float(rate) if rate else 0.0
            width, height = int(stream.codec_context.width), int(stream.codec_context.height)
            codec = stream.codec_context.name
            count = sum(1 for pkt in container.demux(stream) if pkt.size > 0)
    except VideoError:
        raise
    except Exception as err:
        raise VideoError(f"{p}: cannot open video: {_one_line(err)}") from err
    if count == 0 or width <= 0 or height <= 0:
        raise VideoError(f"{p}: no decodable video frames")
    return VideoInfo(p, count, nominal, fps if fps > 0 else 0.0, width, height, codec)


def _normalise_indices(indices: Any, n: int, where: Path) -> list[int]:
    if indices is None:
        return list(range(n))
    out: list[int] = []
    for raw in np.asarray(indices).reshape(-1).tolist():
        i = int(raw)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise VideoError(f"{where}: frame index {i} out of range; the file decodes {n} frames")
        out.append(j)
    if not out:
        raise VideoError(f"{where}: no frame indices requested")
    return out


# ---------------------------------------------------------------------------------------------
# decord in a killable worker process


def _decord_worker_main(fd: int) -> None:  # pragma: no cover - runs in the child process
    """Serve ``(path, indices)`` requests on socket ``fd`` until it closes."""
    import socket
    from multiprocessing.connection import Connection

    import decord

    decord.bridge.set_bridge("native")
    conn = Connection(socket.socket(fileno=fd).detach())
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        path, indices = msg
        try:
            vr = decord.VideoReader(path, ctx=decord.cpu(0), num_threads=1)
            n = len(vr)
            bad = [i for i in indices if i >= n]
            if bad:
                raise IndexError(f"frame index {bad[0]} out of range; decord sees {n} frames")
            arr = np.ascontiguousarray(vr.get_batch(indices).asnumpy(), dtype=np.uint8)
            fps = float(vr.get_avg_fps())
            del vr
            conn.send(("ok", arr.shape, fps, n))
            conn.send_bytes(memoryview(arr).cast("B"))
        except Exception as err:
            conn.send(("error", _one_line(err), 0.0, 0))


class _DecordWorker:
    """One decord worker process (``python -c``, not multiprocessing: nothing re-imports the
    caller's ``__main__``), killed on timeout and restarted on the next request."""

    def __init__(self, entry: str = "t2vbase.video:_decord_worker_main") -> None:
        self.entry = entry  # "module:function" taking the socket fd; tests swap in a hanging one
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Any = None

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        root = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        module, func = self.entry.split(":")
        code = f"from {module} import {func}; {func}({theirs.fileno()})"
        self._proc = subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=(theirs.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        theirs.close()
        self._conn = Connection(ours.detach())

    def kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(None)
                if self._proc is not None:
                    self._proc.wait(1)
            except Exception:
                pass
        self.kill()

    def _wait(self, timeout: float) -> None:
        if not self._conn.poll(timeout):
            self.kill()
            raise TimeoutError(f"decord did not answer within {timeout:.0f} s (worker killed)")

    def read(self, path: Path, indices: list[int], timeout: float) -> tuple[np.ndarray, float, int]:
        """Decode ``indices`` of ``path``; raises TimeoutError (worker killed) or RuntimeError."""
        with self._lock:
            self._ensure()
            try:
                self._conn.send((str(path), indices))
                self._wait(timeout)
                status, shape, fps, n = self._conn.recv()
                if status != "ok":
                    raise RuntimeError(shape)
                self._wait(timeout)
                buf = self._conn.recv_bytes()
            except TimeoutError:
                raise
            except (EOFError, OSError) as err:
                self.kill()
                raise RuntimeError(f"decord worker died: {_one_line(err)}") from err
        return np.frombuffer(buf, dtype=np.uint8).reshape(shape), fps, n


_WORKER: _DecordWorker | None = None


def _worker() -> _DecordWorker:
    global _WORKER
    if _WORKER is None:
        _WORKER = _DecordWorker()
        atexit.register(_WORKER.close)
    return _WORKER


def start_decoder() -> None:
    """Start the guarded decord worker now, not at the first read: its interpreter and imports
    (~0.1 s) then overlap the first clip's generation instead of delaying its decode."""
    if HAVE_DECORD:
        w = _worker()
        with w._lock:
            w._ensure()


def _default_timeout(info: VideoInfo) -> float:
    env = os.environ.get("T2V_DECODE_TIMEOUT")
    if env:
        return float(env)
    return 20.0 + info.num_frames * info.width * info.height / 2e6


def _read_pyav(path: Path, indices: list[int]) -> np.ndarray:
    import av

    wanted = set(indices)
    last = max(indices)
    got: dict[int, np.ndarray] = {}
    decoded = 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for i, frame in enumerate(container.decode(stream)):
                decoded = i + 1
                if i in wanted:
                    got[i] = frame.to_ndarray(format="rgb24")
                if i >= last:
                    break
    except Exception as err:
        if not wanted.issubset(got):
            raise VideoError(f"{path}: decoding failed after {decoded} frames: {_one_line(err)}") from err
    missing = sorted(wanted.difference(got))
    if missing:
        raise VideoError(f"{path}: frame {missing[0]} does not decode; the file decodes {decoded} frames")
    return np.stack([got[i] for i in indices])


def read_video(
    path: str | os.PathLike[str],
    indices: Any = None,
    *,
    backend: str = "auto",
    timeout: float | None = None,
) -> Video:
    """Read frames of ``path`` into a :class:`Video`.

    Args:
        path: a video file (mp4, webm, avi, ...).
        indices: frame indices to read (negative counts from the end); ``None`` reads all.
        backend: ``"auto"`` (decord in a guarded worker, PyAV on failure), ``"decord"`` (no
            fallback), ``"pyav"``, or ``"decord-inprocess"`` (unguarded, for trusted files).
        timeout: seconds the decord worker may take before it is killed (default scales with size;
            env ``T2V_DECODE_TIMEOUT`` overrides).

    Returns:
        ``Video`` with ``frames`` ``(len(indices), H, W, 3)`` uint8 and ``metadata`` holding
        ``backend``, ``num_frames`` (frames in the file), ``nominal_frames``, ``codec`` and, when
        decord failed, ``fallback_reason``.
    """
    if backend not in ("auto", "decord", "pyav", "decord-inprocess"):
        raise VideoError(f"{path}: unknown video backend {backend!r} (auto, decord, pyav, decord-inprocess)")
    p = Path(path)
    info = probe_video(p)
    idx = _normalise_indices(indices, info.num_frames, p)
    meta: dict[str, Any] = {
        "num_frames": info.num_frames,
        "nominal_frames": info.nominal_frames,
        "codec": info.codec,
        "width": info.width,
        "height": info.height,
    }
    fps = info.fps
    frames: np.ndarray | None = None
    use_decord = backend in ("auto", "decord", "decord-inprocess") and HAVE_DECORD
    if backend in ("decord", "decord-inprocess") and not HAVE_DECORD:
        raise VideoError(f"{p}: decord is not installed on this platform; use backend='pyav'")
    if use_decord:
        try:
            if backend == "decord-inprocess":
                import decord

                vr = decord.VideoReader(str(p), ctx=decord.cpu(0), num_threads=1)
                frames = vr.get_batch(idx).asnumpy()
                fps = float(vr.get_avg_fps()) or fps
            else:
                frames, dfps, _ = _worker().read(p, idx, timeout or _default_timeout(info))
                fps = dfps or fps
            meta["backend"] = "decord"
        except Exception as err:
            if backend != "auto":
                raise VideoError(f"{p}: decord failed: {_one_line(err)}") from err
            meta["fallback_reason"] = f"decord: {_one_line(err)}"
            frames = None
    if frames is None:
        frames = _read_pyav(p, idx)
        meta["backend"] = "pyav"
    if frames.shape[0] != len(idx) or frames.ndim != 4 or frames.shape[-1] != 3:
        raise VideoError(f"{p}: decoder returned shape {frames.shape} for {len(idx)} frames")
    return Video(np.ascontiguousarray(frames), fps if fps > 0 else 1.0, meta, p)
