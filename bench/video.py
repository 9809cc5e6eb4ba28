"""Deprecated alias of :mod:`t2vbase.video` (``bench.video`` was the documented home of
``Video``, ``read_video`` and ``write_video`` before 0.2). Import from ``t2vbase.video``."""

import warnings

from t2vbase.video import Video, VideoInfo, probe_video, read_video, to_rgb_uint8, write_video

warnings.warn(
    "bench.video is deprecated and will be removed in 0.4; import from t2vbase.video",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["Video", "VideoInfo", "probe_video", "read_video", "to_rgb_uint8", "write_video"]
