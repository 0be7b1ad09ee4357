"""The playbook's 60-minute command timeline, for incidents whose severity is unclear.

"Use this timeline when severity is unclear but impact is real." It applies
when the incident form says the severity is unclear (its Severity unclear
box), or when the severity was revised in the first hour. Each stage is due
at its minute after the incident was opened; if its evidence is missing by
then, the clock nudges the commander once for that stage (the reminder is
keyed by the stage, so later sweeps never repeat it).

Each stage's evidence, read from the records (documented in the README):

- T+10, severity hypothesis and commander: a commander is named, and an
  Incident Command Snapshot or a Checkpoint Decision Record stating
  ``Severity`` confirms the hypothesis.
- T+20, mitigation options and rollback readiness: a snapshot (its Candidate
  mitigation path) or a decision record (its Rejected alternatives) weighs the
  options, and the rollback path is confirmed executable (the form's box, or
  ``Rollback readiness: confirmed ...`` in a decision record).
- T+35, one branch executed, with no parallel contradictory mitigations: the
  latest decision record executes a branch (``continue mitigation`` or
  ``rollback``) and no decision record by another person in the
  ``clock.reassess_minutes`` before it decided otherwise.
- T+50, verification compared against the baseline: a Verification Rerun
  Record, with baseline evidence on file (the form's, or the precheck output
  in the first decision record).
- T+60, a decision note and the next checkpoint: a decision record or an
  Incident Leadership Note posted since T+35, and a next checkpoint committed
  for after T+60.

Pure: reads the incident, never the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.config import Config
from warroom.incident import Applied, Incident
from warroom.model import Decision
from warroom.records.models import DecisionRecord, LeadershipNote, Snapshot, VerificationRecord
from warroom.rules import readiness

WINDOW = timedelta(minutes=60)
"""The timeline's hour; a severity revised within it calls for the timeline too."""
EXECUTING = frozenset({Decision.CONTINUE, Decision.ROLLBACK})
"""Decisions that execute a branch (``escalate+pause`` holds it)."""


@dataclass(frozen=True)
class Stage:
    """One stage of the timeline as this run sees it."""

    minute: int
    title: str
    playbook: str
    """The stage as the playbook writes it."""
    due: datetime
    done: bool
    how: str
    """What to post to meet it: warroom's words."""

    @property
    def key(self) -> str:
        """Stable per stage: its reminder is posted once."""
        return f"t{self.minute}"


def applies(incident: Incident) -> bool:
    """Severity is unclear: the form says so, or severity was revised within the first hour."""
    declaration = incident.declaration
    if declaration is not None and declaration.severity_unclear:
        return True
    opened = incident.issue.created_at
    return any(change.at - opened <= WINDOW for change in incident.severity_history[1:])


def _decisions(incident: Incident) -> list[tuple[Applied, DecisionRecord]]:
    return incident.records(DecisionRecord)


def _severity_confirmed(incident: Incident, config: Config, due: datetime) -> bool:
    stated = bool(incident.records(Snapshot)) or any(
        record.severity is not None for _, record in _decisions(incident)
    )
    return bool(incident.owners.commander) and stated


def _options_and_rollback(incident: Incident, config: Config, due: datetime) -> bool:
    weighed = bool(incident.records(Snapshot) or _decisions(incident))
    return weighed and readiness.rollback_confirmed(incident)


def _one_branch(incident: Incident, config: Config, due: datetime) -> bool:
    decisions = _decisions(incident)
    if not decisions or decisions[-1][1].decision not in EXECUTING:
        return False
    last_applied, last = decisions[-1]
    since = last_applied.at - timedelta(minutes=config.clock.reassess_minutes)
    return not any(
        applied.at >= since
        and applied.author.lower() != last_applied.author.lower()
        and record.decision != last.decision
        for applied, record in decisions[:-1]
    )


def _verified(incident: Incident, config: Config, due: datetime) -> bool:
    return readiness.baseline_captured(incident) and bool(incident.records(VerificationRecord))


def _decision_note(incident: Incident, config: Config, due: datetime) -> bool:
    after = incident.issue.created_at + timedelta(minutes=35)
    noted = any(
        isinstance(a.record, DecisionRecord | LeadershipNote) and a.at >= after
        for a in incident.applied
    )
    checkpoint = incident.next_checkpoint
    return noted and checkpoint is not None and checkpoint[0] > due


Evidence = Callable[[Incident, Config, datetime], bool]

STAGES: tuple[tuple[int, str, str, Evidence, str], ...] = (
    (
        10,
        "severity hypothesis and commander",
        "T+00–10: confirm severity hypothesis, freeze risky merges, assign commander + deputy.",
        _severity_confirmed,
        "post an Incident Command Snapshot stating the severity hypothesis and the commander",
    ),
    (
        20,
        "mitigation options and rollback readiness",
        "T+10–20: establish mitigation branch options and rollback readiness.",
        _options_and_rollback,
        "post a snapshot or decision record weighing the options, and confirm the rollback "
        "path (tick Rollback readiness in the form, or `Rollback readiness: confirmed: ...`)",
    ),
    (
        35,
        "one branch executed, no parallel contradictory mitigations",
        "T+20–35: execute one branch decisively; avoid parallel contradictory mitigations.",
        _one_branch,
        'post one Checkpoint Decision Record deciding "continue mitigation" or "rollback" '
        "that everyone executes",
    ),
    (
        50,
        "verification compared against the baseline",
        "T+35–50: run verification and compare against pre-incident baseline.",
        _verified,
        "post a Verification Rerun Record whose outputs compare with the baseline evidence",
    ),
    (
        60,
        "a decision note and the next checkpoint",
        "T+50–60: publish decision note and commit the next checkpoint schedule.",
        _decision_note,
        "post a Checkpoint Decision Record or an Incident Leadership Note, and a next "
        "checkpoint time after the first hour",
    ),
)
"""Each stage: its minute, title, the playbook's words, its evidence, and how to meet it."""


def stages(incident: Incident, config: Config) -> tuple[Stage, ...]:
    """Every stage with its due time and whether its evidence is there; ``()`` if it does not
    apply."""
    if not applies(incident):
        return ()
    opened = incident.issue.created_at
    found = []
    for minute, title, playbook, evidence, how in STAGES:
        due = opened + timedelta(minutes=minute)
        found.append(Stage(minute, title, playbook, due, evidence(incident, config, due), how))
    return tuple(found)
