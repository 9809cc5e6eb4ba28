"""Prompt suites: the schema, the loader, the bundled suite files and the colour palette.

This package is data: it imports no other project package except the leaf modules
``t2vbase.errors`` and ``t2vbase.registry``.
"""

from prompts.loader import SUITES, canonical_json, content_sha256, load_suite, load_suite_file, parse_suite
from prompts.palette import COLOR_NAMES, PALETTE
from prompts.scene import Scene, SceneObject
from prompts.schema import FAMILIES, PHYSICS_FAMILIES, Expect, Prompt, Suite

__all__ = [
    "COLOR_NAMES",
    "FAMILIES",
    "PALETTE",
    "PHYSICS_FAMILIES",
    "SUITES",
    "Expect",
    "Prompt",
    "Scene",
    "SceneObject",
    "Suite",
    "canonical_json",
    "content_sha256",
    "load_suite",
    "load_suite_file",
    "parse_suite",
]
