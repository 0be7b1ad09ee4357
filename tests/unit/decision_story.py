"""Decision records and handoffs as people write them, for the decision guardrails' tables.

Each function returns the Markdown a responder pastes; ``minute`` is minutes
after the story's start, like ``warroom.story``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tests.unit.fake_github import START
from tests.unit.incident_support import Post, incident_from
from warroom import story
from warroom.config import Config
from warroom.incident import Incident
from warroom.rules.guardrail import Facts, Guardrail, Rule


def incident(posts: Sequence[Post], config: Config | None = None, **owners: str) -> Incident:
    """An incident declared by the story's form (``owners`` override its roles), then ``posts``."""
    return incident_from(story.incident_body(**owners), posts, config)


def decision(
    minute: int,
    *,
    choice: str = "continue mitigation",
    rung: str | None = None,
    confidence: str = "L2",
    rejected: str = "waiting: every minute locks out more users",
    reversibility: str | None = "re-enable in under a minute",
    owner: str = story.MITIGATION,
    verifier: str = story.VERIFICATION,
    extra: str = "",
    start: datetime = START,
) -> str:
    """A valid Checkpoint Decision Record; ``None`` leaves an optional line out."""
    lines = [
        "### Checkpoint Decision Record",
        f"- Timestamp: {story.at(start, minute)}",
        "- Evidence reviewed: 401 rate by deploy hash",
        f"- Decision: {choice}",
        "- Why this decision now: the rate is still climbing",
        f"- Rejected alternatives: {rejected}",
        f"- Owner for execution: @{owner}",
        f"- Owner for verification: @{verifier}",
    ]
    if reversibility is not None:
        lines.append(f"- Reversibility: {reversibility}")
    lines += [
        "- Blast radius: tokens minted in the last hour",
        "- Verification signal: 401 rate under 0.5% for 15 minutes",
        f"- Confidence level (L1/L2/L3): {confidence}",
    ]
    if rung is not None:
        lines.append(f"- Ladder rung: {rung}")
    return "\n".join(lines) + "\n" + extra


def settling(
    minute: int,
    *,
    next_in: int = 10,
    a: str | None = None,
    b: str | None = None,
    start: datetime = START,
) -> str:
    """A decision that captures both recommendations and a reassessment ``next_in`` later."""
    first = a or "rollback (@tomas-lindqvist); reversibility: minutes; blast radius: all tokens"
    second = b or "flag off (@aiko-tanaka); reversibility: seconds; blast radius: one check"
    return decision(
        minute,
        rung="flag/config",
        start=start,
        extra=(
            f"- Recommendation A: {first}\n"
            f"- Recommendation B: {second}\n"
            f"- Next checkpoint at: {story.at(start, minute + next_in)}\n"
        ),
    )


def handoff(minute: int, *, from_owner: str, to_owner: str, start: datetime = START) -> str:
    """A Handoff Record moving every lane ``from_owner`` holds to ``to_owner``."""
    return f"""### Handoff Record
- From owner: @{from_owner}
- To owner: @{to_owner}
- Scope boundary: the mitigation lane only
- Unresolved unknowns: whether mobile clients cached bad tokens
- Next checkpoint at: {story.at(start, minute + 30)}
- Rollback trigger: 401 rate above 2% for 5 minutes
"""


def said(rule: Rule, case: Incident, config: Config | None = None) -> list[Guardrail]:
    """What ``rule`` says stands for ``case`` now."""
    return list(rule(case, config or Config(), Facts(START)))
