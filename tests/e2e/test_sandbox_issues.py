"""Issues through PyGithub, unchanged: create, read, edit, close, reopen, list and filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from github import GithubException

from tests.e2e.conftest import START, TestSandbox
from tests.support.fidelity import Fidelity

pytestmark = [pytest.mark.e2e, pytest.mark.npm]


def test_created_issue_carries_the_fields_github_returns(sandbox: TestSandbox) -> None:
    repo = sandbox.repo("admin")
    issue = repo.create_issue(
        "Checkout is down", body="Customers see 500s", labels=["bug"], assignees=["writer"]
    )

    assert issue.number == 1
    assert issue.id != issue.number
    assert issue.node_id.startswith("I_")
    assert issue.title == "Checkout is down"
    assert issue.body == "Customers see 500s"
    assert issue.user.login == "admin"
    assert issue.state == "open"
    assert issue.state_reason is None
    assert issue.closed_at is None
    assert issue.created_at == START
    assert issue.updated_at == START
    assert [label.name for label in issue.labels] == ["bug"]
    assert [a.login for a in issue.assignees] == ["writer"]
    assert issue.author_association == "MEMBER"
    assert issue.html_url == f"{sandbox.base_url}/acme/service/issues/1"
    assert issue.url == f"{sandbox.api_url}/repos/acme/service/issues/1"
    assert issue.comments == 0
    assert issue.reactions["total_count"] == 0
    assert issue.sub_issues_summary.total == 0


def test_get_issue_returns_what_was_created_and_404_for_unknown(sandbox: TestSandbox) -> None:
    repo = sandbox.repo()
    created = repo.create_issue("One")

    fetched = repo.get_issue(created.number)
    assert (fetched.id, fetched.title) == (created.id, "One")
    with pytest.raises(GithubException) as raised:
        repo.get_issue(999)
    assert raised.value.status == 404
    assert raised.value.data["message"] == "Not Found"


def test_edit_close_and_reopen_follow_github_state_rules(sandbox: TestSandbox) -> None:
    repo = sandbox.repo()
    issue = repo.create_issue("Original", body="first")
    sandbox.set_clock(advance=timedelta(minutes=5))

    issue.edit(title="Renamed", body="second")
    assert (issue.title, issue.body) == ("Renamed", "second")
    assert issue.updated_at == START + timedelta(minutes=5)

    issue.edit(state="closed", state_reason="not_planned")
    assert issue.state == "closed"
    assert issue.state_reason == "not_planned"
    assert issue.closed_at == START + timedelta(minutes=5)
    assert issue.closed_by.login == "admin"

    issue.edit(state="open")
    assert (issue.state, issue.state_reason, issue.closed_at) == ("open", "reopened", None)

    issue.edit(state="closed")
    assert issue.state_reason == "completed"


def test_state_reason_without_a_state_change_is_ignored(sandbox: TestSandbox) -> None:
    issue = sandbox.repo().create_issue("Open one")

    issue.edit(state_reason="not_planned")

    assert (issue.state, issue.state_reason) == ("open", None)


def test_closing_with_reason_reopened_is_rejected(sandbox: TestSandbox) -> None:
    issue = sandbox.repo().create_issue("Open one")

    with pytest.raises(GithubException) as raised:
        issue.edit(state="closed", state_reason="reopened")

    assert raised.value.status == 422
    assert raised.value.data["errors"][0]["field"] == "state_reason"


@pytest.fixture
def listed(sandbox: TestSandbox) -> TestSandbox:
    """Five issues with distinct times, labels, authors, assignees and states."""
    repo = sandbox.repo("admin")
    milestone = repo.create_milestone("v1")
    for n in range(1, 6):
        sandbox.set_clock(now=START + timedelta(hours=n))
        labels = ["bug"] if n % 2 else ["incident"]
        repo.create_issue(f"Issue {n}", labels=labels, assignees=["writer"] if n == 2 else [])
    sandbox.repo("writer").create_issue("By writer")  # number 6
    sandbox.set_clock(now=START + timedelta(hours=10))
    repo.get_issue(1).edit(state="closed")
    repo.get_issue(3).edit(milestone=milestone)
    repo.get_issue(4).create_comment("busy")
    repo.get_issue(4).create_comment("busier")
    return sandbox


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({}, [6, 5, 4, 3, 2], id="default-open-newest-first"),
        pytest.param({"state": "closed"}, [1], id="closed"),
        pytest.param({"state": "all"}, [6, 5, 4, 3, 2, 1], id="all"),
        pytest.param({"state": "all", "direction": "asc"}, [1, 2, 3, 4, 5, 6], id="oldest-first"),
        pytest.param({"labels": ["bug"]}, [5, 3], id="label"),
        pytest.param({"labels": ["bug", "incident"]}, [], id="labels-all-required"),
        pytest.param({"assignee": "writer"}, [2], id="assignee"),
        pytest.param({"assignee": "none"}, [6, 5, 4, 3], id="unassigned"),
        pytest.param({"creator": "writer"}, [6], id="creator"),
        pytest.param({"milestone": "*"}, [3], id="any-milestone"),
        pytest.param({"milestone": "none"}, [6, 5, 4, 2], id="no-milestone"),
        pytest.param({"sort": "comments"}, [4, 6, 5, 3, 2], id="most-commented"),
        pytest.param({"sort": "updated"}, [4, 3, 6, 5, 2], id="recently-updated"),
    ],
)
def test_list_filters_and_sorts_like_github(
    listed: TestSandbox, filters: dict[str, object], expected: list[int]
) -> None:
    repo = listed.repo()
    params = dict(filters)
    if "labels" in params:
        params["labels"] = [repo.get_label(name) for name in params["labels"]]  # type: ignore[union-attr]
    if params.get("milestone") not in (None, "*", "none"):
        params["milestone"] = repo.get_milestone(int(params["milestone"]))  # type: ignore[arg-type]

    found = [issue.number for issue in repo.get_issues(**params)]  # type: ignore[arg-type]

    assert found == expected


def test_since_keeps_issues_updated_at_or_after(listed: TestSandbox) -> None:
    repo = listed.repo()

    found = [i.number for i in repo.get_issues(state="all", since=START + timedelta(hours=10))]

    assert sorted(found) == [1, 3, 4]


def test_pages_follow_link_headers_up_to_100_per_page(sandbox: TestSandbox) -> None:
    sandbox.seed_issues(205)

    client = sandbox.github(per_page=100)
    numbers = [i.number for i in client.get_repo(sandbox.repo_full_name).get_issues()]
    assert numbers == list(range(205, 0, -1))

    first = sandbox.http("GET", "/repos/acme/service/issues?per_page=100")
    link = first.header("Link") or ""
    assert 'rel="next"' in link
    assert 'rel="last"' in link
    assert "page=3" in link
    assert len(first.body) == 100

    over = sandbox.http("GET", "/repos/acme/service/issues?per_page=500")
    assert len(over.body) == 100

    last = sandbox.http("GET", "/repos/acme/service/issues?per_page=100&page=3")
    last_link = last.header("Link") or ""
    assert len(last.body) == 5
    assert 'rel="prev"' in last_link
    assert 'rel="first"' in last_link
    assert 'rel="next"' not in last_link


def test_invalid_list_filter_value_is_a_validation_error(
    sandbox: TestSandbox, fidelity: Fidelity
) -> None:
    with fidelity.expect_violation("issues/list-for-repo", match="state"):
        answer = sandbox.http("GET", "/repos/acme/service/issues?state=shut")

    assert answer.status == 422
    assert answer.body["errors"] == [
        {"resource": "Issue", "code": "invalid", "field": "state", "value": "shut"}
    ]


def test_lock_and_unlock_only_let_writers_comment_meanwhile(sandbox: TestSandbox) -> None:
    issue = sandbox.repo("admin").create_issue("Heated")

    issue.lock("too heated")
    locked = sandbox.repo("reader").get_issue(issue.number)
    assert (locked.locked, locked.active_lock_reason) == (True, "too heated")
    with pytest.raises(GithubException) as raised:
        locked.create_comment("let me in")
    assert raised.value.status == 403
    assert sandbox.repo("writer").get_issue(issue.number).create_comment("calm down").body

    issue.unlock()
    assert sandbox.repo("reader").get_issue(issue.number).create_comment("thanks").body == "thanks"


def test_repository_and_users_are_served(sandbox: TestSandbox) -> None:
    client = sandbox.github("writer")

    repo = client.get_repo("ACME/Service")
    assert (repo.full_name, repo.id, repo.private) == ("acme/service", 700000001, False)
    assert repo.permissions.push
    assert not repo.permissions.admin
    assert client.get_user().login == "writer"
    named = client.get_user("triager")
    assert (named.login, named.name, named.type) == ("triager", "Tara Triager", "User")
    assert client.get_user("github-actions[bot]").type == "Bot"
    with pytest.raises(GithubException) as raised:
        client.get_user("nobody-here")
    assert raised.value.status == 404
    with pytest.raises(GithubException):
        client.get_repo("acme/other")


def test_rate_limit_counts_requests_per_user(sandbox: TestSandbox) -> None:
    client = sandbox.github("reader")
    client.get_repo(sandbox.repo_full_name)

    limit = client.get_rate_limit()

    assert limit.resources.core.limit == 5000
    assert limit.resources.core.remaining == 4999
    answer = sandbox.http("GET", "/repos/acme/service", login="reader")
    assert answer.header("X-RateLimit-Remaining") == "4998"
    assert answer.header("X-RateLimit-Used") == "2"
    assert answer.header("X-RateLimit-Reset") == str(int((START + timedelta(hours=1)).timestamp()))
    assert answer.header("X-GitHub-Request-Id")
