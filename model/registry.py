"""Generator registry and spec strings (``reference:profile=clean``, ``folder:PATH``, ...)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from bench.errors import GeneratorError, UnknownNameError
from bench.registry import Registry, did_you_mean
from model.base import Generator

GeneratorFactory = Callable[..., Generator]

#: Generators by spec name. ``meta["arg"]`` is ``"options"`` (``k=v,k=v``) or ``"raw"`` (a path
#: or target passed through whole).
GENERATORS: Registry[GeneratorFactory] = Registry("generator")


def register_generator(name: str, *, arg: str = "options", description: str = "") -> Callable:
    """Decorator registering a generator factory (a class or function) under a spec name."""
    return GENERATORS.register(name, arg=arg, description=description)


def parse_options(text: str, spec: str) -> dict[str, str]:
    """``"faults=vanish+mirror,rate=0.3"`` -> ``{"faults": "vanish+mirror", "rate": "0.3"}``."""
    out: dict[str, str] = {}
    if not text:
        return out
    for part in text.split(","):
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq or not key:
            raise GeneratorError(f"generator spec {spec!r}: option {part!r} is not key=value")
        if key in out:
            raise GeneratorError(f"generator spec {spec!r}: option {key!r} given twice")
        out[key] = value.strip()
    return out


def _convert(value: str, annotation: Any, key: str, spec: str) -> Any:
    kinds = str(annotation)
    try:
        if "bool" in kinds:
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if "float" in kinds:
            return float(value)
        if "int" in kinds:
            return int(value)
    except ValueError:
        raise GeneratorError(f"generator spec {spec!r}: option {key}={value!r} is not a valid {kinds}") from None
    return value


def build_with_options(factory: GeneratorFactory, options: dict[str, str], spec: str) -> Generator:
    """Call ``factory(**options)`` converting strings by the factory's annotations; unknown
    option names get a "did you mean" error."""
    sig = inspect.signature(factory)
    params = {n: p for n, p in sig.parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    kwargs = {}
    for key, value in options.items():
        if key not in params:
            raise GeneratorError(f"generator spec {spec!r}: " + did_you_mean(key, list(params), "option"))
        kwargs[key] = _convert(value, params[key].annotation, key, spec)
    return factory(**kwargs)


def get_generator(spec: str) -> Generator:
    """Build the generator a spec string names.

    ``reference``, ``reference:profile=clean``, ``reference:faults=vanish+mirror,rate=0.3``,
    ``folder:PATH``, ``module:pkg.mod:Factory``.
    """
    import model.folder
    import model.reference
    import model.user_module  # noqa: F401

    name, _, rest = spec.partition(":")
    try:
        entry = GENERATORS.entry(name.strip())
    except UnknownNameError as err:
        raise GeneratorError(f"generator spec {spec!r}: {err}") from None
    if entry.meta.get("arg") == "raw":
        if not rest:
            raise GeneratorError(f"generator spec {spec!r}: {name}: needs an argument ({name}:...)")
        gen = entry.obj(rest)
    else:
        gen = build_with_options(entry.obj, parse_options(rest, spec), spec)
    if not callable(getattr(gen, "generate", None)):
        raise GeneratorError(f"generator spec {spec!r}: the object built has no generate() method")
    return gen
