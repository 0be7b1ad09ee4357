"""One way to build an incident for a rule's table: a form body, then people's posts.

Records are written as people write them and read by the real parsers, so a row
also fails if a field stops reaching its rule. Comment ids count from 1 in order,
so a row can name the comment a key is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.unit.fake_github import make_comment, make_issue
from warroom.config import Config
from warroom.declaration import read_declaration
from warroom.incident import Incident, derive
from warroom.parsing.forms import bundled_form, parse_form
from warroom.parsing.records import read_records

Post = tuple[str, int, str]
"""(author, minutes after the start, comment body)."""


def incident_from(
    body: str,
    posts: Sequence[Post] = (),
    config: Config | None = None,
    *,
    declared: bool = True,
    **issue: Any,
) -> Incident:
    """The incident ``derive`` builds from the form ``body`` and ``posts``, every author a
    writer; with ``declared`` the form must read (a row about records needs a declaration)."""
    config = config or Config()
    snapshot = make_issue(body, **issue)
    reading = read_declaration(parse_form(body, bundled_form("incident")), config)
    if declared:
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
