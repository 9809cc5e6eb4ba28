"""The validation report section: validate.md and validate.html from validate.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reports.render import md_env, web_env
from t2vbase.files import atomic_write_text, read_json


def build_validate_report(out_dir: str | Path) -> Path:
    """Render ``validate.md`` and ``validate.html`` beside ``validate.json``; returns the .md."""
    out = Path(out_dir)
    data: dict[str, Any] = read_json(out / "validate.json")
    if "formats" in data:  # validate --formats: one table of every format (each has its own report)
        atomic_write_text(out / "validate.md", md_env().get_template("validate_formats.md.j2").render(v=data))
        return out / "validate.md"
    atomic_write_text(out / "validate.md", md_env().get_template("validate.md.j2").render(v=data))
    atomic_write_text(out / "validate.html", web_env().get_template("validate.html.j2").render(v=data))
    return out / "validate.md"
