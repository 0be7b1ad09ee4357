"""The webhook events each change emits, with ``sender``, ``changes`` and ``state_reason``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import TestSandbox
from warroom.sandbox import Delivery

pytestmark = [pytest.mark.e2e, pytest.mark.npm]


@pytest.fixture
def received(sandbox: TestSandbox) -> list[Delivery]:
    seen: list[Delivery] = []
    sandbox.add_delivery_listener(seen.append)
    return seen


def _kinds(deliveries: list[Delivery]) -> list[str]:
    return [f"{d.event}.{d.action}" for d in deliveries]


def test_opening_with_labels_and_assignees_emits_opened_then_each_change(
    sandbox: TestSandbox, received: list[Delivery]
) -> None:
    sandbox.repo("triager").create_issue("Outage", labels=["bug", "sev-1"], assignees=["writer"])

    assert _kinds(received) == [
        "issues.opened",
        "issues.labeled",
        "issues.labeled",
        "issues.assigned",
    ]
    opened = received[0].payload
    assert opened["sender"]["login"] == "triager"
    assert opened["issue"]["number"] == 1
    assert opened["repository"]["full_name"] == "acme/service"
    assert [d.payload["label"]["name"] for d in received[1:3]] == ["bug", "sev-1"]
    assert received[3].payload["assignee"]["login"] == "writer"


def test_edits_carry_what_changed(sandbox: TestSandbox, received: list[Delivery]) -> None:
    issue = sandbox.repo("admin").create_issue("Before", body="old body")
    received.clear()

    issue.edit(title="After", body="new body")

    (edited,) = received
    assert edited.action == "edited"
    assert edited.payload["changes"] == {"title": {"from": "Before"}, "body": {"from": "old body"}}
    assert edited.payload["issue"]["title"] == "After"


def test_close_and_reopen_carry_state_reason(
    sandbox: TestSandbox, received: list[Delivery]
) -> None:
    issue = sandbox.repo("admin").create_issue("Will close")
    received.clear()

    issue.edit(state="closed", state_reason="not_planned")
    issue.edit(state="open")

    closed, reopened = received
    assert closed.action == "closed"
    assert closed.payload["issue"]["state_reason"] == "not_planned"
    assert closed.payload["issue"]["closed_at"] is not None
    assert reopened.action == "reopened"
    assert reopened.payload["issue"]["state_reason"] == "reopened"


def test_label_and_assignee_changes(sandbox: TestSandbox, received: list[Delivery]) -> None:
    issue = sandbox.repo("admin").create_issue("Labels", labels=["bug"])
    received.clear()

    issue.edit(labels=["incident"], assignees=["writer"])
    issue.remove_from_assignees("writer")

    assert _kinds(received) == [
        "issues.unlabeled",
        "issues.labeled",
        "issues.assigned",
        "issues.unassigned",
    ]
    assert received[0].payload["label"]["name"] == "bug"
    assert received[1].payload["label"]["name"] == "incident"
    assert received[3].payload["assignee"]["login"] == "writer"


def test_comment_events(sandbox: TestSandbox, received: list[Delivery]) -> None:
    issue = sandbox.repo("admin").create_issue("Comments")
    received.clear()

    comment = sandbox.repo("reader").get_issue(issue.number).create_comment("first")
    comment.edit("second")
    sandbox.repo("writer").get_issue(issue.number).get_comment(comment.id).delete()

    created, edited, deleted = received
    assert _kinds(received) == [
        "issue_comment.created",
        "issue_comment.edited",
        "issue_comment.deleted",
    ]
    assert created.payload["comment"]["body"] == "first"
    assert created.payload["sender"]["login"] == "reader"
    assert created.payload["issue"]["comments"] == 1
    assert edited.payload["changes"] == {"body": {"from": "first"}}
    assert deleted.payload["sender"]["login"] == "writer"
    assert deleted.payload["comment"]["id"] == comment.id


def test_milestone_and_lock_events(sandbox: TestSandbox, received: list[Delivery]) -> None:
    repo = sandbox.repo("admin")
    milestone = repo.create_milestone("Hardening")
    issue = repo.create_issue("Milestones")
    received.clear()

    issue.edit(milestone=milestone)
    issue.edit(milestone=None)
    issue.lock("resolved")
    issue.unlock()

    assert _kinds(received) == [
        "issues.milestoned",
        "issues.demilestoned",
        "issues.locked",
        "issues.unlocked",
    ]
    assert received[0].payload["milestone"]["title"] == "Hardening"
    assert received[2].payload["issue"]["active_lock_reason"] == "resolved"


def test_no_change_no_event(sandbox: TestSandbox, received: list[Delivery]) -> None:
    issue = sandbox.repo("admin").create_issue("Same", labels=["bug"])
    received.clear()

    issue.edit(title="Same", labels=["bug"])

    assert received == []


def test_event_log_records_each_delivery(sandbox: TestSandbox) -> None:
    sandbox.repo("writer").create_issue("Logged")

    log: list[dict[str, Any]] = sandbox.control("GET", "/events").body["events"]

    assert [(e["event"], e["action"], e["issue"], e["sender"]) for e in log] == [
        ("issues", "opened", 1, "writer")
    ]
    assert log[0]["suppressed"] == "no dispatch command"
    assert log[0]["payload"]["issue"]["title"] == "Logged"
