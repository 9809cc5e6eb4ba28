"""One registry mechanism for generators, metrics and suites (a leaf module).

Modelled on timm's ``register_model``: entries are registered by name with optional metadata and
looked up with "did you mean" errors. Spec strings ``name[:key=value,...]`` (generators,
observation backends) are parsed and applied here too, so every spec reads the same way.

Example:
    >>> REG = Registry("widget")
    >>> @REG.register("round")
    ... class Round: ...
    >>> REG.get("rund")
    Traceback (most recent call last):
    UnknownNameError: unknown widget 'rund'; did you mean 'round'? ...
"""

from __future__ import annotations

import difflib
import fnmatch
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from t2vbase.errors import T2VError, UnknownNameError

T = TypeVar("T")


class DuplicateNameError(T2VError):
    """A registry name claimed by two different objects."""


def _identity(obj: Any) -> str:
    """``module.qualname`` of a class or function, or of an instance's class: what survives a
    module reload, so reloading a module does not count as a second registration."""
    if not (inspect.isclass(obj) or inspect.isroutine(obj)):
        obj = type(obj)
    return f"{obj.__module__}.{obj.__qualname__}"


def did_you_mean(name: str, choices: list[str], what: str) -> str:
    """A one-line "unknown X; did you mean Y?" message listing the known names."""
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    known = ", ".join(sorted(choices)) if choices else "none registered"
    return f"unknown {what} {name!r}{hint} (known: {known})"


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered object and its metadata (free-form, e.g. a one-line description)."""

    name: str
    obj: T
    meta: dict[str, Any] = field(default_factory=dict)


class Registry(Generic[T]):
    """Name -> object table with decorator registration and "did you mean" lookups."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def add(self, name: str, obj: T, *, replace: bool = False, **meta: Any) -> T:
        """Register ``obj`` under ``name``.

        A name taken by another object is an error (two plugins claiming one name would silently
        shadow each other) unless ``replace=True``; the same object registered again (a module
        reloaded) replaces its entry.
        """
        old = self._entries.get(name)
        if old is not None and not replace and _identity(old.obj) != _identity(obj):
            raise DuplicateNameError(
                f"{self.kind} {name!r} is already registered by {_identity(old.obj)}; "
                f"{_identity(obj)} cannot take the name (choose another, or pass replace=True)"
            )
        self._entries[name] = Entry(name, obj, dict(meta))
        return obj

    def register(self, name: str | None = None, **meta: Any) -> Callable[[T], T]:
        """Decorator form of :meth:`add`; the name defaults to the object's ``name`` attribute."""

        def deco(obj: T) -> T:
            key = name or getattr(obj, "name", None) or getattr(obj, "__name__", None)
            if not key:
                raise ValueError(f"cannot infer a {self.kind} name for {obj!r}")
            return self.add(key, obj, **meta)

        return deco

    def remove(self, name: str) -> None:
        """Unregister ``name`` (no error if absent)."""
        self._entries.pop(name, None)

    def entry(self, name: str) -> Entry[T]:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(did_you_mean(name, list(self._entries), self.kind)) from None

    def get(self, name: str) -> T:
        """The object registered as ``name``; raises :class:`UnknownNameError` with suggestions."""
        return self.entry(name).obj

    def names(self) -> list[str]:
        return sorted(self._entries)

    def match(self, pattern: str) -> list[str]:
        """Names matching a shell-style pattern (``physics.*``, ``*flicker*``), sorted."""
        return fnmatch.filter(self.names(), pattern)

    def entries(self) -> list[Entry[T]]:
        return [self._entries[n] for n in self.names()]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)


def parse_options(text: str, context: str, error: type[T2VError]) -> dict[str, str]:
    """``"faults=vanish+mirror,rate=0.3"`` -> ``{"faults": "vanish+mirror", "rate": "0.3"}``.

    ``context`` starts every message (e.g. ``"generator spec 'x'"``); ``error`` is raised.
    """
    out: dict[str, str] = {}
    if not text:
        return out
    for part in text.split(","):
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq or not key:
            raise error(f"{context}: option {part!r} is not key=value")
        if key in out:
            raise error(f"{context}: option {key!r} given twice")
        out[key] = value.strip()
    return out


def _convert(value: str, annotation: Any, key: str, context: str, error: type[T2VError]) -> Any:
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
        raise error(f"{context}: option {key}={value!r} is not a valid {kinds}") from None
    return value


def build_with_options(factory: Callable[..., T], options: dict[str, str], context: str, error: type[T2VError]) -> T:
    """Call ``factory(**options)`` converting strings by the factory's annotations (bool, float,
    int; anything else stays a string); unknown option names get a "did you mean" error."""
    sig = inspect.signature(factory)
    params = {n: p for n, p in sig.parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    kwargs = {}
    for key, value in options.items():
        if key not in params:
            raise error(f"{context}: " + did_you_mean(key, list(params), "option"))
        kwargs[key] = _convert(value, params[key].annotation, key, context, error)
    return factory(**kwargs)
