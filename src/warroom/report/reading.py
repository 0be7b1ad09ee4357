"""What the report reads from warroom's own writing: reopen notices and follow-up issues.

The report derives each incident from its records exactly as a run does
(``warroom.incident.derive``); what no record says (a closure the gate undid,
a follow-up's state) it reads from what warroom wrote: the reopen notice it
posts when it undoes a closure, and the follow-up issues it opened. Only bot
comments and bot issues carrying warroom's marker count, so a person quoting a
notice changes nothing. Pure: the shell (``warroom.run_report``) hands in the
snapshots it read.

Every scan here is line by line with anchored prefixes; no pattern can
backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from warroom import authority
from warroom.config import Config
from warroom.incident import Incident, from_issue
from warroom.markers import marker, read_marker
from warroom.model import CommentSnapshot, IssueSnapshot
from warroom.records.types import ParsedRecord

NO_DISMISSAL = "Incident Dismissal record"
"""The reason a notice gives when an incident was closed as no incident without saying why."""
_MISSING_RE = re.compile(r"- \*\*([^*\n]++)\*\* \(")
"""A reopen notice's line ``- **condition title** (detail): fix`` (warroom's words)."""
_INCIDENT_RE = re.compile(r"#([0-9]{1,10})")
_DATE_RE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})")


@dataclass(frozen=True)
class Blocked:
    """One closure the gate undid: when warroom said so, and the conditions it named."""

    at: datetime
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FollowUpIssue:
    """A follow-up issue warroom opened for an incident, as the report counts it."""

    number: int
    incident: int
    due: date | None
    closed: bool


@dataclass(frozen=True)
class Reported:
    """An incident as the report sees it: derived from its records, plus what warroom wrote."""

    incident: Incident
    blocked: tuple[Blocked, ...] = ()


def blocked_closure(comment: CommentSnapshot) -> Blocked | None:
    """The closure a reopen notice records, or ``None`` when ``comment`` is not one."""
    if not comment.author_is_bot:
        return None
    found = read_marker(comment.body)
    if found is None or found[0] != "reopened":
        return None
    reasons: list[str] = []
    for line in comment.body.splitlines():
        match = _MISSING_RE.match(line)
        if match is not None:
            reasons.append(match.group(1).strip())
    if not reasons and NO_DISMISSAL in comment.body:
        reasons.append(NO_DISMISSAL)
    return Blocked(comment.created_at, tuple(reasons))


def _section(lines: Sequence[str], heading: str) -> str:
    """The first non-blank line under ``### heading`` in a form-shaped body, else ``""``."""
    for index, line in enumerate(lines):
        if line.strip() == f"### {heading}":
            for after in lines[index + 1 :]:
                if after.strip():
                    return "" if after.startswith("### ") else after.strip()
            return ""
    return ""


def follow_up_issue(issue: IssueSnapshot, state_key: str = "") -> FollowUpIssue | None:
    """A follow-up warroom opened (bot author, follow-up marker, its proof when keyed), or None.

    The incident and due date are read from the body warroom wrote
    (``templates/follow_up.md.j2``): ``### Incident`` then ``#N``, ``### Due date``
    then an ISO date.
    """
    if not issue.author_is_bot or issue.is_pull_request:
        return None
    found = read_marker(issue.body)
    if found is None or found[0] != "follow-up":
        return None
    if state_key and authority.proof(state_key, marker(*found)) not in issue.body:
        return None
    lines = issue.body.splitlines()
    incident = _INCIDENT_RE.fullmatch(_section(lines, "Incident"))
    if incident is None:
        return None
    due_text = _DATE_RE.fullmatch(_section(lines, "Due date"))
    due = date.fromisoformat(due_text.group(1)) if due_text else None
    return FollowUpIssue(issue.number, int(incident.group(1)), due, issue.state == "closed")


def recorded(comments: Sequence[CommentSnapshot], number: int, state_key: str) -> set[int]:
    """Comments an earlier run applied (warroom's sealed state says so; nothing without a key)."""
    if not state_key:
        return set()
    return authority.recorded(authority.sealed_state(comments, number, state_key), comments)


def reported(
    issue: IssueSnapshot,
    comments: Sequence[CommentSnapshot],
    people: Sequence[tuple[CommentSnapshot, Sequence[ParsedRecord]]],
    permissions: Mapping[str, str],
    config: Config,
    *,
    applied_before: Collection[int] = (),
) -> Reported:
    """One incident as a run would derive it, with the closures warroom undid.

    ``applied_before`` are the comments warroom's sealed state says a run applied
    (``recorded``): they count whatever their author's access is now.
    """
    incident = from_issue(
        issue, people, permissions=permissions, config=config, recorded=applied_before
    )
    notices = [b for b in (blocked_closure(c) for c in comments) if b is not None]
    return Reported(incident, tuple(sorted(notices, key=lambda b: b.at)))
