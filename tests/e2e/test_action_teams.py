"""`responders.teams` through the sandbox: membership read over HTTP, and the workflow
token's refusal turned into a run that says what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.action_support import FAST, dispatching_sandbox
from tests.e2e.conftest import START, TestSandbox
from warroom import story
from warroom.config import Api
from warroom.errors import GitHubError
from warroom.github.adapter import GitHubAdapter

pytestmark = pytest.mark.e2e


def _adapter(sb: TestSandbox, login: str) -> GitHubAdapter:
    return GitHubAdapter(
        api_url=sb.api_url,
        token=sb.tokens[login],
        repository=sb.repo_full_name,
        api=Api(seconds_between_writes=0, retry_seconds=1),
    )


@pytest.mark.parametrize(
    ("team", "login", "member"),
    [
        pytest.param("incident-responders", "triager", True, id="member"),
        pytest.param("acme/incident-responders", "triager", True, id="org-slug"),
        pytest.param("incident-responders", "reader", False, id="not-a-member"),
        pytest.param("no-such-team", "triager", False, id="unknown-team"),
    ],
)
def test_team_membership_is_read_with_a_members_token(
    make_sandbox: Callable[..., TestSandbox], team: str, login: str, member: bool
) -> None:
    sb = make_sandbox(teams={"incident-responders": ["triager"]})
    assert _adapter(sb, "admin").team_member(team, login) is member
    assert sb.requests(operation_id="teams/get-membership-for-user-in-org")["counts"] == {
        "teams/get-membership-for-user-in-org": 1
    }


def test_one_run_asks_github_once_per_person(make_sandbox: Callable[..., TestSandbox]) -> None:
    """A sweep derives many incidents: the same author's answers are read once per run."""
    sb = make_sandbox(teams={"incident-responders": ["triager"]})
    adapter = _adapter(sb, "admin")
    for _ in range(3):
        assert adapter.permission("Triager") == "triage"
        assert adapter.team_member("incident-responders", "triager") is True
    assert sb.requests()["counts"] == {
        "repos/get-collaborator-permission-level": 1,
        "teams/get-membership-for-user-in-org": 1,
    }


def test_a_workflow_token_that_cannot_read_teams_says_what_to_do(
    make_sandbox: Callable[..., TestSandbox],
) -> None:
    sb = make_sandbox(teams={"incident-responders": ["triager"]})
    with pytest.raises(GitHubError, match="read:org"):
        _adapter(sb, "github-actions[bot]").team_member("incident-responders", "triager")


def test_the_action_with_teams_and_the_workflow_token_fails_with_the_fix(
    make_sandbox: Callable[..., TestSandbox], tmp_path: Path
) -> None:
    sb = dispatching_sandbox(
        make_sandbox,
        tmp_path,
        FAST + "responders:\n  teams: [incident-responders]\n",
        teams={"incident-responders": ["triager"]},
    )
    issue = sb.repo("admin").create_issue(
        title="[incident] x", body=story.incident_body(), labels=["incident"]
    )
    assert sb.wait_idle(60)
    sb.repo("triager").get_issue(issue.number).create_comment(story.snapshot(START))
    assert sb.wait_idle(60)
    run = sb.runs()[-1]
    assert run["exit_code"] == 1
    assert "::error::" in run["stdout"]
    assert "read:org" in run["stdout"]
    assert "Traceback" not in run["stderr"]
