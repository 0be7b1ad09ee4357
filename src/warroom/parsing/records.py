"""Finding the playbook's war-room records in a comment, and reading them.

A comment is free text: prose, several records, HTML comments left from a
template, fenced command output. ``find_records`` locates each block by its
start line (a heading such as ``### Checkpoint Decision Record``, the
escalation's ``[INCIDENT][SEV-1] …`` line, or a stakeholder update's
``Status:`` line) and splits it into ``Label: value`` fields with line numbers.
``read_records`` turns each block into canonical values, a typed model and
findings. Both are pure and never raise on any text: bodies are untrusted.

How a block is delimited, so people can write the way they do:

* it ends at the next record's start, at a top-level ``#`` heading or a
  thematic break (``---``), or where prose follows a blank line;
* a field's value continues on indented lines, nested bullets, fenced code
  blocks, lines that follow without a blank line, and after blank lines
  when nothing was written on the label's line;
* HTML comments (template hints) are ignored, as GitHub ignores them; record
  headings inside code fences or ``>`` quotes are not records.
"""

from __future__ import annotations

import functools
import re
import sys
import textwrap
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate, islice
from typing import Any

from pydantic import ValidationError

from warroom.config import DEFAULT_CONFIG, Config
from warroom.model import Finding, Level
from warroom.records import quality
from warroom.records.models import AnyRecord
from warroom.records.reading import SUGGESTIONS, read_block
from warroom.records.spec import (
    ESCALATION,
    RECORD_KINDS,
    SPECS,
    STAKEHOLDER,
    LabelMatch,
    RecordSpec,
    label_key,
)
from warroom.records.types import Comment, ParsedRecord, RawField, Reading, RecordBlock

__all__ = [
    "MAX_FIELDS",
    "MAX_RECORDS",
    "RECORD_KINDS",
    "SPECS",
    "ParsedRecord",
    "RawField",
    "RecordBlock",
    "find_records",
    "read_record_as",
    "read_records",
    "unread_starts",
]

# --- preparing the text -----------------------------------------------------------------------

_TOKEN = re.compile(r"<!--|^[ \t]*(?P<fence>`{3,}|~{3,})", re.M)
_MAX_TOKENS = 1_000
"""HTML comments and code fences honoured per text; past that, hostile text is read as plain."""


_AFTER_LINE_BREAK = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def _covering(ranges: list[tuple[int, int]], line: int) -> int:
    """The end of the sorted, inclusive range that holds ``line``, or -1."""
    index = bisect_right(ranges, (line, sys.maxsize)) - 1
    return ranges[index][1] if index >= 0 and ranges[index][0] <= line <= ranges[index][1] else -1


@functools.lru_cache(maxsize=64)
def _closer(char: str, length: int) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*{re.escape(char)}{{{length},}}[ \t]*$", re.M)


@dataclass(frozen=True)
class _Text:
    """The text with newlines normalised and HTML comments blanked, line numbers kept."""

    original: str
    lines: list[str]
    clean: str
    fences: list[tuple[int, int]]
    """0-based inclusive line ranges of fenced code blocks, sorted."""
    void: list[tuple[int, int]]
    """0-based inclusive line ranges an HTML comment covered, sorted.

    A line there that is empty now was only a hint: it is skipped, not read as
    a blank line that could end a value.
    """

    def in_fence(self, line: int) -> bool:
        return _covering(self.fences, line) >= 0

    def void_until(self, line: int) -> int:
        """The last line of the HTML comment covering ``line``, or -1."""
        return _covering(self.void, line)

    @functools.cached_property
    def _starts(self) -> list[int]:
        """Character offset of each line's start in the original text."""
        # C-level all the way: a 64 KiB body of line breaks costs a millisecond.
        if "\r" not in self.original:
            return [0, *accumulate(map((1).__add__, map(len, self.original.split("\n"))))]
        return [0, *accumulate(map(len, _AFTER_LINE_BREAK.split(self.original)))]

    def offset(self, line: int) -> int:
        """Offset of 0-based ``line`` in the original text."""
        return self._starts[min(line, len(self._starts) - 1)]

    def end_offset(self, line: int) -> int:
        """Offset just past 0-based ``line``'s text (before its line break)."""
        if line + 1 >= len(self.lines):
            return len(self.original)
        start = self.offset(line + 1)
        original = self.original
        if start >= 2 and original[start - 2 : start] == "\r\n":
            return start - 2
        return start - 1


def _prepare(text: str) -> _Text:
    norm = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces: list[str] = []
    fences: list[tuple[int, int]] = []
    void: list[tuple[int, int]] = []
    copied = pos = 0
    line = line_pos = 0

    def line_of(offset: int) -> int:
        nonlocal line, line_pos
        line += norm.count("\n", line_pos, offset)
        line_pos = offset
        return line

    if "<!--" not in norm and "```" not in norm and "~~~" not in norm:
        return _Text(text, norm.split("\n"), norm, [], [])
    for _ in range(_MAX_TOKENS):
        match = _TOKEN.search(norm, pos)
        if match is None:
            break
        marker = match.group("fence")
        if marker is None:  # an HTML comment, to its end or the end of the text
            close = norm.find("-->", match.end())
            end = len(norm) if close < 0 else close + 3
            first, last = line_of(match.start()), line_of(end)
            pieces += [norm[copied : match.start()], "\n" * (last - first)]
            void.append((first, last))
            copied = pos = end
            continue
        eol = norm.find("\n", match.end())
        eol = len(norm) if eol < 0 else eol
        if marker[0] == "`" and "`" in norm[match.end() : eol]:
            pos = match.end()  # backticks in the info string: inline code, not a fence
            continue
        first = line_of(match.start())
        closing = _closer(marker[0], len(marker)).search(norm, min(eol + 1, len(norm)))
        if eol >= len(norm) or closing is None:
            fences.append((first, norm.count("\n", line_pos) + line))
            break
        fences.append((first, line_of(closing.start())))
        pos = closing.end()
    pieces.append(norm[copied:])
    clean = "".join(pieces)
    return _Text(text, clean.split("\n"), clean, fences, void)


# --- finding where blocks start ---------------------------------------------------------------

MAX_RECORDS = 50
"""Records read from one text; more is not a comment anyone writes, and bounds the work."""
MAX_FIELDS = 100
"""``Label: value`` lines read per block (a record has at most 18); the block ends there."""
_MAX_CANDIDATE_LINES = 1_000
"""Lines holding a start keyword that are examined; bounds the work on hostile text."""
_STAKEHOLDER_LOOKAHEAD = 12
"""Lines after a ``Status:`` line in which another update field must appear."""


def _words_pattern(title: str) -> str:
    # Possessive: the separator never holds a letter or digit, so giving part of it
    # back cannot help, and a line of "Incident" + 64 KiB of spaces fails in one scan.
    return r"[\W_]*+".join(re.findall(r"[a-z0-9]+", title.lower()))


_HEADING_KINDS: dict[str, str] = {
    label_key(heading): spec.kind for spec in SPECS.values() for heading in spec.all_headings
}
_HEADING = re.compile(
    r"(?P<prefix>(?:[^\w>]|_){0,12}?)(?P<title>"
    + "|".join(
        _words_pattern(h)
        for h in sorted({h for s in SPECS.values() for h in s.all_headings}, key=len, reverse=True)
    )
    + r")(?P<trail>.*)",
    re.I,
)
# The start lines below are matched with possessive runs of blanks (``[ \t]*+``):
# each run of spaces is taken by exactly one quantifier and never handed back, so
# "Status" + 64 KiB of spaces costs one scan. Two greedy ``[ \t]*`` next to each
# other (with only optional items between) would try every way to split the run,
# cubic in its length. ``tests/unit/test_regex_audit.py`` checks every pattern here.
_EMPHASIS = r"(?:\*\*|__|\*|_)"
_SUBJECT = re.compile(
    r"[ \t]{0,3}(?:[-*+][ \t]++|\#{1,6}[ \t]++)?[*_`]{0,3}[ \t]*+(?:subject[ \t]*+:[ \t]*+)?"
    r"\[[ \t]*+incident[ \t]*+\][ \t]*+\[(?P<sev>[^\]]{0,40})\](?P<summary>.*)",
    re.I,
)
# ``Label (note) **:``: the blanks after the label, the note and the emphasis each
# belong to the item before them, so no two runs of blanks meet.
_STATUS = re.compile(
    rf"[ \t]{{0,3}}(?:[-*+][ \t]++)?{_EMPHASIS}?[ \t]*+status[ \t]*+"
    rf"(?:\([^)]{{0,60}}\)[ \t]*+)?(?:{_EMPHASIS}[ \t]*+)?:",
    re.I,
)
_STAKEHOLDER_FIELD = re.compile(
    rf"^[ \t]{{0,3}}(?:[-*+][ \t]++)?{_EMPHASIS}?[ \t]*+(?:"
    + "|".join(
        _words_pattern(name)
        for spec in STAKEHOLDER.fields
        if spec.key != "status"
        for name in (spec.label, *spec.aliases)
    )
    + rf")[ \t]*+(?:\([^)\n]{{0,60}}\)[ \t]*+)?(?:{_EMPHASIS}[ \t]*+)?:",
    re.M | re.I,
)
# Lines that end any block: a top-level ATX heading or a thematic break.
_STOP = re.compile(
    r"^(?:\#{1,6}(?:[ \t][^\n]*)?|(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$", re.M
)
# Every start line holds one of these words (in lower case), so only the lines
# one fast search finds are matched against the start patterns: a 64 KiB body
# of newlines or prose costs one scan, not a regex attempt per line.
_KEYWORDS = re.compile(
    "|".join(
        sorted(
            {
                max(re.findall(r"[a-z0-9]+", heading.lower()), key=len)
                for spec in SPECS.values()
                for heading in spec.all_headings
            }
            | {"incident", "status"}
        )
    )
)


def _heading_kind(match: re.Match[str]) -> str | None:
    """The kind a heading line starts, if the line is a heading and not prose mentioning one.

    ``### Title``, ``**Title**`` and a bare ``Title`` line all count; an indented
    bare title is part of a field's value (and four spaces make a code block).
    """
    prefix = match.group("prefix")
    indent = len(prefix) - len(prefix.lstrip(" \t"))
    if re.search(r"[A-Za-z0-9]", prefix) or indent >= 4 or (indent >= 2 and "#" not in prefix):
        return None
    trail = match.group("trail").strip(" \t*_#`")
    if trail and trail[0] not in ":([—–-|":
        return None
    return _HEADING_KINDS.get(label_key(match.group("title")))


@dataclass
class _Start:
    line: int
    offset: int
    """Offset of the line's start in the prepared text."""
    kind: str
    how: str  # "heading" | "subject" | "status"
    match: re.Match[str]


def _keyword_lines(text: _Text) -> Iterator[tuple[int, int]]:
    """(line, offset of its start) of each line holding a start keyword, once per line."""
    clean = text.clean
    lower = clean.lower()
    line = pos = 0
    for _ in range(_MAX_CANDIDATE_LINES):
        match = _KEYWORDS.search(lower, pos)
        if match is None:
            return
        line += clean.count("\n", pos, match.start())
        start = clean.rfind("\n", 0, match.start()) + 1
        yield line, start
        pos = clean.find("\n", match.end())
        if pos < 0:
            return
        line += clean.count("\n", match.start(), pos)


def _candidates(text: _Text) -> Iterator[_Start]:
    for index, offset in _keyword_lines(text):
        line = text.lines[index]
        if text.in_fence(index) or line.lstrip().startswith(">"):
            continue
        heading = _HEADING.fullmatch(line)
        kind = _heading_kind(heading) if heading else None
        if heading and kind:
            yield _Start(index, offset, kind, "heading", heading)
        elif subject := _SUBJECT.fullmatch(line):
            yield _Start(index, offset, ESCALATION.kind, "subject", subject)
        elif status := _STATUS.match(line):
            yield _Start(index, offset, STAKEHOLDER.kind, "status", status)


@dataclass
class _Stops:
    """The first block-ending line after a given line, searched lazily and remembered."""

    text: _Text
    found: dict[int, int] = field(default_factory=dict)
    last: tuple[int, int] = (-1, -1)
    """(line, first stop after it) of the last search: no stop lies between them."""

    def after(self, start: _Start) -> int:
        """0-based line of the first stop after ``start``'s line (or the line count)."""
        if start.line in self.found:
            return self.found[start.line]
        if self.last[0] <= start.line < self.last[1]:
            # Starts come in line order, so this keeps the searches linear in the text.
            self.found[start.line] = self.last[1]
            return self.last[1]
        text = self.text
        pos = text.clean.find("\n", start.offset)
        line = start.line + 1
        result = len(text.lines)
        while pos >= 0:
            match = _STOP.search(text.clean, pos + 1)
            if match is None:
                break
            line += text.clean.count("\n", pos + 1, match.start())
            if not text.in_fence(line):
                result = line
                break
            pos = text.clean.find("\n", match.start())
            line += 1
        self.found[start.line] = result
        self.last = (start.line, result)
        return result


@dataclass
class _Region:
    spec: RecordSpec
    start: _Start
    end: int = 0  # 0-based exclusive
    absorbed: _Start | None = None  # the subject or status line under a heading


def _regions(text: _Text) -> list[_Region]:
    """Decide which start lines open a block and where each block's lines end."""
    stops = _Stops(text)
    regions: list[_Region] = []
    for start in _candidates(text):
        current = regions[-1] if regions and stops.after(regions[-1].start) > start.line else None
        if start.how in ("subject", "status"):
            if (
                current is not None
                and current.start.how == "heading"
                and current.spec.kind == start.kind
                and current.absorbed is None
            ):
                current.absorbed = start
                continue
            if start.how == "status" and not _stakeholder_follows(text, start, stops):
                continue
        if len(regions) == MAX_RECORDS:
            break
        regions.append(_Region(SPECS[start.kind], start))
    for index, region in enumerate(regions):
        limit = regions[index + 1].start.line if index + 1 < len(regions) else len(text.lines)
        region.end = min(limit, stops.after(region.start))
    return regions


def _stakeholder_follows(text: _Text, start: _Start, stops: _Stops) -> bool:
    """A ``Status:`` line starts an update only if another update field follows closely."""
    end = min(start.line + 1 + _STAKEHOLDER_LOOKAHEAD, len(text.lines), stops.after(start))
    window = "\n".join(text.lines[start.line + 1 : end])
    return _STAKEHOLDER_FIELD.search(window) is not None


# --- splitting a block into fields ------------------------------------------------------------

_FIELD = re.compile(
    r"(?P<indent>[ \t]*)(?P<bullet>(?:[-*+•]|\d{1,3}[.)])[ \t]+)?"
    r"(?:(?P<b>\*\*|__|\*|_)(?P<blabel>[^*_\n:]{1,80}?)[ \t]*(?::[ \t]*(?P=b)|(?P=b)[ \t]*:)"
    r"|(?P<label>[A-Za-z][^:\n]{0,79}?)[ \t]*:)"
    r"(?P<rest>[^\n]*)"
)
_FENCE_LINE = re.compile(r"[ \t]*(`{3,}|~{3,})")


def _indent(line: str) -> int:
    """Leading width, a tab counting to the next multiple of four as Markdown counts it."""
    prefix = line[: len(line) - len(line.lstrip(" \t"))]
    return len(prefix.expandtabs(4)) if "\t" in prefix else len(prefix)


@dataclass
class _Open:
    """A field being read: its first line and the lines that continue it."""

    label: str
    match: LabelMatch | None
    line: int
    indent: int
    bullet: bool
    first: str
    lines: list[str] = field(default_factory=list)
    blanks: int = 0
    stopped: bool = False
    last: int = 0

    def add(self, line: str, index: int) -> None:
        if self.blanks:
            self.lines.extend([""] * self.blanks)
            self.blanks = 0
        self.lines.append(line)
        self.last = index

    @property
    def empty(self) -> bool:
        return not self.lines and not self.first.strip()

    def close(self) -> list[RawField]:
        """One field per key the label names (``Commands and outputs`` names two)."""
        rest = textwrap.dedent("\n".join(self.lines)) if self.lines else ""
        first = self.first.strip()
        value = f"{first}\n{rest}" if first and rest else first or rest
        keys = [spec.key for spec in self.match.fields] if self.match else [None]
        return [
            RawField(
                label=self.label,
                key=key,
                value=value,
                line=self.line + 1,
                end_line=max(self.last, self.line) + 1,
            )
            for key in keys
        ]


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


@dataclass
class _Guesses:
    """Labels of one text that may still be matched as near misses; bounds hostile text."""

    left: int = 64

    def match(self, spec: RecordSpec, label: str) -> LabelMatch | None:
        """The table's spelling always; a near miss while the budget lasts."""
        if spec.field_for(label) is None:
            if self.left <= 0:
                return None
            self.left -= 1
        return spec.match_label(label)


def _scan_fields(
    spec: RecordSpec,
    text: _Text,
    first: int,
    end: int,
    skip: int | None,
    guesses: _Guesses | None = None,
) -> tuple[list[RawField], list[Finding]]:
    """Split lines ``first``..``end`` into fields; see the module docstring for the rules."""
    guesses = guesses if guesses is not None else _Guesses()
    fields: list[RawField] = []
    problems: list[Finding] = []
    seen: dict[str, int] = {}
    current: _Open | None = None
    fence: str | None = None
    sink: list[str] | None = None  # where fenced lines go: the open value, or nowhere
    lines = text.lines
    numbers = iter(range(first, end))

    for index in numbers:
        line = lines[index]
        if fence is not None:  # the hot path for long command output: keep it lean
            if sink is not None:
                sink.append(line)
            if fence in line and _closes(line, fence):
                fence = None
                if current is not None and sink is not None:
                    current.last = index
            continue
        stripped = line.lstrip()
        if not stripped:
            void_end = text.void_until(index) if text.void else -1
            if void_end > index + 1:  # skip the hint's inner lines; its last may hold text
                next(islice(numbers, void_end - index - 2, None), None)
            elif void_end < 0 and current is not None:
                current.blanks += 1
            continue
        if index == skip:
            continue
        if stripped[:3] in ("```", "~~~"):
            opening = _FENCE_LINE.match(line)
            fence = opening.group(1) if opening else stripped[:3]
            sink = None
            if current is not None and not current.stopped:
                current.add(line, index)
                sink = current.lines
            continue
        if (current is None or current.stopped) and ":" not in line:
            continue  # prose outside any value: only a field line could matter here
        indent = len(line) - len(stripped)
        if "\t" in line[:indent]:
            indent = _indent(line)
        match = _FIELD.match(line) if ":" in line else None
        if match is not None and not match.group("rest").startswith("//"):
            label = (match.group("blabel") or match.group("label") or "").strip(" \t*_")
            deeper = current is not None and indent > current.indent
            read_as = None if deeper else guesses.match(spec, label)
            known = read_as.spec if read_as is not None else None
            bullet = match.group("bullet") is not None
            if current is None or (
                indent <= current.indent
                and (known is not None or bullet == current.bullet or current.stopped)
            ):
                if current is not None:
                    fields.extend(current.close())
                if len(fields) >= MAX_FIELDS:
                    current = None
                    break
                for named in read_as.fields if read_as is not None else ():
                    if named.key in seen:
                        problems.append(
                            Finding(
                                named.label,
                                f"written twice (first on line {seen[named.key] + 1}); keep one",
                                Level.ERROR,
                                index + 1,
                            )
                        )
                    else:
                        seen[named.key] = index
                if read_as is not None and read_as.note:  # a near miss: say how it was read
                    problems.append(
                        Finding(read_as.spec.label, read_as.note, Level.WARNING, index + 1)
                    )
                current = _Open(label, read_as, index, indent, bullet, match.group("rest"))
                current.last = index
                continue
        if current is None or current.stopped:
            continue
        if indent > current.indent or current.blanks == 0 or current.empty:
            current.add(line, index)
        else:
            current.stopped = True  # prose after a blank line: the value ended
    if current is not None:
        fields.extend(current.close())
    return fields, problems


def _block(text: _Text, region: _Region, guesses: _Guesses) -> RecordBlock:
    start = region.start
    spec = region.spec
    subject: _Start | None = None
    if spec.start == "subject":
        subject = start if start.how == "subject" else region.absorbed
    first = start.line if start.how == "status" else start.line + 1
    skip = subject.line if subject is not None and subject is not start else None
    fields, problems = _scan_fields(spec, text, first, region.end, skip, guesses)
    if subject is not None:
        fields = [*_subject_fields(subject), *fields]
    last = max([start.line + 1, *(f.end_line for f in fields)]) - 1
    return RecordBlock(
        kind=spec.kind,
        line=start.line + 1,
        end_line=last + 1,
        start=text.offset(start.line),
        end=text.end_offset(last),
        heading=text.lines[start.line].strip(),
        fields=tuple(fields),
        problems=tuple(problems),
    )


def _subject_fields(subject: _Start) -> list[RawField]:
    line = subject.line + 1
    severity, summary = ESCALATION.by_key["severity"], ESCALATION.by_key["summary"]
    return [
        RawField(severity.label, severity.key, subject.match.group("sev").strip(), line, line),
        RawField(
            summary.label, summary.key, subject.match.group("summary").strip(" \t*_`"), line, line
        ),
    ]


def find_records(text: str) -> list[RecordBlock]:
    """Every war-room record block in ``text``, in order, with fields and line numbers."""
    prepared = _prepare(text)
    guesses = _Guesses()
    return [_block(prepared, region, guesses) for region in _regions(prepared)]


_QUOTE = re.compile(r"^[ \t]{0,3}>(?:[ \t]?>)*[ \t]?", re.M)
"""A blockquote marker at a line's start, nested ones included (``> > ``)."""


def _quoted_lines(text: _Text) -> set[int]:
    """0-based lines that start with a blockquote marker."""
    clean = text.clean
    quoted: set[int] = set()
    line = pos = 0
    for match in _QUOTE.finditer(clean):
        line += clean.count("\n", pos, match.start())
        pos = match.start()
        quoted.add(line)
    return quoted


def unread_starts(text: str) -> list[tuple[int, str, str]]:
    """(line, kind, why) of record start lines that are not read: ``quoted`` or ``fenced``.

    A record quoted with ``>`` is someone else's record repeated, and one in a
    code fence is an example: neither is ever applied. ``warroom check`` uses
    this to say why a record was not seen and how to post it so it counts.
    """
    prepared = _prepare(text)
    quoted = _quoted_lines(prepared) if ">" in prepared.clean else set()
    spans = [(first, last + 1) for first, last in prepared.fences]
    spans += [(line, line + 1) for line in sorted(quoted)]
    lines = prepared.lines
    if not any(_KEYWORDS.search("\n".join(lines[a:b]).lower()) for a, b in spans):
        return []  # no start keyword on a quoted or fenced line: nothing more to look at
    plain = _prepare(_QUOTE.sub("", prepared.clean)) if quoted else prepared
    unfenced = _Text(text, plain.lines, plain.clean, [], plain.void)
    found: list[tuple[int, str, str]] = []
    for region in _regions(unfenced):
        line = region.start.line
        if line in quoted:
            found.append((line + 1, region.spec.kind, "quoted"))
        elif prepared.in_fence(line):
            found.append((line + 1, region.spec.kind, "fenced"))
    return found


# --- reading blocks ---------------------------------------------------------------------------


_SUGGESTIONS_PER_TEXT = 24
"""Unknown labels per text given a "did you mean" (``SUGGESTIONS`` per block), for hostile text."""


def _model(block: RecordBlock, values: dict[str, Any]) -> tuple[AnyRecord | None, list[Finding]]:
    model_type = SPECS[block.kind].model
    try:
        return model_type.model_validate(values), []  # type: ignore[return-value]
    except ValidationError as exc:  # a reader returned a value its model refuses: a bug, reported
        return None, [
            Finding(
                SPECS[block.kind].title,
                f"could not be read ({exc.error_count()} problem(s)); please report this",
                Level.ERROR,
                block.line,
            )
        ]


def _parse(
    blocks: Sequence[RecordBlock], config: Config, reference: datetime | None
) -> list[ParsedRecord]:
    readings: list[tuple[Reading, dict[str, str], list[Finding]]] = []
    suggestions = _SUGGESTIONS_PER_TEXT
    for block in blocks:
        suggest = min(SUGGESTIONS, suggestions)
        suggestions -= min(suggest, len(block.extra))
        values, raw, findings = read_block(block, config, reference, suggest=suggest)
        readings.append((Reading(block, values), raw, findings))
    comment = Comment([reading for reading, _, _ in readings])
    parsed: list[ParsedRecord] = []
    for reading, raw, findings in readings:
        model: AnyRecord | None = None
        if not any(f.level is Level.ERROR for f in findings):
            model, problems = _model(reading.block, dict(reading.values))
            findings.extend(problems)
        findings.extend(quality.evaluate(reading, comment, config))
        ordered = sorted(findings, key=lambda f: (f.line or 0, f.level is Level.WARNING))
        parsed.append(
            ParsedRecord(
                kind=reading.block.kind,
                block=reading.block,
                values=reading.values,
                model=model,
                findings=tuple(ordered),
                raw=raw,
            )
        )
    return parsed


def read_records(
    text: str, config: Config = DEFAULT_CONFIG, *, reference: datetime | None = None
) -> list[ParsedRecord]:
    """Every record in ``text``, read and checked; times without a zone use ``config.timezone``.

    ``reference`` is when the text was written (the comment's creation time in
    the Action, now in ``warroom check``): a time without a date is read as
    the next (or, for a timestamp, the last) such time from it. Without one, a
    time without a date is an error.
    """
    return _parse(find_records(text), config, reference)


def read_record_as(
    text: str,
    kind: str,
    config: Config = DEFAULT_CONFIG,
    *,
    reference: datetime | None = None,
) -> ParsedRecord:
    """Read all of ``text`` as one ``kind`` record, for text that lacks the block's start line.

    Used when someone asks for a kind explicitly (``warroom check --kind decision``)
    and no block of any kind was found: the fields are still checked, and the
    missing heading is reported, since without it nobody (and no bot) finds it.
    """
    record = SPECS[kind]
    prepared = _prepare(text)
    fields, problems = _scan_fields(record, prepared, 0, len(prepared.lines), None)
    if record.start == "heading":
        problems.insert(
            0,
            Finding(
                record.title,
                f'heading missing; start the block with "{record.start_example}"',
                Level.ERROR,
                1,
            ),
        )
    last = max([1, *(f.end_line for f in fields)]) - 1
    block = RecordBlock(
        kind=kind,
        line=1,
        end_line=last + 1,
        start=0,
        end=prepared.end_offset(last),
        heading="",
        fields=tuple(fields),
        problems=tuple(problems),
        headless=True,
    )
    return _parse([block], config, reference)[0]
