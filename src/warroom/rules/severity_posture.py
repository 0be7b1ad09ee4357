"""Severity matrix posture: a decision against the severity's default posture needs a reason.

The playbook's severity matrix gives each level a default response posture:
SEV-1 "rollback-first evaluation", SEV-2 "bounded hotfix with tight
verification", SEV-3 "scheduled corrective release" (``config.postures.severity``
holds them, with which decisions go against each; see ``warroom.rules.postures``).
The latest decision is checked against the posture of the severity in force
when it was taken. It stands until that record states a ``Posture exception``
or a later decision is in line; the key is the decision's comment, so each
decision against the posture is told once.
"""

from __future__ import annotations

from collections.abc import Iterator

from warroom.config import Config
from warroom.incident import Incident
from warroom.rules import postures
from warroom.rules.guardrail import Facts, Guardrail

RULE = "severity-posture"


def rule(incident: Incident, config: Config, facts: Facts) -> Iterator[Guardrail]:
    """The latest decision, if it goes against its severity's posture without a reason."""
    now = postures.course(incident)
    if now is None or now.reasoned:
        return
    severity = postures.severity_at(incident, now.applied.at)
    posture = config.postures.severity.get(severity) if severity is not None else None
    if posture is None or not postures.goes_against(posture, now):
        return
    yield Guardrail(
        rule=RULE,
        key=str(now.applied.comment_id),
        title=f"A decision against the {severity} posture without a stated reason",
        playbook=f"Severity matrix: {severity}, default response posture: {posture.name}",
        detail=(
            f'the decision "{now.decision.decision}" goes against {severity}\'s default posture, '
            f"{posture.name}, and the record does not say why"
        ),
        fix=postures.fix([posture.name]),
        source=now.applied.url,
    )
