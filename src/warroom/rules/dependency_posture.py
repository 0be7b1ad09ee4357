"""Dependency risk matrix: a decision against an affected class's posture needs a reason.

The form's Dependency classes set default postures (auth/identity
"rollback-first + audit capture", billing/ledger "write freeze + reconciliation
boundary", messaging/queue "flow throttling + replay guard", observability
"conservative rollback threshold"; ``config.postures.dependency``). The latest
decision is checked against each class's posture (see ``warroom.rules.postures``
for what "against" means). One guardrail names every class it goes against;
it stands until the record states a ``Posture exception`` or a later decision
is in line, keyed by the decision's comment.
"""

from __future__ import annotations

from collections.abc import Iterator

from warroom.config import Config
from warroom.incident import Incident
from warroom.rules import postures
from warroom.rules.guardrail import Facts, Guardrail

RULE = "dependency-posture"
PLAYBOOK = (
    "Classify affected dependencies before choosing mitigation. "
    "This matrix prevents overconfident “single-fix” decisions."
)


def rule(incident: Incident, config: Config, facts: Facts) -> Iterator[Guardrail]:
    """The latest decision, if it goes against an affected class's posture without a reason."""
    now = postures.course(incident)
    if now is None or now.reasoned or incident.declaration is None:
        return
    against = [
        (kind.value, config.postures.dependency[kind])
        for kind in incident.declaration.dependency_classes
        if kind in config.postures.dependency
        and postures.goes_against(config.postures.dependency[kind], now)
    ]
    if not against:
        return
    named = "; ".join(f"{kind}: {posture.name}" for kind, posture in against)
    yield Guardrail(
        rule=RULE,
        key=str(now.applied.comment_id),
        title="A decision against the dependency risk matrix without a stated reason",
        playbook=PLAYBOOK,
        detail=(
            f'the decision "{now.decision.decision}" goes against the default posture of '
            f"{named}, and the record does not say why"
        ),
        fix=postures.fix([posture.name for _, posture in against]),
        source=now.applied.url,
    )
