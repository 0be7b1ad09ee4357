"""The reversible decision ladder: a decision that skips a safer rung says why.

The playbook: "Prefer the safest reversible option first: 1. disable risky path
via flag/config 2. targeted patch with bounded scope 3. full rollback to last
known-good revision". A decision on the second or third rung skips the first
when no earlier decision took it; it must then say, under ``Rejected
alternatives``, why the flag/config rung was rejected.

A decision's rung is its ``Ladder rung`` field; ``Decision: rollback`` without
one is the third rung. Nothing else is guessed from free text: a decision that
names no rung (``continue mitigation`` without ``Ladder rung``) is not judged.
"Says why" is read linearly: the rejected alternatives name the first rung
(flag, feature flag, config, configuration, kill switch, toggle).

Only the decision in force (the latest) stands: posting a decision that meets
the ladder, or editing the record to say why, settles it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from warroom.config import Config
from warroom.incident import Applied, Incident
from warroom.model import Decision, Rung
from warroom.records.models import DecisionRecord
from warroom.rules.guardrail import Facts, Guardrail

RULE = "decision-ladder"
PLAYBOOK = (
    "Prefer the safest reversible option first: 1. disable risky path via flag/config "
    "2. targeted patch with bounded scope 3. full rollback to last known-good revision"
)

# Each alternative is a literal with bounded optional parts: one linear scan.
_FLAG_RUNG = re.compile(
    r"\b(?:feature[ -]?flags?|flags?|config(?:uration)?s?|kill[ -]?switch(?:es)?|toggles?)\b",
    re.IGNORECASE,
)


def rung_of(record: DecisionRecord) -> Rung | None:
    """The rung a decision takes: its ``Ladder rung``, else rollback's, else unknown."""
    if record.rung is not None:
        return record.rung
    return Rung.ROLLBACK if record.decision is Decision.ROLLBACK else None


def names_flag_rung(text: str) -> bool:
    """Whether ``text`` speaks of the flag/config rung (to say why it was rejected)."""
    return _FLAG_RUNG.search(text) is not None


def in_force(incident: Incident) -> tuple[Applied, DecisionRecord] | None:
    """The latest applied decision: the one the response follows now."""
    decisions = incident.records(DecisionRecord)
    return decisions[-1] if decisions else None


def evaluate(incident: Incident, config: Config, facts: Facts) -> Iterable[Guardrail]:
    """The decision in force, if it skips the flag/config rung without saying why."""
    found = in_force(incident)
    if found is None:
        return []
    applied, record = found
    rung = rung_of(record)
    if rung not in (Rung.PATCH, Rung.ROLLBACK):
        return []
    earlier = incident.records(DecisionRecord)[:-1]
    if any(rung_of(r) is Rung.FLAG for _, r in earlier):
        return []
    if names_flag_rung(record.rejected_alternatives):
        return []
    return [
        Guardrail(
            rule=RULE,
            key=str(applied.comment_id),
            title="A decision skips the flag/config rung without saying why",
            playbook=PLAYBOOK,
            detail=(
                f"This decision takes the {rung} rung; no earlier decision tried "
                "flag/config, and its Rejected alternatives do not say why that rung was rejected"
            ),
            fix=(
                'edit the record\'s "Rejected alternatives:" to say why disabling the risky path '
                'via flag/config was rejected (e.g. "flag/config: no flag covers this path"), '
                'or decide the flag/config rung first ("- Ladder rung: flag/config")'
            ),
            source=applied.url,
        )
    ]
