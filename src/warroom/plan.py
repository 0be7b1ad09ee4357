"""From an event and an incident's derived state to a plan: effects, outputs, summary.

Pure: the shell loads, calls ``plan_incident`` and applies. The plan states
outcomes (this label is on, this comment says this), so applying it twice
changes nothing the second time, and a run that died halfway is finished by
the next one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from warroom import authority
from warroom.config import Config
from warroom.effects import (
    AddLabels,
    Assign,
    DeleteComment,
    Effect,
    EnsureLabel,
    Fail,
    OpenFollowUp,
    RemoveLabel,
    Reopen,
    UpsertComment,
)
from warroom.events import Event
from warroom.incident import Incident, Lane, Refused
from warroom.limits import COMMENT_LIMIT, ISSUE_BODY_LIMIT, fit_body, fit_title
from warroom.markers import encode_state, marker, quote
from warroom.model import Confidence, Phase, Severity
from warroom.records.spec import REVIEW_QUESTIONS, SPECS
from warroom.rules import (
    clock,
    closure_gate,
    guardrails,
    postures,
    publication,
    readiness,
    recovery_branches,
    review,
    timeline,
)
from warroom.rules.closure_gate import Condition
from warroom.rules.guardrail import Facts, Guardrail
from warroom.rules.merge_freeze import STATUS_CONTEXT, freeze_of, recovered

Render = Callable[[str, Mapping[str, Any]], str]

STATUS_TEMPLATES = (
    "snapshot",
    "decision",
    "verification",
    "stakeholder",
    "followup",
    "closure",
    "dismissal",
)
DISMISSED = frozenset({"not_planned", "duplicate"})
"""GitHub's close reasons for an issue that is no incident (with a dismissal record)."""
REMINDER_QUIET = timedelta(minutes=1)
"""Reminders wait this long after the latest record, which may be the one that satisfies them."""

# Colours follow GitHub's palette: severities hot to cool, phases along the recovery.
SEVERITY_COLORS = {Severity.SEV1: "b60205", Severity.SEV2: "d93f0b", Severity.SEV3: "fbca04"}
PHASE_COLORS = {
    Phase.DETECTION: "c5def5",
    Phase.CONTAINMENT: "bfd4f2",
    Phase.RECOVERY: "0e8a16",
    Phase.HARDENING: "5319e7",
}
CONFIDENCE_COLORS = {Confidence.L1: "fef2c0", Confidence.L2: "c2e0c6", Confidence.L3: "0e8a16"}
MATRIX = {
    Severity.SEV1: "user safety, auth, billing, or data correctness at risk; rollback-first",
    Severity.SEV2: "major workflow degradation; bounded hotfix with tight verification",
    Severity.SEV3: "isolated non-critical regression; scheduled corrective release",
}


def label_catalog(config: Config) -> dict[str, EnsureLabel]:
    """Every label warroom manages, with colour and description, by name."""
    names = config.labels
    found: list[EnsureLabel] = [
        EnsureLabel(names.incident, "b60205", "An incident, run by warroom"),
        EnsureLabel(names.hardening, "5319e7", "Post-incident hardening follow-up"),
        EnsureLabel(names.gate_blocked, "e99695", "Closed before the closure gate was met"),
        EnsureLabel(names.gate_met, "0e8a16", "The closure gate is met"),
        EnsureLabel(
            names.decision_contested,
            "d876e3",
            "Conflicting decisions not yet settled in one record",
        ),
        EnsureLabel(names.checkpoint_overdue, "e4e669", "The next checkpoint time has passed"),
        EnsureLabel(names.freeze_held, "bfdadc", "Held by an incident's merge freeze"),
    ]
    found += [EnsureLabel(names.severity[s], SEVERITY_COLORS[s], MATRIX[s][:100]) for s in Severity]
    found += [
        EnsureLabel(names.phase[p], PHASE_COLORS[p], f"Incident phase: {p.value}") for p in Phase
    ]
    found += [
        EnsureLabel(names.confidence[c], CONFIDENCE_COLORS[c], f"Decision confidence {c.value}")
        for c in Confidence
    ]
    return {label.name: label for label in found}


@dataclass(frozen=True)
class Gate:
    """The closure gate as this run sees it."""

    state: str  # "met", "blocked" or "n/a"
    conditions: tuple[Condition, ...]
    dismissed: bool = False
    dismissal_missing: bool = False
    """Closed as not planned or duplicate without an Incident Dismissal record."""

    def phase(self, incident: Incident) -> Phase:
        """The phase to show: hardening once the gate is met, else the latest snapshot's."""
        return Phase.HARDENING if self.state == "met" else incident.phase

    @property
    def unmet(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if not c.met)


@dataclass(frozen=True)
class Plan:
    """What one run decided for one incident: the gate, effects in order, outputs."""

    incident: int | None
    gate: Gate
    effects: tuple[Effect, ...]
    outputs: Mapping[str, str] = field(default_factory=dict)
    log: tuple[str, ...] = ()
    guardrails: tuple[Guardrail, ...] = ()
    """The guardrails that stand, as this run decided them (the status comment shows them)."""


def evaluate_gate(incident: Incident, config: Config) -> Gate:
    """Closed incidents pass or fail the gate; open ones show progress towards it."""
    conditions = closure_gate.evaluate(incident, config)
    issue = incident.issue
    if issue.state != "closed":
        return Gate("n/a", conditions)
    if issue.state_reason in DISMISSED:
        if incident.dismissal is not None:
            return Gate("n/a", conditions, dismissed=True)
        # A false alarm is closed with a dismissal, not with the six recovery conditions.
        return Gate("blocked", conditions, dismissal_missing=True)
    return Gate("met" if closure_gate.is_met(conditions) else "blocked", conditions)


def clock_items(
    incident: Incident, gate: Gate, now: datetime, config: Config
) -> tuple[clock.ClockItem, ...]:
    """The clock as this run leaves the incident: a blocked closure is undone, so it runs
    as for an open incident (the status comment and the reminders must agree)."""
    if gate.state == "blocked":
        reopened = replace(incident.issue, state="open", closed_at=None, state_reason="reopened")
        incident = replace(incident, issue=reopened)
    pending = review.item(incident, gate.state, now, config)
    return (*clock.items(incident, now, config), *((pending,) if pending else ()))


def _fitting(render: Render, source: str, limit: int = COMMENT_LIMIT) -> Render:
    """``render``, with each body cut to GitHub's limit and a link to ``source`` (the full text)."""
    return lambda name, context: fit_body(render(name, context), source, limit)


def follow_up_key(incident: int, comment_id: int, index: int) -> str:
    """Stable for a follow-up record: its comment and its place among that comment's follow-ups."""
    return f"{incident}.{comment_id}.{index}"


@dataclass(frozen=True)
class _Item:
    """One backlog item to file: from a Hardening Follow-up record or a review's action."""

    key: str
    title: str
    kind: str
    owner: tuple[str, ...]
    due: date
    acceptance: str
    """Already quoted: people's text inside warroom's words."""
    source: str


def _backlog(incident: Incident) -> list[_Item]:
    """Every backlog item the incident's records name, each with its stable key."""
    items: list[_Item] = []
    per_comment: dict[int, int] = {}
    for applied, record in incident.follow_ups:
        index = per_comment.get(applied.comment_id, 0)
        per_comment[applied.comment_id] = index + 1
        items.append(
            _Item(
                follow_up_key(incident.number, applied.comment_id, index),
                record.title,
                record.followup_kind.value,
                record.owner,
                record.due,
                quote(record.acceptance_criteria),
                applied.url,
            )
        )
    for filed in review.actions(incident):
        action = filed.action
        question = REVIEW_QUESTIONS[action.question]
        answered = review.answer(filed.record, action)
        items.append(
            _Item(
                filed.key,
                action.title,
                review.kind(action).value,
                action.owner,
                action.due,
                f'Named in the post-closure review, answering "{question}"'
                + (f": {quote(fit_title(answered))}" if answered else "")
                + ". Done when the owner shows the change in place.",
                filed.applied.url,
            )
        )
    return items


def backlog_items(incident: Incident) -> list[_Item]:
    """Every backlog item, keyed as ``follow_up_effects`` files it (``warroom.backlog``)."""
    return _backlog(incident)


def follow_up_effects(
    incident: Incident, config: Config, render: Render, state_key: str = ""
) -> list[OpenFollowUp]:
    """One issue per backlog item (follow-up record or review action), built like the
    hardening form would file it."""
    effects: list[OpenFollowUp] = []
    for item in _backlog(incident):
        mark = marker("follow-up", item.key)
        shown = authority.proof(state_key, mark)
        body = _fitting(render, item.source, ISSUE_BODY_LIMIT)(
            "follow_up.md.j2",
            {
                "marker": mark,
                "incident": incident.number,
                "kind": item.kind,
                "owner": " ".join(f"@{x}" for x in item.owner),
                "due": item.due.isoformat(),
                "acceptance": item.acceptance,
                "source": item.source,
                "proof": shown,
            },
        )
        effects.append(
            OpenFollowUp(
                incident=incident.number,
                key=item.key,
                marker=mark,
                title=fit_title(f"{config.follow_ups.title_prefix} {item.title}".strip()),
                body=body,
                labels=(config.labels.hardening,),
                assignees=item.owner,
                milestone=f"due {item.due.isoformat()}" if config.follow_ups.milestone else None,
                due=item.due,
                proof=shown,
            )
        )
    return effects


def desired_labels(
    incident: Incident,
    gate: Gate,
    config: Config,
    standing: Iterable[Guardrail] = (),
    items: Iterable[clock.ClockItem] = (),
) -> tuple[set[str], set[str]]:
    """(labels that must be on, labels warroom manages that must be off).

    ``standing`` guardrails and overdue clock ``items`` hold their labels while they stand."""
    names = config.labels
    want = {names.incident}
    want |= {g.label for g in standing if g.label}
    want |= {item.label for item in items if item.overdue and item.label}
    if incident.severity is not None:
        want.add(names.severity[incident.severity])
    phase = gate.phase(incident)
    want.add(names.phase[phase])
    if incident.confidence is not None:
        want.add(names.confidence[incident.confidence])
    if gate.state == "met":
        want.add(names.gate_met)
    elif gate.state == "blocked":
        want.add(names.gate_blocked)
    managed = {
        *names.severity.values(),
        *names.phase.values(),
        *names.confidence.values(),
        names.gate_met,
        names.checkpoint_overdue,
        *guardrails.labels(config),
    }
    if gate.state == "met" or gate.dismissed:
        managed.add(names.gate_blocked)
    return want, managed - want


def _reply_body(refused: Refused, render: Render) -> str:
    """One reply per refused comment, listing every problem with its line."""
    return _fitting(render, refused.comment.html_url)(
        "reply.md.j2",
        {
            "marker": marker("reply", refused.comment.id),
            "unauthorized": quote(refused.unauthorized) if refused.unauthorized else "",
            "applied": [p.kind for p in refused.records if p.valid],
            "invalid": [p.kind for p in refused.records if not p.valid],
            "errors": [
                {
                    "kind": parsed.kind,
                    "line": finding.line,
                    "field": quote(finding.field),
                    "message": quote(finding.message),
                }
                for parsed in refused.records
                for finding in parsed.errors
            ],
        },
    )


def _who(logins: Iterable[str]) -> str:
    """Logins shown without pinging: the status comment is edited often and must stay quiet."""
    names = [f"`@{x}`" for x in logins]
    return ", ".join(names) if names else "—"


def _time(value: datetime | None, config: Config) -> str:
    if value is None:
        return "—"
    return value.astimezone(config.zone).strftime("%Y-%m-%d %H:%M %Z")


def _follow_up_rows(
    incident: Incident,
    follow_ups: Mapping[str, int],
    states: Mapping[str, str],
    now: datetime,
) -> list[dict[str, Any]]:
    """Each follow-up as people read it: title, owner, due date, issue, overdue ones first."""
    rows = []
    for item in _backlog(incident):
        number = follow_ups.get(item.key)
        state = states.get(item.key, "open") if number is not None else "not opened yet"
        rows.append(
            {
                "title": quote(" ".join(item.title.split())),
                "owner": _who(item.owner),
                "due": item.due.isoformat(),
                "number": number,
                "state": state,
                "overdue": item.due < now.date() and state != "closed",
            }
        )
    return sorted(rows, key=lambda r: (not r["overdue"], r["state"] == "closed", r["due"]))


def backlog_rows(
    incident: Incident,
    follow_ups: Mapping[str, int],
    states: Mapping[str, str],
    now: datetime,
) -> list[dict[str, Any]]:
    """The follow-ups as the status comment lists them; the closure review package too."""
    return _follow_up_rows(incident, follow_ups, states, now)


def _review_row(
    incident: Incident,
    gate: Gate,
    now: datetime,
    config: Config,
    follow_ups: Mapping[str, int],
) -> dict[str, Any] | None:
    """The post-closure review as the status shows it: due, held, follow-ups it opened."""
    found = review.review(incident, gate.state, config)
    if found is None:
        return None
    keys = [filed.key for filed in review.actions(incident)]
    return {
        "due": _time(found.due, config),
        "overdue": found.overdue(now),
        "held": [a.url for a, _ in found.held],
        "actions": len(keys),
        "opened": [follow_ups[k] for k in keys if k in follow_ups],
    }


def _clock_row(item: clock.ClockItem, config: Config) -> dict[str, str]:
    return {"title": quote(item.title), "due": _time(item.due, config), "owners": _who(item.owners)}


def _guardrail_row(guardrail: Guardrail) -> dict[str, str]:
    return {
        "title": guardrail.title,
        "playbook": guardrail.playbook,
        "detail": quote(guardrail.detail),
        "fix": guardrail.fix,
        "source": guardrail.source,
    }


def _postures_and_branches(
    incident: Incident, config: Config, facts: Facts | None
) -> dict[str, Any]:
    """The postures in force (config's words) and the recovery branches (people's names)."""
    read = facts.branches if facts is not None else None
    found = recovery_branches.by_type(read or (), incident.number, config)
    owner = recovery_branches.branch_owner(incident)
    return {
        "postures": " · ".join(
            f"{what} {quote(p.name)}" for what, p in postures.in_force(incident, config)
        ),
        "branches": ", ".join(
            f"`{quote(name)}` ({kind})" for kind, names in found.items() for name in names
        ),
        "branch_owner": _who(owner) if owner else "not named",
    }


def status_context(
    incident: Incident,
    gate: Gate,
    now: datetime,
    config: Config,
    follow_ups: Mapping[str, int],
    follow_up_states: Mapping[str, str] | None = None,
    standing: Iterable[Guardrail] = (),
    held: Sequence[tuple[int, str]] = (),
    facts: Facts | None = None,
) -> dict[str, Any]:
    """Plain data for templates/status.md.j2: all people's text quoted, all times formatted.

    ``held`` are the pull requests the merge freeze holds, as the incident's last
    re-check found them (number and title).

    The comment leads with what needs someone now (overdue items, their owners,
    what blocks closure); the reference material sits in ``<details>``.
    """
    owners = incident.owners
    declaration = incident.declaration
    items = clock_items(incident, gate, now, config)
    deputy = _who(owners.deputy)
    checklist = clock.first_fifteen(incident)
    return {
        "marker": marker("status", incident.number),
        "number": incident.number,
        # One line: the heading must not let a multi-line summary write the comment's sections;
        # a title's length at most, so a 60,000-character summary leaves room for the rest.
        "summary": quote(
            fit_title(
                " ".join((declaration.summary if declaration else incident.issue.title).split())
            )
        ),
        "severity": str(incident.severity or "unknown"),
        # Built by warroom from GitHub's own comment URLs and enums: links stay live.
        "severity_source": incident.severity_history[-1].source
        if incident.severity_history
        else "",
        "phase": str(gate.phase(incident)),
        "confidence": str(incident.confidence or "—"),
        "gate": gate.state,
        "open": incident.issue.state == "open",
        "dismissed": gate.dismissed,
        "commander": _who(owners.commander),
        "deputy": deputy,
        "lanes": [
            (
                lane.value,
                _who(owners.lanes.get(lane, ())),
                # The form makes the deputy every lane's next owner until a record names one.
                _who(owners.next_owners[lane])
                if owners.next_owners.get(lane)
                else f"{deputy} (deputy)",
            )
            for lane in Lane
        ],
        "surfaces": [quote(x) for x in (declaration.impacted_surfaces if declaration else ())],
        "freeze": _freeze_row(incident, config, held),
        "checklist": [(c.title, c.done, c.how) for c in checklist],
        "checklist_done": all(c.done for c in checklist),
        "readiness": [(c.title, c.done, c.how) for c in readiness.checks(incident)],
        "timeline": [
            (f"T+{stage.minute}: {stage.title}", stage.done, _time(stage.due, config))
            for stage in timeline.stages(incident, config)
        ],
        "precheck": "\n".join(readiness.PRECHECK_COMMANDS),
        "overdue": [_clock_row(item, config) for item in items if item.overdue],
        "upcoming": [_clock_row(item, config) for item in items if not item.overdue],
        "conditions": [
            {
                "title": c.title,
                "met": c.met,
                "detail": quote(c.detail),
                "fix": c.fix,
                "group": quote(c.group),
            }
            for c in gate.conditions
        ],
        "unmet": len(gate.unmet),
        "problems": [
            {"field": quote(f.field), "message": quote(f.message), "line": f.line}
            for f in incident.declaration_findings
        ],
        "notes": list(incident.notes),  # warroom's words and GitHub's URLs, nobody's text
        "records": [
            {
                "kind": a.record.kind,
                "author": _who([a.author]),
                "at": _time(a.at, config),
                "url": a.url,
            }
            for a in incident.applied
        ],
        "refused": [r.comment.html_url for r in incident.refused],
        "warnings": [
            {
                "url": comment.html_url,
                "kind": parsed.kind,
                "field": quote(finding.field),
                "message": quote(finding.message),
            }
            for comment, records in incident.warned
            for parsed in records
            if parsed.valid
            for finding in parsed.warnings
        ],
        "follow_ups": _follow_up_rows(incident, follow_ups, follow_up_states or {}, now),
        "review": _review_row(incident, gate, now, config, follow_ups),
        # Posted by the run that finds the gate met (``run_package``): the published timeline.
        "package": gate.state == "met" and publication.published(incident, config),
        "guardrails": [_guardrail_row(g) for g in standing],
        **_postures_and_branches(incident, config, facts),
        "templates": [
            (kind, {f.key: f.template_value for f in SPECS[kind].fields})
            for kind in STATUS_TEMPLATES
        ],
    }


def _freeze_row(
    incident: Incident, config: Config, held: Sequence[tuple[int, str]]
) -> dict[str, Any]:
    """The merge freeze as the status comment shows it: on (what it holds) or why it is off."""
    freeze = freeze_of(incident, config)
    severity = incident.severity
    if freeze is not None:
        why = ""
    elif severity is not None and severity not in config.freeze.severities:
        why = f"a {severity} incident freezes nothing (`freeze.severities`)"
    elif recovered(incident):
        why = "released: the incident has recovered"
    else:
        why = "no impacted surfaces named"
    return {
        "on": freeze is not None,
        "why": why,
        "context": STATUS_CONTEXT,
        "label": quote(config.labels.freeze_held),
        "held": [(n, quote(fit_title(" ".join(t.split()))[:120])) for n, t in held],
    }


def status_effect(
    incident: Incident,
    gate: Gate,
    now: datetime,
    config: Config,
    render: Render,
    *,
    follow_ups: Mapping[str, int],
    cache: Mapping[str, Any],
    follow_up_states: Mapping[str, str] | None = None,
    standing: Iterable[Guardrail] = (),
    held: Sequence[tuple[int, str]] = (),
    facts: Facts | None = None,
) -> UpsertComment:
    """The one status comment, edited in place on every run."""
    context = status_context(
        incident,
        gate,
        now,
        config,
        follow_ups,
        follow_up_states,
        standing=standing,
        held=held,
        facts=facts,
    )
    body = render("status.md.j2", context).rstrip("\n") + "\n\n" + encode_state(cache) + "\n"
    body = fit_body(body, incident.issue.html_url)  # the state is kept whole
    return UpsertComment(incident.number, marker("status", incident.number), body)


def _reminder(
    item: clock.ClockItem, incident: Incident, config: Config, render: Render
) -> UpsertComment:
    mark = marker("reminder", f"{incident.number}.{item.reminder_key}")
    body = _fitting(render, incident.issue.html_url)(
        "reminder.md.j2",
        {
            "marker": mark,
            "title": quote(item.title),
            "due": _time(item.due, config),
            # A reminder exists to page its owners: these mentions are meant.
            "owners": " ".join(f"@{x}" for x in item.owners) or "incident commander",
            "key": item.key,
            "how": item.how,
            "playbook": item.playbook,
        },
    )
    return UpsertComment(incident.number, mark, body)


def _review_notice(
    mark: str, due: review.Review, incident: Incident, config: Config, render: Render
) -> UpsertComment:
    """The review's five questions as a fillable record, pinging the commander (meant)."""
    body = _fitting(render, incident.issue.html_url)(
        "review_notice.md.j2",
        {
            "marker": mark,
            "commander": " ".join(_mention(x) for x in incident.owners.commander),
            "minutes": config.clock.review_minutes,
            "due": _time(due.due, config),
            "questions": list(REVIEW_QUESTIONS.values()),
            "template": {f.key: f.template_value for f in SPECS["review"].fields},
        },
    )
    return UpsertComment(incident.number, mark, body)


def guardrail_marker(incident: int, guardrail: Guardrail) -> str:
    """One notice per occurrence of a guardrail: its rule and its key."""
    return marker("guardrail", f"{incident}.{guardrail.rule}.{guardrail.key}")


def _guardrail_notice(guardrail: Guardrail, incident: Incident, render: Render) -> UpsertComment:
    mark = guardrail_marker(incident.number, guardrail)
    body = _fitting(render, incident.issue.html_url)(
        "guardrail.md.j2", {"marker": mark, **_guardrail_row(guardrail)}
    )
    return UpsertComment(incident.number, mark, body)


def _severity_moved(to_add: Iterable[str], effects: Iterable[Effect], config: Config) -> bool:
    """Whether this run changes a severity label (other labels lagging is no hand change)."""
    severities = {x.lower() for x in config.labels.severity.values()}
    removed = [e.label for e in effects if isinstance(e, RemoveLabel)]
    return any(x.lower() in severities for x in [*to_add, *removed])


def _stamp(when: datetime | None) -> str:
    """A marker key part for one moment (a close, a label change): seconds since the epoch."""
    return str(int(when.timestamp())) if when is not None else "unknown"


def _mention(login: str) -> str:
    """A real mention of a person, for notices meant to reach them (a login is [A-Za-z0-9-])."""
    return f"@{login}" if login and all(c.isalnum() or c == "-" for c in login) else "someone"


def _undo_early_close(
    event: Event | None,
    incident: Incident,
    gate: Gate,
    config: Config,
    render: Render,
    status_url: str,
) -> list[Effect]:
    """Reopen, tell whoever closed it what is missing (once per close), and fail the run."""
    number = incident.number
    closer = (
        event.sender
        if event is not None and event.action == "closed" and not event.sender_is_bot
        else ""
    )
    mark = marker("reopened", f"{number}.{_stamp(incident.issue.closed_at)}")
    if gate.dismissal_missing:
        reason = incident.issue.state_reason or "not planned"
        why = f"closed as {reason.replace('_', ' ')} without an Incident Dismissal record"
        template = {f.key: f.template_value for f in SPECS["dismissal"].fields}
        template["reason"] = "duplicate" if reason == "duplicate" else "false alarm"
        if closer:
            template["dismissed_by"] = f"@{closer}"
    else:
        why = "closed before the closure gate was met"
        template = {}
    body = _fitting(render, incident.issue.html_url)(
        "reopened.md.j2",
        {
            "marker": mark,
            "closer": _mention(closer) if closer else "",
            "why": why,
            "dismissal": gate.dismissal_missing,
            "template": template,
            "missing": [
                {"title": c.title, "detail": quote(c.detail), "fix": c.fix} for c in gate.unmet
            ],
            "status_url": status_url,
        },
    )
    if gate.dismissal_missing:
        failure = (
            f"Incident #{number} was {why} and has been reopened. To close it as no incident, "
            "post an Incident Dismissal record (the notice on the issue has it filled in)."
        )
    else:
        reasons = "; ".join(c.title for c in gate.unmet)
        failure = (
            f"Incident #{number} was closed before the closure gate was met and has "
            f"been reopened. Missing: {reasons}."
        )
    return [
        Reopen(number, why),
        UpsertComment(number, mark, body),
        Fail(failure),
    ]


def plan_incident(
    event: Event | None,
    incident: Incident,
    now: datetime,
    config: Config,
    render: Render,
    *,
    own_markers: Iterable[str],
    cache: Mapping[str, Any],
    status_url: str = "",
    state_key: str = "",
    facts: Facts | None = None,
) -> Plan:
    """Decide everything for one incident. ``own_markers`` are warroom's existing comments;
    ``status_url`` links the status comment from notices (empty before it exists);
    ``facts`` are what the shell read for the guardrails beyond the issue and its comments."""
    existing = set(own_markers)
    names = config.labels
    gate = evaluate_gate(incident, config)
    effects: list[Effect] = []
    log: list[str] = []
    # A dismissed or closed incident needs no more guardrails: the response is over.
    standing = (
        guardrails.evaluate(incident, config, facts or Facts(now))
        if incident.issue.state == "open" or gate.state == "blocked"
        else ()
    )

    items = clock_items(incident, gate, now, config)

    # Labels: create what is new to the repository, then converge the issue's labels.
    want, unwanted = desired_labels(incident, gate, config, standing, items)
    present = {x.lower() for x in incident.issue.labels}
    catalog = label_catalog(config)
    to_add = sorted(x for x in want if x.lower() not in present)
    if "labels" not in cache:
        # First run on this incident: make every label warroom uses exist, coloured and
        # described, once (one listing when they already do), so later runs need no check.
        effects += list(catalog.values())
    else:
        ensured = {str(x).lower() for x in cache["labels"]}
        effects += [catalog[x] for x in to_add if x in catalog and x.lower() not in ensured]
    if to_add:
        effects.append(AddLabels(incident.number, tuple(to_add)))
    effects += [RemoveLabel(incident.number, x) for x in sorted(unwanted) if x.lower() in present]

    # Severity is revised only with evidence: a hand-made change is put back, with the how.
    if (
        event is not None
        and event.action in {"labeled", "unlabeled"}
        and not event.sender_is_bot
        and event.label in set(names.severity.values())
        and _severity_moved(to_add, effects, config)
    ):
        # One notice per hand change, so the person who made it is told (an edit notifies nobody).
        mark = marker("severity-guard", f"{incident.number}.{_stamp(incident.issue.updated_at)}")
        effects.append(
            UpsertComment(
                incident.number,
                mark,
                _fitting(render, incident.issue.html_url)(
                    "severity_guard.md.j2",
                    {
                        "marker": mark,
                        "severity": str(incident.severity or ""),
                        "sender": _mention(event.sender),
                        "change": "added" if event.action == "labeled" else "removed",
                        "label": quote(event.label or ""),
                        "source": quote(incident.severity_history[-1].source)
                        if incident.severity_history
                        else "",
                    },
                ),
            )
        )
        log.append(f"put the severity label back to {incident.severity or 'none declared'}")

    # Owners: the commander and deputy are assignees, on every run and sweep, so a failed
    # first run is finished by any later one (the adapter skips people already assigned).
    if incident.declaration is not None:
        assignees = tuple(dict.fromkeys((*incident.owners.commander, *incident.owners.deputy)))
        if assignees:
            effects.append(Assign(incident.number, assignees))

    # Replies to refused comments; replies whose comment is now fine are removed.
    wanted_replies = set()
    for refused in incident.refused:
        mark = marker("reply", refused.comment.id)
        wanted_replies.add(mark)
        effects.append(UpsertComment(incident.number, mark, _reply_body(refused, render)))
    effects += [
        DeleteComment(incident.number, mark)
        for mark in sorted(existing)
        if mark.startswith("<!-- warroom:reply:") and mark not in wanted_replies
    ]

    # Follow-ups are opened as soon as their records are applied.
    # Follow-ups are opened by the runs of the incident's own events, which GitHub queues one
    # at a time; a sweep runs beside them and must not race them to open the same issue.
    if event is not None:
        known = cache.get("follow_ups", {})
        opened = set(known) if isinstance(known, dict) else set()
        effects += [
            e for e in follow_up_effects(incident, config, render, state_key) if e.key not in opened
        ]

    # The gate: an early close is undone, with one notice to whoever closed it.
    if gate.state == "blocked":
        effects += _undo_early_close(event, incident, gate, config, render, status_url)
    elif incident.issue.state == "closed" and incident.issue.state_reason in DISMISSED:
        log.append("closed as not planned/duplicate with a dismissal record")

    # A closure that stands: the post-closure review's questions, once per closure.
    due_review = review.review(incident, gate.state, config)
    if due_review is not None and not due_review.held:
        mark = marker("review", f"{incident.number}.{due_review.stamp}")
        if mark not in existing:
            effects.append(_review_notice(mark, due_review, incident, config, render))

    # Reminders for what the clock says is overdue, once the latest record has had its minute:
    # a responder posting several records at once is not reminded of the one still to come.
    latest = max(
        (*(a.at for a in incident.applied), *(r.comment.created_at for r in incident.refused)),
        default=None,
    )
    quiet = latest is None or now - latest >= REMINDER_QUIET
    for item in items if quiet else ():
        if item.overdue and item.reminder_key:
            mark = marker("reminder", f"{incident.number}.{item.reminder_key}")
            if mark not in existing:
                effects.append(_reminder(item, incident, config, render))

    # Guardrails: each occurrence is told once, under the incident (the status lists them all).
    for guardrail in standing:
        if guardrail_marker(incident.number, guardrail) not in existing:
            effects.append(_guardrail_notice(guardrail, incident, render))

    outputs = {
        "incident": str(incident.number),
        "severity": str(incident.severity or ""),
        "phase": str(gate.phase(incident)),
        "gate": gate.state,
        "blocked-reasons": json.dumps(
            [c.title for c in gate.unmet] if gate.state == "blocked" else []
        ),
    }
    return Plan(incident.number, gate, tuple(effects), outputs, tuple(log), standing)
