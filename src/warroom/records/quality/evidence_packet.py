"""The evidence packet standard: what every major checkpoint must include.

A checkpoint decision is a major checkpoint. Its packet may be spread over
the comment it is posted in (the playbook's bundle puts a snapshot, which
carries severity and the next checkpoint, above the decision), so an item
counts as present when the decision or a sibling record supplies it.
Owner and timestamp are required fields of the decision itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from warroom.config import Config
from warroom.model import Finding, Level
from warroom.records.quality.base import Rule, field_spec, line_of, omitted, state
from warroom.records.types import Comment, Reading


@dataclass(frozen=True)
class Item:
    key: str
    """The decision field that carries this item."""
    what: str
    elsewhere: tuple[tuple[str, str], ...]
    """(kind, key) of sibling records' fields that carry it too."""
    tip: str = ""


ITEMS = (
    Item(
        "severity",
        "the current severity",
        (("snapshot", "severity"), ("escalation", "severity")),
        " (or post the decision under an Incident Command Snapshot)",
    ),
    Item(
        "impact",
        "the impacted systems and users",
        (("escalation", "impact"), ("stakeholder", "customer_impact")),
    ),
    Item("commands", "the commands executed", (("verification", "commands"),)),
    Item("outputs", "the commands' outputs", (("verification", "outputs"),)),
    Item(
        "residual_risk",
        "a residual risk statement",
        (("verification", "residual_risk"), ("closure", "residual_risks")),
    ),
    Item(
        "next_checkpoint_at",
        "the next checkpoint time",
        (("snapshot", "next_checkpoint_at"), ("handoff", "next_checkpoint_at")),
        " (or post the decision under an Incident Command Snapshot)",
    ),
    Item(
        "next_owner",
        "the next checkpoint's owner",
        (("snapshot", "next_owner"), ("handoff", "to_owner")),
        " (or post the decision under an Incident Command Snapshot)",
    ),
)


def _supplied(item: Item, comment: Comment) -> bool:
    return any(pair in comment.supplied for pair in item.elsewhere)


def evaluate(reading: Reading, comment: Comment, config: Config) -> list[Finding]:
    found: list[Finding] = []
    for item in ITEMS:
        if not omitted(reading, item.key) or _supplied(item, comment):
            continue
        spec = field_spec("decision", item.key)
        found.append(
            Finding(
                spec.label,
                f"{state(reading, item.key)}; the evidence packet of every major checkpoint "
                f'includes {item.what}: add "- {spec.label}:" with {spec.hint}{item.tip}',
                Level.WARNING,
                line_of(reading, item.key),
            )
        )
    return found


RULE = Rule("evidence-packet", frozenset({"decision"}), evaluate)
