"""From a field's raw text to its canonical value, or a problem saying what to write.

People decorate values (``**rollback**``, ``SEV-1 (auth at risk)``,
``@alice (IC)``) and spread them over nested bullets; these readers peel that
off before handing the value to ``warroom.parsing.values``, so the same words
mean the same thing in a form and in a comment.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from enum import Enum
from typing import Any

from warroom.parsing.values import (
    ValueProblem,
    is_placeholder,
    read_confidence,
    read_date,
    read_decision,
    read_enum,
    read_logins,
    read_phase,
    read_severity,
    read_status,
    read_time,
)
from warroom.records.spec import ENUMS, FieldSpec, ValueKind

_BULLET = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+", re.M)
_DECORATION = "*_` \t"
_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}+|~{3,}+)[^\n]*$", re.M)
_ISSUE_REF = re.compile(r"(?<![\w/&])#(\d{1,9})\b|/issues/(\d{1,9})\b|/pull/(\d{1,9})\b", re.A)
# Split before a trailing comment on a value: "rollback (flag off)", "SEV-1 — auth".
# Linear under ``split``: a match starts only where blanks start, and takes them all.
_TRAILER = re.compile(r"(?<!\s)(?:\s*+[(;,]|\s++[—–-]\s)")
_PARENTHETICALS = re.compile(r"\([^()\n]*\)")
_NONE_WORDS = frozenset(
    {
        "none",
        "na",
        "nil",
        "no",
        "nothing",
        "noresidualrisk",
        "noresidualrisks",
        "norisk",
        "norisks",
        "noneknown",
        "noneidentified",
        "notapplicable",
        "zero",
    }
)
# Beyond this a scalar is certainly not a severity, a time or a few logins;
# capping keeps hostile 64 KiB values cheap and messages short.
_SCALAR_LIMIT = 2_000


def scalar(raw: str) -> str:
    """One line: bullets of nested lists dropped, lines joined, markup around the value peeled."""
    text = _BULLET.sub("", raw[:_SCALAR_LIMIT])
    text = " ".join(text.split())
    return text.strip(_DECORATION)


def text_value(raw: str) -> str:
    """Free text: kept as written (line breaks, nested bullets) minus surrounding blank space."""
    return raw.strip()


@functools.lru_cache(maxsize=64)
def code_value(raw: str) -> str:
    """The contents of the fenced blocks in a value, or the value itself when unfenced.

    Commands and outputs are copied from a terminal; the fence is how they are
    pasted, not part of the evidence.
    """
    lines = raw.split("\n")
    inside: str | None = None
    kept: list[str] = []
    fenced: list[str] = []
    for line in lines:
        if inside is None:
            match = _FENCE_OPEN.match(line) if line.lstrip()[:3] in ("```", "~~~") else None
            if match:
                inside = match.group(1)
                continue
            kept.append(line)
        elif inside[0] in line and _closes(line, inside):
            inside = None
        else:
            fenced.append(line)
    body = "\n".join(fenced) if fenced or inside is not None else "\n".join(kept)
    return textwrap.dedent(body).strip("\n").rstrip()


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def says_none(raw: str) -> bool:
    """``none``, ``N/A``, ``no risk``: a residual-risk statement that states nothing."""
    return _fold(scalar(raw)) in _NONE_WORDS


def issue_refs(raw: str) -> tuple[int, ...]:
    """Issue numbers named as ``#123`` or by URL, in order, without repeats."""
    found: list[int] = []
    for match in _ISSUE_REF.finditer(raw):
        number = int(next(group for group in match.groups() if group))
        if number not in found:
            found.append(number)
    return tuple(found)


def _with_trailer_dropped(reader: Callable[[str], Any], text: str) -> Any:
    """Try the value as written, then without a trailing comment ("rollback (flag)")."""
    first = reader(text)
    if not isinstance(first, ValueProblem):
        return first
    lead = _TRAILER.split(text, maxsplit=1)[0].strip(_DECORATION)
    if lead and lead != text:
        second = reader(lead)
        if not isinstance(second, ValueProblem):
            return second
    return first


def _enum_reader(kind: ValueKind) -> Callable[[str], Any]:
    special: dict[ValueKind, Callable[[str], Any]] = {
        ValueKind.SEVERITY: read_severity,
        ValueKind.PHASE: read_phase,
        ValueKind.DECISION: read_decision,
        ValueKind.CONFIDENCE: read_confidence,
        ValueKind.STATUS: read_status,
    }
    if kind in special:
        return special[kind]
    enum = ENUMS[kind]
    return lambda text: read_enum(enum, text)


def read_value(kind: ValueKind, raw: str, zone: tzinfo) -> Any:
    """The canonical value of ``raw`` read as ``kind``, or a ``ValueProblem``.

    Empty or placeholder text is not read here: callers decide whether that is
    an error (a block field) or an omission (an advanced statement).
    """
    if kind is ValueKind.TEXT:
        return text_value(raw)
    if kind is ValueKind.CODE:
        return code_value(raw)
    text = scalar(raw)
    if kind is ValueKind.LOGINS:
        # "@alice (IC), @bob (deputy)": roles in parentheses are commentary.
        return read_logins(_PARENTHETICALS.sub(" ", text))
    if kind is ValueKind.TIME:
        return _with_trailer_dropped(lambda t: read_time(t, zone), text)
    if kind is ValueKind.DATE:
        return _with_trailer_dropped(read_date, text)
    return _with_trailer_dropped(_enum_reader(kind), text)


def is_blank(kind: ValueKind, raw: str) -> bool:
    """Nothing written yet: empty, a template hint such as ``<time>``, ``TBD``, an empty fence."""
    if kind is ValueKind.CODE:
        return is_placeholder(code_value(raw))
    return is_placeholder(scalar(raw)) if kind is not ValueKind.TEXT else is_placeholder(raw)


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def is_unfilled(spec: FieldSpec, raw: str) -> bool:
    """Blank, or still the template's list of choices (``L1 | L2 | L3``): nothing chosen yet."""
    template = spec.template_value
    return is_blank(spec.value, raw) or (
        bool(template) and " " in template and _fold(scalar(raw)) == _fold(template)
    )


def write_value(kind: ValueKind, value: Any) -> str:
    """The text a template shows for a canonical value; ``read_value`` reads it back.

    Times are written in UTC as the playbook writes them (``2026-11-28 16:20 UTC``),
    logins as ``@a, @b``; text is kept as it is.
    """
    if isinstance(value, str):
        return value
    if kind is ValueKind.LOGINS:
        return ", ".join(f"@{login}" for login in value)
    if kind is ValueKind.TIME and isinstance(value, datetime):
        utc = value.astimezone(UTC)
        pattern = "%Y-%m-%d %H:%M:%S UTC" if utc.second or utc.microsecond else "%Y-%m-%d %H:%M UTC"
        return utc.strftime(pattern)
    if kind is ValueKind.DATE and isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)
