"""Slash commands in comments: ``/warroom escalate`` and its three siblings.

A responder asks warroom for one of the playbook's messages by writing the
command on a line of its own. Reading it is one pass over the lines with plain
string operations (no pattern at all, so nothing to backtrack), and it promises:

* only a line that starts (after up to three spaces, as Markdown allows) with
  ``/warroom`` followed by a blank or the end of the line is a command; a
  quoted line (``> /warroom escalate``), a line inside a fenced code block and
  ``/warroomx`` are not, so quoting someone's command does not ask again;
* the first command line counts; later ones are counted, not answered, so one
  comment gets one reply;
* an unknown word, a missing word or words after a known one give a ``Command``
  whose ``kind`` is ``None``: the reply lists the four commands.

Pure: text in, a small frozen value out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

PREFIX = "/warroom"
KINDS: tuple[str, ...] = ("escalate", "status-update", "leadership-note", "handoff")
"""The commands, in the order the reply to an unknown one lists them."""
SHOWN = 40
"""At most this many characters of an unknown command are repeated back."""


@dataclass(frozen=True)
class Command:
    """One slash command: which message (``None`` when unknown), and where it was written."""

    kind: str | None
    line: int
    """1-based line of the comment the command is on."""
    written: str
    """What followed ``/warroom`` on that line, trimmed and cut to ``SHOWN`` characters."""
    others: int = 0
    """Command lines after the first one, which get no reply of their own."""


def _fence(stripped: str) -> str | None:
    """The fence a line opens or closes (three or more backticks or tildes), if any."""
    for char in "`~":
        if stripped.startswith(char * 3):
            return char * (len(stripped) - len(stripped.lstrip(char)))
    return None


def _indent(line: str) -> int:
    """The line's indent in columns, a tab reaching the next multiple of four (CommonMark)."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def prose_lines(body: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, stripped line) of every line a reader sees as prose.

    Skipped: lines inside a fenced code block, indented code (more than three columns,
    a tab reaching four), and HTML comments, which GitHub does not show. One pass,
    plain string operations. Slash commands of every kind (``/warroom``, ``/drill``)
    are read from these lines only, so quoting a command in code never asks again.
    """
    fence: str | None = None
    hidden = False  # inside an HTML comment, which GitHub does not show
    for number, line in enumerate(body.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if hidden:
            hidden = "-->" not in line
            continue
        if _indent(line) > 3:
            continue  # an indented code block, or a continuation line
        stripped = line.strip()
        if fence is None and stripped.startswith("<!--"):
            hidden = "-->" not in stripped[4:]
            continue
        opened = _fence(stripped)
        if fence is not None:
            # A fence closes on a line of the same character, at least as long, and nothing else.
            closes = opened is not None and stripped == opened and opened[0] == fence[0]
            if closes and len(stripped) >= len(fence):
                fence = None
            continue
        if opened is not None:
            fence = opened
            continue
        yield number, stripped


def read_command(body: str) -> Command | None:
    """The comment's slash command, or ``None`` when it holds none."""
    found: Command | None = None
    others = 0
    for number, stripped in prose_lines(body):
        if not stripped.startswith(PREFIX):
            continue
        rest = stripped[len(PREFIX) :]
        if rest and not rest[0].isspace():
            continue  # "/warroomx" is not a command
        if found is not None:
            others += 1
            continue
        words = rest.split()
        kind = words[0].lower() if len(words) == 1 and words[0].lower() in KINDS else None
        found = Command(kind, number, " ".join(words)[:SHOWN])
    if found is None:
        return None
    return Command(found.kind, found.line, found.written, others)
