"""GitHub's issue forms on the web view: drawn as a page, submitted as the body GitHub writes.

GitHub turns an issue-form submission into Markdown: ``### <label>`` then the
answer for every field but ``markdown`` ones, ``_No response_`` for an empty
input or textarea, ``None`` for a dropdown left unset, a textarea with
``render:`` inside a code fence, and each checkbox as ``- [X]`` or ``- [ ]``.
The form's ``title`` prefills the title and its ``labels`` go on the issue.
This module reads the YAML of ``.github/ISSUE_TEMPLATE`` itself (the sandbox
never imports warroom's own form parser) and writes the body exactly so, so a
form filed from the page is what warroom would read from GitHub. Pure, except
``load_forms``, which reads one directory.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger("warroom.sandbox")

NO_RESPONSE = "_No response_"
NO_CHOICE = "None"
FIELD_PREFIX = "field:"
"""Form inputs are named ``field:<id>``, so no field id can collide with ``title`` or ``as``."""


@dataclass(frozen=True)
class Field:
    """One element of a form's ``body``."""

    kind: str
    id: str
    label: str = ""
    description: str = ""
    placeholder: str = ""
    value: str = ""
    options: tuple[str, ...] = ()
    required_options: tuple[bool, ...] = ()
    multiple: bool = False
    required: bool = False
    render: str = ""

    @property
    def name(self) -> str:
        return FIELD_PREFIX + self.id


@dataclass(frozen=True)
class IssueForm:
    """One issue form: where it came from, what the chooser shows, its fields."""

    file: str
    name: str
    description: str
    title: str
    labels: tuple[str, ...]
    fields: tuple[Field, ...]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _field(index: int, item: Any) -> Field | None:
    if not isinstance(item, Mapping):
        return None
    kind = _text(item.get("type"))
    attributes = item.get("attributes") or {}
    validations = item.get("validations") or {}
    if kind not in ("markdown", "input", "textarea", "dropdown", "checkboxes"):
        return None
    if not isinstance(attributes, Mapping) or not isinstance(validations, Mapping):
        return None
    options: list[str] = []
    required_options: list[bool] = []
    for option in attributes.get("options") or []:
        if isinstance(option, Mapping):
            options.append(_text(option.get("label")))
            required_options.append(bool(option.get("required")))
        else:
            options.append(_text(option))
            required_options.append(False)
    return Field(
        kind=kind,
        id=_text(item.get("id")) or f"{kind}-{index}",
        label=_text(attributes.get("label")),
        description=_text(attributes.get("description")),
        placeholder=_text(attributes.get("placeholder")),
        value=_text(attributes.get("value")),
        options=tuple(options),
        required_options=tuple(required_options),
        multiple=bool(attributes.get("multiple")),
        required=bool(validations.get("required")),
        render=_text(attributes.get("render")),
    )


def form_from_yaml(text: str, file: str) -> IssueForm | None:
    """The issue form in ``text``, or ``None`` when it is not one (``config.yml``, bad YAML)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        log.warning("sandbox: issue form %s is not valid YAML; it is left out", file)
        return None
    if not isinstance(data, Mapping) or not isinstance(data.get("body"), list):
        return None
    fields = [f for i, item in enumerate(data["body"]) if (f := _field(i, item)) is not None]
    labels = data.get("labels") or []
    if isinstance(labels, str):
        labels = [x.strip() for x in labels.split(",")]
    return IssueForm(
        file=file,
        name=_text(data.get("name")) or file,
        description=_text(data.get("description")),
        title=_text(data.get("title")),
        labels=tuple(_text(x) for x in labels if _text(x)),
        fields=tuple(fields),
    )


def load_forms(directory: Path | None) -> dict[str, IssueForm]:
    """The issue forms in ``directory`` by file name, in name order (none without one)."""
    if directory is None or not directory.is_dir():
        return {}
    found: dict[str, IssueForm] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix not in (".yml", ".yaml") or path.stem == "config":
            continue
        form = form_from_yaml(path.read_text(encoding="utf-8"), path.name)
        if form is not None:
            found[path.name] = form
    return found


def compose(form: IssueForm, answers: Mapping[str, Sequence[str]]) -> tuple[str, list[str]]:
    """The body GitHub writes for ``answers`` (form inputs by name), and what is missing.

    Each problem names the field's label and says what to give.
    """
    sections: list[str] = []
    missing: list[str] = []
    for field in form.fields:
        if field.kind == "markdown":
            continue
        given = [v.replace("\r\n", "\n") for v in answers.get(field.name, [])]
        if field.kind in ("input", "textarea"):
            value = (given[-1] if given else "").strip()
            if field.required and not value:
                missing.append(f"{field.label}: required; write an answer")
            if not value:
                answer = NO_RESPONSE
            elif field.kind == "textarea" and field.render:
                answer = f"```{field.render}\n{value}\n```"
            else:
                answer = value
        elif field.kind == "dropdown":
            chosen = [o for o in field.options if o in given]
            if not field.multiple:
                chosen = chosen[:1]
            if field.required and not chosen:
                missing.append(f"{field.label}: required; choose one of the options")
            answer = ", ".join(chosen) if chosen else NO_CHOICE
        else:
            lines = []
            for index, option in enumerate(field.options):
                ticked = str(index) in given
                if field.required_options[index] and not ticked:
                    missing.append(f"{field.label}: tick “{option}”")
                lines.append(f"- [{'X' if ticked else ' '}] {option}")
            answer = "\n".join(lines) if lines else NO_RESPONSE
        sections.append(f"### {field.label}\n\n{answer}")
    return "\n\n".join(sections), missing
