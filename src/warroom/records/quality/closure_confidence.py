"""Never close incident response with L1 confidence.

The closure gate asks for ``closure.min_confidence`` (L3 by default, the
ladder's "closure allowed"), so a closure record below it is flagged here,
where the responder writes it, rather than only when the gate refuses.
"""

from __future__ import annotations

from warroom.config import Config
from warroom.model import Confidence, Finding, Level
from warroom.records.quality.base import Rule, field_spec, line_of
from warroom.records.types import Comment, Reading


def evaluate(reading: Reading, comment: Comment, config: Config) -> list[Finding]:
    level = reading.values.get("confidence")
    wanted = config.closure.min_confidence
    if not isinstance(level, Confidence) or level >= wanted:
        return []
    spec = field_spec("closure", "confidence")
    rule = (
        "never close incident response with L1 confidence"
        if level is Confidence.L1
        else f"the closure gate asks for {wanted.value} (closure.min_confidence)"
    )
    return [
        Finding(
            spec.label,
            f"is {level.value}; {rule}: gather the evidence that raises it to {wanted.value} "
            "before closing, or keep the incident active",
            Level.WARNING,
            line_of(reading, "confidence"),
        )
    ]


RULE = Rule("closure-confidence", frozenset({"closure"}), evaluate)
