"""Generator registry and spec strings (``reference:profile=clean``, ``folder:PATH``, ...)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from model.base import Generator
from t2vbase.errors import GeneratorError, T2VError, UnknownNameError
from t2vbase.registry import Registry
from t2vbase.registry import build_with_options as _build
from t2vbase.registry import parse_options as _parse

GeneratorFactory = Callable[..., Generator]

#: Generators by spec name. ``meta["arg"]`` is ``"options"`` (``k=v,k=v``) or ``"raw"`` (a path
#: or target passed through whole).
GENERATORS: Registry[GeneratorFactory] = Registry("generator")


def register_generator(name: str, *, arg: str = "options", description: str = "") -> Callable:
    """Decorator registering a generator factory (a class or function) under a spec name."""
    return GENERATORS.register(name, arg=arg, description=description)


def parse_options(text: str, spec: str) -> dict[str, str]:
    """``"faults=vanish+mirror,rate=0.3"`` -> ``{"faults": "vanish+mirror", "rate": "0.3"}``."""
    return _parse(text, f"generator spec {spec!r}", GeneratorError)


def build_with_options(factory: GeneratorFactory, options: dict[str, str], spec: str) -> Generator:
    """Call ``factory(**options)`` converting strings by the factory's annotations; unknown
    option names get a "did you mean" error."""
    return _build(factory, options, f"generator spec {spec!r}", GeneratorError)


#: Modules whose generators register on import (each imports its heavy libraries only when used).
BUNDLED_GENERATORS = (
    "model.command",
    "model.diffusers_pipeline",
    "model.folder",
    "model.reference",
    "model.user_module",
)


def load_bundled() -> None:
    """Register the bundled generators."""
    for module in BUNDLED_GENERATORS:
        importlib.import_module(module)


def get_generator(spec: str) -> Generator:
    """Build the generator a spec string names.

    ``reference``, ``reference:profile=clean``, ``reference:faults=vanish+mirror,rate=0.3``,
    ``folder:PATH``, ``module:pkg.mod:Factory``, ``diffusers:PATH[,k=v...]``,
    ``command:[k=v,... --] PROGRAM ARG...``.
    """
    load_bundled()
    name, _, rest = spec.partition(":")
    try:
        entry = GENERATORS.entry(name.strip())
    except UnknownNameError as err:
        raise GeneratorError(f"generator spec {spec!r}: {err}") from None
    if entry.meta.get("arg") == "raw" and not rest:
        raise GeneratorError(f"generator spec {spec!r}: {name}: needs an argument ({name}:...)")
    try:
        if entry.meta.get("arg") == "raw":
            gen = entry.obj(rest)
        else:
            gen = build_with_options(entry.obj, parse_options(rest, spec), spec)
    except T2VError:
        raise
    except Exception as err:  # a factory that does not accept what it was given
        raise GeneratorError(f"generator spec {spec!r}: building it failed: {type(err).__name__}: {err}") from None
    if not callable(getattr(gen, "generate", None)):
        raise GeneratorError(f"generator spec {spec!r}: the object built has no generate() method")
    return gen
