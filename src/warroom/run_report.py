"""The imperative shell of ``warroom report``: read every incident cheaply, then report.

Reading each incident's comments costs a request per incident; a report over
a thousand incidents would spend the workflow token's hourly budget on that
alone. So the reads are listings of 100, in this order, each through the
adapter's retrying ``_call``:

1. the incidents: open ones, then closed ones updated since ``--since``
   (``ceil(I/100)`` GETs);
2. their comments: from the repository-wide listing since the oldest incident's
   creation (``ceil(C/100)`` GETs), or from each incident's own listing when that
   is cheaper (``one_listing`` decides, with one counting GET when it must ask);
   none when no incident has a comment;
3. the follow-up issues warroom opened, open and closed (``ceil(F/100)``);
4. the record authors' permissions: one listing of collaborators, then one
   question per author it leaves out (none for people named in the config,
   nor for comments warroom's sealed state says were applied).

Everything after the reads is pure: ``report.reading`` derives each incident as
a run does, ``report.metrics`` counts, one module per format prints.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Protocol

from warroom import authority
from warroom.actions_env import parse_now
from warroom.config import Config
from warroom.errors import UsageError
from warroom.incident import people_records
from warroom.model import CommentSnapshot, IssueSnapshot
from warroom.records.types import ParsedRecord
from warroom.report import metrics
from warroom.report.reading import (
    FollowUpIssue,
    Reported,
    follow_up_issue,
    recorded,
    reported,
)
from warroom.report.to_csv import render_csv
from warroom.report.to_html import render_html
from warroom.report.to_json import render_json
from warroom.report.to_markdown import render_markdown

FORMATS: dict[str, Callable[[metrics.Report], str]] = {
    "markdown": render_markdown,
    "json": render_json,
    "csv": render_csv,
    "html": render_html,
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Progress = Callable[[int, int], None]
"""Called with (incidents derived, incidents in all) while the report derives them."""


class ReportAdapter(Protocol):
    """The reads the report makes; ``github.adapter.GitHubAdapter`` has them all."""

    def open_issues(self, label: str) -> list[IssueSnapshot]: ...
    def closed_issues(self, label: str, since: datetime) -> list[IssueSnapshot]: ...
    def comments_since(self, since: datetime) -> list[tuple[int, CommentSnapshot]]: ...
    def comment_count_since(self, since: datetime) -> int: ...
    def comments(self, number: int) -> list[CommentSnapshot]: ...
    def collaborators(self, at_least: str) -> dict[str, str] | None: ...
    def permission(self, login: str) -> str: ...
    def team_member(self, team: str, login: str) -> bool: ...


@dataclass(frozen=True)
class Read:
    """What the reads found: the incidents in range, derived, and their follow-up issues."""

    incidents: tuple[Reported, ...]
    follow_ups: tuple[FollowUpIssue, ...]


def _issues(adapter: ReportAdapter, label: str, since: datetime) -> list[IssueSnapshot]:
    found = {i.number: i for i in adapter.open_issues(label)}
    found |= {i.number: i for i in adapter.closed_issues(label, since)}
    return [found[n] for n in sorted(found) if not found[n].is_pull_request]


def _permissions(adapter: ReportAdapter, logins: set[str], config: Config) -> dict[str, str]:
    """What ``derive`` judges each author by: one listing, then a question per author left."""
    lowest = authority.lowest_allowed_role(config)
    listing = adapter.collaborators(lowest) if logins and lowest else None
    found: dict[str, str] = {}
    for login in sorted(logins):
        if listing is not None and login in listing:
            found[login] = listing[login]
            continue
        permission = adapter.permission(login)
        if authority.authorization(login, permission, config) is not None:
            team = next((t for t in config.responders.teams if adapter.team_member(t, login)), "")
            permission = f"team:{team}" if team else permission
        found[login] = permission
    return found


def one_listing(issues: Sequence[IssueSnapshot], count: Callable[[], int]) -> bool:
    """Whether the repository-wide comment listing is cheaper than each incident's own.

    Each incident's comments cost ``ceil(c/100)`` pages, known from the issue listing;
    the repository's listing costs ``ceil(C/100)`` for every comment since the oldest
    incident, on pull requests and other issues too. When the incidents' own pages are
    no more than the fewest the repository's could be, they are read; else ``count``
    (one request) says how many the repository's listing holds, and the cheaper wins.
    An incident whose count is unknown is read with the listing.
    """
    counts = [i.comment_count for i in issues]
    if any(c is None for c in counts):
        return True
    own = sum(math.ceil(c / 100) for c in counts if c)
    if own <= math.ceil(sum(c for c in counts if c) / 100):
        return False
    return math.ceil(count() / 100) <= own


def read(
    adapter: ReportAdapter,
    config: Config,
    *,
    since: date | None = None,
    state_key: str = "",
    progress: Progress | None = None,
) -> Read:
    """Every incident opened since ``since`` (all without it), derived, and its follow-ups."""
    start = datetime.combine(since, time(), UTC) if since is not None else EPOCH
    issues = [i for i in _issues(adapter, config.labels.incident, start) if i.created_at >= start]
    numbers = {i.number for i in issues}
    oldest = min((i.created_at for i in issues), default=start)
    comments: dict[int, list[CommentSnapshot]] = {n: [] for n in numbers}
    if one_listing(issues, lambda: adapter.comment_count_since(oldest)):
        for number, comment in adapter.comments_since(oldest):
            if number in comments:
                comments[number].append(comment)
    else:
        for issue in issues:
            if issue.comment_count != 0:
                comments[issue.number] = adapter.comments(issue.number)
    follow_ups = tuple(
        item
        for item in (
            follow_up_issue(i, state_key) for i in _issues(adapter, config.labels.hardening, oldest)
        )
        if item is not None and item.incident in numbers
    )
    people: dict[int, list[tuple[CommentSnapshot, Sequence[ParsedRecord]]]] = {}
    applied_before: dict[int, set[int]] = {}
    needed: set[str] = set()
    for issue in issues:
        people[issue.number] = people_records(comments[issue.number], config)
        applied_before[issue.number] = recorded(comments[issue.number], issue.number, state_key)
        needed |= {
            c.author.lower()
            for c, _ in people[issue.number]
            if c.id not in applied_before[issue.number] and not authority.listed(c.author, config)
        }
    permissions = _permissions(adapter, needed, config)
    derived: list[Reported] = []
    for index, issue in enumerate(issues, start=1):
        derived.append(
            reported(
                issue,
                comments[issue.number],
                people[issue.number],
                permissions,
                config,
                applied_before=applied_before[issue.number],
            )
        )
        if progress is not None:
            progress(index, len(issues))
    return Read(tuple(derived), follow_ups)


def report_text(found: Read, config: Config, now: datetime, since: date | None, fmt: str) -> str:
    """The report in ``fmt`` (one of ``FORMATS``). Pure."""
    built = metrics.build(found.incidents, found.follow_ups, config, now, since)
    return FORMATS[fmt](built)


def progress_line(done: int, total: int, width: int = 30) -> str:
    """``reading incidents [#####.....]  50/100``: the terminal's progress bar, one line."""
    filled = width * done // total if total else width
    count = f"{done:>{len(str(total))}}/{total}"
    return f"\rreading incidents [{'#' * filled}{'.' * (width - filled)}] {count}"


def report_main(
    *,
    since: date | None,
    fmt: str,
    output: Path | None,
    echo: Callable[[str], None],
    progress: Progress | None = None,
    adapter: ReportAdapter | None = None,
    config: Config | None = None,
) -> int:
    """``warroom report``: read, count, print (or write ``output``). Exit 0, or 2 for usage."""
    from warroom.run import adapter_from_env, config_here

    if fmt not in FORMATS:
        raise UsageError(f"--format: write one of {', '.join(FORMATS)}; got {fmt!r}")
    config = config or config_here()
    now = parse_now(os.environ.get("WARROOM_NOW"))
    found = read(
        adapter or adapter_from_env(config),
        config,
        since=since,
        state_key=os.environ.get("WARROOM_STATE_KEY", ""),
        progress=progress,
    )
    text = report_text(found, config, now, since, fmt)
    if output is None:
        echo(text.rstrip("\n"))
        return 0
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"--output: cannot write {output} ({exc.strerror}); name a file "
            "in a directory that exists and you may write to"
        ) from None
    return 0
