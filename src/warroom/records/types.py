"""The data a comment is read into: raw blocks first, then parsed records.

Raw blocks keep the text as written with its line numbers, so a finding can
point at a line and the Action can quote what a responder wrote. Parsed
records add canonical values, the typed model (only when valid) and findings.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

from warroom.model import Finding, HasFindings
from warroom.records.models import AnyRecord


@dataclass(frozen=True)
class RawField:
    """One ``Label: value`` as written: ``key`` is ``None`` for labels the kind does not know."""

    label: str
    key: str | None
    value: str
    """The text after the colon plus its continuation lines, dedented; fences kept."""
    line: int
    """1-based line of the label."""
    end_line: int
    """1-based last line of the value."""


@dataclass(frozen=True)
class RecordBlock:
    """A block found in a comment: where it is and its fields, nothing read yet."""

    kind: str
    line: int
    """1-based line where the block starts (its heading, subject or status line)."""
    end_line: int
    start: int
    """Character offset of the block's first line in the text as given (CRLF included)."""
    end: int
    """Character offset just past the block's last line."""
    heading: str
    """The starting line as written (``### Checkpoint Decision Record``), stripped."""
    fields: tuple[RawField, ...] = ()
    problems: tuple[Finding, ...] = ()
    """Structural problems met while scanning (a field written twice)."""
    headless: bool = False
    """True when read with ``read_record_as`` from text that lacks the block's start line."""

    def field(self, key: str) -> RawField | None:
        """The first field with this key, if written."""
        return self._by_key.get(key)

    @functools.cached_property
    def _by_key(self) -> dict[str, RawField]:
        index: dict[str, RawField] = {}
        for written in self.fields:
            if written.key is not None:
                index.setdefault(written.key, written)
        return index

    @property
    def extra(self) -> tuple[RawField, ...]:
        """Fields with labels this kind does not know: kept, never validated."""
        return tuple(f for f in self.fields if f.key is None)


@dataclass(frozen=True)
class Reading:
    """A block with the values that were read from it without a problem."""

    block: RecordBlock
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Comment:
    """All the records of one comment, as rules see them, indexed once."""

    readings: Sequence[Reading]

    @functools.cached_property
    def supplied(self) -> frozenset[tuple[str, str]]:
        """(kind, key) of every value some record in the comment carries."""
        return frozenset(
            (reading.block.kind, key) for reading in self.readings for key in reading.values
        )


@dataclass(frozen=True)
class ParsedRecord(HasFindings):
    """One record of a comment, read and checked.

    ``values`` holds every field read without a problem, canonical and typed
    (``Severity``, ``datetime``, ``tuple`` of logins…); ``model`` is the typed
    record when there are no errors, else ``None``. ``findings`` carry the
    playbook's label as ``field`` and a 1-based ``line`` in the checked text.
    """

    kind: str
    block: RecordBlock
    values: Mapping[str, Any]
    model: AnyRecord | None
    findings: tuple[Finding, ...] = ()
    raw: Mapping[str, str] = field(default_factory=dict)
    """Each known field's text as written, by key."""

    @property
    def line(self) -> int:
        return self.block.line

    @property
    def end_line(self) -> int:
        return self.block.end_line

    @property
    def start(self) -> int:
        return self.block.start

    @property
    def end(self) -> int:
        return self.block.end

    def to_json(self) -> dict[str, Any]:
        """What was parsed, as JSON-able data keyed by field key.

        A value read without a problem is canonical (``"SEV-1"``, ISO 8601
        times, lists of logins); a value that could not be read is the text as
        written, so a reader sees what to fix. Fields not written are absent.
        Unknown labels are kept under ``"extra"``.
        """
        data: dict[str, Any] = {}
        for key, text in self.raw.items():
            data[key] = jsonable(self.values[key]) if key in self.values else text
        for key, value in self.values.items():
            data.setdefault(key, jsonable(value))
        if self.block.extra:
            data["extra"] = {f.label: f.value for f in self.block.extra}
        return data


def jsonable(value: Any) -> Any:
    """Canonical values as JSON data: enums by value, times in ISO 8601, tuples as lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, BaseModel):  # a part read from a field (a review's action)
        return jsonable(value.model_dump())
    return value
