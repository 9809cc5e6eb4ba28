"""Render one prompt of a suite with the reference world to a video file.

    python -m model.render --suite smoke --prompt-id smoke-perm-occlude --seed 0 --out clip.mp4

It is also the smallest external program ``command:`` can run (the README's example): it takes
its unit from the command line, writes ``--out`` and a sidecar JSON beside it (the scene and its
faults), and exits non-zero with a message on stderr when it cannot.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model.registry import get_generator
from prompts import load_suite
from t2vbase.errors import T2VError
from t2vbase.video import write_video


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="smoke", help="bundled suite name or suite file (default: smoke)")
    ap.add_argument("--prompt-id", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--generator", default="reference", help="reference[:options] (default: reference)")
    ap.add_argument("--frames", type=int, default=None)
    ap.add_argument("--height", type=int, default=None)
    ap.add_argument("--width", type=int, default=None)
    ap.add_argument("--fps", type=float, default=None)
    ap.add_argument("--out", type=Path, required=True, help="the video file to write (.mp4)")
    args = ap.parse_args(argv)
    try:
        suite = load_suite(args.suite)
        if args.prompt_id not in {p.id for p in suite.prompts}:
            print(f"model.render: error: suite {suite.suite} has no prompt {args.prompt_id!r}", file=sys.stderr)
            return 2
        prompt = suite.prompt(args.prompt_id)
        video = get_generator(args.generator).generate(
            prompt, num_frames=args.frames, height=args.height, width=args.width, fps=args.fps, seed=args.seed
        )
        write_video(args.out, video)
    except T2VError as err:
        print(f"model.render: error: {err}", file=sys.stderr)
        return 2
    args.out.with_suffix(".json").write_text(json.dumps(video.metadata))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
