"""Residual risks are explicit, not "none" by default."""

from __future__ import annotations

from warroom.config import Config
from warroom.model import Finding, Level
from warroom.records.quality.base import Rule, field_spec
from warroom.records.reading import says_none
from warroom.records.spec import RESIDUAL_RISK_KEYS, SPECS
from warroom.records.types import Comment, Reading


def evaluate(reading: Reading, comment: Comment, config: Config) -> list[Finding]:
    found: list[Finding] = []
    for key in sorted(RESIDUAL_RISK_KEYS & set(reading.values)):
        written = reading.block.field(key)
        value = reading.values[key]
        if written is None or not isinstance(value, str) or not says_none(value):
            continue
        spec = field_spec(reading.block.kind, key)
        found.append(
            Finding(
                spec.label,
                f'says "{" ".join(value.split())[:40]}"; residual risks are explicit, not "none" '
                f"by default: write {spec.hint}",
                Level.WARNING,
                written.line,
            )
        )
    return found


RULE = Rule(
    "residual-risk",
    frozenset(spec.kind for spec in SPECS.values() if RESIDUAL_RISK_KEYS & set(spec.by_key)),
    evaluate,
)
