"""Every real example payload is either read into an Event or ignored with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from warroom.events import Event, Ignored, read_event

EXAMPLES = Path(__file__).resolve().parents[2] / "node_modules/@octokit/webhooks-examples"


def _examples() -> list[Any]:
    index = json.loads((EXAMPLES / "api.github.com/index.json").read_text(encoding="utf-8"))
    cases = []
    for group in index:
        if group["name"] not in {"issues", "issue_comment", "workflow_dispatch", "push"}:
            continue
        for i, payload in enumerate(group["examples"]):
            ident = f"{group['name']}.{payload.get('action', 'none')}.{i}"
            cases.append(pytest.param(group["name"], payload, id=ident))
    return cases


@pytest.mark.parametrize(("name", "payload"), _examples())
def test_real_payloads_are_read_or_ignored_with_a_reason(
    name: str, payload: dict[str, Any]
) -> None:
    result = read_event(name, payload)
    action = payload.get("action")
    if name == "push":
        assert isinstance(result, Ignored)
        assert "push" in result.reason
        return
    if name == "issues" and action not in {
        "opened",
        "edited",
        "closed",
        "reopened",
        "labeled",
        "unlabeled",
    }:
        assert isinstance(result, Ignored)
        assert str(action) in result.reason
        return
    if name == "issue_comment" and payload["issue"].get("pull_request"):
        assert result == Ignored("comments on pull requests are not incidents")
        return
    assert isinstance(result, Event), result
    if name == "workflow_dispatch":
        assert result.is_sweep
        return
    assert result.issue is not None
    assert result.issue.number == payload["issue"]["number"]
    assert result.sender == payload["sender"]["login"]
    if name == "issue_comment":
        assert result.comment is not None
        assert result.comment.id == payload["comment"]["id"]
        assert result.comment.body == (payload["comment"]["body"] or "")
    if action in {"labeled", "unlabeled"} and "label" in payload:
        assert result.label == payload["label"]["name"]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        pytest.param({"action": "opened"}, "no usable issue", id="issue-missing"),
        pytest.param(
            {"action": "opened", "issue": {"number": "1"}}, "no usable issue", id="number-text"
        ),
        pytest.param(
            {"action": "opened", "issue": {"number": 1, "id": 2, "created_at": "yesterday"}},
            "no usable issue",
            id="bad-time",
        ),
        pytest.param({"action": "transferred"}, "issues.transferred", id="unhandled-action"),
        pytest.param({}, "the issues event payload has no `action`; ", id="no-action"),
        pytest.param({"action": 7}, "payload has no `action`", id="action-not-text"),
    ],
)
def test_malformed_payloads_are_ignored_with_a_reason(payload: dict[str, Any], reason: str) -> None:
    result = read_event("issues", payload)
    assert isinstance(result, Ignored)
    assert reason in result.reason
    assert "None" not in result.reason


def test_a_comment_payload_without_an_action_names_the_actions_handled() -> None:
    result = read_event("issue_comment", {"comment": {}})
    assert isinstance(result, Ignored)
    assert result.reason == (
        "the issue_comment event payload has no `action`; GitHub sends one with every "
        "issue_comment event, and warroom acts on created, deleted, edited: check the file "
        "GITHUB_EVENT_PATH names"
    )


def test_bot_senders_are_recognised() -> None:
    payload = {
        "action": "created",
        "sender": {"login": "github-actions[bot]", "type": "Bot"},
        "issue": {"number": 1, "id": 10, "created_at": "2026-11-28T16:00:00Z"},
        "comment": {
            "id": 5,
            "body": "x",
            "created_at": "2026-11-28T16:01:00Z",
            "user": {"login": "github-actions[bot]", "type": "Bot"},
        },
    }
    result = read_event("issue_comment", payload)
    assert isinstance(result, Event)
    assert result.sender_is_bot
    assert result.comment is not None
    assert result.comment.author_is_bot
