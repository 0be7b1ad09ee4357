"""Incidents for the posture, merge-owner and recovery-branch rule tables.

Records are written as people write them and read by the real parsers, so a
row also fails if a field stops reaching its rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from tests.unit.fake_github import START
from tests.unit.incident_support import Post, incident_from
from warroom import story
from warroom.config import Config
from warroom.incident import Incident
from warroom.rules.guardrail import Facts

NOW = START + timedelta(hours=1)


def incident(
    posts: Sequence[Post] = (),
    *,
    severity: str = "SEV-1",
    classes: Sequence[str] = ("auth/identity",),
    config: Config | None = None,
) -> Incident:
    """A declared incident (``classes`` are the form's Dependency classes) and its records."""
    body = story.incident_body(severity=severity).replace(
        "### Dependency classes\n\nauth/identity\n",
        "### Dependency classes\n\n" + ", ".join(classes) + "\n",
    )
    return incident_from(body, posts, config)


def decision(
    minute: int,
    choice: str,
    *,
    extra: str = "",
    owner: str = story.MITIGATION,
    severity: str | None = None,
) -> Post:
    """A Checkpoint Decision Record at ``minute`` deciding ``choice``, plus ``extra`` lines."""
    body = story.decision(START, minute=minute, choice=choice, severity=severity)
    body = body.replace(
        f"- Owner for execution: @{story.MITIGATION}", f"- Owner for execution: @{owner}"
    )
    return (owner, minute, body + extra)


def facts(**given: object) -> Facts:
    return Facts(NOW, **given)  # type: ignore[arg-type]
