"""Pull requests, commit statuses, commits and branches in the sandbox, as PyGithub sees them.

Pull requests are seeded through the control API (``/_sandbox/pulls``), as a
person with git would make them, and read back through PyGithub, unchanged,
over HTTP. ``fidelity`` judges every exchange against GitHub's OpenAPI
description and every ``pull_request`` delivery against GitHub's webhook
schemas, so these tests also prove each new route and payload conforms.
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import MakeSandbox, TestSandbox
from tests.support.fidelity import Fidelity

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

REPO = "/repos/acme/service"
HEX40 = set("0123456789abcdef")


REQUESTS_OFF_SCHEMA: dict[tuple[str, str, str], tuple[str, str]] = {
    ("POST", "/pulls", "Invalid request"): ("pulls/create", r"'head' is a required property"),
    ("PATCH", "/pulls/1", "Invalid request"): ("pulls/update", r"\$\.state: 'merged'"),
    ("GET", "/pulls?state=merged", "Validation Failed"): ("pulls/list", r"query at state"),
}
"""Error cases whose request GitHub's description itself rejects: the oracle must say so."""


def off_schema(
    fidelity: Fidelity, expected: tuple[str, str] | None
) -> AbstractContextManager[None]:
    """Expect the violation a deliberately off-schema request causes; nothing otherwise."""
    return nullcontext() if expected is None else fidelity.expect_violation(*expected)


def open_pull(sandbox: TestSandbox, **body: Any) -> dict[str, Any]:
    body.setdefault("title", "Fix the ledger")
    body.setdefault("head", "fix/ledger")
    body.setdefault("files", ["src/billing/ledger.py"])
    answer = sandbox.control("POST", "/pulls", body)
    assert answer.status == 201, answer.body
    result: dict[str, Any] = answer.body
    return result


def deliveries(sandbox: TestSandbox, event: str = "pull_request") -> list[dict[str, Any]]:
    return [d for d in sandbox.deliveries() if d["event"] == event]


def is_sha(text: str) -> bool:
    return len(text) == 40 and set(text) <= HEX40


# -- pull requests -----------------------------------------------------------------------------


def test_a_seeded_pull_request_reads_back_through_pygithub(sandbox: TestSandbox) -> None:
    seeded = open_pull(
        sandbox,
        body="Incident: #7",
        user="maintainer",
        files=[
            "src/billing/ledger.py",
            {"filename": "docs/runbook.md", "status": "added", "additions": 12},
            {"filename": "src/old.py", "status": "removed", "deletions": 40},
        ],
    )
    repo = sandbox.repo()
    pull = repo.get_pull(seeded["number"])

    assert (pull.title, pull.body, pull.user.login) == (
        "Fix the ledger",
        "Incident: #7",
        "maintainer",
    )
    assert (pull.state, pull.merged, pull.draft) == ("open", False, False)
    assert (pull.head.ref, pull.head.label, pull.base.ref) == (
        "fix/ledger",
        "acme:fix/ledger",
        "main",
    )
    assert pull.head.sha == seeded["head"]["sha"]
    assert is_sha(pull.head.sha)
    assert (pull.changed_files, pull.additions, pull.deletions, pull.commits) == (3, 13, 41, 1)
    files = {f.filename: f for f in pull.get_files()}
    assert list(files) == ["src/billing/ledger.py", "docs/runbook.md", "src/old.py"]
    assert [f.status for f in files.values()] == ["modified", "added", "removed"]
    assert files["docs/runbook.md"].changes == 12
    assert files["src/old.py"].sha is None


def test_a_pull_request_takes_the_next_issue_number_and_is_listed_as_an_issue(
    sandbox: TestSandbox,
) -> None:
    repo = sandbox.repo()
    first = repo.create_issue("SEV-2: checkout errors")
    pull_number = open_pull(sandbox)["number"]
    last = repo.create_issue("SEV-3: slow search")

    assert (first.number, pull_number, last.number) == (1, 2, 3)
    listed = {i.number: i for i in repo.get_issues()}
    assert listed[2].pull_request is not None
    assert listed[2].pull_request.html_url.endswith("/acme/service/pull/2")
    assert listed[1].pull_request is None
    assert listed[3].pull_request is None
    assert repo.get_issue(2).pull_request is not None
    assert [p.number for p in repo.get_pulls()] == [2]


def test_pulls_list_filters_by_state_head_and_base_and_pages(sandbox: TestSandbox) -> None:
    for n in range(3):
        open_pull(sandbox, head=f"fix/{n}", title=f"Fix {n}")
    assert sandbox.control("PATCH", "/pulls/2", {"state": "closed"}).status == 200
    repo = sandbox.repo()

    assert [p.number for p in repo.get_pulls()] == [3, 1]
    assert [p.number for p in repo.get_pulls(state="closed")] == [2]
    assert [p.number for p in repo.get_pulls(state="all", direction="asc")] == [1, 2, 3]
    assert [p.number for p in repo.get_pulls(state="all", head="acme:fix/1")] == [2]
    assert [p.number for p in repo.get_pulls(base="release")] == []
    page = sandbox.http("GET", f"{REPO}/pulls?state=all&per_page=2")
    assert [p["number"] for p in page.body] == [3, 2]
    assert 'rel="next"' in (page.header("Link") or "")


def test_list_files_pages_at_most_100_with_link_headers(sandbox: TestSandbox) -> None:
    names = [f"src/module_{n:03}.py" for n in range(250)]
    number = open_pull(sandbox, files=names)["number"]

    assert [f.filename for f in sandbox.repo().get_pull(number).get_files()] == names
    first = sandbox.http("GET", f"{REPO}/pulls/{number}/files?per_page=100")
    assert len(first.body) == 100
    assert 'rel="last"' in (first.header("Link") or "")
    last = sandbox.http("GET", f"{REPO}/pulls/{number}/files?per_page=100&page=3")
    assert [f["filename"] for f in last.body] == names[200:]


def test_a_push_moves_the_head_and_delivers_synchronize(sandbox: TestSandbox) -> None:
    seeded = open_pull(sandbox)
    number = seeded["number"]
    pushed = sandbox.control(
        "POST", f"/pulls/{number}/push", {"files": ["src/billing/replay.py"], "user": "admin"}
    )
    assert pushed.status == 201, pushed.body

    before, after = seeded["head"]["sha"], pushed.body["head"]["sha"]
    assert (pushed.body["before"], pushed.body["after"]) == (before, after)
    assert before != after
    assert is_sha(after)
    synchronize = deliveries(sandbox)[-1]
    assert (synchronize["action"], synchronize["sender"], synchronize["issue"]) == (
        "synchronize",
        "admin",
        number,
    )
    assert (synchronize["payload"]["before"], synchronize["payload"]["after"]) == (before, after)
    pull = sandbox.repo().get_pull(number)
    assert pull.head.sha == after
    assert [f.filename for f in pull.get_files()] == [
        "src/billing/ledger.py",
        "src/billing/replay.py",
    ]
    assert pull.commits == 2
    commit = sandbox.repo().get_commit(after)
    assert [p.sha for p in commit.parents] == [before]
    assert [f.filename for f in commit.files] == ["src/billing/ledger.py", "src/billing/replay.py"]


def test_the_same_seeding_gives_the_same_shas(make_sandbox: MakeSandbox) -> None:
    shas = []
    for _ in range(2):
        sandbox = make_sandbox()
        seeded = open_pull(sandbox)
        pushed = sandbox.control("POST", "/pulls/1/push", {"files": ["a.py"]}).body
        shas.append((seeded["head"]["sha"], pushed["after"]))
    assert shas[0] == shas[1]


def test_edit_close_and_reopen_deliver_their_events(sandbox: TestSandbox) -> None:
    number = open_pull(sandbox, body="Fixes the ledger")["number"]
    edited = sandbox.control("PATCH", f"/pulls/{number}", {"body": "Incident: #4", "user": "admin"})
    assert edited.status == 200, edited.body
    sandbox.control("PATCH", f"/pulls/{number}", {"state": "closed"})
    sandbox.control("PATCH", f"/pulls/{number}", {"state": "open"})

    got = deliveries(sandbox)
    assert [d["action"] for d in got] == ["opened", "edited", "closed", "reopened"]
    assert got[1]["payload"]["changes"] == {"body": {"from": "Fixes the ledger"}}
    assert got[1]["payload"]["pull_request"]["body"] == "Incident: #4"
    assert got[2]["payload"]["pull_request"]["state"] == "closed"
    assert sandbox.repo().get_pull(number).body == "Incident: #4"


def test_the_issues_api_on_a_pull_request_tells_webhooks_about_the_pull_request(
    sandbox: TestSandbox,
) -> None:
    number = open_pull(sandbox, labels=["hotfix"])["number"]
    issue = sandbox.repo().get_issue(number)
    issue.add_to_labels("incident: #7")
    issue.create_comment("Incident: #7 is frozen")
    issue.edit(state="closed")

    got = [(d["event"], d["action"]) for d in sandbox.deliveries()]
    assert got == [
        ("pull_request", "opened"),
        ("pull_request", "labeled"),
        ("pull_request", "labeled"),
        ("issue_comment", "created"),
        ("pull_request", "closed"),
    ]
    comment = sandbox.deliveries()[3]["payload"]
    assert comment["issue"]["pull_request"]["url"].endswith(f"/pulls/{number}")


def test_update_pull_through_rest_edits_and_closes(sandbox: TestSandbox) -> None:
    number = open_pull(sandbox, user="writer")["number"]
    pull = sandbox.repo("writer").get_pull(number)
    pull.edit(title="Fix the ledger (hotfix)", body="Incident: #2", state="closed")

    again = sandbox.repo().get_pull(number)
    assert (again.title, again.body, again.state) == (
        "Fix the ledger (hotfix)",
        "Incident: #2",
        "closed",
    )
    assert [d["action"] for d in deliveries(sandbox)] == ["opened", "edited", "closed"]
    assert set(deliveries(sandbox)[1]["payload"]["changes"]) == {"title", "body"}


def test_a_pull_request_opens_through_rest_from_a_pushed_branch(sandbox: TestSandbox) -> None:
    first = open_pull(sandbox, head="incident/3/hotfix", files=["src/pay.py"])
    sandbox.control("PATCH", f"/pulls/{first['number']}", {"state": "closed"})

    pull = sandbox.repo("writer").create_pull(
        base="main", head="incident/3/hotfix", title="Hotfix, second try", body="Incident: #3"
    )
    assert pull.number == first["number"] + 1
    assert [f.filename for f in pull.get_files()] == ["src/pay.py"]
    assert deliveries(sandbox)[-1]["action"] == "opened"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        pytest.param("GET", "/pulls/99", None, 404, "Not Found", id="get-unknown-pull"),
        pytest.param("GET", "/pulls/2", None, 404, "Not Found", id="get-a-plain-issue-as-pull"),
        pytest.param("GET", "/pulls/99/files", None, 404, "Not Found", id="files-of-unknown-pull"),
        pytest.param(
            "POST",
            "/pulls",
            {"title": "x", "head": "nope", "base": "main"},
            422,
            "Validation Failed",
            id="create-from-unknown-head",
        ),
        pytest.param(
            "POST",
            "/pulls",
            {"title": "x", "head": "main", "base": "main"},
            422,
            "Validation Failed",
            id="create-without-commits",
        ),
        pytest.param(
            "POST",
            "/pulls",
            {"title": "x", "head": "fix/ledger", "base": "main"},
            422,
            "Validation Failed",
            id="create-a-duplicate",
        ),
        pytest.param(
            "POST", "/pulls", {"title": "x", "base": "main"}, 422, "Invalid request", id="no-head"
        ),
        pytest.param(
            "PATCH", "/pulls/1", {"state": "merged"}, 422, "Invalid request", id="bad-state"
        ),
        pytest.param(
            "PATCH",
            "/pulls/1",
            {"base": "release"},
            422,
            "Validation Failed",
            id="update-to-unknown-base",
        ),
        pytest.param(
            "GET", "/pulls?state=merged", None, 422, "Validation Failed", id="list-bad-state"
        ),
    ],
)
def test_pull_request_errors_answer_as_github(
    sandbox: TestSandbox,
    fidelity: Fidelity,
    method: str,
    path: str,
    body: Any,
    status: int,
    message: str,
) -> None:
    open_pull(sandbox)
    sandbox.repo().create_issue("A plain issue")

    with off_schema(fidelity, REQUESTS_OFF_SCHEMA.get((method, path, message))):
        answer = sandbox.http(method, f"{REPO}{path}", body)

    assert answer.status == status, answer.body
    assert answer.body["message"].startswith(message)


def test_github_messages_for_refused_pull_requests(sandbox: TestSandbox) -> None:
    open_pull(sandbox)

    duplicate = sandbox.http(
        "POST", f"{REPO}/pulls", {"title": "x", "head": "fix/ledger", "base": "main"}
    )
    empty = sandbox.http("POST", f"{REPO}/pulls", {"title": "x", "head": "main", "base": "main"})

    assert (
        duplicate.body["errors"][0]["message"]
        == "A pull request already exists for acme:fix/ledger."
    )
    assert empty.body["errors"][0]["message"] == "No commits between main and main"


def test_a_reader_cannot_edit_someone_elses_pull_request(sandbox: TestSandbox) -> None:
    open_pull(sandbox, user="writer")
    answer = sandbox.http("PATCH", f"{REPO}/pulls/1", {"title": "mine now"}, login="reader")
    assert answer.status == 403


# -- commit statuses ---------------------------------------------------------------------------


def test_a_status_holds_and_a_newer_one_releases_a_pull_request(sandbox: TestSandbox) -> None:
    sha = open_pull(sandbox)["head"]["sha"]
    repo = sandbox.repo()
    commit = repo.get_commit(sha)

    held = commit.create_status(
        "failure", description="Frozen by incident #7", context="warroom/freeze"
    )
    assert (held.state, held.context, held.creator.login) == ("failure", "warroom/freeze", "admin")
    assert commit.get_combined_status().state == "failure"
    assert repo.get_pull(1).mergeable_state == "unstable"

    commit.create_status("success", description="Released", context="warroom/freeze")
    combined = commit.get_combined_status()
    assert (combined.state, combined.total_count, combined.sha) == ("success", 1, sha)
    assert [s.state for s in combined.statuses] == ["success"]
    listed = sandbox.http("GET", f"{REPO}/commits/{sha}/statuses").body
    assert [s["state"] for s in listed] == ["success", "failure"]  # newest first
    assert repo.get_pull(1).mergeable_state == "clean"


def test_the_combined_state_weighs_every_context(sandbox: TestSandbox) -> None:
    sha = open_pull(sandbox)["head"]["sha"]
    commit = sandbox.repo().get_commit(sha)
    assert commit.get_combined_status().state == "pending"  # no status yet
    commit.create_status("success", context="ci/tests")
    commit.create_status("pending", context="warroom/freeze")
    assert commit.get_combined_status().state == "pending"
    commit.create_status("error", context="ci/lint")
    assert commit.get_combined_status().state == "failure"


def test_a_branch_name_reads_its_head_commits_statuses(sandbox: TestSandbox) -> None:
    sha = open_pull(sandbox)["head"]["sha"]
    sandbox.repo().get_commit(sha).create_status("failure", context="warroom/freeze")

    by_branch = sandbox.http("GET", f"{REPO}/commits/fix/ledger/status")
    assert (by_branch.body["sha"], by_branch.body["state"]) == (sha, "failure")


def test_the_workflow_token_may_set_statuses(sandbox: TestSandbox) -> None:
    sha = open_pull(sandbox)["head"]["sha"]
    answer = sandbox.http(
        "POST",
        f"{REPO}/statuses/{sha}",
        {"state": "failure", "context": "warroom/freeze"},
        login="github-actions[bot]",
    )
    assert answer.status == 201
    assert answer.header("Location") == answer.body["url"]


@pytest.mark.parametrize(
    ("body", "sha", "login", "status", "expected"),
    [
        pytest.param(
            {"state": "merged"},
            None,
            "admin",
            422,
            {"field": "state", "message": "state is not included in the list"},
            id="bad-state",
        ),
        pytest.param(
            {"state": "success", "description": "x" * 141},
            None,
            "admin",
            422,
            {
                "field": "description",
                "message": "description is too long (maximum is 140 characters)",
            },
            id="long-description",
        ),
        pytest.param(
            {"state": "success", "target_url": "ftp://ci.invalid/1"},
            None,
            "admin",
            422,
            {"field": "target_url", "message": "target_url must use http(s) scheme"},
            id="target-url-not-http",
        ),
        pytest.param({"context": "ci"}, None, "admin", 422, None, id="no-state"),
        pytest.param({"state": "success"}, "0" * 40, "admin", 422, None, id="unknown-sha"),
        pytest.param({"state": "success"}, None, "reader", 404, None, id="reader"),
        pytest.param({"state": "success"}, None, "triager", 404, None, id="triager"),
    ],
)
def test_commit_status_errors_answer_as_github(
    sandbox: TestSandbox,
    fidelity: Fidelity,
    body: dict[str, Any],
    sha: str | None,
    login: str,
    status: int,
    expected: dict[str, str] | None,
) -> None:
    head = open_pull(sandbox)["head"]["sha"]
    schema_breach = "state" not in body or body["state"] not in ("success", "failure")
    expected_breach = ("repos/create-commit-status", r"request body") if schema_breach else None
    with off_schema(fidelity, expected_breach):
        answer = sandbox.http("POST", f"{REPO}/statuses/{sha or head}", body, login=login)

    assert answer.status == status, answer.body
    if expected is not None:
        error = answer.body["errors"][0]
        assert {k: error[k] for k in expected} == expected
    if sha is not None:
        assert answer.body["message"] == f"No commit found for SHA: {sha}"
    assert sandbox.repo().get_commit(head).get_combined_status().total_count == 0


def test_statuses_of_an_unknown_ref_are_refused(sandbox: TestSandbox) -> None:
    answer = sandbox.http("GET", f"{REPO}/commits/no-such-branch/status")
    assert (answer.status, answer.body["message"]) == (
        422,
        "No commit found for SHA: no-such-branch",
    )


# -- branches and refs -------------------------------------------------------------------------


def test_recovery_branches_are_found_by_prefix(sandbox: TestSandbox) -> None:
    made = {}
    for name in ("incident/12/hotfix", "incident/12/rollback", "incident/120/hotfix", "feature/x"):
        answer = sandbox.control("POST", "/branches", {"name": name})
        assert answer.status == 201, answer.body
        made[name] = answer.body["sha"]
    repo = sandbox.repo()

    refs = repo.get_git_matching_refs("heads/incident/12/")
    assert [(r.ref, r.object.sha) for r in refs] == [
        ("refs/heads/incident/12/hotfix", made["incident/12/hotfix"]),
        ("refs/heads/incident/12/rollback", made["incident/12/rollback"]),
    ]
    assert [r.ref for r in repo.get_git_matching_refs("heads/incident/")] == [
        "refs/heads/incident/12/hotfix",
        "refs/heads/incident/12/rollback",
        "refs/heads/incident/120/hotfix",
    ]
    assert list(repo.get_git_matching_refs("heads/nothing/")) == []
    assert list(repo.get_git_matching_refs("tags/")) == []
    assert len(list(repo.get_git_matching_refs("heads/"))) == 5
    assert [b.name for b in repo.get_branches()] == [
        "feature/x",
        "incident/12/hotfix",
        "incident/12/rollback",
        "incident/120/hotfix",
        "main",
    ]
    assert repo.get_commit(made["feature/x"]).sha == made["feature/x"]


def test_a_branch_moves_to_a_given_sha(sandbox: TestSandbox) -> None:
    sha = "a" * 40
    answer = sandbox.control("POST", "/branches", {"name": "incident/4/rollback", "sha": sha})
    assert answer.body == {"name": "incident/4/rollback", "sha": sha}
    assert {"name": "incident/4/rollback", "sha": sha} in sandbox.control("GET", "/branches").body[
        "branches"
    ]


# -- the control API's answers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        pytest.param(
            "POST", "/pulls", {"title": "x", "head": "b"}, 400, "files must", id="no-files"
        ),
        pytest.param(
            "POST",
            "/pulls",
            {"title": "x", "head": "b", "files": ["a"], "user": "nobody"},
            404,
            "no user 'nobody'",
            id="unknown-user",
        ),
        pytest.param(
            "POST",
            "/pulls",
            {"title": "x", "head": "b", "files": ["a"], "reviewers": []},
            400,
            "unknown key(s) reviewers",
            id="unknown-key",
        ),
        pytest.param(
            "POST",
            "/pulls",
            {"title": "x", "head": "b", "files": [{"filename": "a", "status": "moved"}]},
            400,
            "files[0].status",
            id="bad-file-status",
        ),
        pytest.param(
            "POST",
            "/pulls",
            {"title": "x", "head": "fix/ledger", "files": ["a"]},
            422,
            "A pull request already exists for acme:fix/ledger.",
            id="duplicate",
        ),
        pytest.param(
            "POST",
            "/pulls",
            {"title": "x", "head": "b", "files": ["a"], "base": "release"},
            400,
            "base 'release' is not a branch",
            id="unknown-base",
        ),
        pytest.param("POST", "/pulls/9/push", {"files": ["a"]}, 404, "#9", id="push-unknown"),
        pytest.param("PATCH", "/pulls/1", {}, 400, "send", id="empty-change"),
        pytest.param("PATCH", "/pulls/1", {"state": "merged"}, 400, "state", id="bad-state"),
        pytest.param("POST", "/branches", {"name": "refs/heads/x"}, 400, "branch name", id="ref"),
        pytest.param("POST", "/branches", {"name": "x", "sha": "zz"}, 400, "sha", id="bad-sha"),
    ],
)
def test_control_errors_say_what_to_send(
    sandbox: TestSandbox, method: str, path: str, body: Any, status: int, message: str
) -> None:
    open_pull(sandbox)
    before = len(sandbox.deliveries())

    answer = sandbox.control(method, path, body)

    assert answer.status == status, answer.body
    assert message in answer.body["message"]
    assert len(sandbox.deliveries()) == before


def test_a_closed_pull_request_takes_no_push(sandbox: TestSandbox) -> None:
    open_pull(sandbox)
    sandbox.control("PATCH", "/pulls/1", {"state": "closed"})
    answer = sandbox.control("POST", "/pulls/1/push", {"files": ["a.py"]})
    assert (answer.status, answer.body["message"]) == (
        400,
        "pull request #1 is closed: reopen it before pushing",
    )


# -- dispatch ----------------------------------------------------------------------------------

READ_EVENT = (
    "import json, os\n"
    "payload = json.load(open(os.environ['GITHUB_EVENT_PATH'], encoding='utf-8'))\n"
    "print(os.environ['GITHUB_EVENT_NAME'], payload['action'], payload['number'])\n"
)


def test_pull_request_events_start_runs_in_the_pull_requests_group(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = make_sandbox(dispatch=[sys.executable, "-c", READ_EVENT])
    number = open_pull(sandbox)["number"]
    assert sandbox.wait_idle(timeout=60)
    sandbox.control("POST", f"/pulls/{number}/push", {"files": ["b.py"]})
    assert sandbox.wait_idle(timeout=60)

    runs = sandbox.control("GET", "/runs").body["runs"]
    assert [(r["event"], r["action"], r["group"], r["exit_code"]) for r in runs] == [
        ("pull_request", "opened", f"warroom-pr-{number}", 0),
        ("pull_request", "synchronize", f"warroom-pr-{number}", 0),
    ]
    assert [r["stdout"].split() for r in runs] == [
        ["pull_request", "opened", str(number)],
        ["pull_request", "synchronize", str(number)],
    ]
    assert runs[1]["payload"]["after"] == runs[1]["payload"]["pull_request"]["head"]["sha"]
    logged = [d for d in sandbox.deliveries() if d["event"] == "pull_request"]
    assert [d["run_id"] for d in logged] == [r["id"] for r in runs]


def test_statuses_set_by_a_run_start_no_run(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(dispatch=[sys.executable, "-c", READ_EVENT])
    sha = open_pull(sandbox)["head"]["sha"]
    assert sandbox.wait_idle(timeout=60)
    sandbox.http(
        "POST", f"{REPO}/statuses/{sha}", {"state": "success"}, login="github-actions[bot]"
    )
    assert sandbox.wait_idle(timeout=60)
    assert len(sandbox.runs()) == 1


# -- persistence -------------------------------------------------------------------------------


def test_pull_requests_statuses_and_branches_survive_a_restart(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    data = tmp_path / "github.db"
    first = make_sandbox(data=data)
    sha = open_pull(first)["head"]["sha"]
    first.repo().get_commit(sha).create_status("failure", context="warroom/freeze")
    first.control("POST", "/branches", {"name": "incident/1/hotfix"})
    first.stop()

    second = make_sandbox(data=data)
    repo = second.repo()
    assert repo.get_pull(1).head.sha == sha
    assert [f.filename for f in repo.get_pull(1).get_files()] == ["src/billing/ledger.py"]
    assert repo.get_commit(sha).get_combined_status().state == "failure"
    assert [r.ref for r in repo.get_git_matching_refs("heads/incident/")] == [
        "refs/heads/incident/1/hotfix"
    ]
    assert repo.create_issue("next").number == 2
