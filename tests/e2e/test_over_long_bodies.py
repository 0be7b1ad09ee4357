"""Over-long bodies end to end: hostile text makes warroom cut what it writes, never fail.

GitHub (and the sandbox, which is held to it) answers 422 to a body over
65,536 characters. Before ``warroom.limits``, a 60,000-character summary of
``<`` (four times longer once quoted) or one comment with 50 invalid records
made that incident's runs fail, every one after it. Here the sandbox runs
`warroom action` for each event the way a workflow would, and the assertions
read what anyone would see on GitHub.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import MakeSandbox, dispatching_sandbox
from tests.e2e.action_support import labels as _labels
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from warroom import story
from warroom.limits import COMMENT_LIMIT, ISSUE_BODY_LIMIT, TITLE_LIMIT
from warroom.markers import decode_state

pytestmark = pytest.mark.e2e

SUMMARY = "401s on every authenticated API call since the auth-gateway deploy"
INVALID = "### Checkpoint Decision Record\n- Decision: " + "<" * 60 + "\n- Timestamp: soon\n\n"
"""An invalid record: its reply lists nine problems, two quoting "<" as "&lt;"."""
TRUNCATED = "… truncated: "


def _ok(run: dict[str, Any]) -> None:
    assert run["exit_code"] == 0, run["stdout"] + run["stderr"]


def _bodies(sb: TestSandbox, number: int, prefix: str) -> list[Any]:
    return [c for c in sb.repo().get_issue(number).get_comments() if c.body.startswith(prefix)]


def test_the_sandbox_refuses_a_body_over_the_limit_as_github_does(sandbox: TestSandbox) -> None:
    """What makes the test below able to fail: 65,537 characters are refused with 422."""
    sb = sandbox
    (number,) = sb.seed_issues(1, title="t", body="b")
    path = f"/repos/{sb.repo_full_name}/issues/{number}/comments"
    assert sb.http("POST", path, {"body": "x" * (COMMENT_LIMIT + 1)}).status == 422
    assert sb.http("POST", path, {"body": "x" * COMMENT_LIMIT}).status == 201


def test_hostile_lengths_are_cut_and_the_incident_goes_on(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path)
    body = story.incident_body().replace(SUMMARY, "<" * 60_000)
    assert len(body) <= ISSUE_BODY_LIMIT
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s on every authenticated call", body=body, labels=["incident"]
    )
    _ok(_settle(sb)[-1])
    (status,) = _bodies(sb, issue.number, f"<!-- warroom:status:{issue.number} -->")
    assert len(status.body) <= COMMENT_LIMIT
    assert "### Closure gate" in status.body  # the summary took a title's room, not all of it

    # One comment with 50 invalid records: the reply lists what fits and links the rest.
    comment = sb.repo(story.MITIGATION).get_issue(issue.number).create_comment(INVALID * 50)
    _ok(_settle(sb)[-1])
    (reply,) = _bodies(sb, issue.number, f"<!-- warroom:reply:{comment.id} -->")
    assert len(reply.body) <= COMMENT_LIMIT
    assert TRUNCATED in reply.body
    assert comment.html_url in reply.body

    # A follow-up whose acceptance criterion and title are far too long is still opened.
    record = story.follow_up(
        title="t" * 400, kind="regression test", owner=story.MITIGATION, due="2026-12-05"
    ).replace("the check runs in CI on every change under services/auth/**", "<" * 60_000)
    source = sb.repo(story.MITIGATION).get_issue(issue.number).create_comment(record)
    _ok(_settle(sb)[-1])
    (opened,) = list(sb.repo().get_issues(labels=["hardening"]))
    assert len(opened.title) <= TITLE_LIMIT
    assert len(opened.body) <= ISSUE_BODY_LIMIT
    assert opened.body.startswith("<!-- warroom:follow-up:")
    assert source.html_url in opened.body

    # Later records still apply, and the status comment's state is whole.
    sb.repo(story.COMMANDER).get_issue(issue.number).create_comment(
        story.snapshot(START, phase="containment")
    )
    runs = _settle(sb)
    for run in runs:
        _ok(run)
    assert "phase: containment" in _labels(sb, issue.number)
    (status,) = _bodies(sb, issue.number, f"<!-- warroom:status:{issue.number} -->")
    assert len(status.body) <= COMMENT_LIMIT
    assert decode_state(status.body)["labels"]
