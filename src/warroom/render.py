"""Rendering warroom's Markdown from templates, sandboxed and strict.

Templates live once, in the repository's top-level ``templates/``; the wheel
ships them as ``warroom/templates``. Context values are data: text from issues
and comments is passed in, never compiled, so a body holding ``{{ ... }}`` is
printed as written. ``StrictUndefined`` turns a misspelt variable into an
error in the golden-file tests instead of a silently empty line in a comment.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from warroom.records.reading import write_value
from warroom.records.spec import SPECS


def templates_root() -> Path:
    """The installed package's templates, else the repository's top-level ``templates/``."""
    packaged = resources.files("warroom") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "templates"


@functools.lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(templates_root()),
        undefined=StrictUndefined,
        # Markdown, not HTML: escaping would turn "escalate+pause" into entities.
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template_name: str, context: Mapping[str, Any]) -> str:
    """Render ``templates/<template_name>`` with ``context``."""
    return _environment().get_template(template_name).render(**context)


def render_record(kind: str, values: Mapping[str, Any] | None = None) -> str:
    """The ``kind`` record as Markdown: the fillable template, or filled with ``values``.

    ``values`` maps field keys to canonical values (as ``read_records`` returns
    them) or to text; fields not given show the template's blank. Trailing
    spaces are dropped so a pasted record does not carry invisible noise.
    """
    spec = SPECS[kind]
    given = values or {}
    shown = {
        field.key: write_value(field.value, given[field.key])
        if field.key in given
        else field.template_value
        for field in spec.fields
    }
    text = render(f"records/{kind}.md.j2", {"values": shown})
    return "\n".join(line.rstrip().replace(":  <!--", ": <!--") for line in text.split("\n"))
