"""``data=`` / ``--data``: the sandbox keeps its state in SQLite across restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import START, MakeSandbox

pytestmark = [pytest.mark.e2e, pytest.mark.npm]


def test_state_tokens_and_clock_survive_a_restart(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    data = tmp_path / "sandbox.sqlite"
    first = make_sandbox(data=data)
    repo = first.repo("admin")
    milestone = repo.create_milestone("Hardening")
    incident = repo.create_issue("Persisted incident", labels=["bug"], milestone=milestone)
    follow_up = repo.create_issue("Follow-up")
    incident.add_sub_issue(follow_up)
    incident.create_comment("Kept across restarts")
    repo.create_label("sev-1", "b60205")
    first.control("POST", "/clock", {"advance": "2h"})
    incident.edit(state="closed", state_reason="completed")
    tokens = dict(first.tokens)
    first.stop()

    second = make_sandbox(data=data, now=None)

    assert second.tokens == tokens
    assert second.control("GET", "/clock").body["now"] == "2024-05-01T14:00:00Z"
    again = second.repo("admin").get_issue(incident.number)
    assert (again.id, again.title, again.state, again.state_reason) == (
        incident.id,
        "Persisted incident",
        "closed",
        "completed",
    )
    assert again.closed_at == START + timedelta(hours=2)
    assert [label.name for label in again.labels] == ["bug"]
    assert again.milestone.title == "Hardening"
    assert [c.body for c in again.get_comments()] == ["Kept across restarts"]
    assert [s.number for s in again.get_sub_issues()] == [follow_up.number]
    assert [e.event for e in again.get_timeline()][-1] == "closed"
    assert second.repo().get_label("sev-1").color == "b60205"

    newer = second.repo("writer").create_issue("After the restart")
    assert newer.number == 3
    assert newer.id == follow_up.id + 1


def test_a_deleted_comment_stays_deleted(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    data = tmp_path / "sandbox.sqlite"
    first = make_sandbox(data=data)
    issue = first.repo().create_issue("Comments")
    issue.create_comment("keep")
    issue.create_comment("drop").delete()
    first.stop()

    second = make_sandbox(data=data)

    kept = second.repo().get_issue(1)
    assert [c.body for c in kept.get_comments()] == ["keep"]
    assert kept.comments == 1
