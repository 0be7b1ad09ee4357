"""Every guardrail rule, in the order the status comment lists what they say.

A rule is one module beside this one; adding a rule is adding it here.
"""

from __future__ import annotations

from warroom.config import Config
from warroom.incident import Incident
from warroom.rules import (
    dependency_posture,
    merge_owner,
    recovery_branches,
    severity_posture,
)
from warroom.rules.guardrail import Facts, Guardrail, Rule

RULES: tuple[Rule, ...] = (
    severity_posture.rule,
    dependency_posture.rule,
    merge_owner.rule,
    recovery_branches.rule,
)
"""The registered rules, each ``rule(incident, config, facts)``."""


def evaluate(incident: Incident, config: Config, facts: Facts) -> tuple[Guardrail, ...]:
    """Everything every rule says stands now, keys unique (a rule repeating one is said once)."""
    found: dict[tuple[str, str], Guardrail] = {}
    for rule in RULES:
        for guardrail in rule(incident, config, facts):
            found.setdefault((guardrail.rule, guardrail.key), guardrail)
    return tuple(found.values())


def labels(config: Config) -> frozenset[str]:
    """Every label a guardrail may hold, so a label no guardrail holds any more comes off."""
    names = config.labels
    return frozenset({names.decision_contested, names.checkpoint_overdue})
