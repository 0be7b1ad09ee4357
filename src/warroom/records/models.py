"""Typed war-room records: what a valid block means, in the playbook's vocabulary.

A model is built only from values that were read without a problem, so code
that derives incident state (labels, the clock, the closure gate) compares
canonical values and never re-reads text. Optional fields are the "beyond the
block" statements the playbook asks of advanced responders; ``None`` means the
responder left them out (the record is still valid, with warnings).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from warroom.model import (
    Confidence,
    Decision,
    DismissalReason,
    FollowUpKind,
    Phase,
    RerunResult,
    Rung,
    Severity,
    Status,
)

Logins = tuple[str, ...]


class RecordModel(BaseModel):
    """Base of every typed record; ``kind`` names the block it was read from."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    kind: ClassVar[str]


class Snapshot(RecordModel):
    """``### Incident Command Snapshot``: who commands, where we are, when we look again."""

    kind: ClassVar[str] = "snapshot"

    incident_id: str
    severity: Severity
    incident_commander: Logins
    phase: Phase
    latest_stable_revision: str
    candidate_mitigation_path: str
    risk_if_we_wait: str
    next_checkpoint_at: datetime
    next_owner: Logins
    merge_owner: Logins | None = None
    branch_owner: Logins | None = None


class DecisionRecord(RecordModel):
    """``### Checkpoint Decision Record``, plus the advanced statements when given."""

    kind: ClassVar[str] = "decision"

    timestamp: datetime
    evidence_reviewed: str
    decision: Decision
    why_now: str
    rejected_alternatives: str
    execution_owner: Logins
    verification_owner: Logins
    # Decision quality guardrails and the confidence ladder.
    reversibility: str | None = None
    blast_radius: str | None = None
    verification_signal: str | None = None
    confidence: Confidence | None = None
    # The reversible decision ladder and the contradiction protocol.
    rung: Rung | None = None
    recommendation_a: str | None = None
    recommendation_b: str | None = None
    # The evidence packet every major checkpoint carries.
    severity: Severity | None = None
    impact: str | None = None
    commands: str | None = None
    outputs: str | None = None
    residual_risk: str | None = None
    next_checkpoint_at: datetime | None = None
    next_owner: Logins | None = None
    # Postures, the lanes' files and who merges them, who owns the recovery branches.
    posture_exception: str | None = None
    surfaces: tuple[str, ...] | None = None
    merge_owner: Logins | None = None
    branch_owner: Logins | None = None
    # A readiness check: the rollback path confirmed executable after the form was filed.
    rollback_ready: str | None = None


class LeadershipNote(RecordModel):
    """``### Incident Leadership Note``: the short, explicit note that stops re-litigation."""

    kind: ClassVar[str] = "leadership"

    what_happened: str
    why_this_path: str
    confidence: Confidence
    uncertainties: str
    leadership_ask: str
    watch_owner: Logins


class Escalation(RecordModel):
    """The internal engineering escalation, ``[INCIDENT][SEV-X] <short summary>`` first."""

    kind: ClassVar[str] = "escalation"

    severity: Severity
    summary: str
    impact: str
    current_decision: str
    immediate_ask: str
    next_update: datetime
    owner: Logins


class StakeholderUpdate(RecordModel):
    """The stakeholder update: plain language, and a committed time for the next one."""

    kind: ClassVar[str] = "stakeholder"

    status: Status
    customer_impact: str
    current_mitigation: str
    known_unknowns: str
    next_update: datetime


class VerificationRecord(RecordModel):
    """A rerun with its commands and outputs.

    The playbook: "confidence language cannot replace command evidence".
    """

    kind: ClassVar[str] = "verification"

    timestamp: datetime
    revision: str
    commands: str
    outputs: str
    result: RerunResult
    residual_risk: str
    owner: Logins


class Handoff(RecordModel):
    """The handoff acceptance test's four items, between two named owners."""

    kind: ClassVar[str] = "handoff"

    from_owner: Logins
    to_owner: Logins
    scope_boundary: str
    unresolved_unknowns: str
    next_checkpoint_at: datetime
    rollback_trigger: str
    surfaces: tuple[str, ...] | None = None
    """The paths the receiving owner's lane edits (the merge-owner rule)."""


class FollowUp(RecordModel):
    """One hardening backlog item with an owner and a due date."""

    kind: ClassVar[str] = "followup"

    title: str
    followup_kind: FollowUpKind
    owner: Logins
    due: date
    acceptance_criteria: str


class Closure(RecordModel):
    """The closure review: one record answering each condition of the hard gate."""

    kind: ClassVar[str] = "closure"

    mitigation: str
    verification_evidence: str
    residual_risks: str
    rollback_trigger: str
    watch_owner: Logins
    followups: str
    comms_timeline: str
    confidence: Confidence
    followup_refs: tuple[int, ...] = ()
    """Issue numbers (``#123`` or issue URLs) named under ``Hardening follow-ups``."""


class Dismissal(RecordModel):
    """Closing without the recovery gate because it never was an incident, or is one already."""

    kind: ClassVar[str] = "dismissal"

    reason: DismissalReason
    evidence: str
    dismissed_by: Logins
    duplicate_of: int | None = None
    """The incident this one duplicates, read from ``Evidence`` (``#123``)."""


class ScenarioEvidence(RecordModel):
    """One item of the scenario's evidence minimum (a failing endpoint list, a replay boundary).

    ``item`` is matched against the incident's scenario in the config, not
    here: the record is read the same way whatever the scenario.
    """

    kind: ClassVar[str] = "evidence"

    item: str
    evidence: str
    collected_by: Logins
    timestamp: datetime


class SignOff(RecordModel):
    """One person's sign-off in a role the scenario names (the data owner, the commander)."""

    kind: ClassVar[str] = "signoff"

    role: str
    signed_by: Logins
    scope: str
    timestamp: datetime


class ReviewAction(BaseModel):
    """A backlog item one answer of a Post-Closure Review names: it becomes a follow-up issue."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    question: str
    """The key of the answer it is written under (``signal``, ``guardrail``, ...)."""
    title: str
    owner: Logins
    due: date


class PostClosureReview(RecordModel):
    """``### Post-Closure Review``: the playbook's five questions, answered right after closure."""

    kind: ClassVar[str] = "review"

    signal: str
    checkpoint: str
    ownership: str
    guardrail: str
    metric: str
    actions: tuple[ReviewAction, ...] = ()
    """Read from ``Action:`` lines under the answers (``warroom.records.actions``)."""


AnyRecord = (
    Snapshot
    | DecisionRecord
    | LeadershipNote
    | Escalation
    | StakeholderUpdate
    | VerificationRecord
    | Handoff
    | FollowUp
    | Closure
    | Dismissal
    | ScenarioEvidence
    | SignOff
    | PostClosureReview
)
