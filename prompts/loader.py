"""Load and validate suite files; errors name the file, the prompt id and the field."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from prompts.schema import Suite
from t2vbase.errors import SuiteError, UnknownNameError
from t2vbase.registry import Registry

SUITES_DIR = Path(__file__).resolve().parent / "suites"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster

#: Bundled suites: name -> path of ``prompts/suites/<name>.yaml``.
SUITES: Registry[Path] = Registry("suite")
for _path in sorted(SUITES_DIR.glob("*.yaml")):
    SUITES.add(_path.stem, _path)


def canonical_json(data: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces): the form hashes are taken over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_sha256(data: Any) -> str:
    """sha256 of :func:`canonical_json` of ``data`` (independent of YAML layout and comments)."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def _field_path(loc: tuple[Any, ...], raw: dict[str, Any]) -> str:
    """``('prompts', 3, 'expect', 'relations', 0, 'when')`` -> ``prompt 'x': expect.relations[0].when``."""
    parts: list[str] = []
    where = ""
    items = list(loc)
    if len(items) >= 2 and items[0] == "prompts" and isinstance(items[1], int):
        idx = items[1]
        prompts = raw.get("prompts") if isinstance(raw, dict) else None
        pid = None
        if isinstance(prompts, list) and idx < len(prompts) and isinstance(prompts[idx], dict):
            pid = prompts[idx].get("id")
        where = f"prompt {pid!r}" if pid else f"prompts[{idx}]"
        items = items[2:]
    for item in items:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in ("function-after[_references(), Expect]",):
            continue
        else:
            parts.append(("." if parts else "") + str(item).replace("with_", "with"))
    field = "".join(parts)
    if where and field:
        return f"{where}: {field}"
    return where or field or "(top level)"


def _format_error(err: ValidationError, raw: dict[str, Any]) -> str:
    first = err.errors()[0]
    loc = tuple(x for x in first["loc"] if not (isinstance(x, str) and x.startswith("function-")))
    # discriminated unions put the tag in the path: drop it
    loc = tuple(x for x in loc if x not in ("contact", "state_change") or loc[-1] == x)
    msg = first["msg"].removeprefix("Value error, ")
    extra = f" (+{err.error_count() - 1} more)" if err.error_count() > 1 else ""
    if not loc:
        return f"{msg}{extra}"
    where = _field_path(loc, raw)
    sub = re.match(r"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+)?): ", msg)
    if sub and loc and not isinstance(loc[-1], int):  # a model validator naming its own sub-field
        return f"{where}.{msg}{extra}"
    return f"{where}: {msg}{extra}"


def parse_suite(raw: Any, source: str = "<memory>") -> Suite:
    """Validate already-parsed YAML data into a :class:`Suite` (``sha256`` over ``raw``)."""
    if not isinstance(raw, dict):
        raise SuiteError(f"{source}: a suite must be a mapping with suite, version, prompts")
    try:
        suite = Suite.model_validate(raw)
    except ValidationError as err:
        raise SuiteError(f"{source}: {_format_error(err, raw)}") from None
    except ValueError as err:  # pragma: no cover - pydantic wraps these
        raise SuiteError(f"{source}: {err}") from None
    try:
        digest = content_sha256(raw)
    except (ValueError, TypeError) as err:  # a value JSON cannot hold outside the schema's fields
        raise SuiteError(f"{source}: {err}") from None
    return suite.model_copy(update={"sha256": digest, "source": source})


MAX_SUITE_BYTES = 64 << 20


MAX_NODES = 2_000_000


def _expanded_nodes(data: Any, memo: dict[int, int]) -> int:
    """Nodes ``data`` has once YAML aliases are expanded (shared objects counted per use, each
    computed once); a node that contains itself is infinite."""
    if not isinstance(data, (dict, list)):
        return 1
    key = id(data)
    if key not in memo:
        memo[key] = -1  # in progress: meeting it again below means a cycle
        items = data.values() if isinstance(data, dict) else data
        memo[key] = 1 + sum(_expanded_nodes(x, memo) for x in items)
    if memo[key] < 0:
        raise RecursionError("a YAML alias refers to a node that contains it")
    return memo[key]


def _refuse_alias_bombs(raw: Any, p: Path) -> None:
    """YAML aliases may share a node, but a few lines of nested aliases can stand for billions of
    nodes (an alias bomb), or for a node inside itself, which validating and hashing would
    expand: refuse those."""
    try:
        n = _expanded_nodes(raw, {})
    except RecursionError as err:
        raise SuiteError(f"{p}: YAML nested too deep or recursive ({err})") from None
    if n > MAX_NODES:
        raise SuiteError(f"{p}: expands to {n:,} YAML nodes through aliases (at most {MAX_NODES:,})")


def load_suite_file(path: str | Path) -> Suite:
    """Read and validate a suite YAML file."""
    p = Path(path)
    if not p.is_file():
        raise SuiteError(f"{p}: no such suite file")
    if p.stat().st_size > MAX_SUITE_BYTES:
        raise SuiteError(f"{p}: {p.stat().st_size} bytes; a suite file is at most {MAX_SUITE_BYTES >> 20} MiB")
    try:
        raw = yaml.load(p.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise SuiteError(f"{p}:{where}: not valid YAML: {problem}") from None
    except UnicodeDecodeError as err:
        raise SuiteError(f"{p}: not UTF-8 text: {err.reason}") from None
    except RecursionError:
        raise SuiteError(f"{p}: YAML nested too deep") from None
    _refuse_alias_bombs(raw, p)
    return parse_suite(raw, str(p))


def load_suite(name_or_path: str | Path) -> Suite:
    """A bundled suite by name (``smoke``) or a suite file by path."""
    text = str(name_or_path)
    if text in SUITES:
        return load_suite_file(SUITES.get(text))
    if text.endswith((".yaml", ".yml")) or "/" in text or Path(text).is_file():
        return load_suite_file(text)
    try:
        SUITES.get(text)
    except UnknownNameError as err:
        raise SuiteError(f"{err}; or give a path to a suite file") from None
    raise AssertionError("unreachable")  # pragma: no cover
