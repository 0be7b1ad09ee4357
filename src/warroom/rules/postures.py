"""The default response postures of the severity matrix and the dependency risk matrix.

The playbook gives every severity and every dependency class a default posture
(SEV-1 "rollback-first evaluation", auth/identity "rollback-first + audit
capture" ...) and says "This matrix prevents overconfident “single-fix”
decisions." warroom shows the postures in force in the status comment and
checks the incident's latest Checkpoint Decision Record against them.

"Against" is data (``config.postures``), read without guessing from prose: a
decision goes against a posture when its ``Decision`` is one of the posture's
``against`` values, unless ``until`` names a decision an earlier record
already took (rollback-first: ``continue mitigation`` before any ``rollback``
was decided). Going against a posture is allowed with a stated reason, the
record's ``Posture exception`` field, which both posture rules share.

Only the latest decision counts: it is the course the response is on now, so a
later decision in line with the posture (or one stating its reason) settles an
earlier one, and a new decision against it is a new occurrence, told once.
Pure: the rules in ``severity_posture`` and ``dependency_posture`` use this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from warroom.config import Config, Posture
from warroom.incident import Applied, Incident
from warroom.model import Severity
from warroom.records.models import DecisionRecord
from warroom.records.reading import says_none
from warroom.records.spec import SPECS

EXCEPTION_LABEL = SPECS["decision"].by_key["posture_exception"].label
"""``Posture exception``: where a decision against a posture says why."""


@dataclass(frozen=True)
class Course:
    """The latest decision, where it was written, and the decisions taken before it."""

    applied: Applied
    decision: DecisionRecord
    earlier: tuple[DecisionRecord, ...]

    @property
    def reasoned(self) -> bool:
        """The record states why it goes against a posture (``none`` states nothing)."""
        reason = self.decision.posture_exception
        return reason is not None and not says_none(reason)


def course(incident: Incident) -> Course | None:
    """The incident's latest Checkpoint Decision Record, or ``None`` before the first."""
    decisions = incident.records(DecisionRecord)
    if not decisions:
        return None
    applied, latest = decisions[-1]
    return Course(applied, latest, tuple(record for _, record in decisions[:-1]))


def goes_against(posture: Posture, now: Course) -> bool:
    """The decision is one the posture warns against, and its ``until`` was not decided yet."""
    if now.decision.decision not in posture.against:
        return False
    return posture.until is None or all(d.decision != posture.until for d in now.earlier)


def severity_at(incident: Incident, moment: datetime) -> Severity | None:
    """The severity in force at ``moment``: as declared, or as last revised with evidence."""
    found: Severity | None = None
    for change in incident.severity_history:
        if change.at <= moment or found is None:
            found = change.severity
    return found


def in_force(incident: Incident, config: Config) -> list[tuple[str, Posture]]:
    """The postures in force now, each after what sets it: the severity, then each class."""
    shown: list[tuple[str, Posture]] = []
    severity = incident.severity
    if severity is not None and severity in config.postures.severity:
        shown.append((severity.value, config.postures.severity[severity]))
    declared = incident.declaration.dependency_classes if incident.declaration else ()
    shown += [
        (c.value, config.postures.dependency[c])
        for c in declared
        if c in config.postures.dependency
    ]
    return shown


def fix(names: Sequence[str]) -> str:
    """What settles a decision against postures: a stated reason, or a decision in line."""
    posture = " and ".join(f"“{name}”" for name in names)
    return (
        f"add `- {EXCEPTION_LABEL}: <why not {names[0]}>` to that Checkpoint Decision Record "
        f"(edit it), or post a new decision in line with {posture}"
    )
