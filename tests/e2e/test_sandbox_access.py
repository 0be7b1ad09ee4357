"""Identity, permission levels and GitHub's error answers for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from github import Auth, BadCredentialsException, Github, GithubException

from tests.e2e.conftest import MakeSandbox, TestSandbox
from tests.support.fidelity import Fidelity

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

LEVELS = ["admin", "maintain", "write", "triage", "read", "none"]


def _attempt(sandbox: TestSandbox, login: str, action: str) -> int:
    """Try one write as ``login`` on issue 1 (filed by admin); the HTTP status it got."""
    calls: dict[str, tuple[str, str, Any]] = {
        "create-issue": ("POST", "/repos/acme/service/issues", {"title": "t"}),
        "comment": ("POST", "/repos/acme/service/issues/1/comments", {"body": "b"}),
        "close-others-issue": ("PATCH", "/repos/acme/service/issues/1", {"state": "closed"}),
        "add-label": ("POST", "/repos/acme/service/issues/1/labels", {"labels": ["bug"]}),
        "assign": ("POST", "/repos/acme/service/issues/1/assignees", {"assignees": ["admin"]}),
        "create-label": ("POST", "/repos/acme/service/labels", {"name": "x", "color": "ffffff"}),
        "create-milestone": ("POST", "/repos/acme/service/milestones", {"title": "m"}),
        "add-sub-issue": ("POST", "/repos/acme/service/issues/1/sub_issues", {"sub_issue_id": 0}),
        "read-permissions": ("GET", "/repos/acme/service/collaborators/admin/permission", None),
    }
    method, path, body = calls[action]
    if action == "add-sub-issue":
        body = {"sub_issue_id": sandbox.state.issues[2].id}
    return sandbox.http(method, path, body, login=sandbox.logins_by_level.get(login, login)).status


OK = {"create-issue": 201, "comment": 201, "add-label": 200, "assign": 201, "create-label": 201}
OK.update({"create-milestone": 201, "add-sub-issue": 201, "read-permissions": 200})
OK["close-others-issue"] = 200

# The lowest level allowed to do each thing, as GitHub's repository roles grant it.
LOWEST = {
    "create-issue": "none",
    "comment": "none",
    "close-others-issue": "triage",
    "add-label": "triage",
    "assign": "triage",
    "add-sub-issue": "triage",
    "create-label": "write",
    "create-milestone": "write",
    "read-permissions": "write",
}


@pytest.mark.parametrize("action", sorted(LOWEST))
@pytest.mark.parametrize("level", LEVELS)
def test_each_level_may_do_what_its_role_grants(
    sandbox: TestSandbox, level: str, action: str
) -> None:
    admin = sandbox.repo("admin")
    admin.create_issue("Filed by admin")
    admin.create_issue("Child")

    status = _attempt(sandbox, level, action)

    allowed = LEVELS.index(level) <= LEVELS.index(LOWEST[action])
    assert status == (OK[action] if allowed else 403)


def test_the_workflow_token_has_issues_write(sandbox: TestSandbox) -> None:
    sandbox.repo("admin").create_issue("Filed by admin")
    sandbox.repo("admin").create_issue("Child")

    statuses = {a: _attempt(sandbox, "github-actions[bot]", a) for a in sorted(LOWEST)}

    assert statuses == {a: OK[a] for a in sorted(LOWEST)}
    answer = sandbox.http("GET", "/user", login="github-actions[bot]")
    assert (answer.status, answer.body["message"]) == (
        403,
        "Resource not accessible by integration",
    )


def test_without_push_access_labels_and_assignees_on_create_are_dropped(
    sandbox: TestSandbox,
) -> None:
    issue = sandbox.repo("reader").create_issue("Please label", labels=["bug"], assignees=["admin"])

    assert (issue.labels, issue.assignees) == ([], [])


def test_authors_may_edit_and_close_their_own_issue(sandbox: TestSandbox) -> None:
    issue = sandbox.repo("outsider").create_issue("My report")

    issue.edit(body="More detail", state="closed")

    assert (issue.body, issue.state, issue.closed_by.login) == ("More detail", "closed", "outsider")


def test_bad_token_is_401_bad_credentials(sandbox: TestSandbox) -> None:
    client = Github(base_url=sandbox.api_url, auth=Auth.Token("ghp_not_a_real_token"), retry=None)

    with pytest.raises(BadCredentialsException) as raised:
        client.get_repo(sandbox.repo_full_name)

    assert raised.value.status == 401
    assert raised.value.data["message"] == "Bad credentials"
    assert sandbox.http("GET", "/rate_limit", token="garbage").status == 401


def test_anonymous_may_read_a_public_repository_but_not_write(sandbox: TestSandbox) -> None:
    sandbox.repo().create_issue("Public")

    read = sandbox.http("GET", "/repos/acme/service/issues/1", login=None)
    write = sandbox.http("POST", "/repos/acme/service/issues", {"title": "x"}, login=None)

    assert read.status == 200
    assert read.header("X-RateLimit-Limit") == "60"
    assert (write.status, write.body["message"]) == (401, "Requires authentication")


def test_a_private_repository_hides_itself_from_those_without_access(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = make_sandbox(private=True)
    sandbox.repo().create_issue("Secret")

    assert sandbox.http("GET", "/repos/acme/service/issues/1", login="outsider").status == 404
    assert sandbox.http("GET", "/repos/acme/service", login=None).status == 404
    assert sandbox.http("GET", "/repos/acme/service/issues/1", login="reader").status == 200
    permission = sandbox.repo().get_collaborator_permission("outsider")
    assert permission == "none"


@pytest.mark.parametrize(
    ("method", "path", "raw", "status", "message"),
    [
        pytest.param(
            "POST",
            "/repos/acme/service/issues",
            b'{"title": "unterminated',
            400,
            "Problems parsing JSON",
            id="malformed-json",
        ),
        pytest.param(
            "POST",
            "/repos/acme/service/issues",
            b'{"title": "t", "severity": "high"}',
            422,
            'Invalid request.\n\n"severity" is not a permitted key.',
            id="unknown-field",
        ),
        pytest.param(
            "POST",
            "/repos/acme/service/issues",
            b'{"body": "no title"}',
            422,
            'Invalid request.\n\n"title" wasn\'t supplied.',
            id="missing-title",
        ),
        pytest.param(
            "POST",
            "/repos/acme/service/issues",
            b'{"title": true}',
            422,
            "Invalid request.\n\nFor 'properties/title', true is not a string or an integer.",
            id="wrong-type",
        ),
        pytest.param(
            "POST",
            "/repos/acme/service/issues",
            b"[1, 2]",
            422,
            "Invalid request.\n\nFor 'links/0/schema', [1, 2] is not an object.",
            id="not-an-object",
        ),
        pytest.param(
            "POST",
            "/repos/acme/service/issues/1/comments",
            b"",
            422,
            "Invalid request.\n\nFor 'links/0/schema', nil is not an object.",
            id="no-body",
        ),
    ],
)
def test_bad_input_gets_githubs_answer(
    sandbox: TestSandbox,
    fidelity: Fidelity,
    method: str,
    path: str,
    raw: bytes,
    status: int,
    message: str,
) -> None:
    sandbox.repo().create_issue("Target")
    operation = "issues/create" if path.endswith("/issues") else "issues/create-comment"

    if status == 422 and b"severity" in raw:
        # GitHub's description does not forbid extra keys, so only GitHub's answer tells.
        answer = sandbox.http(method, path, raw=raw)
    else:
        with fidelity.expect_violation(operation, match="request body"):
            answer = sandbox.http(method, path, raw=raw)

    assert answer.status == status
    assert answer.body["message"] == message
    assert answer.body["documentation_url"].startswith("https://docs.github.com/")
    assert sandbox.http("GET", "/repos/acme/service/issues/1").status == 200


@pytest.mark.parametrize(
    ("make_request", "resource", "field", "message"),
    [
        pytest.param(
            lambda repo: repo.create_issue("t", body="x" * 65537),
            "Issue",
            "body",
            "body is too long (maximum is 65536 characters)",
            id="issue-body-over-65536",
        ),
        pytest.param(
            lambda repo: repo.get_issue(1).create_comment("x" * 65537),
            "IssueComment",
            "data",
            "Body is too long (maximum is 65536 characters)",
            id="comment-over-65536",
        ),
        pytest.param(
            lambda repo: repo.create_issue("t", labels=["l" * 51]),
            "Label",
            "name",
            "name is too long (maximum is 50 characters)",
            id="label-over-50",
        ),
        pytest.param(
            lambda repo: repo.get_issue(1).create_comment("   "),
            "IssueComment",
            "data",
            "Body cannot be blank",
            id="blank-comment",
        ),
    ],
)
def test_limits_are_validation_failures(
    sandbox: TestSandbox, make_request: Any, resource: str, field: str, message: str
) -> None:
    repo = sandbox.repo("admin")
    repo.create_issue("Target")

    with pytest.raises(GithubException) as raised:
        make_request(repo)

    assert raised.value.status == 422
    assert raised.value.data["message"] == "Validation Failed"
    error = raised.value.data["errors"][0]
    assert (error["resource"], error["field"], error["message"]) == (resource, field, message)


def test_exactly_65536_characters_is_accepted(sandbox: TestSandbox) -> None:
    issue = sandbox.repo().create_issue("t", body="x" * 65536)

    assert len(issue.create_comment("y" * 65536).body) == 65536


def test_unknown_routes_and_methods_are_404(sandbox: TestSandbox) -> None:
    assert sandbox.http("GET", "/repos/acme/service/releases").status == 404
    assert sandbox.http("DELETE", "/repos/acme/service/issues/1").status == 404
    assert sandbox.http("GET", "/repos/acme/service/issues/").status == 404
    body = sandbox.http("GET", "/nope").body
    assert body["message"] == "Not Found"
