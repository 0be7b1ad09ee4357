"""Decision quality guardrails: three statements per checkpoint decision.

The playbook: "If one statement is missing, decision quality is below advanced
standard." Each missing statement is its own warning, naming what to write.
"""

from __future__ import annotations

from warroom.config import Config
from warroom.model import Finding, Level
from warroom.records.quality.base import Rule, field_spec, line_of, omitted, state
from warroom.records.types import Comment, Reading

STATEMENTS = {
    "reversibility": "reversibility",
    "blast_radius": "blast-radius",
    "verification_signal": "verification",
}


def evaluate(reading: Reading, comment: Comment, config: Config) -> list[Finding]:
    found: list[Finding] = []
    for key, name in STATEMENTS.items():
        if not omitted(reading, key):
            continue
        spec = field_spec("decision", key)
        found.append(
            Finding(
                spec.label,
                f"{state(reading, key)}; without a {name} statement decision quality is below "
                f'advanced standard: add "- {spec.label}:" with {spec.hint}',
                Level.WARNING,
                line_of(reading, key),
            )
        )
    return found


RULE = Rule("decision-quality", frozenset({"decision"}), evaluate)
