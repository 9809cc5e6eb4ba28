"""Failure gallery: one card per failed check, its clip looping under an overlay of what the check
found (the event's box, a frame marker, the object's track as a trail), synchronised to the frame
the browser shows.

The clips stay in the run directory and are linked relatively. Chromium (Debian's build, where the
browser tests run), Firefox and Safari play the H.264 clips runs write; a clip a ``folder:`` run
copied in another codec (HEVC, MPEG-4 part 2, ...) gets an H.264 preview under ``assets/``, so
every card plays. A poster PNG (the event frame with its box) shows before the clip starts and is
what report.md links to.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from t2vbase.video import VideoInfo, probe_video, read_video, write_video

MAX_CARDS = 120
PLAYABLE = frozenset({"h264", "vp8", "vp9", "av1"})  # in <video> of Chromium, Firefox and Safari
BOX = (255, 0, 200)  # RGB, the overlay's event colour


def safe_id(text: str) -> str:
    """``text`` as a file-name part."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def anchor(*parts: object) -> str:
    """An element id / URL fragment that needs no escaping in CSS selectors: ``card-p1-0-physics-count``."""
    return "-".join(re.sub(r"[^A-Za-z0-9_]+", "-", str(p)).strip("-") for p in parts)


@dataclass
class Card:
    """What one gallery card shows (the template reads the attributes, the overlay script ``overlay``)."""

    id: str
    prompt_id: str
    seed: Any
    metric: str
    family: str
    text: str
    frame: int
    events: list[dict[str, Any]]
    verdicts: list[dict[str, Any]]
    clip: str | None
    poster: str | None = None
    fps: float = 0.0
    num_frames: int = 0
    note: str = ""
    side: str = ""  # compare: which run ("A" / "B")
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def event_types(self) -> list[str]:
        return sorted({e.get("type", "?") for e in self.events})

    def overlay(self) -> dict[str, Any]:
        """The data the overlay script draws (JSON)."""
        keep = ("type", "frame", "object", "bbox", "track")
        return {
            "fps": self.fps,
            "frames": self.num_frames,
            "events": [{k: e.get(k) for k in keep} for e in self.events],
        }


def draw_poster(frame: np.ndarray, bbox: list[float] | None, dest: Path, scale: int = 2) -> bool:
    """Write ``frame`` upscaled ``scale`` times (nearest) with ``bbox`` drawn, as PNG."""
    import cv2

    img = np.ascontiguousarray(np.repeat(np.repeat(frame, scale, 0), scale, 1))
    h, w = img.shape[:2]
    if bbox is not None and len(bbox) == 4:
        x0, y0, x1, y1 = (float(v) for v in bbox)
        cv2.rectangle(img, (round(x0 * w), round(y0 * h)), (round(x1 * w), round(y1 * h)), BOX, 2)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return bool(cv2.imwrite(str(dest), cv2.cvtColor(img, cv2.COLOR_RGB2BGR)))


class ClipCache:
    """Probes each clip once, writes posters and (for codecs browsers do not play) previews.

    ``asset_path(name) -> (path, link)`` says where an asset goes; ``link(path)`` how a page
    links to a clip.
    """

    def __init__(self, asset_path: Any, link: Any) -> None:
        self.asset_path, self.link = asset_path, link
        self._info: dict[Path, VideoInfo | None] = {}
        self._playable: dict[Path, tuple[str | None, str]] = {}

    def info(self, clip: Path) -> VideoInfo | None:
        if clip not in self._info:
            try:
                self._info[clip] = probe_video(clip)
            except Exception:
                self._info[clip] = None
        return self._info[clip]

    def playable(self, clip: Path, stem: str) -> tuple[str | None, str]:
        """A link to a version of ``clip`` the browser plays, and a note when it is a preview."""
        if clip not in self._playable:
            info = self.info(clip)
            if info is None:
                self._playable[clip] = (None, "clip missing or unreadable")
            elif info.codec in PLAYABLE:
                self._playable[clip] = (self.link(clip), "")
            else:
                path, rel = self.asset_path(f"preview-{stem}.mp4")
                try:
                    video = read_video(clip, backend="pyav")
                    write_video(path, video.frames, fps=info.fps or 8.0)
                    self._playable[clip] = (rel, f"H.264 preview of a {info.codec} clip")
                except Exception:
                    self._playable[clip] = (self.link(clip), f"{info.codec}: your browser may not play it")
        return self._playable[clip]

    def poster(self, clip: Path, frame: int, bbox: list[float] | None, name: str) -> str | None:
        info = self.info(clip)
        if info is None:
            return None
        path, rel = self.asset_path(name)
        try:
            video = read_video(clip, [min(max(frame, 0), info.num_frames - 1)], backend="pyav")
        except Exception:
            return None
        return rel if draw_poster(video.frames[0], bbox, path) else None


def spread(items: list[Any], key: Any, limit: int) -> list[Any]:
    """At most ``limit`` of ``items`` taken in turn from each ``key`` group (in order of first
    appearance), so a capped gallery still shows every check; the order within a group is kept."""
    groups: dict[Any, list[Any]] = {}
    for it in items:
        groups.setdefault(key(it), []).append(it)
    out: list[Any] = []
    queues = [iter(g) for g in groups.values()]
    while queues and len(out) < limit:
        for q in list(queues):
            nxt = next(q, None)
            if nxt is None:
                queues.remove(q)
            elif len(out) < limit:
                out.append(nxt)
    pos = {id(it): k for k, it in enumerate(items)}
    return sorted(out, key=lambda it: pos[id(it)])


def unit_verdicts(rows: list[dict[str, Any]]) -> dict[tuple[str, Any], list[dict[str, Any]]]:
    """Every metric's verdict and value on each unit (what a card lists beside its clip)."""
    out: dict[tuple[str, Any], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r.get("prompt_id") != "*":
            out[(r["prompt_id"], r.get("seed"))].append(
                {"metric": r["metric"], "verdict": r.get("verdict"), "value": r.get("value"), "error": r.get("error")}
            )
    return out


def make_card(
    row: dict[str, Any],
    clip: Path,
    cache: ClipCache,
    text: str,
    verdicts: list[dict[str, Any]],
    side: str = "",
) -> Card:
    """A card for one failed row: clip (or its preview), poster at the first event, overlay data."""
    pid, seed, metric = row["prompt_id"], row.get("seed"), row["metric"]
    events = [e for e in row.get("events") or [] if isinstance(e, dict)]
    first = events[0] if events else {}
    frame = int(first.get("frame") or 0)
    stem = f"{safe_id(pid)}-{seed}{'-' + side if side else ''}"
    link, note = cache.playable(clip, stem)
    poster = cache.poster(clip, frame, first.get("bbox"), f"poster-{stem}-{safe_id(metric)}.png")
    info = cache.info(clip)
    return Card(
        id=anchor("card", pid, seed, side, metric) if side else anchor("card", pid, seed, metric),
        prompt_id=pid,
        seed=seed,
        metric=metric,
        family=row.get("family") or "?",
        text=text,
        frame=frame,
        events=events,
        verdicts=sorted(verdicts, key=lambda v: v["metric"]),
        clip=link,
        poster=poster,
        fps=float(info.fps) if info else 0.0,
        num_frames=int(info.num_frames) if info else 0,
        note=note,
        side=side,
    )


def filters(cards: list[Card]) -> dict[str, list[str]]:
    """The values each gallery filter offers."""
    return {
        "family": sorted({c.family for c in cards}),
        "check": sorted({c.metric for c in cards}),
        "event": sorted({t for c in cards for t in c.event_types}),
    }
