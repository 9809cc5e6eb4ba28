from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from reports.gallery import ClipCache, make_card
from t2vbase.rundir import RunDir, make_row
from t2vbase.video import probe_video, read_video, write_video
from tests.reports.rundirs import square_clip, square_track


def cache_for(rd: RunDir) -> ClipCache:
    return ClipCache(rd.asset_path, lambda p: p.relative_to(rd.root).as_posix())


def test_card_carries_what_the_overlay_draws_and_a_poster_with_the_box(tmp_path: Path) -> None:
    rd = RunDir(tmp_path)
    frames = square_clip(49, W=256, H=144)  # 16:9, 49 frames at 24 fps, like a real generator's
    write_video(rd.clip_path("p", 0), frames, fps=24)
    track = square_track(49, W=256, H=144)
    ev = {"type": "vanish", "frame": 20, "object": "sq", "bbox": track[20][1:], "detail": "", "track": track[:21]}
    row = make_row("p", 0, "permanence", "physics.permanence", 0.5, "fail", [ev])
    card = make_card(row, rd.clip_path("p", 0), cache_for(rd), "text", [])
    assert (card.clip, card.fps, card.num_frames, card.frame) == ("clips/p/0.mp4", 24.0, 49, 20)
    ov = card.overlay()
    assert ov["events"][0]["track"][-1] == track[20] and ov["frames"] == 49
    poster = read_video(tmp_path / card.poster, [0], backend="pyav").frames[0]  # PNG through PyAV
    assert poster.shape[:2] == (288, 512)  # drawn at twice the size
    x0, y0, x1, _ = (round(v * s) for v, s in zip(track[20][1:], (512, 288, 512, 288), strict=True))
    edge = poster[y0, x0 + 4 : x1 - 4]
    assert (edge[:, 0] > 200).all() and (edge[:, 1] < 60).all()  # magenta box on the event's frame


def test_a_clip_browsers_cannot_play_gets_an_h264_preview(tmp_path: Path) -> None:
    """A folder: run copies clips as they are; MPEG-4 part 2 in .mp4 plays in no browser."""
    rd = RunDir(tmp_path)
    dest = rd.clip_path("p", 0)
    dest.parent.mkdir(parents=True)
    frames = square_clip(16)
    with av.open(str(dest), "w", format="mp4") as out:
        s = out.add_stream("mpeg4", rate=8)
        s.width, s.height, s.pix_fmt = 160, 90, "yuv420p"
        for f in frames:
            out.mux(s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        out.mux(s.encode())
    assert probe_video(dest).codec == "mpeg4"
    card = make_card(make_row("p", 0, "count", "physics.count", 0.5, "fail", []), dest, cache_for(rd), "", [])
    assert card.clip.startswith("assets/preview-") and "preview of a mpeg4 clip" in card.note
    info = probe_video(tmp_path / card.clip)
    assert info.codec == "h264" and info.num_frames == 16
    back = read_video(tmp_path / card.clip, [8], backend="pyav").frames[0].astype(int)
    assert np.abs(back - frames[8]).mean() < 8


def test_a_missing_clip_makes_a_card_without_a_video(tmp_path: Path) -> None:
    rd = RunDir(tmp_path)
    card = make_card(
        make_row("p", 0, "count", "physics.count", 0.5, "fail", []), rd.clip_path("p", 0), cache_for(rd), "", []
    )
    assert card.clip is None and card.poster is None and card.note == "clip missing or unreadable"


def test_a_capped_gallery_still_shows_every_check() -> None:
    from reports.gallery import spread

    rows = [("a", i) for i in range(10)] + [("b", i) for i in range(3)] + [("c", 0)]
    picked = spread(rows, lambda r: r[0], 6)
    assert picked == [("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1), ("c", 0)]  # in the original order
    assert spread(rows, lambda r: r[0], 100) == rows
