"""The shell of the closure review package: read the mitigation diff, build, post.

``warroom.package`` decides the body; this module does the one read it needs
(GitHub's compare of the mitigation range, plus the pull requests of its
newest commits) and hands the comment to the adapter, so ``run.py`` and the
``warroom package`` command show the same reads and writes in one place.

When: a run posts the package once the closure gate is met, and keeps it
current on every later run (or once someone asked for it with ``warroom
package N``): the body is rebuilt, and the adapter edits the comment only when
it differs. The compare is read only when the range is new: a posted package
keeps the answer in its state, so a rerun on the same two revisions reads
nothing from GitHub.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from warroom import package
from warroom.actions_env import parse_now
from warroom.effects import Effect, UpsertComment
from warroom.errors import GitHubError, UsageError
from warroom.incident import Incident
from warroom.mitigation import MitigationDiff, mitigation_range, same_revision, unreadable
from warroom.model import CommentSnapshot
from warroom.plan import Gate, backlog_rows
from warroom.render import render

log = logging.getLogger(__name__)


class PackageAdapter(Protocol):
    """What posting the package needs from GitHub."""

    def compare(self, base: str, head: str) -> MitigationDiff: ...
    def apply(self, plan: Sequence[Effect], *, issue: Any = None) -> Any: ...


@dataclass(frozen=True)
class Published:
    """The package a run built: its comment, and what was written (empty: nothing changed)."""

    effect: UpsertComment
    applied: tuple[str, ...] = ()
    read_compare: bool = False


def build(
    adapter: PackageAdapter,
    incident: Incident,
    comments: Sequence[CommentSnapshot],
    gate: Gate,
    *,
    follow_ups: Mapping[str, int],
    follow_up_states: Mapping[str, str],
    now: datetime,
) -> tuple[UpsertComment, bool]:
    """The package comment, and whether GitHub's compare was read for it."""
    span = mitigation_range(incident)
    diff: MitigationDiff | None = None
    read = False
    if span is not None:
        diff = package.kept_diff(package.posted(comments, incident.number), span)
        if diff is None and span.base == span.head:
            diff = same_revision(span)
        elif diff is None and not span.readable:
            diff = unreadable(span)
        elif diff is None:
            read = True
            try:
                diff = adapter.compare(span.base, span.head)
            except GitHubError as exc:
                # The package still says everything else; the next run asks GitHub again.
                log.warning("compare %s...%s: %s", span.base, span.head, exc)
                diff = MitigationDiff(
                    span.base,
                    span.head,
                    # A fixed sentence: the error's text (waits, limits) varies run to run,
                    # and the package must not be edited each time GitHub keeps failing.
                    problem="GitHub did not answer the compare; warroom asks again on the next run",
                    retry=True,
                )
    context = package.package_context(
        incident,
        gate,
        span=span,
        diff=diff,
        backlog=backlog_rows(incident, follow_ups, follow_up_states, now),
    )
    body = package.package_body(context, render, diff=diff, source=incident.issue.html_url)
    return package.package_effect(incident.number, body), read


def publish(
    adapter: PackageAdapter,
    incident: Incident,
    comments: Sequence[CommentSnapshot],
    gate: Gate,
    *,
    follow_ups: Mapping[str, int],
    follow_up_states: Mapping[str, str],
    now: datetime,
    dry_run: bool,
) -> Published:
    """Build the package and, unless ``dry_run``, upsert it (the adapter skips an equal body)."""
    effect, read = build(
        adapter,
        incident,
        comments,
        gate,
        follow_ups=follow_ups,
        follow_up_states=follow_up_states,
        now=now,
    )
    if dry_run:
        return Published(effect, read_compare=read)
    report = adapter.apply([effect], issue=incident.issue)
    return Published(effect, tuple(report.applied), read_compare=read)


def package_main(number: int, output: Path | None, echo: Callable[[str], None]) -> int:
    """``warroom package N``: build and post incident ``N``'s package now (and write ``output``).

    The incident is run as a sweep runs it (labels, status comment), with the package
    built whatever the gate says. Exit 0 when the closure gate is met, 1 when it is
    not yet (the package is posted all the same, saying what is missing), 2 for usage.
    """
    from warroom.run import adapter_from_env, config_here, issue_by_number, process_incident

    if number < 1:
        raise UsageError(f"N: give the incident's issue number, such as 12; got {number}")
    if output is not None and not output.parent.is_dir():
        # Checked before anything is written to GitHub, so a typo costs no writes.
        raise UsageError(
            f"--output: {output.parent} is not a directory; give a path in an existing folder"
        )
    config = config_here()
    adapter = adapter_from_env(config)
    issue = issue_by_number(adapter, number)
    labels = {x.lower() for x in issue.labels}
    if issue.is_pull_request or config.labels.incident.lower() not in labels:
        raise UsageError(
            f"#{number} is not an incident: it has no {config.labels.incident!r} label; "
            "give the number of an incident issue"
        )
    handled = process_incident(
        adapter,
        issue,
        None,
        parse_now(os.environ.get("WARROOM_NOW")),
        config,
        dry_run=False,
        state_key=os.environ.get("WARROOM_STATE_KEY", ""),
        package=True,
    )
    for line in handled.applied:
        echo(f"applied: {line}")
    text = package.package_summary(handled.package)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"--output: cannot write {output} ({exc.strerror}); give a writable path"
            ) from None
        echo(f"wrote the package to {output}")
    gate = handled.plan.gate
    if gate.state == "met":
        echo(f"#{number}: closure review package posted; the closure gate is met")
        return 0
    missing = "; ".join(c.title for c in gate.unmet) or "the incident is still open"
    echo(f"#{number}: closure review package posted, but the closure gate is not met: {missing}")
    return 1
