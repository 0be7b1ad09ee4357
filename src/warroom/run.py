"""The imperative shell of ``warroom action``: load, derive, plan, apply, report.

Everything that decides lives in pure modules (``incident``, ``rules``,
``plan``); this module only moves data between them and the adapter, so the
order of reads and writes, and their count, is visible in one place.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from warroom.actions_env import RunnerEnv, annotation, append, outputs_text, parse_now
from warroom.check import load_config
from warroom.config import Config
from warroom.declaration import read_declaration
from warroom.effects import Effect, EnsureLabel, Fail, describe
from warroom.errors import GitHubError, UsageError, WarroomError
from warroom.events import Event, Ignored, read_event
from warroom.github.adapter import GitHubAdapter
from warroom.incident import Incident, authorization, derive
from warroom.markers import decode_state, read_marker
from warroom.model import CommentSnapshot, IssueSnapshot
from warroom.parsing.forms import bundled_form, looks_like_form, parse_form
from warroom.parsing.records import read_records
from warroom.plan import Plan, label_catalog, plan_incident, status_effect
from warroom.records.types import ParsedRecord
from warroom.render import render

log = logging.getLogger(__name__)

PERMISSION_TTL = timedelta(hours=1)


class Adapter(Protocol):
    """What the shell needs from GitHub; the real one is ``github.adapter.GitHubAdapter``."""

    def comments(self, number: int) -> list[CommentSnapshot]: ...
    def permission(self, login: str) -> str: ...
    def team_member(self, team: str, login: str) -> bool: ...
    def open_issues(self, label: str) -> list[IssueSnapshot]: ...
    def closed_issues(self, label: str, since: datetime) -> list[IssueSnapshot]: ...
    def apply(self, plan: Sequence[Effect], *, issue: IssueSnapshot | None = None) -> Any: ...


@dataclass
class IncidentResult:
    """What one incident's run decided and did."""

    plan: Plan
    incident: Incident
    applied: list[str] = field(default_factory=list)
    follow_ups: dict[str, int] = field(default_factory=dict)


@dataclass
class RunResult:
    """What the whole run did, for the outputs, the summary and the exit code."""

    ignored: str | None = None
    incidents: list[IncidentResult] = field(default_factory=list)
    dry_run: bool = False
    sweep: bool = False

    @property
    def failures(self) -> list[str]:
        return [e.message for r in self.incidents for e in r.plan.effects if isinstance(e, Fail)]


def _is_incident(issue: IssueSnapshot, config: Config) -> bool:
    """Labelled ``incident``, or filed from the incident form (labels can lag the body)."""
    if config.labels.incident.lower() in {x.lower() for x in issue.labels}:
        return True
    return looks_like_form(issue.body, bundled_form("incident"))


def _own(comment: CommentSnapshot) -> tuple[str, str] | None:
    return read_marker(comment.body) if comment.author_is_bot else None


def _permissions(
    adapter: Adapter,
    authors: Iterable[str],
    cache: Mapping[str, Any],
    now: datetime,
    fresh: str | None,
    config: Config,
) -> dict[str, dict[str, str]]:
    """Authors' permissions (and team, when that is what allows them), cached for an hour.

    ``fresh`` (the author of the comment this event is about) is always read
    again: that is the record that may change the incident now. Teams are read
    only for authors their permission does not already allow.
    """
    cached = cache.get("permissions", {}) if isinstance(cache.get("permissions"), dict) else {}
    result: dict[str, dict[str, str]] = {}
    for login in sorted({a.lower() for a in authors}):
        entry = cached.get(login)
        if isinstance(entry, dict) and login != (fresh or "").lower():
            try:
                checked = datetime.fromisoformat(str(entry.get("at")))
            except ValueError:
                checked = None
            if checked is not None and now - checked < PERMISSION_TTL:
                result[login] = {k: str(v) for k, v in entry.items()}
                continue
        permission = adapter.permission(login)
        team = ""
        if authorization(login, permission, config) is not None:
            team = next((t for t in config.responders.teams if adapter.team_member(t, login)), "")
        result[login] = {"p": permission, "team": team, "at": now.isoformat()}
    return result


def _effective(entry: Mapping[str, str]) -> str:
    """What ``authorization`` judges: the permission, or the team that allows the author."""
    return f"team:{entry['team']}" if entry.get("team") else entry.get("p", "none")


def process_incident(
    adapter: Adapter,
    issue: IssueSnapshot,
    event: Event | None,
    now: datetime,
    config: Config,
    *,
    dry_run: bool,
) -> IncidentResult:
    """One incident: read its comments once, derive, plan, apply, then the status comment."""
    comments = adapter.comments(issue.number)
    own_markers: list[str] = []
    cache: dict[str, Any] = {}
    people: list[tuple[CommentSnapshot, Sequence[ParsedRecord]]] = []
    for comment in comments:
        own = _own(comment)
        if own is not None:
            own_markers.append(comment.body.split("\n", 1)[0])
            if own == ("status", str(issue.number)):
                cache = decode_state(comment.body)
            continue
        if comment.author_is_bot:
            continue  # other bots' comments are never records
        records = read_records(comment.body, config, reference=comment.created_at)
        if records:
            people.append((comment, records))

    fresh = event.comment.author if event and event.comment else None
    permissions = _permissions(adapter, (c.author for c, _ in people), cache, now, fresh, config)

    reading = read_declaration(parse_form(issue.body, bundled_form("incident")), config)
    incident = derive(
        issue,
        declaration=reading.value,
        declaration_findings=reading.findings,
        comments=people,
        permissions={login: _effective(entry) for login, entry in permissions.items()},
        config=config,
    )
    plan = plan_incident(event, incident, now, config, render, own_markers=own_markers, cache=cache)
    result = IncidentResult(plan, incident)
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
    new_cache = {
        "v": 1,
        "permissions": permissions,
        "labels": labels,
        # One not yet a sub-issue stays out, so the next run plans it again and links it.
        "follow_ups": {k: v for k, v in known_follow_ups.items() if k not in unlinked},
    }
    status = status_effect(
        incident, plan.gate, now, config, render, follow_ups=known_follow_ups, cache=new_cache
    )
    result.plan = replace(
        plan,
        effects=(*plan.effects, status),
        outputs={**plan.outputs, "follow-ups": json.dumps(sorted(known_follow_ups.values()))},
    )
    if not dry_run:
        report = adapter.apply([status], issue=issue)
        result.applied += list(report.applied)
    return result


def run(
    adapter_factory: Callable[[], Adapter],
    event_name: str,
    payload: Mapping[str, Any],
    now: datetime,
    config: Config,
    *,
    dry_run: bool = False,
) -> RunResult:
    """Handle one workflow event: one incident, or every open incident for a sweep."""
    event = read_event(event_name, payload)
    if isinstance(event, Ignored):
        return RunResult(ignored=event.reason, dry_run=dry_run)
    if event.is_sweep:
        adapter = adapter_factory()
        # Open incidents, and closed ones still in their watch window: a closure whose
        # reopen failed, or whose hardening loop is due, is not forgotten by the sweep.
        since = now - timedelta(hours=config.clock.watch_hours)
        issues = [
            *adapter.open_issues(config.labels.incident),
            *adapter.closed_issues(config.labels.incident, since),
        ]
        results = [
            process_incident(adapter, issue, None, now, config, dry_run=dry_run) for issue in issues
        ]
        return RunResult(incidents=results, dry_run=dry_run, sweep=True)
    assert event.issue is not None
    if event.comment is not None and event.comment.author_is_bot:
        return RunResult(ignored="comments by bots are never records", dry_run=dry_run)
    if not _is_incident(event.issue, config):
        return RunResult(ignored=f"#{event.issue.number} is not an incident", dry_run=dry_run)
    adapter = adapter_factory()
    result = process_incident(adapter, event.issue, event, now, config, dry_run=dry_run)
    return RunResult(incidents=[result], dry_run=dry_run)


def plan_lines(result: RunResult) -> list[str]:
    """The dry run's printout: every effect, one line each."""
    if result.ignored:
        return [f"ignored: {result.ignored}"]
    lines: list[str] = []
    for incident in result.incidents:
        lines.append(f"incident #{incident.incident.number}:")
        lines += [f"  {describe(e)}" for e in incident.plan.effects]
        lines += [f"  note: {note}" for note in incident.plan.log]
    return lines


def outputs(result: RunResult) -> dict[str, str]:
    """The Action's outputs: of the one incident, or empty-ish for a sweep or an ignored event."""
    if len(result.incidents) == 1 and not result.sweep:
        return dict(result.incidents[0].plan.outputs)
    return {
        "incident": "",
        "severity": "",
        "phase": "",
        "gate": "n/a",
        "blocked-reasons": "[]",
        "follow-ups": "[]",
    }


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
    return {
        "ignored": result.ignored or "",
        "dry_run": result.dry_run,
        "incidents": incidents,
    }


def action_main(env: RunnerEnv, echo: Callable[[str], None]) -> int:
    """``warroom action``: one workflow run, start to end. Returns the exit code.

    A blocked closure or a GitHub failure exits 1 with an error annotation, so
    the run shows red; everything else exits 0.
    """
    workspace = Path(os.environ.get("GITHUB_WORKSPACE", "."))
    try:
        config = load_config(workspace / env.config_path)
    except WarroomError as exc:
        # A broken config must be as visible as a blocked closure: red, annotated, summarised.
        echo(annotation("error", f"warroom did not run: {exc}"))
        append(env.output_path, outputs_text(outputs(RunResult())))
        append(env.summary_path, f"## warroom\n\nwarroom did not run: {exc}\n")
        return 2

    def adapter() -> GitHubAdapter:
        return GitHubAdapter(
            api_url=env.api_url, token=env.token, repository=env.repository, api=config.api
        )

    try:
        result = run(adapter, env.event_name, env.event, env.now, config, dry_run=env.dry_run)
    except GitHubError as exc:
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
    append(env.output_path, outputs_text(outputs(result)))
    append(env.summary_path, summary(result, config))
    for failure in result.failures:
        echo(annotation("error", failure))
    return 1 if result.failures else 0


def _adapter_from_env(config: Config) -> GitHubAdapter:
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
    )


def _config_here() -> Config:
    return load_config(Path(os.environ.get("WARROOM_CONFIG") or ".github/warroom.yml"))


def sweep_main(*, dry_run: bool, echo: Callable[[str], None]) -> int:
    """``warroom sweep``: the schedule's run, by hand."""
    config = _config_here()
    adapter = _adapter_from_env(config)
    now = parse_now(os.environ.get("WARROOM_NOW"))
    result = run(lambda: adapter, "schedule", {}, now, config, dry_run=dry_run)
    for line in plan_lines(result) if dry_run else []:
        echo(line)
    for incident in result.incidents:
        gate = incident.plan.gate
        echo(
            f"#{incident.incident.number}: {gate.state}; applied {len(incident.applied)} change(s)"
        )
    return 1 if result.failures else 0


def labels_sync_main(*, dry_run: bool, echo: Callable[[str], None]) -> int:
    """``warroom labels sync``: every label in the catalog, created or recoloured."""
    config = _config_here()
    effects = list(label_catalog(config).values())
    if dry_run:
        for effect in effects:
            echo(describe(effect))
        return 0
    report = _adapter_from_env(config).apply(effects)
    for line in report.applied:
        echo(line)
    echo(f"{len(effects)} labels in sync")
    return 0
