"""What the time rules' tables share: an incident from a form body and posts, and its clock.

The form body is the story's, changed one answer at a time (``unclear=True``
ticks Severity unclear, ``rollback=False`` unticks Rollback readiness), and
records are read by the real parsers, so a row also fails if a record stops
reaching the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tests.unit.fake_github import START
from tests.unit.incident_support import Post, incident_from
from warroom import story
from warroom.config import Config
from warroom.incident import Incident
from warroom.rules import clock

UNCLEAR = (
    "### Severity unclear\n\n"
    "- [x] The severity above is a hypothesis; it is not yet clear.\n\n"
    "### Impacted systems and users"
)
ROLLBACK_TICKED = "- [x] The rollback path to the last known-good revision is executable now."


def body(*, unclear: bool = False, rollback: bool = True, **answers: str) -> str:
    """The story's incident form, with Severity unclear ticked or Rollback readiness unticked,
    and any other answers replaced by heading (``{"Communications owner": "_No response_"}``)."""
    text = story.incident_body()
    if unclear:
        text = text.replace("### Impacted systems and users", UNCLEAR, 1)
    if not rollback:
        text = text.replace(ROLLBACK_TICKED, ROLLBACK_TICKED.replace("[x]", "[ ]"))
    for heading, answer in answers.items():
        start = text.index(f"### {heading}\n\n") + len(f"### {heading}\n\n")
        end = text.find("\n\n### ", start)
        text = text[:start] + answer + (text[end:] if end >= 0 else "\n")
    return text


def incident(posts: Sequence[Post] = (), *, form: str | None = None, **issue: Any) -> Incident:
    """The incident as ``derive`` builds it from the form body and people's records."""
    return incident_from(body() if form is None else form, posts, declared=False, **issue)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def items(found: Incident, minutes: float, key: str) -> list[clock.ClockItem]:
    """The clock's items of one kind ``minutes`` after the start."""
    return [item for item in clock.items(found, at(minutes), Config()) if item.key == key]


def decision(minute: int, **kw: Any) -> str:
    """The story's decision record, at ``minute``, with lines added (``extra``)."""
    extra = kw.pop("extra", "")
    return story.decision(START, minute=minute, **kw) + extra
