"""The playbook's hard gate: close only when every condition is true.

This module is the only place that decides whether an incident may close. Each
condition is evaluated from applied records alone and, when unmet, names the
record that would meet it, so the status comment can say exactly what to post.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.config import Config
from warroom.incident import Incident
from warroom.model import Confidence, Decision, RerunResult, Status
from warroom.records.models import (
    Closure,
    DecisionRecord,
    Handoff,
    LeadershipNote,
    StakeholderUpdate,
    VerificationRecord,
)
from warroom.records.reading import says_none

_RANK = {Confidence.L1: 1, Confidence.L2: 2, Confidence.L3: 3}


@dataclass(frozen=True)
class Condition:
    """One gate condition: its playbook wording, whether it holds, and the fix."""

    key: str
    title: str
    met: bool
    detail: str
    fix: str = ""
    group: str = ""
    """The scenario whose evidence minimum this is; ``""`` for the playbook's own conditions."""


def _ownership(incident: Incident) -> Condition:
    title = "severity and ownership recorded"
    owners = incident.owners
    missing = [lane.value for lane, who in owners.lanes.items() if not who]
    if incident.severity is None:
        return Condition(
            "ownership",
            title,
            False,
            "no severity on record",
            "fix the issue form's Severity (edit the issue)",
        )
    if not owners.commander or missing:
        what = "incident commander" if not owners.commander else f"owner of {', '.join(missing)}"
        return Condition(
            "ownership",
            title,
            False,
            f"no {what}",
            "fill the owner graph in the issue form, or post a Handoff Record",
        )
    return Condition(
        "ownership",
        title,
        True,
        f"{incident.severity}, commander " + ", ".join(f"@{x}" for x in owners.commander),
    )


def _mitigation_time(incident: Incident) -> datetime | None:
    times = [
        record.timestamp
        for _, record in incident.records(DecisionRecord)
        if record.decision in (Decision.CONTINUE, Decision.ROLLBACK)
    ]
    return max(times) if times else None


def _rerun(incident: Incident) -> Condition:
    title = "mitigation executed and verified with fresh rerun evidence"
    mitigated = _mitigation_time(incident)
    if mitigated is None:
        return Condition(
            "rerun",
            title,
            False,
            "no mitigation decision on record",
            "post a Checkpoint Decision Record (continue mitigation or rollback)",
        )
    reruns = [r for _, r in incident.records(VerificationRecord) if r.timestamp > mitigated]
    if not reruns:
        return Condition(
            "rerun",
            title,
            False,
            f"no rerun recorded after the mitigation decision of {mitigated:%Y-%m-%d %H:%M %Z}",
            "post a Verification Rerun Record with commands, outputs and Result: green, "
            "timestamped after the mitigation",
        )
    latest = max(reruns, key=lambda r: r.timestamp)
    if latest.result is not RerunResult.GREEN:
        return Condition(
            "rerun",
            title,
            False,
            f"the latest rerun ({latest.timestamp:%Y-%m-%d %H:%M %Z}) is red",
            "fix and rerun, then post a Verification Rerun Record with Result: green",
        )
    return Condition(
        "rerun",
        title,
        True,
        f"green rerun at {latest.timestamp:%Y-%m-%d %H:%M %Z} on {latest.revision}",
    )


def _watch(incident: Incident) -> Condition:
    title = "rollback trigger and owner documented for the 24h watch window"
    trigger = None
    owner: tuple[str, ...] = ()
    for applied in incident.applied:
        record = applied.record
        if isinstance(record, Handoff | Closure):
            trigger = record.rollback_trigger
        if isinstance(record, LeadershipNote | Closure):
            owner = record.watch_owner
    if not trigger or not owner:
        missing = " and no ".join(
            x for x, ok in (("rollback trigger", trigger), ("24h watch owner", owner)) if not ok
        )
        return Condition(
            "watch",
            title,
            False,
            f"no {missing} on record",
            "post an Incident Closure Record (Rollback trigger, 24h watch owner) "
            "or a Handoff Record and an Incident Leadership Note",
        )
    return Condition("watch", title, True, "watch owner " + ", ".join(f"@{x}" for x in owner))


def _residual(incident: Incident) -> Condition:
    title = 'residual risks explicit (not "none")'
    statement = None
    for applied in incident.applied:
        record = applied.record
        if isinstance(record, VerificationRecord):
            statement = record.residual_risk
        elif isinstance(record, Closure):
            statement = record.residual_risks
        elif isinstance(record, DecisionRecord) and record.residual_risk:
            statement = record.residual_risk
    if statement is None:
        return Condition(
            "residual",
            title,
            False,
            "no residual risk statement on record",
            "write Residual risk in a Verification Rerun Record or Closure Record",
        )
    if says_none(statement):
        return Condition(
            "residual",
            title,
            False,
            "the latest residual risk says none",
            "name what could still go wrong, and how you would notice it",
        )
    return Condition("residual", title, True, excerpt(statement))


def excerpt(text: str, limit: int = 160) -> str:
    """The statement itself, on one line, cut at a word near ``limit``: the status shows it."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " …"


def _follow_ups(incident: Incident, config: Config) -> Condition:
    title = "hardening follow-ups assigned with owners and due dates"
    kinds = {record.followup_kind.value for _, record in incident.follow_ups}
    missing = [k for k in config.closure.required_follow_up_kinds if k not in kinds]
    if missing:
        return Condition(
            "follow-ups",
            title,
            False,
            "missing: " + ", ".join(missing),
            "post a Hardening Follow-up record for each: "
            + ", ".join(f"Kind: {k}" for k in missing),
        )
    return Condition("follow-ups", title, True, f"{len(incident.follow_ups)} on record")


def _comms(incident: Incident) -> Condition:
    title = "communications timeline complete"
    updates = incident.records(StakeholderUpdate)
    if not updates:
        return Condition(
            "comms",
            title,
            False,
            "no stakeholder update on record",
            "post a Stakeholder Update (Status: recovered)",
        )
    last = updates[-1][1]
    if last.status is not Status.RECOVERED:
        return Condition(
            "comms",
            title,
            False,
            f"the latest stakeholder update says {last.status}",
            "post a Stakeholder Update with Status: recovered",
        )
    return Condition(
        "comms",
        title,
        True,
        f"{len(updates)} update{'s' if len(updates) != 1 else ''}, ending recovered",
    )


def _confidence(incident: Incident, config: Config) -> Condition:
    wanted = config.closure.min_confidence
    title = f"confidence at least {wanted} (never close on L1)"
    have = incident.confidence
    if have is None:
        return Condition(
            "confidence",
            title,
            False,
            "no confidence level on record",
            f"state Current confidence level: {wanted} in an Incident Leadership Note "
            "or Closure Record",
        )
    if _RANK[have] < _RANK[wanted]:
        return Condition(
            "confidence",
            title,
            False,
            f"the latest confidence is {have}",
            f"gather the evidence for {wanted}, then say so in a Leadership Note",
        )
    return Condition("confidence", title, True, str(have))


def evaluate(incident: Incident, config: Config) -> tuple[Condition, ...]:
    """Every condition, in the playbook's order, then the scenario's evidence minimum."""
    from warroom.rules import scenario_evidence  # it builds on this module's Condition

    return (
        _ownership(incident),
        _rerun(incident),
        _watch(incident),
        _residual(incident),
        _follow_ups(incident, config),
        _comms(incident),
        _confidence(incident, config),
        *scenario_evidence.conditions(incident, config),
    )


def is_met(conditions: tuple[Condition, ...]) -> bool:
    return all(c.met for c in conditions)
