"""Loading and saving the embedded encoder's weights (sha256-checked, never downloaded)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from metrics.weights import verify
from t2vbase.errors import WeightsError

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_WEIGHTS = WEIGHTS_DIR / "tiny-v3.pt"
_LOADED: dict[tuple[str, str], Any] = {}


def load_encoder(path: str | os.PathLike[str] | None = None, sha256: str | None = None, reuse: bool = True) -> Any:
    """The embedded encoder (a :class:`VideoTextEncoder` in eval mode, on CPU): the committed
    ``weights/tiny-v3.pt`` or the file at ``path``. The file is checked against ``sha256`` (if
    given) and the ``SHA256SUMS`` beside it (if any); a mismatch or a missing file is a one-line
    :class:`WeightsError`. Loaded models are shared within a process (treat them as read-only);
    ``reuse=False`` gives a fresh copy (to train or modify)."""
    import torch

    from metrics.encoder.config import EncoderConfig
    from metrics.encoder.model import VideoTextEncoder

    file = Path(path).expanduser() if path else DEFAULT_WEIGHTS
    if not file.is_file():
        raise WeightsError(f"encoder: weights file {file} not found")
    checked = verify(file.parent, file.name, sha256, "encoder")
    key = (str(file.resolve()), checked.sha256)
    if key not in _LOADED or not reuse:
        try:
            blob = torch.load(file, map_location="cpu", weights_only=True)
            model = VideoTextEncoder(EncoderConfig.from_dict(blob["config"]))
            model.load_state_dict(blob["state_dict"])
        except (KeyError, ValueError, RuntimeError, TypeError) as err:
            raise WeightsError(f"encoder: {file} is not an encoder weights file ({str(err).splitlines()[0]})") from None
        model.sha256 = checked.sha256
        if not reuse:
            return model.eval()
        _LOADED[key] = model.eval().requires_grad_(False)
    return _LOADED[key]


def save_encoder(model: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``model``'s config and float32 weights to ``path`` (what :func:`load_encoder` reads)."""
    import torch

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    torch.save({"config": model.config.to_dict(), "state_dict": state}, out)
    return out


def protocol(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The loaded encoder's protocol: name, weights sha256, frames, size, value range, sampling."""
    return load_encoder(path).protocol()
