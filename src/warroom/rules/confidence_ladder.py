"""The decision confidence ladder: an L1 decision takes a reversible action only.

The playbook: "L1 (low): incomplete evidence, reversible action only". A
decision tagged L1 is called out when it takes a rung past flag/config (a
targeted patch or a full rollback, read as ``decision_ladder.rung_of`` reads
it), or when it states no ``Reversibility``: an action nobody said how to undo
is not known to be reversible.

Only the decision in force (the latest) stands: a later decision with more
evidence (L2) or on the flag/config rung, or an edit of the record, settles it.
"""

from __future__ import annotations

from collections.abc import Iterable

from warroom.config import Config
from warroom.incident import Incident
from warroom.model import Confidence, Rung
from warroom.rules.decision_ladder import in_force, rung_of
from warroom.rules.guardrail import Facts, Guardrail

RULE = "confidence-ladder"
PLAYBOOK = "L1 (low): incomplete evidence, reversible action only"


def evaluate(incident: Incident, config: Config, facts: Facts) -> Iterable[Guardrail]:
    """The decision in force, if it is L1 and not known to be a reversible action."""
    found = in_force(incident)
    if found is None:
        return []
    applied, record = found
    if record.confidence is not Confidence.L1:
        return []
    rung = rung_of(record)
    if rung in (Rung.PATCH, Rung.ROLLBACK):
        why = f"takes the {rung} rung, past the reversible flag/config rung"
    elif record.reversibility is None:
        why = "states no Reversibility, so nobody knows it can be undone"
    else:
        return []
    return [
        Guardrail(
            rule=RULE,
            key=str(applied.comment_id),
            title="An L1 decision takes an action that is not known to be reversible",
            playbook=PLAYBOOK,
            detail=f"This L1 (low confidence) decision {why}",
            fix=(
                'take a reversible action ("- Ladder rung: flag/config") and say how to undo it '
                '("- Reversibility:"), or gather the evidence for L2 and post a decision that '
                'says "- Confidence level (L1/L2/L3): L2"'
            ),
            source=applied.url,
        )
    ]
