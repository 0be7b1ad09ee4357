"""A fake adapter that records calls and keeps just enough state, like bedevere's FakeGH.

Rule and plan tests use it to see what a run would do without HTTP; every
capability is also tested end to end through the sandbox.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.effects import (
    AddLabels,
    Assign,
    DeleteComment,
    Effect,
    EnsureLabel,
    OpenFollowUp,
    RemoveLabel,
    Reopen,
    SetCommitStatus,
    UpsertComment,
)
from warroom.github.adapter import ApplyReport
from warroom.markers import describe_marker
from warroom.mitigation import MitigationDiff
from warroom.model import CommentSnapshot, IssueSnapshot, PullSnapshot

START = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
_ids = itertools.count(1000)


def make_issue(body: str, *, number: int = 1, state: str = "open", **kw: Any) -> IssueSnapshot:
    defaults: dict[str, Any] = {
        "number": number,
        "id": 500 + number,
        "title": "Incident",
        "body": body,
        "state": state,
        "state_reason": None,
        "labels": ("incident",),
        "assignees": (),
        "author": "mara-okafor",
        "created_at": START,
        "closed_at": None,
        "html_url": f"https://github.test/o/r/issues/{number}",
    }
    defaults.update(kw)
    return IssueSnapshot(**defaults)


def make_comment(
    body: str,
    *,
    author: str = "mara-okafor",
    minutes: int = 5,
    bot: bool = False,
    ident: int | None = None,
    association: str = "COLLABORATOR",
) -> CommentSnapshot:
    ident = next(_ids) if ident is None else ident
    at = START + timedelta(minutes=minutes)
    return CommentSnapshot(
        id=ident,
        author=author,
        author_is_bot=bot,
        body=body,
        created_at=at,
        updated_at=at,
        html_url=f"https://github.test/o/r/issues/1#issuecomment-{ident}",
        association="NONE" if bot else association,
    )


@dataclass
class FakeGitHub:
    """Holds one repository's comments and permissions; ``calls`` records every request."""

    comments_by_issue: dict[int, list[CommentSnapshot]] = field(default_factory=dict)
    perms: dict[str, str] = field(default_factory=dict)
    teams: dict[str, set[str]] = field(default_factory=dict)
    incidents: list[IssueSnapshot] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    applied: list[Effect] = field(default_factory=list)
    next_issue: int = 100
    opened: dict[str, int] = field(default_factory=dict)
    """Follow-ups opened, by marker."""
    pulls: dict[int, PullSnapshot] = field(default_factory=dict)
    """Open pull requests, with their files."""
    statuses: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """Commit statuses: (sha, context) -> (state, description)."""

    def open_pulls(self) -> list[PullSnapshot]:
        self.calls.append("GET pulls")
        return [replace(p, files=()) for p in self.pulls.values()]

    def pull(self, number: int) -> PullSnapshot:
        self.calls.append(f"GET pull #{number}")
        return replace(self.pulls[number], files=())

    def pull_files(self, number: int) -> tuple[str, ...]:
        self.calls.append(f"GET pull files #{number}")
        return self.pulls[number].files

    def _relabel(self, number: int, add: tuple[str, ...] = (), drop: str = "") -> None:
        if number in self.pulls:
            pull = self.pulls[number]
            kept = tuple(x for x in pull.labels if x.lower() != drop.lower())
            self.pulls[number] = replace(pull, labels=tuple(dict.fromkeys((*kept, *add))))

    def comments(self, number: int) -> list[CommentSnapshot]:
        self.calls.append(f"GET comments #{number}")
        return list(self.comments_by_issue.get(number, []))

    def issue(self, number: int) -> IssueSnapshot:
        self.calls.append(f"GET issue #{number}")
        return next(i for i in self.incidents if i.number == number)

    def permission(self, login: str) -> str:
        self.calls.append(f"GET permission {login}")
        return self.perms.get(login.lower(), "none")

    listing: dict[str, str] | None = None
    """What ``collaborators`` answers; ``None``, as for a large organisation."""

    def collaborators(self, at_least: str) -> dict[str, str] | None:
        self.calls.append(f"GET collaborators at least {at_least}")
        return None if self.listing is None else dict(self.listing)

    def team_member(self, team: str, login: str) -> bool:
        self.calls.append(f"GET membership {team} {login}")
        return login.lower() in self.teams.get(team, set())

    def open_issues(self, label: str) -> list[IssueSnapshot]:
        self.calls.append(f"GET issues label={label}")
        return [i for i in self.incidents if i.state == "open"]

    def closed_issues(self, label: str, since: datetime) -> list[IssueSnapshot]:
        self.calls.append(f"GET closed issues label={label} since={since.isoformat()}")
        return [
            i for i in self.incidents if i.state == "closed" and (i.closed_at or since) >= since
        ]

    branch_names: list[str] = field(default_factory=list)
    """The repository's branches, as ``branches`` lists them by prefix."""

    def branches(self, prefix: str) -> list[str]:
        self.calls.append(f"GET matching refs heads/{prefix}")
        return [name for name in self.branch_names if name.startswith(prefix)]

    def compare(self, base: str, head: str) -> MitigationDiff:
        self.calls.append(f"GET compare {base}...{head}")
        return MitigationDiff(base, head, status="identical")

    def apply(self, plan: Sequence[Effect], *, issue: IssueSnapshot | None = None) -> ApplyReport:
        report = ApplyReport()
        for effect in plan:
            self.applied.append(effect)
            match effect:
                case UpsertComment(issue=number, marker=marker, body=body):
                    existing = self.comments_by_issue.setdefault(number, [])
                    for i, c in enumerate(existing):
                        if c.body.startswith(marker):
                            if c.body != body:
                                existing[i] = replace(c, body=body)
                                report.applied.append(f"edit {describe_marker(marker)}")
                            break
                    else:
                        existing.append(make_comment(body, author="github-actions[bot]", bot=True))
                        report.applied.append(f"post {describe_marker(marker)}")
                case DeleteComment(issue=number, marker=marker):
                    kept = [
                        c
                        for c in self.comments_by_issue.get(number, [])
                        if not c.body.startswith(marker)
                    ]
                    self.comments_by_issue[number] = kept
                    report.applied.append(f"delete {describe_marker(marker)}")
                case OpenFollowUp(key=key, marker=mark):
                    # Like the adapter: an issue already opened under the marker is found.
                    if mark not in self.opened:
                        self.next_issue += 1
                        self.opened[mark] = self.next_issue
                        report.applied.append(f"open follow-up {key}")
                    report.follow_ups[key] = self.opened[mark]
                case Assign(logins=logins) if issue is not None and {x.lower() for x in logins} <= {
                    x.lower() for x in issue.assignees
                }:
                    pass  # like the adapter: people already assigned cost nothing
                case Assign(issue=number, logins=logins):
                    self.incidents = [
                        replace(i, assignees=tuple(dict.fromkeys((*i.assignees, *logins))))
                        if i.number == number
                        else i
                        for i in self.incidents
                    ]
                    report.applied.append("Assign")
                case SetCommitStatus(sha=sha, context=context, state=state, description=text):
                    if self.statuses.get((sha, context)) != (state, text):
                        self.statuses[(sha, context)] = (state, text)
                        report.applied.append(f"status {context} {state}")
                case AddLabels(issue=number, labels=labels):
                    self._relabel(number, add=labels)
                    report.applied.append("AddLabels")
                case RemoveLabel(issue=number, label=label):
                    self._relabel(number, drop=label)
                    report.applied.append("RemoveLabel")
                case Reopen() | EnsureLabel():
                    report.applied.append(type(effect).__name__)
                case _:
                    pass
        return report

    def of(self, kind: type[Effect]) -> list[Any]:
        return [e for e in self.applied if isinstance(e, kind)]
