"""The decision confidence ladder: tag each checkpoint decision L1, L2 or L3."""

from __future__ import annotations

from warroom.config import Config
from warroom.model import Finding, Level
from warroom.records.quality.base import Rule, field_spec, line_of, omitted, state
from warroom.records.types import Comment, Reading


def evaluate(reading: Reading, comment: Comment, config: Config) -> list[Finding]:
    if not omitted(reading, "confidence"):
        return []
    spec = field_spec("decision", "confidence")
    return [
        Finding(
            spec.label,
            f"{state(reading, 'confidence')}; tag each checkpoint decision with a confidence "
            f'level: add "- {spec.label}:" with {spec.hint}',
            Level.WARNING,
            line_of(reading, "confidence"),
        )
    ]


RULE = Rule("confidence-level", frozenset({"decision"}), evaluate)
