"""Every guardrail rule, in the order the status comment lists what they say.

A rule is one module beside this one; adding a rule is adding it here.
"""

from __future__ import annotations

from warroom.config import Config
from warroom.incident import Incident
from warroom.rules import (
    confidence_ladder,
    contradiction,
    decision_ladder,
    dependency_posture,
    hero_mode,
    merge_owner,
    recovery_branches,
    revocation_first,
    severity_posture,
)
from warroom.rules.guardrail import Facts, Guardrail, Rule

RULES: tuple[Rule, ...] = (
    hero_mode.evaluate,
    decision_ladder.evaluate,
    confidence_ladder.evaluate,
    contradiction.evaluate,
    revocation_first.rule,
    severity_posture.rule,
    dependency_posture.rule,
    merge_owner.rule,
    recovery_branches.rule,
)
"""The registered rules, each ``rule(incident, config, facts)``."""


def reads_pulls(config: Config) -> bool:
    """Whether a registered rule reads ``Facts.pulls``: the merge-owner rule, when the team
    turned on ``merge_owner.read_pull_requests`` (the shell reads them only then: a listing
    of open pull requests and their files on every open incident's run)."""
    return config.merge_owner.read_pull_requests


def evaluate(incident: Incident, config: Config, facts: Facts) -> tuple[Guardrail, ...]:
    """Everything every rule says stands now, keys unique (a rule repeating one is said once)."""
    found: dict[tuple[str, str], Guardrail] = {}
    for rule in RULES:
        for guardrail in rule(incident, config, facts):
            found.setdefault((guardrail.rule, guardrail.key), guardrail)
    return tuple(found.values())


def labels(config: Config) -> frozenset[str]:
    """Every label a guardrail may hold, so a label no guardrail holds any more comes off
    (``checkpoint: overdue`` is the clock's, managed with its items)."""
    return frozenset({config.labels.decision_contested})
