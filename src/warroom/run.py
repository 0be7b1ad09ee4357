"""The imperative shell of ``warroom action``: load, derive, plan, apply, report.

Everything that decides lives in pure modules (``incident``, ``rules``,
``plan``); this module only moves data between them and the adapter, so the
order of reads and writes, and their count, is visible in one place.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from warroom import authority, messages, sweep_state
from warroom.action import NO_OUTPUTS, triage
from warroom.actions_env import RunnerEnv, annotation, append, outputs_text, parse_now
from warroom.authority import authorization
from warroom.backlog import board_effects, sweep_effects
from warroom.check import load_config
from warroom.config import Config
from warroom.effects import Effect, EnsureLabel, Fail, describe
from warroom.errors import GitHubError, UsageError
from warroom.events import SWEEP_EVENTS, Event, Ignored
from warroom.github.adapter import GitHubAdapter
from warroom.incident import Incident, from_issue, people_records
from warroom.limits import BodyTooLong
from warroom.markers import decode_state, oldest_own, read_marker
from warroom.model import CommentSnapshot, IssueSnapshot, PullSnapshot
from warroom.plan import (
    Plan,
    clock_items,
    evaluate_gate,
    label_catalog,
    plan_incident,
    status_effect,
)
from warroom.render import render
from warroom.rules import guardrails
from warroom.rules.guardrail import Facts
from warroom.rules.merge_freeze import freeze_of
from warroom.run_freeze import Freezes, PullResult, check, linked_pulls, recheck

if TYPE_CHECKING:  # the package's modules load only when a run posts one
    from warroom.mitigation import MitigationDiff

log = logging.getLogger(__name__)
T = TypeVar("T")


class Adapter(Protocol):
    """What the shell needs from GitHub; the real one is ``github.adapter.GitHubAdapter``."""

    def comments(self, number: int) -> list[CommentSnapshot]: ...
    def issue(self, number: int) -> IssueSnapshot: ...
    def permission(self, login: str) -> str: ...
    def collaborators(self, at_least: str) -> dict[str, str] | None: ...
    def team_member(self, team: str, login: str) -> bool: ...
    def open_issues(self, label: str) -> list[IssueSnapshot]: ...
    def closed_issues(self, label: str, since: datetime) -> list[IssueSnapshot]: ...
    def comments_since(self, since: datetime) -> list[tuple[int, CommentSnapshot]]: ...
    def open_pulls(self) -> list[PullSnapshot]: ...
    def pull_files(self, number: int) -> tuple[str, ...]: ...
    def pull(self, number: int) -> PullSnapshot: ...
    def branches(self, prefix: str) -> list[str]: ...
    def apply(self, plan: Sequence[Effect], *, issue: IssueSnapshot | None = None) -> Any: ...
    def compare(self, base: str, head: str) -> MitigationDiff: ...


@dataclass
class IncidentResult:
    """What one incident's run decided and did."""

    plan: Plan
    incident: Incident
    applied: list[str] = field(default_factory=list)
    follow_ups: dict[str, int] = field(default_factory=dict)
    comments: list[CommentSnapshot] = field(default_factory=list)
    """Every comment the run read: what the sweep's memory remembers of the incident."""
    pulls: list[PullResult] = field(default_factory=list)
    """Pull requests re-checked because the incident's merge freeze changed."""
    package: str = ""
    """The closure review package this run built (also written to the step summary)."""
    package_written: bool = False
    """The run posted or edited the package (a sweep's summary shows only those)."""


@dataclass
class RunResult:
    """What the whole run did, for the outputs, the summary and the exit code."""

    ignored: str | None = None
    incidents: list[IncidentResult] = field(default_factory=list)
    dry_run: bool = False
    sweep: bool = False
    errors: list[str] = field(default_factory=list)
    """Incidents a sweep could not finish (GitHub refused or failed), one line each."""
    skipped: list[int] = field(default_factory=list)
    """Incidents a sweep did not read: unchanged, and nothing on their clock due."""
    memory: str | None = None
    """The sweep's memory to keep for the next one (``None``: nothing to keep)."""
    pull: PullResult | None = None
    """The pull request a ``pull_request`` event's run checked against the merge freeze."""

    @property
    def failures(self) -> list[str]:
        blocked = [e.message for r in self.incidents for e in r.plan.effects if isinstance(e, Fail)]
        held = self.pull.failures if self.pull is not None else []
        return (
            blocked
            + held
            + [f"warroom could not finish {e}. The next run will converge." for e in self.errors]
        )


def author_permissions(
    adapter: Adapter,
    authors: Sequence[CommentSnapshot],
    cache: Mapping[str, Any],
    now: datetime,
    config: Config,
    state_key: str,
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """Permissions (and the team that allows them) of the authors of records not yet judged.

    An answer from the last hour in warroom's sealed state is reused while
    GitHub still counts the author as a collaborator; otherwise GitHub is
    asked: one listing of everyone allowed (when it fits a page), then one
    question per author the listing leaves out. Logins listed by name need no
    request. Returns the answers by login, and what to remember: every fresh
    answer under a keyed pseudonym, so the hidden state never lists who holds
    which role (nothing at all without a key).
    """

    def name(login: str) -> str:
        return authority.pseudonym(state_key, login)

    remembered = authority.cached(cache, now) if state_key else {}
    by_login: dict[str, dict[str, str]] = {}
    needed: set[str] = set()
    for comment in authors:
        login = comment.author.lower()
        if authority.listed(login, config):
            continue
        entry = remembered.get(name(login))
        if entry is not None and authority.still_collaborator(comment):
            by_login[login] = entry
        else:
            needed.add(login)
    lowest = authority.lowest_allowed_role(config)
    listing = adapter.collaborators(lowest) if needed and lowest else None
    stamp = now.isoformat()
    for login, role in (listing or {}).items():
        remembered[name(login)] = {"p": role, "team": "", "at": stamp}
    for login in sorted(needed):
        if listing is not None and login in listing:
            by_login[login] = remembered[name(login)]
            continue
        permission = adapter.permission(login)
        team = ""
        if authorization(login, permission, config) is not None:
            team = next((t for t in config.responders.teams if adapter.team_member(t, login)), "")
        by_login[login] = remembered[name(login)] = {"p": permission, "team": team, "at": stamp}
    return by_login, (remembered if state_key else {})


def _stale(
    event: Event, issue: IssueSnapshot, comments: Sequence[CommentSnapshot], attempt: int
) -> bool:
    """Whether the event's copy of the issue may be older than GitHub's.

    A re-run carries the payload of its first attempt, and a queued run the
    payload of when its event happened: a comment (warroom's status included)
    changed after the payload's ``updated_at`` means something happened since.
    """
    if attempt > 1:
        return True
    since = issue.updated_at
    if since is None:
        return False
    if event.comment is not None:
        since = max(since, event.comment.updated_at)  # an edit need not touch the issue
    return any(c.updated_at > since for c in comments)


def process_incident(
    adapter: Adapter,
    issue: IssueSnapshot,
    event: Event | None,
    now: datetime,
    config: Config,
    *,
    dry_run: bool,
    attempt: int = 1,
    state_key: str = "",
    follow_up_states: Mapping[str, str] | None = None,
    all_branches: Callable[[], Sequence[str] | None] | None = None,
    package: bool = False,
) -> IncidentResult:
    """One incident: read its comments once, derive, plan, apply, then the status comment.

    ``state_key`` seals warroom's memory in the status comment (``authority.trusted``);
    without it nothing that grants authority is remembered between runs.
    ``follow_up_states`` are follow-ups' states learnt from their own events.
    ``all_branches`` gives every incident's recovery branches when a sweep read them at once
    (``None`` from it: read this incident's own).
    ``package`` builds the closure review package even before the gate is met.
    """
    comments = adapter.comments(issue.number)
    if event is not None and _stale(event, issue, comments, attempt):
        issue = adapter.issue(issue.number)
    status = authority.status_comment(comments, issue.number)
    cache = (
        authority.trusted(decode_state(status.body), issue.number, state_key)
        if status is not None
        else {}
    )
    # Other bots' comments are never records; warroom's own are found by marker.
    own_markers = [
        comment.body.split("\n", 1)[0]
        for comment in comments
        if comment.author_is_bot and read_marker(comment.body) is not None
    ]
    people = people_records(comments, config)

    recorded = authority.recorded(cache, (c for c, _ in people))
    unjudged = [c for c, _ in people if c.id not in recorded]
    # Slash commands not yet answered in their current version: their authors are judged too.
    unjudged += [c for c, _ in messages.unanswered(comments)]
    permissions, remembered = author_permissions(adapter, unjudged, cache, now, config, state_key)
    effective = {login: authority.effective(entry) for login, entry in permissions.items()}

    incident = from_issue(issue, people, permissions=effective, config=config, recorded=recorded)
    # The merge freeze: what this incident freezes now, against what its last run froze.
    freeze = freeze_of(incident, config)
    frozen = list(freeze.surfaces) if freeze is not None else []
    froze = cache.get("freeze")
    rechecked = None
    listing = _Once(adapter.open_pulls)  # one listing of open pull requests per run, shared
    if froze != frozen and (frozen or froze):
        rechecked = recheck(
            adapter,
            freeze,
            issue.number,
            config,
            render,
            dry_run=dry_run,
            state_key=state_key,
            listing=listing,
        )
    held = _held(rechecked, cache, issue.number) if freeze is not None else []
    pulls = (
        linked_pulls(adapter, issue.number, freeze, config, listing=listing)
        if guardrails.reads_pulls(config) and issue.state == "open"
        else None
    )
    # Recovery branches: one read, only while guardrails are heard (open, or a blocked close);
    # a sweep reads every incident's at once and passes them in ``all_branches``.
    # An event run reuses what a run read in the last ``BRANCHES_FRESH``: branches are pushed
    # without any issue event, so reading them on every record would buy nothing but requests.
    branches: tuple[str, ...] | None = None
    branches_read = _remembered_branches(cache, now)
    if issue.state == "open" or evaluate_gate(incident, config).state == "blocked":
        prefix = config.recovery_branches.prefix_for(issue.number)
        listed = all_branches() if all_branches is not None else None
        if listed is not None:
            branches = tuple(b for b in listed if b.startswith(prefix))
            # The sweep's read changes the state only when the branches did: a quiet sweep
            # writes nothing (an event run re-reads once the remembered read is stale).
            before = _remembered_branches(cache, None)
            branches_read = before if before is not None and before[1] == branches else None
        elif branches_read is not None:
            branches = branches_read[1]
        else:
            branches = tuple(adapter.branches(prefix))
        if branches_read is None:
            branches_read = (now, branches)
    facts = Facts(now, branches=branches, pulls=pulls)
    plan = plan_incident(
        event,
        incident,
        now,
        config,
        render,
        own_markers=own_markers,
        cache=cache,
        status_url=status.html_url if status is not None else "",
        state_key=state_key,
        facts=facts,
    )
    # Replies to slash commands (/warroom escalate, ...): the playbook's messages, filled.
    answers = messages.plan_replies(comments, incident, effective, config, render)
    plan = replace(plan, effects=(*plan.effects, *answers))
    result = IncidentResult(plan, incident, comments=comments, pulls=rechecked or [])
    known_follow_ups = {str(k): int(v) for k, v in dict(cache.get("follow_ups", {})).items()}
    unlinked: set[str] = set()
    if not dry_run:
        report = adapter.apply(plan.effects, issue=issue)
        result.applied = list(report.applied)
        known_follow_ups.update(report.follow_ups)
        unlinked = set(report.unlinked)
    result.follow_ups = known_follow_ups
    labels = sorted(
        {str(x) for x in cache.get("labels", [])}
        | {e.name for e in plan.effects if isinstance(e, EnsureLabel)}
    )
    refused = {r.comment.id for r in incident.refused if r.unauthorized}
    known_states = cache.get("follow_up_states")
    states = {
        **(
            {str(k): str(v) for k, v in known_states.items()}
            if isinstance(known_states, dict)
            else {}
        ),
        **(follow_up_states or {}),
    }
    new_cache = {
        "v": 2,
        # Comments whose records counted, by version: losing access later does not undo them.
        "allowed": authority.remember(c for c, _ in people if c.id not in refused),
        "permissions": remembered,
        "labels": labels,
        # One not yet a sub-issue stays out, so the next run plans it again and links it.
        "follow_ups": {k: v for k, v in known_follow_ups.items() if k not in unlinked},
        # Closed or reopened, as their own events said (a new follow-up is open).
        "follow_up_states": states,
        # The surfaces the merge freeze holds: a run that changes them re-checks pull requests.
        "freeze": frozen,
        "freeze_held": [[n, t] for n, t in held],
        **(
            {"branches": {"at": branches_read[0].isoformat(), "names": list(branches_read[1])}}
            if branches_read is not None
            else {}
        ),
    }
    # The closure review package: once the gate is met, and kept current once posted.
    # (run_package is imported only then: most runs never need the package's modules.)
    if package or plan.gate.state == "met" or oldest_own(comments, "package", issue.number):
        from warroom import run_package

        published = run_package.publish(
            adapter,
            incident,
            comments,
            plan.gate,
            follow_ups=known_follow_ups,
            follow_up_states=states,
            now=now,
            dry_run=dry_run,
        )
        result.package = published.effect.body
        result.package_written = bool(published.applied)
        result.applied += list(published.applied)
        plan = replace(plan, effects=(*plan.effects, published.effect))
    status_update = status_effect(
        incident,
        plan.gate,
        now,
        config,
        render,
        follow_ups=known_follow_ups,
        follow_up_states=states,
        cache=authority.seal(new_cache, issue.number, state_key),
        standing=plan.guardrails,
        held=held,
        facts=facts,
    )
    result.plan = replace(
        plan,
        effects=(*plan.effects, status_update),
        outputs={**plan.outputs, "follow-ups": json.dumps(sorted(known_follow_ups.values()))},
    )
    if not dry_run:
        report = adapter.apply([status_update], issue=issue)
        result.applied += list(report.applied)
    # The team's GitHub Project: each follow-up on it, its fields in step (after the status,
    # so a project the token cannot reach never keeps the incident's status from being written).
    on_board = board_effects(incident, config, known_follow_ups)
    if on_board:
        result.plan = replace(result.plan, effects=(*result.plan.effects, *on_board))
        if not dry_run:
            result.applied += list(adapter.apply(on_board, issue=issue).applied)
    return result


def run(
    adapter_factory: Callable[[], Adapter],
    event_name: str,
    payload: Mapping[str, Any],
    now: datetime,
    config: Config,
    *,
    dry_run: bool = False,
    attempt: int = 1,
    memory: str | None = None,
    state_key: str = "",
) -> RunResult:
    """Handle one workflow event: one incident, or every open incident for a sweep.

    ``attempt`` is the run's attempt (``GITHUB_RUN_ATTEMPT``): a re-run's payload
    is as old as its first attempt, so it decides on the issue as GitHub has it now.
    ``memory`` is what the last sweep left (``""`` when there is none yet), or
    ``None`` to sweep without one; the sweep's new memory is ``RunResult.memory``.
    ``state_key`` (the ``WARROOM_STATE_KEY`` secret) seals warroom's memory of authority.
    """
    event = triage(event_name, payload, config)
    if isinstance(event, Ignored):
        return RunResult(ignored=event.reason, dry_run=dry_run)
    if event.is_sweep:
        return _sweep(
            adapter_factory(), now, config, dry_run=dry_run, memory=memory, state_key=state_key
        )
    if event.pull is not None:
        adapter = adapter_factory()
        # Read afresh: a queued run's payload predates the runs before it (a label they added).
        pull = adapter.pull(event.pull.number)
        if pull.state != "open":
            return RunResult(
                ignored=f"pull request #{pull.number} is no longer open", dry_run=dry_run
            )
        checked = check(
            adapter,
            pull,
            Freezes(adapter, config, state_key),
            config,
            render,
            dry_run=dry_run,
        )
        return RunResult(dry_run=dry_run, pull=checked)
    assert event.issue is not None
    if event.follow_up is not None:
        return _follow_up_changed(
            adapter_factory, event, now, config, dry_run=dry_run, state_key=state_key
        )
    adapter = adapter_factory()
    handled = process_incident(
        adapter,
        event.issue,
        event,
        now,
        config,
        dry_run=dry_run,
        attempt=attempt,
        state_key=state_key,
    )
    return RunResult(incidents=[handled], dry_run=dry_run)


BRANCHES_FRESH = timedelta(minutes=10)
"""How long an event run trusts the recovery branches an earlier run read."""


def _remembered_branches(
    cache: Mapping[str, Any], now: datetime | None
) -> tuple[datetime, tuple[str, ...]] | None:
    """The branches the last run read, with when, if that was within ``BRANCHES_FRESH`` of
    ``now`` (at any time, when ``now`` is ``None``)."""
    entry = cache.get("branches")
    if not isinstance(entry, dict) or not isinstance(entry.get("names"), list):
        return None
    try:
        at = datetime.fromisoformat(str(entry.get("at")))
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    if now is not None and not timedelta(0) <= now - at < BRANCHES_FRESH:
        return None
    return at, tuple(str(x) for x in entry["names"])


class _Once(Generic[T]):
    """A read made at most once per run (or sweep), however many steps ask for it, and not at
    all when none does."""

    def __init__(self, read: Callable[[], T]) -> None:
        self._read = read
        self._value: tuple[T] | None = None

    def __call__(self) -> T:
        if self._value is None:
            self._value = (self._read(),)
        return self._value[0]


def _held(
    pulls: Sequence[PullResult] | None, cache: Mapping[str, Any], number: int
) -> list[tuple[int, str]]:
    """The pull requests this incident holds, as its latest re-check found them (by number,
    with titles), else as the last run remembered: no request for a freeze that did not change.
    """
    if pulls is None:
        known = cache.get("freeze_held")
        pairs = known if isinstance(known, list) else []
        return [
            (n, str(t))
            for n, t in (p for p in pairs if isinstance(p, list) and len(p) == 2)
            if isinstance(n, int)
        ]
    return [
        (r.pull.number, r.pull.title) for r in pulls if any(h.incident == number for h in r.holds)
    ]


def _follow_up_changed(
    adapter_factory: Callable[[], Adapter],
    event: Event,
    now: datetime,
    config: Config,
    *,
    dry_run: bool,
    state_key: str,
) -> RunResult:
    """A follow-up warroom opened was closed or reopened: its incident's status shows it.

    With a state key, only an issue carrying warroom's sealed proof counts (another
    workflow writes as the same bot); the incident is then read as GitHub has it.
    """
    change = event.follow_up
    assert change is not None
    assert event.issue is not None
    if authority.proof(state_key, change.marker) not in event.issue.body:
        return RunResult(
            ignored=f"#{event.issue.number} carries warroom's follow-up marker but not its proof",
            dry_run=dry_run,
        )
    adapter = adapter_factory()
    incident = adapter.issue(change.incident)
    handled = process_incident(
        adapter,
        incident,
        None,
        now,
        config,
        dry_run=dry_run,
        state_key=state_key,
        follow_up_states={change.key: change.state},
    )
    return RunResult(incidents=[handled], dry_run=dry_run)


# --- the scheduled sweep, with its memory (see warroom.sweep_state) ----------------------------


def _sweep(
    adapter: Adapter,
    now: datetime,
    config: Config,
    *,
    dry_run: bool,
    memory: str | None,
    state_key: str = "",
) -> RunResult:
    """Every open incident, and closed ones in their watch window; with a memory, only those
    that changed or fell due since the last sweep (about I/100 + 2 requests when none did)."""
    # Closed ones too: a closure whose reopen failed, or whose hardening loop is due,
    # is not forgotten by the sweep.
    since = now - timedelta(hours=config.clock.watch_hours)
    issues = [
        *adapter.open_issues(config.labels.incident),
        *adapter.closed_issues(config.labels.incident, since),
    ]
    branches = _all_branches(adapter, config)
    if memory is None:
        result = RunResult(dry_run=dry_run, sweep=True)
        for issue in issues:
            handled = _sweep_one(
                adapter,
                issue,
                now,
                config,
                dry_run=dry_run,
                result=result,
                state_key=state_key,
                branches=branches,
            )
            if handled is not None:
                result.incidents.append(handled)
        _board_sweep(adapter, config, result, dry_run=dry_run)
        return result
    previous = sweep_state.loads(memory, config) if memory else None
    touched: dict[int, list[sweep_state.CommentVersion]] = {}
    start = sweep_state.comments_since(previous, now)
    if start is not None:
        listed = adapter.comments_since(start)
        touched = sweep_state.touches(
            sweep_state.CommentVersion(number, c.id, c.updated_at) for number, c in listed
        )
    swept = RunResult(dry_run=dry_run, sweep=True)
    results = swept.incidents
    skipped = swept.skipped
    outcomes: dict[int, sweep_state.Outcome] = {}
    for issue in issues:
        reason = sweep_state.why_read(previous, issue, touched.get(issue.number, ()), now)
        if reason is None:
            skipped.append(issue.number)
            continue
        log.info("sweep: reading #%s: %s", issue.number, reason)
        handled = _sweep_one(
            adapter,
            issue,
            now,
            config,
            dry_run=dry_run,
            result=swept,
            state_key=state_key,
            branches=branches,
        )
        if handled is None:
            continue  # not remembered: the next sweep reads it again
        results.append(handled)
        items = clock_items(handled.incident, handled.plan.gate, now, config)
        outcomes[issue.number] = sweep_state.Outcome(
            due=sweep_state.next_due((item.due for item in items), now),
            comments=[
                sweep_state.CommentVersion(issue.number, c.id, c.updated_at)
                for c in handled.comments
            ],
            wrote=bool(handled.applied),
        )
    kept = sweep_state.remember(previous, issues, outcomes, now, config)
    swept.memory = None if dry_run else sweep_state.dumps(kept)
    _board_sweep(adapter, config, swept, dry_run=dry_run)
    return swept


def _board_sweep(adapter: Adapter, config: Config, result: RunResult, *, dry_run: bool) -> None:
    """The backlog board's Status, put in step for follow-ups a backlog repository holds."""
    for effect in sweep_effects(config):
        if dry_run:
            log.info("sweep: would %s", describe(effect))
            continue
        try:
            applied = adapter.apply([effect]).applied
        except GitHubError as exc:
            result.errors.append(f"the backlog board ({exc})")
            continue
        for line in applied:
            log.info("sweep: %s", line)


def _all_branches(adapter: Adapter, config: Config) -> Callable[[], Sequence[str] | None]:
    """Every incident's recovery branches, read once per sweep when the first incident needs
    them: one request for the sweep instead of one per incident, none when all are skipped.

    ``None`` when the prefix starts with the number (nothing narrower than every branch to
    ask for): each incident then reads its own.
    """
    root = config.recovery_branches.prefix.split("{number}", 1)[0]
    if not root:
        return lambda: None
    return _Once(lambda: tuple(adapter.branches(root)))


def _sweep_one(
    adapter: Adapter,
    issue: IssueSnapshot,
    now: datetime,
    config: Config,
    *,
    dry_run: bool,
    result: RunResult,
    state_key: str = "",
    branches: Callable[[], Sequence[str] | None] | None = None,
) -> IncidentResult | None:
    """One incident of a sweep; GitHub refusing it is noted and the sweep goes on."""
    try:
        return process_incident(
            adapter,
            issue,
            None,
            now,
            config,
            dry_run=dry_run,
            state_key=state_key,
            all_branches=branches,
        )
    except (GitHubError, BodyTooLong) as exc:
        result.errors.append(f"#{issue.number}: {exc}")
        return None


def plan_lines(result: RunResult) -> list[str]:
    """The dry run's printout: every effect, one line each."""
    if result.ignored:
        return [f"ignored: {result.ignored}"]
    lines: list[str] = []
    if result.pull is not None:
        lines.append(f"pull request #{result.pull.pull.number}:")
        lines += [f"  {describe(e)}" for e in result.pull.effects]
    for incident in result.incidents:
        lines.append(f"incident #{incident.incident.number}:")
        lines += [f"  {describe(e)}" for e in incident.plan.effects]
        lines += [f"  note: {note}" for note in incident.plan.log]
    return lines


def outputs(result: RunResult) -> dict[str, str]:
    """The Action's outputs: of the one incident, or empty-ish for a sweep or an ignored event;
    a sweep also says how many incidents it watches (open, or closed within the watch window)."""
    if len(result.incidents) == 1 and not result.sweep:
        return {**NO_OUTPUTS, **result.incidents[0].plan.outputs}
    found = dict(NO_OUTPUTS)
    if result.sweep:
        # 0 lets the sweep's workflow pause its schedule (see .github/workflows/warroom-sweep.yml).
        found["watching"] = str(len(result.incidents) + len(result.skipped))
    return found


def summary(result: RunResult, config: Config) -> str:
    """The step summary: the incident's state and the gate, ticked."""
    return render("summary.md.j2", summary_context(result, config))


def summary_context(result: RunResult, config: Config) -> dict[str, Any]:
    incidents = []
    for item in result.incidents:
        gate = item.plan.gate
        outputs_ = item.plan.outputs
        incidents.append(
            {
                "number": item.incident.number,
                "severity": outputs_.get("severity", ""),
                "phase": outputs_.get("phase", ""),
                "gate": gate.state,
                "conditions": [(c.title, c.met) for c in gate.conditions],
                "applied": item.applied,
                "follow_ups": sorted(item.follow_ups.values()),
            }
        )
    pull = result.pull
    return {
        "ignored": result.ignored or "",
        "dry_run": result.dry_run,
        "incidents": incidents,
        "pull": None
        if pull is None
        else {
            "number": pull.pull.number,
            "holds": [(h.incident, str(h.severity), len(h.files)) for h in pull.holds],
            "applied": pull.applied,
        },
    }


def action_main(env: RunnerEnv, echo: Callable[[str], None], config: Config) -> int:
    """``warroom action`` once ``warroom.action`` has read the config and the event.

    A blocked closure or a GitHub failure exits 1 with an error annotation, so
    the run shows red; everything else exits 0.
    """

    def adapter() -> GitHubAdapter:
        return GitHubAdapter(
            api_url=env.api_url,
            token=env.token,
            repository=env.repository,
            api=config.api,
            follow_up_repository=config.follow_ups.repository,
            backlog_token=env.backlog_token,
        )

    path = _memory_path(env.repository) if env.event_name in SWEEP_EVENTS else None
    try:
        result = run(
            adapter,
            env.event_name,
            env.event,
            env.now,
            config,
            dry_run=env.dry_run,
            attempt=env.attempt,
            memory=_recall(path),
            state_key=env.state_key,
        )
    except (GitHubError, BodyTooLong) as exc:
        message = f"warroom could not finish: {exc}. The next run will converge."
        echo(annotation("error", message))
        append(env.output_path, outputs_text(outputs(RunResult())))
        append(env.summary_path, f"## warroom\n\n{message}\n")
        return 1
    if env.dry_run or result.ignored:
        for line in plan_lines(result):
            echo(line)
    for incident in result.incidents:
        for line in incident.applied:
            echo(f"applied: {line}")
        for pull in incident.pulls:
            for line in pull.applied:
                echo(f"applied: {line}")
    for line in result.pull.applied if result.pull is not None else []:
        echo(f"applied: {line}")
    if result.skipped:
        echo(_skipped_line(result.skipped))
    _keep(path, result.memory)
    append(env.output_path, outputs_text(outputs(result)))
    append(env.summary_path, summary(result, config))
    for handled in result.incidents:
        # A sweep touches every incident in its watch window: only packages it changed.
        if handled.package and (not result.sweep or handled.package_written):
            from warroom.package import package_summary

            append(env.summary_path, "\n" + package_summary(handled.package))
    for failure in result.failures:
        echo(annotation("error", failure))
    return 1 if result.failures else 0


# --- the sweep's memory on disk: the directory WARROOM_STATE_DIR names ----------------------


def _memory_path(repository: str) -> Path | None:
    """The memory file for ``repository``; ``None`` when WARROOM_STATE_DIR is not set."""
    root = os.environ.get("WARROOM_STATE_DIR", "").strip()
    if not root:
        return None
    name = "".join(ch if ch.isalnum() or ch in "._-" else "+" for ch in repository)
    return Path(root) / f"sweep-{name}.json"


def _recall(path: Path | None) -> str | None:
    """The memory's text; ``""`` when there is none or it cannot be read (a full sweep)."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        if not isinstance(exc, FileNotFoundError):
            log.warning("the sweep's memory %s cannot be read (%s): sweeping fully", path, exc)
        return ""


def _keep(path: Path | None, text: str | None) -> None:
    """Write the memory atomically (a new file, then a rename), and only when it changed.

    Losing it costs one full sweep, so a failure to write is a warning, not a failed run.
    """
    if path is None or text is None or _recall(path) == text:
        return
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_text(text, encoding="utf-8")
        scratch.replace(path)
    except OSError as exc:
        log.warning("the sweep's memory cannot be kept in %s: %s", path, exc)
        scratch.unlink(missing_ok=True)


def _skipped_line(numbers: Sequence[int]) -> str:
    shown = ", ".join(f"#{n}" for n in numbers[:20]) + (" ..." if len(numbers) > 20 else "")
    return f"sweep: {len(numbers)} incident(s) unchanged and not due, not read again: {shown}"


def issue_by_number(adapter: GitHubAdapter, number: int) -> IssueSnapshot:
    """Issue ``number`` for a command given it by hand: one that does not exist is a usage
    mistake (exit 2, saying what to give), not a finding."""
    try:
        return adapter.issue(number)
    except GitHubError as exc:
        if exc.status == 404:
            raise UsageError(
                f"N: {os.environ.get('GITHUB_REPOSITORY', 'the repository')} has no issue "
                f"#{number}; "
                "give the number of an incident's issue"
            ) from None
        raise


def adapter_from_env(config: Config) -> GitHubAdapter:
    """An adapter for commands run by hand, from the same variables a workflow sets."""
    env = os.environ
    repository, token = env.get("GITHUB_REPOSITORY", ""), env.get("GITHUB_TOKEN", "")
    if repository and (repository.count("/") != 1 or repository.strip("/") != repository):
        raise UsageError(f"GITHUB_REPOSITORY: write owner/name, e.g. acme/shop; got {repository!r}")
    if not repository or not token:
        raise UsageError(
            "set GITHUB_REPOSITORY (owner/name) and GITHUB_TOKEN, and GITHUB_API_URL "
            "for GitHub Enterprise or the sandbox"
        )
    return GitHubAdapter(
        api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
        token=token,
        repository=repository,
        api=config.api,
        follow_up_repository=config.follow_ups.repository,
        backlog_token=env.get("WARROOM_BACKLOG_TOKEN", "").strip(),
    )


def config_here() -> Config:
    return load_config(Path(os.environ.get("WARROOM_CONFIG") or ".github/warroom.yml"))


def sweep_main(*, dry_run: bool, echo: Callable[[str], None]) -> int:
    """``warroom sweep``: the schedule's run, by hand."""
    config = config_here()
    adapter = adapter_from_env(config)
    now = parse_now(os.environ.get("WARROOM_NOW"))
    path = _memory_path(os.environ.get("GITHUB_REPOSITORY", ""))
    result = run(
        lambda: adapter,
        "schedule",
        {},
        now,
        config,
        dry_run=dry_run,
        memory=_recall(path),
        state_key=os.environ.get("WARROOM_STATE_KEY", ""),
    )
    for line in plan_lines(result) if dry_run else []:
        echo(line)
    for incident in result.incidents:
        gate = incident.plan.gate
        echo(
            f"#{incident.incident.number}: {gate.state}; applied {len(incident.applied)} change(s)"
        )
    if result.skipped:
        echo(_skipped_line(result.skipped))
    _keep(path, result.memory)
    return 1 if result.failures else 0


def labels_sync_main(*, dry_run: bool, echo: Callable[[str], None]) -> int:
    """``warroom labels sync``: every label in the catalog, created or recoloured."""
    config = config_here()
    effects = list(label_catalog(config).values())
    if dry_run:
        for effect in effects:
            echo(describe(effect))
        return 0
    report = adapter_from_env(config).apply(effects)
    for line in report.applied:
        echo(line)
    echo(f"{len(effects)} labels in sync")
    return 0
