"""The merge freeze's shell: the reads and writes of checking pull requests.

Two kinds of run check pull requests. A ``pull_request`` event checks its own
(``check_event``); an incident's run whose freeze changed (it started, its
surfaces were edited, it recovered or closed) re-checks the ones it may hold or
release (``recheck``). Both decide with the pure ``rules.merge_freeze`` and
``pull_plan`` and apply through the adapter, and every read is here, in order:

* the open incidents, one listing (their severity and phase labels and their
  forms' surfaces say which could freeze what);
* a pull request's files, only when some incident could hold it;
* the comments of an incident that matches, only to read what its own last
  run said it froze (a Stakeholder Update saying recovered is in no label).

An incident whose freeze did not change costs nothing here: its run keeps the
surfaces it froze in its status comment's state and compares.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from warroom import authority
from warroom.config import Config
from warroom.effects import Effect, Fail
from warroom.model import CommentSnapshot, IssueSnapshot, PullSnapshot
from warroom.pull_plan import is_held, plan_pull
from warroom.rules.guardrail import PullFacts
from warroom.rules.merge_freeze import (
    Freeze,
    Hold,
    could_hold,
    hinted,
    holds,
    listed_freeze,
    references,
)

log = logging.getLogger(__name__)

Render = Callable[[str, Mapping[str, Any]], str]


class PullAdapter(Protocol):
    """What checking pull requests needs from GitHub."""

    def comments(self, number: int) -> list[CommentSnapshot]: ...
    def open_issues(self, label: str) -> list[IssueSnapshot]: ...
    def open_pulls(self) -> list[PullSnapshot]: ...
    def pull(self, number: int) -> PullSnapshot: ...
    def pull_files(self, number: int) -> tuple[str, ...]: ...
    def apply(self, plan: Sequence[Effect], *, issue: IssueSnapshot | None = None) -> Any: ...


@dataclass
class PullResult:
    """What checking one pull request decided and did."""

    pull: PullSnapshot
    holds: tuple[Hold, ...]
    effects: tuple[Effect, ...]
    applied: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        return [e.message for e in self.effects if isinstance(e, Fail)]


class Freezes:
    """The open incidents' freezes, read once per run and confirmed only where they matter."""

    def __init__(
        self,
        adapter: PullAdapter,
        config: Config,
        state_key: str,
        known: Mapping[int, Freeze | None] | None = None,
    ) -> None:
        self._adapter = adapter
        self._config = config
        self._state_key = state_key
        self._confirmed: dict[int, Freeze | None] = dict(known or {})
        self._listed: dict[int, Freeze] | None = None

    def _listing(self) -> dict[int, Freeze]:
        if self._listed is None:
            found = {}
            for issue in self._adapter.open_issues(self._config.labels.incident):
                freeze = listed_freeze(issue, self._config)
                if freeze is not None:
                    found[issue.number] = freeze
            self._listed = found
        return self._listed

    def candidates(self) -> list[Freeze]:
        """Every freeze that may stand: the confirmed ones and those the listing shows."""
        listed = {n: f for n, f in self._listing().items() if n not in self._confirmed}
        confirmed = [f for f in self._confirmed.values() if f is not None]
        return [*confirmed, *listed.values()]

    def confirm(self, freeze: Freeze) -> Freeze | None:
        """The freeze as the incident's own last run left it (one read of its comments)."""
        if freeze.incident not in self._confirmed:
            comments = self._adapter.comments(freeze.incident)
            state = authority.sealed_state(comments, freeze.incident, self._state_key)
            self._confirmed[freeze.incident] = hinted(freeze, state)
        return self._confirmed[freeze.incident]


def check(
    adapter: PullAdapter,
    pull: PullSnapshot,
    freezes: Freezes,
    config: Config,
    render: Render,
    *,
    dry_run: bool,
    quiet: bool = False,
) -> PullResult | None:
    """Decide and apply one pull request's hold. ``quiet``: leave alone (``None``) a pull
    request neither held now nor labelled held (a re-check has nothing to say to it)."""
    possible = could_hold(pull, freezes.candidates(), config)
    found: tuple[Hold, ...] = ()
    if possible:
        pull = _with_files(adapter, pull)
        matching = holds(pull, possible, config)
        matched = {h.incident for h in matching}
        confirmed = [freezes.confirm(f) for f in possible if f.incident in matched]
        found = holds(pull, [f for f in confirmed if f is not None], config)
    if quiet and not found and not is_held(pull, config):
        return None
    titles = {f.incident: f.title for f in freezes.candidates()}
    effects = plan_pull(pull, found, config, render, titles=titles)
    result = PullResult(pull, found, effects)
    if not dry_run:
        report = adapter.apply(effects, issue=_as_issue(pull))
        result.applied = list(report.applied)
    return result


def recheck(
    adapter: PullAdapter,
    freeze: Freeze | None,
    number: int,
    config: Config,
    render: Render,
    *,
    dry_run: bool,
    state_key: str,
    listing: Callable[[], Sequence[PullSnapshot]] | None = None,
) -> list[PullResult]:
    """Incident ``number``'s freeze changed to ``freeze``: hold what it now freezes (every
    open pull request is looked at) and release what no incident holds any more (only the
    pull requests labelled held). ``listing`` is the run's one listing of open pull requests,
    shared with ``linked_pulls``."""
    freezes = Freezes(adapter, config, state_key, known={number: freeze})
    results = []
    for pull in (listing or adapter.open_pulls)():
        if freeze is None and not is_held(pull, config):
            continue  # nothing to release, and this incident holds nothing new
        checked = check(adapter, pull, freezes, config, render, dry_run=dry_run, quiet=True)
        if checked is not None:
            results.append(checked)
    return results


def linked_pulls(
    adapter: PullAdapter,
    number: int,
    freeze: Freeze | None,
    config: Config,
    listing: Callable[[], Sequence[PullSnapshot]] | None = None,
) -> tuple[PullFacts, ...]:
    """The open pull requests linked to incident ``number``, with their files, for
    ``Facts.pulls``: those whose description says ``Incident: #N``, and those its freeze
    holds (only pull requests labelled held can be). One listing, one read per linked one."""
    found: list[PullFacts] = []
    for pull in (listing or adapter.open_pulls)():
        named = number in references(pull.body)
        if not named and (freeze is None or not is_held(pull, config)):
            continue
        pull = _with_files(adapter, pull)
        held = freeze is not None and bool(holds(pull, [freeze], config))
        if named or held:
            found.append(PullFacts(pull.number, pull.author, pull.files, held=held))
    return tuple(found)


def _with_files(adapter: PullAdapter, pull: PullSnapshot) -> PullSnapshot:
    return replace(pull, files=adapter.pull_files(pull.number))


def _as_issue(pull: PullSnapshot) -> IssueSnapshot:
    """What the adapter needs to know of the pull request as an issue: its labels."""
    return IssueSnapshot(
        number=pull.number,
        id=0,
        title=pull.title,
        body=pull.body,
        state="open",
        state_reason=None,
        labels=pull.labels,
        assignees=(),
        author=pull.author,
        created_at=datetime.min.replace(tzinfo=UTC),
        closed_at=None,
        html_url="",
        is_pull_request=True,
    )
