"""The contradiction handling protocol: conflicting recommendations are settled in one record.

The playbook: "If two owners provide conflicting mitigation recommendations:
1. capture both recommendations in one decision record 2. score reversibility
and blast radius for each 3. choose the more reversible path unless evidence
disproves it 4. schedule a rapid reassessment checkpoint (<=10 minutes)".

The trigger: two Checkpoint Decision Records posted by different people (the
comment authors: whoever posts a recommendation provides it; one person posting
a second decision revises their own, and execution owners are often named by a
scribe) whose decisions conflict (different ``Decision`` values, or different
ladder rungs), with timestamps within ``clock.reassess_minutes`` of each other.

It stands, with the ``decision: contested`` label, until a later decision
record settles it: one with ``Recommendation A`` and ``Recommendation B``, each
naming its reversibility and blast radius, and a ``Next checkpoint at`` no more
than ``clock.reassess_minutes`` after its ``Timestamp``. A record that carries
recommendations is a settling attempt: never a side of a new contradiction,
and no contradiction spans it.
Which path it chose (step 3) is the team's judgement and is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from warroom.config import Config
from warroom.incident import Applied, Incident
from warroom.model import Decision, Rung
from warroom.records.models import DecisionRecord
from warroom.rules.decision_ladder import rung_of
from warroom.rules.guardrail import Facts, Guardrail

RULE = "contradiction"
PLAYBOOK = (
    "If two owners provide conflicting mitigation recommendations: "
    "1. capture both recommendations in one decision record "
    "2. score reversibility and blast radius for each "
    "3. choose the more reversible path unless evidence disproves it "
    "4. schedule a rapid reassessment checkpoint (<=10 minutes)"
)

_REVERSIBILITY = re.compile(r"\brevers", re.IGNORECASE)
_BLAST_RADIUS = re.compile(r"\bblast[ -]?radius", re.IGNORECASE)

Decided = tuple[Applied, DecisionRecord]


def conflicting(first: DecisionRecord, second: DecisionRecord) -> bool:
    """Different decisions, or the same decision on different rungs of the ladder."""
    if first.decision != second.decision:
        return True
    one, other = rung_of(first), rung_of(second)
    return one is not None and other is not None and one != other


def scored(recommendation: str | None) -> bool:
    """A recommendation that names its reversibility and its blast radius."""
    return (
        recommendation is not None
        and _REVERSIBILITY.search(recommendation) is not None
        and _BLAST_RADIUS.search(recommendation) is not None
    )


def settles(record: DecisionRecord, config: Config) -> bool:
    """Both recommendations scored, and a reassessment within the configured minutes."""
    window = timedelta(minutes=config.clock.reassess_minutes)
    return (
        scored(record.recommendation_a)
        and scored(record.recommendation_b)
        and record.next_checkpoint_at is not None
        and record.next_checkpoint_at <= record.timestamp + window
    )


def _attempts_settling(record: DecisionRecord) -> bool:
    return record.recommendation_a is not None or record.recommendation_b is not None


def contradictions(incident: Incident, config: Config) -> list[tuple[Decided, Decided]]:
    """Each unsettled contradiction: a decision and the latest earlier one it conflicts with."""
    window = timedelta(minutes=config.clock.reassess_minutes)
    decisions = incident.records(DecisionRecord)
    settled_before = max(
        (index for index, (_, record) in enumerate(decisions) if settles(record, config)),
        default=-1,
    )
    found: list[tuple[Decided, Decided]] = []
    for index, (applied, record) in enumerate(decisions):
        if index < settled_before or _attempts_settling(record):
            continue
        for earlier in reversed(decisions[:index]):
            other_applied, other = earlier
            if _attempts_settling(other):
                break  # what came before it was brought into one record
            if (
                other_applied.author.lower() != applied.author.lower()
                and abs(record.timestamp - other.timestamp) <= window
                and conflicting(other, record)
            ):
                found.append((earlier, (applied, record)))
                break
    return found


def evaluate(incident: Incident, config: Config, facts: Facts) -> Iterable[Guardrail]:
    """Every contradiction no later decision record has settled, with the contested label."""
    minutes = config.clock.reassess_minutes
    guardrails = []
    for (first, one), (second, other) in contradictions(incident, config):
        apart = int(abs(other.timestamp - one.timestamp).total_seconds()) // 60
        guardrails.append(
            Guardrail(
                rule=RULE,
                key=f"{first.comment_id}-{second.comment_id}",
                title="Two owners' decisions conflict",
                playbook=PLAYBOOK,
                detail=(
                    f"@{first.author} decided {_said(one)}, then @{second.author} decided "
                    f"{_said(other)}, {apart} minutes apart"
                ),
                fix=(
                    "post one Checkpoint Decision Record that captures both: "
                    '"- Recommendation A:" and "- Recommendation B:", each with its reversibility '
                    "and blast radius, the path chosen (the more reversible one unless evidence "
                    f'disproves it) and "- Next checkpoint at:" within {minutes} minutes of its '
                    "Timestamp"
                ),
                source=second.url,
                label=config.labels.decision_contested,
            )
        )
    return guardrails


def _said(record: DecisionRecord) -> str:
    rung = rung_of(record)
    if rung is None or (record.decision is Decision.ROLLBACK and rung is Rung.ROLLBACK):
        return f'"{record.decision}"'
    return f'"{record.decision}" on the {rung} rung'
