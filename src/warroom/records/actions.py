"""Actions named in a Post-Closure Review's answers: ``Action: <title>, @owner, due <date>``.

The playbook says to "turn answers into backlog items before context fades";
an answer names a backlog item by carrying an ``Action:`` line, as people jot
one under a point in a retro. This module finds those lines in an answer and
reads each into a title, owners and a due date, or a problem that says
exactly what to write. It is pure and linear: each line is split once with
``str`` methods (no pattern over the text), and a line's parts are read from
its end, each part once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from warroom.model import Finding, Level
from warroom.parsing.values import ValueProblem, read_date, read_logins
from warroom.records.models import ReviewAction
from warroom.records.spec import SPECS, label_key
from warroom.records.types import RawField, RecordBlock

ACTION_FORM = "Action: <title>, @owner, due YYYY-MM-DD"
"""How an action is written, as messages and templates tell people to write it."""

ACTION_LABELS = frozenset({"action", "actionitem", "todo", "backlog", "backlogitem"})
"""Labels (folded by ``label_key``) that start an action line."""

_BULLETS = "-*+•"
_SEPARATORS = (";", " — ", " – ", " | ")
"""Besides commas, what people put between an action's title, owner and date."""
_DUE_LEADS = ("due by", "due on", "due", "by", "deadline")
_OWNER_LEADS = ("owned by", "owner", "assignee")
MAX_ACTIONS = 10
"""Actions one review files: two per question. More is a backlog dump, not a review's answers,
and every one is an issue opened by the run (whose writes are capped)."""
_ACTION_LIMIT = 500
"""An action line longer than this is not one line of a retro; only its start is read."""


@dataclass(frozen=True)
class ActionLine:
    """An action as written: its text after the label, and the line of the answer it is on."""

    text: str
    offset: int
    """0-based line within the answer's text."""


@dataclass(frozen=True)
class Action:
    """A backlog item an answer names, read whole."""

    title: str
    owner: tuple[str, ...]
    due: date


def action_lines(answer: str) -> list[ActionLine]:
    """Every ``Action:`` line in an answer, nested bullet or not, emphasis or not."""
    found: list[ActionLine] = []
    for offset, line in enumerate(answer.split("\n")):
        action = action_text(line)
        if action is not None:
            found.append(ActionLine(action, offset))
    return found


def action_text(line: str) -> str | None:
    """The text after ``Action:`` when ``line`` is an action line, else ``None``."""
    text = line.strip().lstrip(_BULLETS).strip()
    head, colon, rest = text.partition(":")
    if not colon or len(head) > 40 or label_key(head) not in ACTION_LABELS:
        return None
    return rest.strip(" \t*_")


def _lead_removed(text: str, leads: tuple[str, ...]) -> str:
    lower = text.lower()
    for lead in leads:
        if lower.startswith(lead) and (len(text) == len(lead) or not text[len(lead)].isalnum()):
            return text[len(lead) :].lstrip(" \t:")
    return text


def _parts(text: str) -> list[str]:
    """The action's comma-separated parts; a trailing ``(…)`` holds owner and date too."""
    text = text[:_ACTION_LIMIT].strip()
    if text.endswith(")") and "(" in text:
        cut = text.rfind("(")
        text = f"{text[:cut]},{text[cut + 1 : -1]}"
    for separator in _SEPARATORS:
        text = text.replace(separator, ",")
    return [part.strip(" \t*_") for part in text.split(",")]


def _date_like(part: str) -> bool:
    """Digits and date separators only (``12/08/2026``): a date, if not one warroom reads."""
    return any(c.isdigit() for c in part) and all(c.isdigit() or c in "/.-" for c in part)


def read_action(text: str) -> Action | ValueProblem:
    """``Add a p99 alert, @alice, due 2026-12-08`` → the title, owners and due date.

    Owners and the date follow the title in any order (``due 2026-12-08, @alice``),
    each after a comma (or ``;``, a spaced dash, or in one trailing ``(…)``).
    Whatever precedes them is the title, commas and all.
    """
    parts = _parts(text)
    owners: list[str] = []
    due: date | None = None
    while parts:
        part = parts[-1]
        as_owner = _lead_removed(part, _OWNER_LEADS)
        if as_owner.startswith("@"):
            logins = read_logins(as_owner)
            if isinstance(logins, ValueProblem):
                break
            owners[:0] = [x for x in logins if x not in owners]
        elif due is None:
            as_date = _lead_removed(part, _DUE_LEADS)
            day = read_date(as_date)
            if isinstance(day, ValueProblem):
                if as_date != part or _date_like(part):  # a due date meant, and unreadable
                    return ValueProblem(
                        f'has "{part[:40]}" for its due date, not a date written YYYY-MM-DD; '
                        f'write "{ACTION_FORM}"'
                    )
                break
            due = day
        else:
            break
        parts.pop()
    title = ", ".join(p for p in parts if p).strip()
    missing = [
        what
        for what, absent in (
            ("a title", not title),
            ("an owner", not owners),
            ("a due date", due is None),
        )
        if absent
    ]
    if missing or due is None:
        lacks = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        return ValueProblem(f'lacks {lacks}; write "{ACTION_FORM}"')
    return Action(title, tuple(owners), due)


def _first_line(written: RawField) -> int:
    """The 1-based line of the first line of ``written.value``: the label's, or the next."""
    spanned = written.end_line - written.line + 1
    count = written.value.count("\n") + 1
    return written.line + 1 if spanned == count + 1 else written.line


def _short(text: str, limit: int = 50) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def review_actions(
    block: RecordBlock, values: dict[str, object]
) -> tuple[tuple[ReviewAction, ...], list[Finding]]:
    """The actions under a review's answers, in order, and a problem per unreadable one.

    An action is an ``Action:`` line inside an answer (a nested bullet), or an
    ``Action:`` field right after it, which belongs to the answer above.
    """
    spec = SPECS[block.kind]
    written: list[tuple[str, int, str]] = []  # (answer key, 1-based line, action text)
    answer: str | None = None
    for raw in block.fields:
        if raw.key is not None:
            answer = raw.key if raw.key in values else None
            if answer is None:
                continue
            start = _first_line(raw)
            written += [(raw.key, start + a.offset, a.text) for a in action_lines(raw.value)]
        elif answer is not None:
            text = action_text(f"{raw.label}: {raw.value.split(chr(10), 1)[0]}")
            if text is not None:
                written.append((answer, raw.line, text))
    actions: list[ReviewAction] = []
    problems: list[Finding] = []
    if len(written) > MAX_ACTIONS:
        key, line, _ = written[MAX_ACTIONS]
        problems.append(
            Finding(
                spec.by_key[key].label,
                f"is past the review's {MAX_ACTIONS} actions ({len(written)} written); keep the "
                f"{MAX_ACTIONS} that matter most here, and post the rest as Hardening Follow-up "
                "records",
                Level.ERROR,
                line,
            )
        )
        written = written[:MAX_ACTIONS]
    for key, line, text in written:
        read = read_action(text)
        if isinstance(read, ValueProblem):
            shown = f' "{_short(text)}"' if text.strip() else ""
            problems.append(
                Finding(
                    spec.by_key[key].label,
                    f"the action{shown} {read.message}",
                    Level.ERROR,
                    line,
                )
            )
        else:
            actions.append(
                ReviewAction(question=key, title=read.title, owner=read.owner, due=read.due)
            )
    return tuple(actions), problems
