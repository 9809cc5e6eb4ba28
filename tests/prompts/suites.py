"""Bundled suites loaded once for the prompt tests (core takes a moment to validate)."""

from __future__ import annotations

from prompts import load_suite

CORE = load_suite("core")
