"""From a block's raw fields to canonical values and findings, or problems saying what to write.

People decorate values (``**rollback**``, ``SEV-1 (auth at risk)``,
``@alice (IC)``) and spread them over nested bullets; these readers peel that
off before handing the value to ``warroom.parsing.values``, so the same words
mean the same thing in a form and in a comment. ``read_block`` reads a whole
block: it reports what is missing or unreadable (an error for the playbook's
fields, a warning for the optional ones), says how a value or label was read
when that needed a guess, and reads the owner written after a checkpoint time.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import Enum
from typing import Any

from warroom.config import Config
from warroom.model import Finding, Level
from warroom.parsing.values import (
    LOGIN_RE,
    Inferred,
    ValueProblem,
    When,
    is_placeholder,
    read_confidence,
    read_date,
    read_decision,
    read_enum,
    read_logins,
    read_paths,
    read_phase,
    read_rung,
    read_severity,
    read_status,
    read_time,
)
from warroom.records.actions import review_actions
from warroom.records.spec import ENUMS, SPECS, FieldSpec, RecordSpec, ValueKind
from warroom.records.types import RawField, RecordBlock

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


def _paths_scalar(raw: str) -> str:
    """``scalar`` for globs: a ``*`` is part of a glob (``services/*``), so emphasis is peeled
    only when it wraps the whole value (``**services/auth/**``... is not emphasis either)."""
    text = " ".join(_BULLET.sub("", raw[:_SCALAR_LIMIT]).split()).strip("` \t")
    for mark in ("**", "__", "*", "_"):
        inner = text[len(mark) : -len(mark)]
        if (
            len(text) > 2 * len(mark)
            and text.startswith(mark)
            and text.endswith(mark)
            and not inner.startswith(mark[0])
            and not inner.endswith(("/", mark[0]))
        ):
            return inner.strip()
    return text


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
        ValueKind.RUNG: read_rung,
        ValueKind.STATUS: read_status,
    }
    if kind in special:
        return special[kind]
    enum = ENUMS[kind]
    return lambda text: read_enum(enum, text)


def read_value(
    kind: ValueKind,
    raw: str,
    zone: tzinfo,
    *,
    reference: datetime | None = None,
    when: When = When.NEXT,
) -> Any:
    """The canonical value of ``raw`` read as ``kind``, an ``Inferred`` one, or a ``ValueProblem``.

    Empty or placeholder text is not read here: callers decide whether that is
    an error (a block field) or an omission (an advanced statement). A time
    without a date is read from ``reference`` (see ``read_time``).
    """
    if kind is ValueKind.TEXT:
        return text_value(raw)
    if kind is ValueKind.CODE:
        return code_value(raw)
    if kind is ValueKind.PATHS:
        return read_paths(_paths_scalar(raw))
    text = scalar(raw)
    if kind is ValueKind.LOGINS:
        # "@alice (IC), Priya Shah (@priya-s)": read_logins knows names and roles.
        return read_logins(text)
    if kind is ValueKind.TIME:
        return _with_trailer_dropped(
            lambda t: read_time(t, zone, reference=reference, when=when), text
        )
    if kind is ValueKind.DATE:
        return _with_trailer_dropped(read_date, text)
    return _with_trailer_dropped(_enum_reader(kind), text)


# Where the owner starts after a time: a list separator or a spaced slash or dash.
_OWNER_SEPARATOR = re.compile(r"[,;|]|[ \t][/—–-](?=[ \t])")
_OWNER_LEAD = re.compile(r"(?:next[ \t]+)?(?:owner|owned[ \t]+by|by|with)[ \t]*:?[ \t]*", re.I)


def split_time_owner(raw: str) -> tuple[str, str | None]:
    """``16:40 UTC, @omar`` → (``16:40 UTC``, ``@omar``); a time without a mention is kept whole.

    The playbook pairs the next checkpoint's time with its owner, and people
    write both on one line: ``16:40 UTC, @omar``, ``16:40 UTC / @omar``,
    ``16:40 UTC — Omar Haddad (@omar)``, ``16:40 UTC, owner @omar``.
    """
    text = scalar(raw)
    mention = LOGIN_RE.search(text)
    if mention is None:
        return raw, None
    head = text[: mention.start()]
    cut = None
    for cut in _OWNER_SEPARATOR.finditer(head):  # noqa: B007 (the last separator counts)
        pass
    if cut is None:
        time_part, owner = head, text[mention.start() :]
    else:
        time_part, owner = head[: cut.start()], text[cut.end() :]
    owner = owner.strip()
    lead = _OWNER_LEAD.match(owner)
    if lead is not None and lead.end() < len(owner):
        owner = owner[lead.end() :]
    return time_part.strip(), owner


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
    if kind is ValueKind.PATHS:
        return ", ".join(value)
    if kind is ValueKind.TIME and isinstance(value, datetime):
        utc = value.astimezone(UTC)
        pattern = "%Y-%m-%d %H:%M:%S UTC" if utc.second or utc.microsecond else "%Y-%m-%d %H:%M UTC"
        return utc.strftime(pattern)
    if kind is ValueKind.DATE and isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


# --- a whole block ----------------------------------------------------------------------------

SUGGESTIONS = 8
"""Unknown labels per block given a "did you mean": enough for a record, bounded otherwise."""


def _short(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _why(spec: FieldSpec) -> str:
    return f" ({spec.why})" if spec.why else ""


def missing_message(record: RecordSpec, spec: FieldSpec) -> str:
    """What to write when a field is absent from its block."""
    if record.start == "subject" and spec.key in ("severity", "summary"):
        return f'missing; start the message with "{record.start_example}"'
    bullet = "- " if record.start == "heading" else ""
    return f'missing; add "{bullet}{spec.label}:" to the block with {spec.hint}{_why(spec)}'


def _blank_message(spec: FieldSpec, raw: str) -> str:
    written = raw.strip()
    if not written or not scalar(written):
        return f"is empty; write {spec.hint}{_why(spec)}"
    return f'still holds the template text "{_short(written)}"; write {spec.hint}{_why(spec)}'


def _problem(spec: FieldSpec, message: str, line: int) -> Finding:
    """An unreadable value: an error in the playbook's block, a warning in an optional field."""
    if spec.required:
        return Finding(spec.label, message, Level.ERROR, line)
    return Finding(
        spec.label, f"{message} (not read; the rest of the record stands)", Level.WARNING, line
    )


@dataclass(frozen=True)
class _OnTheLine:
    """An owner written after a time on the time's line."""

    text: str
    line: int
    time: FieldSpec


def _suggestions(
    block: RecordBlock, record: RecordSpec, limit: int
) -> dict[int, tuple[RawField, FieldSpec]]:
    """The closest field of each unknown label that resembles one (the first ``limit``)."""
    found: dict[int, tuple[RawField, FieldSpec]] = {}
    for written in block.extra[: max(0, limit)]:
        closest = record.closest_field(written.label)
        if closest is not None:
            found[written.line] = (written, closest)
    return found


def _unknown_labels(
    record: RecordSpec, suggestions: Mapping[int, tuple[RawField, FieldSpec]]
) -> list[Finding]:
    return [
        Finding(
            _short(written.label, 40),
            f"is not a field of the {record.title}, so it was not read; "
            f'did you mean "{closest.label}"?',
            Level.WARNING,
            written.line,
        )
        for written, closest in suggestions.values()
    ]


def _looks_like(spec: FieldSpec, suggestions: Mapping[int, tuple[RawField, FieldSpec]]) -> str:
    """A hint on a missing field when an unknown label in the block is closest to it."""
    for written, closest in suggestions.values():
        if closest is spec:
            return (
                f' (line {written.line} has "{_short(written.label, 40)}": if that is this '
                f'field, write "{spec.label}:")'
            )
    return ""


def _same_owners(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return {x.lower() for x in a} == {x.lower() for x in b}


def _who(logins: tuple[str, ...]) -> str:
    return ", ".join(f"@{login}" for login in logins)


def read_block(
    block: RecordBlock,
    config: Config,
    reference: datetime | None = None,
    *,
    suggest: int = SUGGESTIONS,
) -> tuple[dict[str, Any], dict[str, str], list[Finding]]:
    """A block's values (canonical, typed), each known field's text, and the findings.

    ``reference`` is when the comment was posted (or now, in ``warroom check``):
    times written without a date are read from it. The first ``suggest``
    unknown labels get a "did you mean" naming the closest field.
    """
    record = SPECS[block.kind]
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    findings = list(block.problems)
    suggestions = _suggestions(block, record, suggest)
    findings += _unknown_labels(record, suggestions)
    zone = config.zone
    texts: dict[str, str] = {}
    on_line: dict[str, _OnTheLine] = {}
    for spec in record.fields:
        written = block.field(spec.key)
        if spec.pairs_with is None or written is None:
            continue
        time_text, owner = split_time_owner(written.value)
        if owner is not None:
            texts[spec.key] = time_text
            on_line[spec.pairs_with] = _OnTheLine(owner, written.line, spec)

    for spec in record.fields:
        written = block.field(spec.key)
        paired = on_line.get(spec.key)
        if written is None or (paired is not None and is_unfilled(spec, written.value)):
            if paired is not None:
                raw[spec.key] = paired.text
                _read_paired_owner(spec, paired, values, findings)
            elif written is None and spec.required:
                message = missing_message(record, spec) + _looks_like(spec, suggestions)
                findings.append(Finding(spec.label, message, Level.ERROR, block.line))
            elif written is not None and spec.required:
                findings.append(
                    Finding(
                        spec.label, _blank_message(spec, written.value), Level.ERROR, written.line
                    )
                )
            continue
        raw[spec.key] = written.value
        text = texts.get(spec.key, written.value)
        if is_unfilled(spec, text):
            if spec.required:
                findings.append(
                    Finding(spec.label, _blank_message(spec, text), Level.ERROR, written.line)
                )
            continue
        value = read_value(spec.value, text, zone, reference=reference, when=spec.when)
        if isinstance(value, ValueProblem):
            findings.append(_problem(spec, value.message, written.line))
        elif isinstance(value, Inferred):
            values[spec.key] = value.value
            findings.append(Finding(spec.label, value.note, Level.WARNING, written.line))
        else:
            values[spec.key] = value
        if paired is not None:
            findings += _compare_owners(spec, written, paired, values.get(spec.key))
    findings.extend(_derive(block, values))
    return values, raw, findings


def _read_paired_owner(
    spec: FieldSpec, paired: _OnTheLine, values: dict[str, Any], findings: list[Finding]
) -> None:
    """The owner field is not written (or left blank): the owner on the time's line is it."""
    value = read_value(ValueKind.LOGINS, paired.text, UTC)
    if isinstance(value, ValueProblem):
        findings.append(
            _problem(
                spec,
                f'the owner after the time on the "{paired.time.label}" line {value.message}',
                paired.line,
            )
        )
    else:
        values[spec.key] = value


def _compare_owners(
    spec: FieldSpec, written: RawField, paired: _OnTheLine, stated: Any
) -> list[Finding]:
    """Both an owner after the time and the owner field: they must name the same people.

    Two different next owners in one record is ambiguous ownership, the thing
    the playbook warns about; picking one would page the wrong person, so the
    record is refused (an error) until one owner is written. Text after the
    time that does not read as owners (``16:40 UTC (after @tomas deploys)``)
    is a comment on the time: the owner field stands.
    """
    other = read_value(ValueKind.LOGINS, paired.text, UTC)
    if isinstance(other, ValueProblem) or not isinstance(stated, tuple):
        return []
    if _same_owners(stated, other):
        return []
    return [
        Finding(
            spec.label,
            f'names {_who(stated)} but line {paired.line} ("{paired.time.label}") names '
            f"{_who(other)}; write one {spec.label.lower()}, in one place",
            Level.ERROR,
            written.line,
        )
    ]


def _derive(block: RecordBlock, values: dict[str, Any]) -> list[Finding]:
    """Values read from other values: issue numbers a closure or dismissal points at."""
    findings: list[Finding] = []
    if block.kind == "review":
        values["actions"], problems = review_actions(block, values)
        findings += problems
    if block.kind == "closure" and "followups" in values:
        values["followup_refs"] = issue_refs(values["followups"])
    if block.kind == "dismissal" and "evidence" in values:
        refs = issue_refs(values["evidence"])
        values["duplicate_of"] = refs[0] if refs else None
        if values.get("reason") == "duplicate" and not refs:
            evidence = block.field("evidence")
            findings.append(
                Finding(
                    SPECS["dismissal"].by_key["evidence"].label,
                    "names no incident; for a duplicate, write the incident it duplicates as "
                    '#NUMBER, e.g. "duplicate of #123"',
                    Level.ERROR,
                    evidence.line if evidence else block.line,
                )
            )
    return findings
