"""An incident's state, derived from its issue and comments on every run.

Nothing is remembered between runs except as a hint: the issue body (the
declaration) and the records in comments are the source of truth, so editing
or deleting a comment changes the state the next run derives, and a rerun
derives the same state again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from warroom.authority import authorization
from warroom.config import Config
from warroom.declaration import IncidentDeclaration, read_declaration
from warroom.model import (
    CommentSnapshot,
    Confidence,
    Finding,
    IssueSnapshot,
    Phase,
    Severity,
)
from warroom.parsing.forms import bundled_form, parse_form
from warroom.parsing.records import read_records
from warroom.records.models import (
    AnyRecord,
    DecisionRecord,
    Dismissal,
    Escalation,
    FollowUp,
    Handoff,
    Snapshot,
)
from warroom.records.types import ParsedRecord

R = TypeVar("R", bound=AnyRecord)


class Lane(StrEnum):
    """The four-lane recovery model."""

    TRIAGE = "triage"
    MITIGATION = "mitigation"
    VERIFICATION = "verification"
    COMMS = "comms"


@dataclass(frozen=True)
class Owners:
    """The owner graph declared in the form, with its later changes applied."""

    commander: tuple[str, ...] = ()
    deputy: tuple[str, ...] = ()
    lanes: Mapping[Lane, tuple[str, ...]] = field(default_factory=dict)
    next_owners: Mapping[Lane, tuple[str, ...]] = field(default_factory=dict)
    """Next owners named by records; a lane without one falls to the deputy."""

    def next_owner(self, lane: Lane) -> tuple[str, ...]:
        """Who takes the lane next: the one a record named, else the deputy."""
        return self.next_owners.get(lane) or self.deputy


@dataclass(frozen=True)
class Applied:
    """A valid record from an authorized responder, where it was written."""

    record: AnyRecord
    comment_id: int
    author: str
    at: datetime
    url: str


@dataclass(frozen=True)
class Refused:
    """A comment whose records were not applied, and why (shown in one reply)."""

    comment: CommentSnapshot
    records: tuple[ParsedRecord, ...]
    unauthorized: str | None = None
    """Why the author may not change the incident; ``None`` when the records are invalid."""


@dataclass(frozen=True)
class SeverityChange:
    """Severity as declared or as revised with evidence."""

    severity: Severity
    source: str
    at: datetime


@dataclass(frozen=True)
class Incident:
    """Everything the rules look at; built by ``derive`` and never mutated."""

    issue: IssueSnapshot
    declaration: IncidentDeclaration | None
    owners: Owners
    declaration_findings: tuple[Finding, ...]
    applied: tuple[Applied, ...]
    refused: tuple[Refused, ...]
    warned: tuple[tuple[CommentSnapshot, tuple[ParsedRecord, ...]], ...]
    severity_history: tuple[SeverityChange, ...]
    notes: tuple[str, ...] = ()
    """Things the status comment should say that are not errors (an unevidenced severity)."""

    @property
    def number(self) -> int:
        return self.issue.number

    @property
    def severity(self) -> Severity | None:
        return self.severity_history[-1].severity if self.severity_history else None

    def records(self, kind: type[R]) -> list[tuple[Applied, R]]:
        """Applied records of one kind, oldest first."""
        return [(a, a.record) for a in self.applied if isinstance(a.record, kind)]

    def latest(self, kind: type[R]) -> R | None:
        found = self.records(kind)
        return found[-1][1] if found else None

    @property
    def phase(self) -> Phase:
        snapshot = self.latest(Snapshot)
        return snapshot.phase if snapshot else Phase.DETECTION

    @property
    def confidence(self) -> Confidence | None:
        """The latest confidence any record stated (decision, leadership note, closure)."""
        latest: Confidence | None = None
        for applied in self.applied:
            record = applied.record
            confidence = getattr(record, "confidence", None)
            if isinstance(confidence, Confidence):
                latest = confidence
        return latest

    @property
    def next_checkpoint(self) -> tuple[datetime, tuple[str, ...]] | None:
        """The latest committed checkpoint time and who owns it."""
        found: tuple[datetime, tuple[str, ...]] | None = None
        for applied in self.applied:
            record = applied.record
            if isinstance(record, Snapshot):
                found = (record.next_checkpoint_at, record.next_owner)
            elif isinstance(record, DecisionRecord) and record.next_checkpoint_at is not None:
                found = (record.next_checkpoint_at, record.next_owner or record.execution_owner)
            elif isinstance(record, Handoff):
                found = (record.next_checkpoint_at, record.to_owner)
        return found

    @property
    def follow_ups(self) -> list[tuple[Applied, FollowUp]]:
        return self.records(FollowUp)

    @property
    def dismissal(self) -> Dismissal | None:
        return self.latest(Dismissal)


def _lanes_from(declaration: IncidentDeclaration | None) -> Owners:
    """The form's owner graph as the lane tracker: the deputy is every lane's next owner."""
    if declaration is None:
        return Owners(lanes=dict.fromkeys(Lane, ()), next_owners=dict.fromkeys(Lane, ()))
    commander = declaration.incident_commander
    deputy = declaration.deputy
    lanes = {
        Lane.TRIAGE: commander,
        Lane.MITIGATION: declaration.mitigation_owner,
        Lane.VERIFICATION: declaration.verification_owner,
        Lane.COMMS: declaration.communications_owner,
    }
    return Owners(
        commander=commander,
        deputy=deputy,
        lanes=lanes,
        # No lane has a named next owner yet: the deputy stands in (``Owners.next_owner``).
        next_owners=dict.fromkeys(Lane, ()),
    )


def _apply_owners(owners: Owners, record: AnyRecord) -> Owners:
    """Owners move with the records that name them: decisions, snapshots, handoffs."""
    lanes = dict(owners.lanes)
    next_owners = dict(owners.next_owners)
    commander = owners.commander
    if isinstance(record, Snapshot):
        commander = record.incident_commander
        lanes[Lane.TRIAGE] = record.incident_commander
        next_owners[Lane.TRIAGE] = record.next_owner
    elif isinstance(record, DecisionRecord):
        lanes[Lane.MITIGATION] = record.execution_owner
        lanes[Lane.VERIFICATION] = record.verification_owner
    elif isinstance(record, Handoff):
        handed = {x.lower() for x in record.from_owner}
        for lane, who in list(lanes.items()):
            if handed & {x.lower() for x in who}:
                lanes[lane] = record.to_owner
    elif isinstance(record, Escalation):
        next_owners[Lane.COMMS] = record.owner
    return Owners(commander=commander, deputy=owners.deputy, lanes=lanes, next_owners=next_owners)


def owner_timeline(incident: Incident) -> tuple[Owners, list[tuple[Applied, Owners]]]:
    """The owner graph as the form declared it, then after each record that moves it.

    ``incident.owners`` is only the last of these; rules that judge a moment
    (hero mode, after each handoff) need the ones before it.
    """
    declared = owners = _lanes_from(incident.declaration)
    moves: list[tuple[Applied, Owners]] = []
    for applied in incident.applied:
        moved = _apply_owners(owners, applied.record)
        if moved != owners:
            moves.append((applied, moved))
        owners = moved
    return declared, moves


def _severity_evidence(records: Sequence[ParsedRecord]) -> Severity | None:
    """The severity a comment revises to, if it carries evidence for it.

    "Revise only with evidence": a Checkpoint Decision Record (whose Evidence
    reviewed is required) naming a severity in its evidence packet, or a
    snapshot posted together with such a decision record.
    """
    models = [r.model for r in records if r.model is not None]
    decisions = [m for m in models if isinstance(m, DecisionRecord)]
    if not decisions:
        return None
    for decision in decisions:
        if decision.severity is not None:
            return decision.severity
    snapshots = [m for m in models if isinstance(m, Snapshot)]
    return snapshots[-1].severity if snapshots else None


def people_records(
    comments: Iterable[CommentSnapshot], config: Config
) -> list[tuple[CommentSnapshot, Sequence[ParsedRecord]]]:
    """People's comments that hold at least one record, with the records read from them.

    Bots' comments are never records (warroom's own are found by their marker).
    One reading for every caller (the run, the messages, the report), so all
    three see the same records in the same comments.
    """
    found: list[tuple[CommentSnapshot, Sequence[ParsedRecord]]] = []
    for comment in comments:
        if comment.author_is_bot:
            continue
        records = read_records(comment.body, config, reference=comment.created_at)
        if records:
            found.append((comment, records))
    return found


def from_issue(
    issue: IssueSnapshot,
    people: Iterable[tuple[CommentSnapshot, Sequence[ParsedRecord]]],
    *,
    permissions: Mapping[str, str],
    config: Config,
    recorded: Collection[int] = (),
) -> Incident:
    """``derive`` with the declaration read from the issue's form body, as every caller needs."""
    reading = read_declaration(parse_form(issue.body, bundled_form("incident")), config)
    return derive(
        issue,
        declaration=reading.value,
        declaration_findings=reading.findings,
        comments=people,
        permissions=permissions,
        config=config,
        recorded=recorded,
    )


def derive(
    issue: IssueSnapshot,
    *,
    declaration: IncidentDeclaration | None,
    declaration_findings: Iterable[Finding],
    comments: Iterable[tuple[CommentSnapshot, Sequence[ParsedRecord]]],
    permissions: Mapping[str, str],
    config: Config,
    recorded: Collection[int] = (),
) -> Incident:
    """Fold the records of every comment, oldest first, into the incident's state.

    ``comments`` holds only people's comments with at least one record;
    ``permissions`` maps their authors (lower-case) to their permission, and
    ``recorded`` names the comments an earlier run applied, unchanged since:
    those count whatever their author's access is now.
    """
    owners = _lanes_from(declaration)
    history: list[SeverityChange] = []
    if declaration is not None:
        history.append(
            SeverityChange(declaration.severity, "declared in the issue form", issue.created_at)
        )
    applied: list[Applied] = []
    refused: list[Refused] = []
    warned: list[tuple[CommentSnapshot, tuple[ParsedRecord, ...]]] = []
    notes: list[str] = []
    for comment, records in sorted(comments, key=lambda pair: (pair[0].created_at, pair[0].id)):
        records = tuple(records)
        if not records:
            continue
        why_not = (
            None
            if comment.id in recorded
            else authorization(
                comment.author, permissions.get(comment.author.lower(), "none"), config
            )
        )
        if why_not is not None:
            refused.append(Refused(comment, records, unauthorized=why_not))
            continue
        if any(not r.valid for r in records):
            refused.append(Refused(comment, records))
        if any(r.warnings for r in records):
            warned.append((comment, records))
        valid = [r for r in records if r.model is not None]
        for parsed in valid:
            assert parsed.model is not None
            applied.append(
                Applied(
                    parsed.model, comment.id, comment.author, comment.created_at, comment.html_url
                )
            )
            owners = _apply_owners(owners, parsed.model)
        revised = _severity_evidence(valid)
        current = history[-1].severity if history else None
        if revised is not None and revised != current:
            history.append(
                SeverityChange(
                    revised, f"revised with evidence in {comment.html_url}", comment.created_at
                )
            )
        else:
            for parsed in valid:
                stated = getattr(parsed.model, "severity", None)
                if isinstance(stated, Severity) and current is not None and stated != current:
                    notes.append(
                        f"{comment.html_url} says {stated} but the incident stays {current}: "
                        "severity is revised only with evidence, by a Checkpoint Decision Record "
                        f"whose evidence packet says `Severity: {stated}`"
                    )
    return Incident(
        issue=issue,
        declaration=declaration,
        owners=owners,
        declaration_findings=tuple(declaration_findings),
        applied=tuple(applied),
        refused=tuple(refused),
        warned=tuple(warned),
        severity_history=tuple(history),
        notes=tuple(notes),
    )
