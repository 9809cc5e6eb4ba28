"""Fixtures of the report tests: headless Chromium (see :mod:`tests.reports.browser`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.reports.browser import ARGS, MISSING, chromium_path, unavailable


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package (pip install playwright; it drives the system Chromium)")
    exe = chromium_path()
    if exe is None:
        unavailable("a Chromium executable (apt-get install chromium, or set T2V_CHROMIUM=/path/to/chrome)")
    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=exe, args=ARGS, headless=True)
        except Exception as err:
            unavailable(f"a Chromium that starts ({exe}: {' '.join(str(err).split())[:300]})")
        yield b
        b.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say loudly, at the end of any run, that the browser tests did not run and why."""
    for reason in dict.fromkeys(MISSING):
        terminalreporter.write_line(f"BROWSER TESTS SKIPPED: {reason}", yellow=True, bold=True)
