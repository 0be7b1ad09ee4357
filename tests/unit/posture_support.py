"""Incidents for the posture, merge-owner and recovery-branch rule tables.

Records are written as people write them and read by the real parsers, so a
row also fails if a field stops reaching its rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from tests.unit.fake_github import START, make_comment, make_issue
from warroom import story
from warroom.config import Config
from warroom.declaration import read_declaration
from warroom.incident import Incident, derive
from warroom.parsing.forms import bundled_form, parse_form
from warroom.parsing.records import read_records
from warroom.rules.guardrail import Facts

Post = tuple[str, int, str]
"""(author, minutes after the start, comment body)."""

NOW = START + timedelta(hours=1)


def incident(
    posts: Sequence[Post] = (),
    *,
    severity: str = "SEV-1",
    classes: Sequence[str] = ("auth/identity",),
    config: Config | None = None,
) -> Incident:
    """A declared incident (``classes`` are the form's Dependency classes) and its records."""
    config = config or Config()
    body = story.incident_body(severity=severity).replace(
        "### Dependency classes\n\nauth/identity\n",
        "### Dependency classes\n\n" + ", ".join(classes) + "\n",
    )
    snapshot = make_issue(body)
    reading = read_declaration(parse_form(body, bundled_form("incident")), config)
    assert reading.value is not None, reading.findings
    people = []
    for ident, (author, minutes, text) in enumerate(posts, start=1):
        comment = make_comment(text, author=author, minutes=minutes, ident=ident)
        records = read_records(text, config, reference=comment.created_at)
        assert records, text
        assert all(r.valid for r in records), [r.errors for r in records]
        people.append((comment, records))
    return derive(
        snapshot,
        declaration=reading.value,
        declaration_findings=reading.findings,
        comments=people,
        permissions={author.lower(): "write" for author, _, _ in posts},
        config=config,
    )


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
