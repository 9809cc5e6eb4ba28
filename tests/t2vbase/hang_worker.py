"""A decode worker that never answers: stands in for decord spinning in native code."""

import time


def hang(fd: int) -> None:
    while True:
        time.sleep(1)


def crash(fd: int) -> None:
    raise SystemExit(3)
