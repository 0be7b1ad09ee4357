"""Rules beyond the block: what an advanced responder adds to a valid record.

Each rule lives in its own module and exposes ``RULE``; a rule only warns
when something the playbook asks for is missing (an error is for what was
written and cannot be read). Rules see the whole comment, because the
playbook's bundle posts a snapshot and a decision together and the evidence
packet may be spread over both.
"""

from __future__ import annotations

from warroom.config import Config
from warroom.model import Finding
from warroom.records.quality import (
    closure_confidence,
    confidence_level,
    decision_quality,
    evidence_packet,
    residual_risk,
)
from warroom.records.quality.base import Rule
from warroom.records.types import Comment, Reading

RULES: tuple[Rule, ...] = (
    decision_quality.RULE,
    confidence_level.RULE,
    evidence_packet.RULE,
    residual_risk.RULE,
    closure_confidence.RULE,
)


def evaluate(reading: Reading, comment: Comment, config: Config) -> list[Finding]:
    """The findings of every rule that applies to ``reading``'s kind."""
    found: list[Finding] = []
    for rule in RULES:
        if reading.block.kind in rule.kinds:
            found.extend(rule.evaluate(reading, comment, config))
    return found


__all__ = ["RULES", "Rule", "evaluate"]
