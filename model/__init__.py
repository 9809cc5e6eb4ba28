"""Generators: the protocol, the registry and spec strings, the reference world, adapters.

``model`` never imports ``metrics``: a generator must not see its grader.
"""

from model.base import Generator, can_batch, describe, execution, prompt_text, source_key, source_path, unit_seed
from model.registry import GENERATORS, get_generator, register_generator

__all__ = [
    "GENERATORS",
    "Generator",
    "can_batch",
    "describe",
    "execution",
    "get_generator",
    "prompt_text",
    "register_generator",
    "source_key",
    "source_path",
    "unit_seed",
]
