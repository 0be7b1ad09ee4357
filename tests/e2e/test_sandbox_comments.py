"""Issue comments through PyGithub: create, list, get, edit, delete, and who may."""

from __future__ import annotations

from datetime import timedelta

import pytest
from github import GithubException

from tests.e2e.conftest import START, TestSandbox

pytestmark = [pytest.mark.e2e, pytest.mark.npm]


def test_comment_lifecycle(sandbox: TestSandbox) -> None:
    issue = sandbox.repo("admin").create_issue("Talk")
    sandbox.set_clock(advance=timedelta(minutes=3))

    comment = issue.create_comment("First update")
    assert comment.body == "First update"
    assert comment.user.login == "admin"
    assert comment.created_at == START + timedelta(minutes=3)
    assert comment.html_url.endswith(f"/acme/service/issues/1#issuecomment-{comment.id}")
    assert comment.issue_url.endswith("/issues/1")
    assert sandbox.repo().get_issue(1).comments == 1
    assert sandbox.repo().get_issue(1).updated_at == START + timedelta(minutes=3)

    fetched = issue.get_comment(comment.id)
    assert fetched.body == "First update"

    sandbox.set_clock(advance=timedelta(minutes=1))
    fetched.edit("Corrected update")
    again = sandbox.repo().get_issue(1).get_comment(comment.id)
    assert again.body == "Corrected update"
    assert again.updated_at == START + timedelta(minutes=4)
    assert again.created_at == START + timedelta(minutes=3)

    again.delete()
    assert list(issue.get_comments()) == []
    assert sandbox.repo().get_issue(1).comments == 0
    with pytest.raises(GithubException) as raised:
        sandbox.repo().get_issue(1).get_comment(comment.id).body  # noqa: B018
    assert raised.value.status == 404


def test_comments_list_in_order_with_since(sandbox: TestSandbox) -> None:
    repo = sandbox.repo("writer")
    one, two = repo.create_issue("One"), repo.create_issue("Two")
    for n in range(4):
        sandbox.set_clock(now=START + timedelta(hours=n))
        (one if n % 2 == 0 else two).create_comment(f"c{n}")

    assert [c.body for c in one.get_comments()] == ["c0", "c2"]
    assert [c.body for c in one.get_comments(since=START + timedelta(hours=1))] == ["c2"]
    assert [c.body for c in repo.get_issues_comments()] == ["c0", "c1", "c2", "c3"]
    newest = repo.get_issues_comments(sort="created", direction="desc")
    assert [c.body for c in newest] == ["c3", "c2", "c1", "c0"]
    since = repo.get_issues_comments(since=START + timedelta(hours=2))
    assert [c.body for c in since] == ["c2", "c3"]


@pytest.mark.parametrize(
    ("login", "association"),
    [
        pytest.param("admin", "MEMBER", id="admin"),
        pytest.param("maintainer", "MEMBER", id="maintain"),
        pytest.param("writer", "MEMBER", id="write"),
        pytest.param("triager", "COLLABORATOR", id="triage"),
        pytest.param("reader", "COLLABORATOR", id="read"),
        pytest.param("outsider", "NONE", id="none"),
        pytest.param("github-actions[bot]", "NONE", id="bot"),
    ],
)
def test_author_association_follows_the_relation_to_the_repository(
    sandbox: TestSandbox, login: str, association: str
) -> None:
    repo = sandbox.repo(login)
    issue = repo.create_issue(f"Filed by {login}")

    comment = issue.create_comment("hello")

    assert issue.author_association == association
    assert comment.author_association == association
    assert comment.user.login == login


@pytest.mark.parametrize(
    ("editor", "allowed"),
    [
        pytest.param("reader", True, id="own-comment"),
        pytest.param("writer", True, id="write-edits-anyone"),
        pytest.param("github-actions[bot]", True, id="workflow-token"),
        pytest.param("triager", False, id="triage-cannot-edit-others"),
        pytest.param("outsider", False, id="stranger"),
    ],
)
def test_who_may_edit_and_delete_a_comment(
    sandbox: TestSandbox, editor: str, allowed: bool
) -> None:
    issue = sandbox.repo("reader").create_issue("Mine")
    comment_id = issue.create_comment("by reader").id
    theirs = sandbox.repo(editor).get_issue(issue.number).get_comment(comment_id)

    if allowed:
        theirs.edit("edited")
        assert sandbox.repo().get_issue(1).get_comment(comment_id).body == "edited"
        theirs.delete()
        assert list(sandbox.repo().get_issue(1).get_comments()) == []
    else:
        for action in (lambda: theirs.edit("edited"), theirs.delete):
            with pytest.raises(GithubException) as raised:
                action()
            assert raised.value.status == 403
        assert sandbox.repo().get_issue(1).get_comment(comment_id).body == "by reader"
