"""``diffusers:PATH[,dtype=bf16,device=cuda,offload=model,steps=N,guidance=G,batch=B,...]`` — any
local diffusers video pipeline folder (CogVideoX, LTX-Video, Wan, HunyuanVideo, ...).

The folder is what ``DiffusionPipeline.save_pretrained`` writes (or a Hugging Face snapshot of a
diffusers repository): ``model_index.json`` and one sub-folder per component. It is loaded with
``local_files_only``: nothing is downloaded. Building the generator reads the folder, checks the
pins and hashes the weights (remembered in the local cache); the weights are loaded on the first
:meth:`DiffusersGenerator.to` or ``generate``, so a rank without units never loads them.

Seeding: every unit draws its noise from its own CPU ``torch.Generator`` seeded with
:func:`model.base.unit_seed` (prompt text, seed), so a unit's clip is the same alone, in a batch,
in any shard and on any rank (CPU generators give the same noise whatever the device).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from model.base import prompt_text, unit_seed
from model.frames import batch_frames
from model.registry import parse_options, register_generator
from prompts.schema import Prompt
from t2vbase.checksum import is_hex_digest, read_sums, sha256_file, sums_digest
from t2vbase.errors import GeneratorError, WeightsError
from t2vbase.registry import did_you_mean
from t2vbase.video import Video

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".gguf", ".msgpack", ".onnx", ".h5")
DTYPES = {"fp32": "float32", "float32": "float32", "fp16": "float16", "float16": "float16"}
DTYPES |= {"bf16": "bfloat16", "bfloat16": "bfloat16"}
OFFLOAD = ("none", "model", "sequential")
#: The spec's own options; any other key is passed to the pipeline's ``__call__`` when it takes it.
OWN = ("dtype", "device", "offload", "steps", "guidance", "batch", "fps", "sha256")
#: Pipeline arguments the harness sets itself (not passable as options).
MANAGED = {"prompt", "generator", "height", "width", "num_frames", "video_length", "frame_rate", "fps"}
MANAGED |= {"num_inference_steps", "guidance_scale", "output_type", "return_dict", "num_videos_per_prompt"}
MANAGED |= {"latents", "prompt_embeds", "negative_prompt_embeds", "callback_on_step_end", "callback"}
FRAME_ARGS = ("num_frames", "video_length")
RATE_ARGS = ("frame_rate", "fps")
DEFAULT_FPS = 8.0


def _scalar(text: str) -> Any:
    """An option value as int, float, bool, None or the string itself."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if not isinstance(value, float) or math.isfinite(value) else text
    return text


class PipelineFolder:
    """A pipeline folder as read from disk: its class, component folders, config and weights digests."""

    def __init__(self, root: Path, who: str, sha256: str | None) -> None:
        self.root, self.who = root, who
        index = root / "model_index.json"
        if not root.is_dir():
            raise GeneratorError(f"{who}: no such folder {root} (a folder saved by DiffusionPipeline.save_pretrained)")
        try:
            self.index = json.loads(index.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise GeneratorError(
                f"{who}: {index} is missing; expected a diffusers pipeline folder (DiffusionPipeline.save_pretrained)"
            ) from None
        except (OSError, ValueError) as err:
            raise GeneratorError(f"{who}: {index}: unreadable ({' '.join(str(err).split())})") from None
        if not isinstance(self.index, dict) or not isinstance(self.index.get("_class_name"), str):
            raise GeneratorError(f"{who}: {index} has no _class_name (the pipeline class)")
        self.class_name: str = self.index["_class_name"]
        self.components = sorted(
            k for k, v in self.index.items() if not k.startswith("_") and isinstance(v, list) and v and v[0]
        )
        self.config_sums, self.weight_sums = self._digests()
        if not self.weight_sums:
            raise GeneratorError(f"{who}: no weights files ({', '.join(WEIGHT_SUFFIXES)}) in the component folders")
        self.config_sha256 = sums_digest(self.config_sums)
        self.weights_sha256 = sums_digest(self.weight_sums)
        self._check_pins(sha256)

    def _files(self) -> list[Path]:
        out = [self.root / "model_index.json"]
        for comp in self.components:
            folder = self.root / comp
            if folder.is_dir():
                out += [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
        return sorted(out)

    def _digests(self) -> tuple[dict[str, str], dict[str, str]]:
        config, weights = {}, {}
        for p in self._files():
            rel = p.relative_to(self.root).as_posix()
            (weights if p.suffix.lower() in WEIGHT_SUFFIXES else config)[rel] = sha256_file(p, persist=True)
        return config, weights

    def _check_pins(self, sha256: str | None) -> None:
        """``sha256=`` (the digest of all weights: :func:`sums_digest`) and ``SHA256SUMS``."""
        every = {**self.config_sums, **self.weight_sums}
        for name, want in sorted(read_sums(self.root, self.who, WeightsError).items()):
            path = self.root / name
            got = every.get(name) or (sha256_file(path, persist=True) if path.is_file() else None)
            if got is None:
                raise WeightsError(f"{self.who}: {path} is listed in SHA256SUMS but missing; copy it there")
            if got != want:
                raise WeightsError(
                    f"{self.who}: {path} has sha256 {got}, expected {want} (SHA256SUMS); "
                    "the file is corrupt or another version: copy it again or fix the checksum"
                )
        if sha256 is not None:
            if not is_hex_digest(sha256):
                raise WeightsError(f"{self.who}: sha256={sha256!r} is not 64 hex digits")
            if sha256.lower() != self.weights_sha256:
                raise WeightsError(
                    f"{self.who}: the weights' sha256 is {self.weights_sha256}, expected {sha256.lower()} (sha256=); "
                    "another checkpoint is in this folder"
                )


def pipeline_class(folder: PipelineFolder) -> Any:
    """The diffusers class ``model_index.json`` names (diffusers imported here, not before)."""
    try:
        import diffusers
    except ImportError:
        raise GeneratorError(
            f'{folder.who}: diffusers is not installed; pip install -e ".[diffusers]" (or pip install diffusers)'
        ) from None
    cls = getattr(diffusers, folder.class_name, None)
    if not isinstance(cls, type) or not hasattr(cls, "from_pretrained"):
        raise GeneratorError(
            f"{folder.who}: model_index.json names {folder.class_name!r}, which diffusers {diffusers.__version__} "
            "does not have (another diffusers version, or a community pipeline)"
        )
    return cls


@contextlib.contextmanager
def quiet_loading() -> Iterator[None]:
    """No loading progress bars from diffusers and transformers (a run shows its own)."""
    import importlib

    restore = []
    for name in ("diffusers.utils.logging", "transformers.utils.logging"):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        if mod.is_progress_bar_enabled():
            mod.disable_progress_bar()
            restore.append(mod)
    try:
        yield
    finally:
        for mod in restore:
            mod.enable_progress_bar()


class DiffusersGenerator:
    """A local diffusers pipeline as a t2vbench generator (``generate`` and ``generate_batch``)."""

    name = "diffusers"

    def __init__(
        self,
        path: str,
        dtype: str = "auto",
        device: str = "auto",
        offload: str = "none",
        steps: int | None = None,
        guidance: float | None = None,
        batch: int = 1,
        fps: float | None = None,
        sha256: str | None = None,
        call: dict[str, Any] | None = None,
    ) -> None:
        who = f"diffusers:{path}"
        self._check_simple(who, dtype, device, offload, steps, batch, fps)
        self.folder = PipelineFolder(Path(path).expanduser(), who, sha256)
        self.cls = pipeline_class(self.folder)
        import diffusers

        self.version = diffusers.__version__
        self.params = inspect.signature(self.cls.__call__).parameters
        self.frames_arg = next((a for a in FRAME_ARGS if a in self.params), None)
        if self.frames_arg is None:
            raise GeneratorError(
                f"{who}: {self.folder.class_name} takes no frame count (num_frames): not a video pipeline"
            )
        self.rate_arg = next((a for a in RATE_ARGS if a in self.params), None)
        self.call = self._check_call(who, call or {})
        self.device_opt, self.offload, self.steps, self.guidance = device, offload, steps, guidance
        self.batch_size = batch
        self.dtype = DTYPES.get(dtype) or self._auto_dtype(device)
        self.defaults = self._defaults(fps)
        self.pipe: Any = None
        self.device: str | None = None
        if offload != "none":
            self._need_accelerate(who)

    # construction checks ---------------------------------------------------------------------
    @staticmethod
    def _check_simple(
        who: str, dtype: str, device: str, offload: str, steps: int | None, batch: int, fps: float | None
    ) -> None:
        if dtype != "auto" and dtype not in DTYPES:
            raise GeneratorError(f"{who}: dtype={dtype!r}: expected auto, bf16, fp16 or fp32")
        if device not in ("auto", "cpu", "cuda") and not (device.startswith("cuda:") and device[5:].isdigit()):
            raise GeneratorError(f"{who}: device={device!r}: expected auto, cpu, cuda or cuda:N")
        if offload not in OFFLOAD:
            raise GeneratorError(f"{who}: offload={offload!r}: expected {', '.join(OFFLOAD)}")
        if offload != "none" and device == "cpu":
            raise GeneratorError(f"{who}: offload={offload} moves weights to a GPU and back; it needs device=cuda")
        if steps is not None and steps < 1:
            raise GeneratorError(f"{who}: steps={steps}: must be at least 1")
        if batch < 1:
            raise GeneratorError(f"{who}: batch={batch}: must be at least 1")
        if fps is not None and not (math.isfinite(fps) and fps > 0):
            raise GeneratorError(f"{who}: fps={fps}: must be a finite number above 0")

    def _check_call(self, who: str, call: dict[str, Any]) -> dict[str, Any]:
        """Extra pipeline arguments: names its ``__call__`` takes and the harness does not set."""
        passable = [n for n in self.params if n not in MANAGED and n != "self"]
        for key in call:
            if key in MANAGED:
                raise GeneratorError(f"{who}: option {key!r} is set by t2vbench (use steps=, guidance=, --frames ...)")
            if key not in passable:
                hint = did_you_mean(key, [*OWN, *passable], "option")
                raise GeneratorError(f"{who}: {hint} ({self.folder.class_name} takes no {key!r})")
        return dict(call)

    @staticmethod
    def _auto_dtype(device: str) -> str:
        """``dtype=auto``: bf16 where a GPU will run the pipeline, else fp32."""
        if device == "cpu":
            return "float32"
        import torch

        return "bfloat16" if torch.cuda.is_available() else "float32"

    @staticmethod
    def _need_accelerate(who: str) -> None:
        try:
            import accelerate  # noqa: F401
        except ImportError:
            raise GeneratorError(f"{who}: offload needs accelerate; pip install accelerate") from None

    def _defaults(self, fps: float | None) -> dict[str, Any]:
        """Frames and size from the pipeline's own defaults (when it has integer ones); fps from
        ``fps=``, else its ``frame_rate`` default, else 8."""

        def default(name: str | None) -> Any:
            p = self.params.get(name) if name else None
            value = None if p is None else p.default
            return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

        rate = fps or default(self.rate_arg) or DEFAULT_FPS
        return {
            "num_frames": default(self.frames_arg),
            "height": default("height"),
            "width": default("width"),
            "fps": float(rate),
        }

    # identity ----------------------------------------------------------------------------------
    def options(self) -> dict[str, Any]:
        """What defines the clips (the unit's gen_key): pipeline, config and weights digests, dtype,
        sampling options and the seeding rule."""
        return {
            "path": str(self.folder.root),
            "pipeline": self.folder.class_name,
            "config_sha256": self.folder.config_sha256,
            "weights_sha256": self.folder.weights_sha256,
            "weights": self.folder.weight_sums,
            "dtype": self.dtype,
            "steps": self.steps,
            "guidance": self.guidance,
            "call": self.call,
            "seeding": "cpu torch.Generator per unit, seed = model.base.unit_seed(prompt text, seed)",
        }

    def execution(self) -> dict[str, Any]:
        """How it runs (the manifest's fingerprint; not part of the clips' identity)."""
        return {"device": self.device or self.device_opt, "offload": self.offload, "batch": self.batch_size}

    # running -----------------------------------------------------------------------------------
    def _target(self, run_device: str) -> str:
        """The run's device (``cuda:LOCAL_RANK`` under torchrun) unless ``device=`` names another;
        a bare ``device=cuda`` takes the run's GPU index."""
        own = self.device_opt
        if own == "auto" or (own == "cuda" and run_device.startswith("cuda")):
            return run_device
        return own

    def to(self, device: Any) -> DiffusersGenerator:
        """Load the weights (once) and place them on ``device`` (or offload to it)."""
        target = self._target(str(device))
        if self.offload != "none" and not target.startswith("cuda"):
            raise GeneratorError(
                f"diffusers:{self.folder.root}: offload={self.offload} needs a CUDA device, not {target}"
            )
        if self.pipe is None:
            self.pipe = self._load()
        if self.offload == "model":
            self.pipe.enable_model_cpu_offload(device=target)
        elif self.offload == "sequential":
            self.pipe.enable_sequential_cpu_offload(device=target)
        else:
            self.pipe.to(target)
        self.device = target
        return self

    def _load(self) -> Any:
        """``from_pretrained(local_files_only=True)`` in the chosen dtype, without progress bars."""
        import torch

        try:  # diffusers >= 0.36 calls it ``dtype`` (``torch_dtype`` is deprecated there)
            from diffusers.utils.deprecation_utils import _resolve_dtype  # noqa: F401

            dtype_arg = "dtype"
        except ImportError:
            dtype_arg = "torch_dtype"
        with quiet_loading():
            try:
                pipe = self.cls.from_pretrained(
                    str(self.folder.root), local_files_only=True, **{dtype_arg: getattr(torch, self.dtype)}
                )
            except (OSError, ValueError) as err:
                msg = " ".join(str(err).split())
                raise GeneratorError(f"diffusers:{self.folder.root}: cannot load: {msg}") from None
        if callable(getattr(pipe, "set_progress_bar_config", None)):
            pipe.set_progress_bar_config(disable=True)
        return pipe

    def _kwargs(self, texts: list[str], seeds: list[int], video: dict[str, Any]) -> dict[str, Any]:
        """The pipeline call: prompts, one generator per unit, frames, size, rate, sampling."""
        import torch

        kwargs: dict[str, Any] = {**self.call, "prompt": texts}
        kwargs["generator"] = [torch.Generator("cpu").manual_seed(s) for s in seeds]
        kwargs[self.frames_arg] = video.get("num_frames")
        kwargs |= {"height": video.get("height"), "width": video.get("width")}
        if self.rate_arg:
            kwargs[self.rate_arg] = video.get("fps")
        kwargs |= {"num_inference_steps": video.get("steps"), "guidance_scale": video.get("guidance")}
        if "output_type" in self.params:
            kwargs["output_type"] = "np"
        return {k: v for k, v in kwargs.items() if v is not None and k in self.params}

    def generate_batch(
        self,
        prompts: list[Prompt | str],
        *,
        seeds: list[int],
        num_frames: int | None = None,
        height: int | None = None,
        width: int | None = None,
        fps: float | None = None,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
    ) -> list[Video]:
        """One clip per (prompt, seed), each from its own seeded generator (``num_inference_steps``
        and ``guidance_scale``, for direct callers, override ``steps=`` and ``guidance=``)."""
        import torch

        if len(prompts) != len(seeds):
            raise GeneratorError(f"generate_batch: {len(prompts)} prompts but {len(seeds)} seeds")
        if self.pipe is None:
            self.to(self.device or ("cuda" if self.device_opt == "auto" and torch.cuda.is_available() else "cpu"))
        texts = [prompt_text(p) for p in prompts]
        useeds = [unit_seed(t, s) for t, s in zip(texts, seeds, strict=True)]
        rate = float(fps or self.defaults["fps"])
        video = {"num_frames": num_frames, "height": height, "width": width, "fps": rate}
        steps = self.steps if num_inference_steps is None else num_inference_steps
        video |= {"steps": steps, "guidance": self.guidance if guidance_scale is None else guidance_scale}
        try:
            with torch.inference_mode():
                out = self.pipe(**self._kwargs(texts, useeds, video))
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()  # the harness retries the units one by one
            raise
        meta = {"pipeline": self.folder.class_name, "dtype": self.dtype}
        frames = batch_frames(out, len(texts))
        return [Video(f, rate, metadata={**meta, "unit_seed": u}) for f, u in zip(frames, useeds, strict=True)]

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
        """One clip: the same as this unit's clip in any batch."""
        (video,) = self.generate_batch(
            [prompt],
            seeds=[seed],
            num_frames=num_frames,
            height=height,
            width=width,
            fps=fps,
            num_inference_steps=num_inference_steps,
            guidance_scale=guidance_scale,
        )
        return video


@register_generator(
    "diffusers",
    arg="raw",
    description="a local diffusers pipeline folder: diffusers:PATH[,dtype=bf16,device=cuda,offload=model,"
    "steps=N,guidance=G,batch=B,fps=F,sha256=HEX,<pipeline argument>=VALUE]",
)
def load_diffusers(target: str) -> DiffusersGenerator:
    """``PATH[,key=value...]``: the spec's own options (:data:`OWN`) are typed; any other key is
    an argument of the pipeline's ``__call__`` (``negative_prompt=...``, ``max_sequence_length=226``)."""
    path, _, text = target.partition(",")
    spec = f"diffusers:{target}"
    if not path.strip():
        raise GeneratorError(f"generator spec {spec!r}: needs a folder: diffusers:PATH")
    options = parse_options(text, spec)
    own = {k: v for k, v in options.items() if k in OWN}
    call = {k: _scalar(v) for k, v in options.items() if k not in OWN}
    typed: dict[str, Any] = {}
    for key, value in own.items():
        kind = {"steps": int, "batch": int, "guidance": float, "fps": float}.get(key, str)
        try:
            typed[key] = kind(value)
        except ValueError:
            raise GeneratorError(
                f"generator spec {spec!r}: option {key}={value!r} is not a valid {kind.__name__}"
            ) from None
    return DiffusersGenerator(path.strip(), **typed, call=call)
