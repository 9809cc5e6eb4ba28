"""``module:pkg.mod:Factory[,k=v...]`` — a user's own generator class or factory function."""

from __future__ import annotations

import importlib

from model.base import Generator
from model.registry import build_with_options, parse_options, register_generator
from t2vbase.errors import GeneratorError


@register_generator("module", arg="raw", description="your own generator: module:pkg.mod:Factory[,key=value]")
def load_module_generator(target: str) -> Generator:
    """Import ``pkg.mod``, call ``Factory(**options)`` and return the generator it builds."""
    ref, _, opts = target.partition(",")
    mod_name, colon, attr = ref.partition(":")
    spec = f"module:{target}"
    if not colon or not mod_name or not attr:
        raise GeneratorError(f"generator spec {spec!r}: expected module:package.module:Factory")
    try:
        mod = importlib.import_module(mod_name)
    except Exception as err:
        raise GeneratorError(f"generator spec {spec!r}: cannot import {mod_name!r}: {err}") from None
    factory = getattr(mod, attr, None)
    if factory is None or not callable(factory):
        raise GeneratorError(f"generator spec {spec!r}: {mod_name!r} has no callable {attr!r}")
    return build_with_options(factory, parse_options(opts, spec), spec)
