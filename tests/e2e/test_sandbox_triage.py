"""Labels, assignees, milestones, sub-issues and the timeline, through PyGithub."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from github import GithubException

from tests.e2e.conftest import START, TestSandbox

pytestmark = [pytest.mark.e2e, pytest.mark.npm]


def test_repository_labels_start_with_githubs_defaults_and_can_be_managed(
    sandbox: TestSandbox,
) -> None:
    repo = sandbox.repo("writer")
    names = [label.name for label in repo.get_labels()]
    assert "bug" in names
    assert "good first issue" in names
    assert len(names) == 9

    created = repo.create_label("sev:1", "B60205", "Customer-facing outage")
    assert (created.name, created.color, created.description) == (
        "sev:1",
        "b60205",
        "Customer-facing outage",
    )
    assert repo.get_label("SEV:1").id == created.id

    created.edit("sev-1", "d93f0b", "Renamed")
    assert repo.get_label("sev-1").color == "d93f0b"
    with pytest.raises(GithubException) as raised:
        repo.get_label("sev:1")
    assert raised.value.status == 404

    repo.get_label("sev-1").delete()
    assert "sev-1" not in [label.name for label in repo.get_labels()]


def test_duplicate_and_malformed_labels_are_rejected(sandbox: TestSandbox) -> None:
    repo = sandbox.repo("writer")
    repo.create_label("incident", "ff0000")

    with pytest.raises(GithubException) as duplicate:
        repo.create_label("Incident", "00ff00")
    assert duplicate.value.status == 422
    assert duplicate.value.data["errors"] == [
        {"resource": "Label", "code": "already_exists", "field": "name"}
    ]
    with pytest.raises(GithubException) as bad_color:
        repo.create_label("other", "red")
    assert bad_color.value.data["errors"][0]["field"] == "color"
    with pytest.raises(GithubException) as too_long:
        repo.create_label("x" * 51, "ff0000")
    assert too_long.value.data["errors"][0]["message"] == (
        "name is too long (maximum is 50 characters)"
    )


def test_issue_labels_add_set_and_remove(sandbox: TestSandbox) -> None:
    issue = sandbox.repo("triager").create_issue("Triage me")

    issue.add_to_labels("bug", "needs-owner")  # PyGithub sends a bare array; GitHub accepts it
    assert sorted(label.name for label in issue.get_labels()) == ["bug", "needs-owner"]
    created = sandbox.repo().get_label("needs-owner")
    assert (created.color, created.default) == ("ededed", False)

    issue.set_labels("incident", "bug")
    assert sorted(label.name for label in issue.get_labels()) == ["bug", "incident"]

    issue.remove_from_labels("bug")
    assert [label.name for label in issue.get_labels()] == ["incident"]
    with pytest.raises(GithubException) as missing:
        issue.remove_from_labels("bug")
    assert (missing.value.status, missing.value.data["message"]) == (404, "Label does not exist")

    issue.delete_labels()
    assert list(issue.get_labels()) == []


def test_labels_in_githubs_documented_object_form(sandbox: TestSandbox) -> None:
    sandbox.repo("admin").create_issue("Documented form")

    added = sandbox.http(
        "POST", "/repos/acme/service/issues/1/labels", {"labels": ["bug", {"name": "sev-2"}]}
    )
    replaced = sandbox.http("PUT", "/repos/acme/service/issues/1/labels", {"labels": ["sev-1"]})

    assert added.status == 200
    assert [label["name"] for label in added.body] == ["bug", "sev-2"]
    assert replaced.status == 200
    assert [label["name"] for label in replaced.body] == ["sev-1"]


def test_assignees_add_remove_and_the_can_be_assigned_checks(sandbox: TestSandbox) -> None:
    repo = sandbox.repo("triager")
    issue = repo.create_issue("Who owns this")

    issue.add_to_assignees("writer", "maintainer", "outsider")
    assert [a.login for a in issue.assignees] == ["writer", "maintainer"]
    issue.remove_from_assignees("writer")
    assert [a.login for a in issue.assignees] == ["maintainer"]

    assert repo.has_in_assignees("reader")
    assert not repo.has_in_assignees("outsider")
    assert not repo.has_in_assignees("github-actions[bot]")
    assert {u.login for u in repo.get_assignees()} == {
        "admin",
        "maintainer",
        "writer",
        "triager",
        "reader",
    }

    def can_be_assigned(login: str) -> int:
        status, _, _ = issue._requester.requestJson("GET", f"{issue.url}/assignees/{login}")
        return status

    assert can_be_assigned("outsider") == 404
    sandbox.repo("outsider").get_issue(issue.number).create_comment("I can help")
    assert can_be_assigned("outsider") == 204
    issue.add_to_assignees("outsider")
    assert "outsider" in [a.login for a in issue.assignees]


def test_unknown_assignee_on_create_is_a_validation_error(sandbox: TestSandbox) -> None:
    with pytest.raises(GithubException) as raised:
        sandbox.repo().create_issue("Nope", assignees=["ghost-user"])

    assert raised.value.status == 422
    assert raised.value.data["errors"] == [
        {"value": "ghost-user", "resource": "Issue", "field": "assignees", "code": "invalid"}
    ]


@pytest.mark.parametrize(
    ("login", "permission", "role"),
    [
        pytest.param("admin", "admin", "admin", id="admin"),
        pytest.param("maintainer", "write", "maintain", id="maintain"),
        pytest.param("writer", "write", "write", id="write"),
        pytest.param("triager", "read", "triage", id="triage"),
        pytest.param("reader", "read", "read", id="read"),
        pytest.param("outsider", "read", "read", id="none-on-a-public-repo"),
    ],
)
def test_collaborator_permission_level(
    sandbox: TestSandbox, login: str, permission: str, role: str
) -> None:
    repo = sandbox.repo("github-actions[bot]")

    assert repo.get_collaborator_permission(login) == permission
    assert repo.get_collaborator_role_name(login) == role


def test_collaborators_are_listed_for_push_access_only(sandbox: TestSandbox) -> None:
    listed = {c.login for c in sandbox.repo("writer").get_collaborators()}
    assert listed == {"admin", "maintainer", "writer", "triager", "reader"}

    with pytest.raises(GithubException) as raised:
        sandbox.repo("triager").get_collaborator_permission("admin")
    assert raised.value.status == 403
    assert raised.value.data["message"] == "Must have push access to view repository collaborators."


def test_milestones_create_list_update_delete(sandbox: TestSandbox) -> None:
    repo = sandbox.repo("writer")
    due = datetime(2024, 6, 1, tzinfo=UTC)
    first = repo.create_milestone("Hardening", description="Follow-ups", due_on=due)
    second = repo.create_milestone("Later")
    issue = repo.create_issue("In milestone", milestone=first)

    assert issue.milestone.number == first.number
    assert (first.title, first.due_on, first.creator.login) == ("Hardening", due, "writer")
    assert [m.title for m in repo.get_milestones()] == ["Hardening", "Later"]
    assert repo.get_milestone(first.number).open_issues == 1
    issue.edit(state="closed")
    assert repo.get_milestone(first.number).closed_issues == 1

    second.edit("Later", state="closed")
    assert [m.title for m in repo.get_milestones(state="closed")] == ["Later"]
    second.delete()
    with pytest.raises(GithubException) as raised:
        repo.get_milestone(second.number)
    assert raised.value.status == 404
    with pytest.raises(GithubException) as duplicate:
        repo.create_milestone("Hardening")
    assert duplicate.value.data["errors"][0]["code"] == "already_exists"


def test_sub_issues_are_added_by_id_listed_reordered_and_removed(sandbox: TestSandbox) -> None:
    repo = sandbox.repo("triager")
    parent = repo.create_issue("Incident")
    children = [repo.create_issue(f"Follow-up {n}") for n in range(3)]

    for child in children:
        parent.add_sub_issue(child.id)
    with pytest.raises(GithubException) as by_number:
        parent.add_sub_issue(children[0].number)
    assert by_number.value.status == 404

    assert [s.number for s in parent.get_sub_issues()] == [2, 3, 4]
    parent.prioritize_sub_issue(children[0], children[2])
    assert [s.number for s in parent.get_sub_issues()] == [3, 4, 2]

    children[1].edit(state="closed")
    summary = repo.get_issue(parent.number).sub_issues_summary
    assert (summary.total, summary.completed, summary.percent_completed) == (3, 1, 33)
    assert repo.get_issue(2).parent_issue_url == parent.url
    status, _, data = parent._requester.requestJson("GET", f"{children[0].url}/parent")
    assert (status, data and '"number": 1' in data) == (200, True)

    removed = parent.remove_sub_issue(children[0])
    assert removed.number == 2
    assert [s.number for s in parent.get_sub_issues()] == [3, 4]
    assert repo.get_issue(2).parent_issue_url is None


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param("self", "An issue cannot be a sub-issue of itself", id="itself"),
        pytest.param("twice", "Issue may not contain duplicate sub-issues", id="duplicate"),
        pytest.param("other-parent", "Sub issue may only have one parent", id="second-parent"),
        pytest.param("cycle", "Sub issue cannot be an ancestor of its parent", id="cycle"),
    ],
)
def test_sub_issue_rules(sandbox: TestSandbox, setup: str, message: str) -> None:
    repo = sandbox.repo("admin")
    a, b, c = (repo.create_issue(t) for t in ("A", "B", "C"))
    if setup == "self":
        parent, child = a, a
    elif setup == "twice":
        a.add_sub_issue(b)
        parent, child = a, b
    elif setup == "other-parent":
        a.add_sub_issue(b)
        parent, child = c, b
    else:
        a.add_sub_issue(b)
        parent, child = b, a

    with pytest.raises(GithubException) as raised:
        parent.add_sub_issue(child)

    assert raised.value.status == 422
    assert raised.value.data["errors"][0]["message"] == message


def test_replace_parent_moves_a_sub_issue(sandbox: TestSandbox) -> None:
    repo = sandbox.repo("admin")
    a, b, c = (repo.create_issue(t) for t in ("A", "B", "C"))
    a.add_sub_issue(c)

    answer = sandbox.http(
        "POST",
        f"/repos/acme/service/issues/{b.number}/sub_issues",
        {"sub_issue_id": c.id, "replace_parent": True},
    )

    assert answer.status == 201
    assert [s.number for s in a.get_sub_issues()] == []
    assert [s.number for s in b.get_sub_issues()] == [c.number]


def test_timeline_and_events_record_what_happened_in_order(sandbox: TestSandbox) -> None:
    repo = sandbox.repo("admin")
    issue = repo.create_issue("Timeline", labels=["bug"])
    sandbox.set_clock(advance=timedelta(minutes=1))
    comment = issue.create_comment("Looking")
    sandbox.set_clock(advance=timedelta(minutes=1))
    issue.edit(title="Timeline!", assignees=["writer"], state="closed", state_reason="completed")
    child = repo.create_issue("Child")
    issue.add_sub_issue(child)

    timeline = list(issue.get_timeline())
    assert [e.event for e in timeline] == [
        "labeled",
        "commented",
        "renamed",
        "closed",
        "assigned",
        "sub_issue_added",
    ]
    assert timeline[0].created_at == START
    assert timeline[1].id == comment.id
    assert timeline[1].created_at == START + timedelta(minutes=1)
    assert timeline[0].actor.login == "admin"

    events = list(issue.get_events())
    assert [e.event for e in events] == [
        "labeled",
        "renamed",
        "closed",
        "assigned",
        "sub_issue_added",
    ]
    assert events[1].rename == {"from": "Timeline", "to": "Timeline!"}
    assert events[3].assignee.login == "writer"

    repo_events = list(repo.get_issues_events())
    assert repo_events[0].event == "parent_issue_added"
    assert repo_events[0].issue.number == child.number
    assert repo.get_issues_event(events[0].id).label.name == "bug"
