"""The merge freeze played on the sandbox (issue 9 §1), `warroom action` dispatched for every
event: pull requests opened, pushed to and edited, incidents filed, edited and recovered, and
sweeps. What is asserted is what people see on GitHub (the `warroom/freeze` status on the head
commit, the one comment, the label, the run's exit code and annotation) and the requests each
run made, counted at the sandbox.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import MakeSandbox, dispatching_sandbox
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from warroom import story

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

FROZEN_FILE = "services/auth/token.py"
HELD = "freeze: held"


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _file(sb: TestSandbox, severity: str = "SEV-1") -> tuple[int, dict[str, Any]]:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s", body=story.incident_body(severity=severity), labels=["incident"]
    )
    runs = _settle(sb)
    opened = [r for r in runs if r["event"] == "issues" and r["payload"]["action"] == "opened"]
    return int(issue.number), opened[-1]


def _open(sb: TestSandbox, *files: str, body: str = "Tighten the check") -> tuple[int, str]:
    answer = sb.control(
        "POST",
        "/pulls",
        {"title": "Tighten tokens", "head": "fix/tokens", "files": list(files), "body": body},
    )
    assert answer.status == 201, answer.body
    return int(answer.body["number"]), str(answer.body["head"]["sha"])


def _status(sb: TestSandbox, sha: str) -> tuple[str, str] | None:
    for status in sb.repo().get_commit(sha).get_combined_status().statuses:
        if status.context == "warroom/freeze":
            return (status.state, status.description or "")
    return None


def _freeze_comments(sb: TestSandbox, number: int) -> list[str]:
    return [
        c.body or ""
        for c in sb.repo().get_issue(number).get_comments()
        if (c.body or "").startswith(f"<!-- warroom:freeze:{number} -->") and c.user.type == "Bot"
    ]


def _labels(sb: TestSandbox, number: int) -> set[str]:
    return {label.name for label in sb.repo().get_issue(number).labels}


def _counts(sb: TestSandbox, run: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = sb.requests(run_id=run["id"])["counts"]
    return counts


def _pull_reads(sb: TestSandbox, run: dict[str, Any]) -> int:
    return sum(n for op, n in _counts(sb, run).items() if op.startswith("pulls/"))


def _held(sb: TestSandbox, pull: int, sha: str, incident: int) -> None:
    state = _status(sb, sha)
    assert state is not None
    assert state[0] == "failure"
    assert f"#{incident} (SEV-1)" in state[1]
    assert HELD in _labels(sb, pull)
    (comment,) = _freeze_comments(sb, pull)
    assert "freeze unrelated merges in impacted surfaces" in comment


def _released(sb: TestSandbox, pull: int, sha: str) -> None:
    assert _status(sb, sha) == ("success", "No open incident freezes these files")
    assert HELD not in _labels(sb, pull)
    assert _freeze_comments(sb, pull) == []


def test_a_held_pull_request_stays_held_once_and_is_released_when_the_incident_recovers(
    github: TestSandbox,
) -> None:
    incident, opened = _file(github)
    # The freeze started: the incident's run looked at the open pull requests once.
    assert _counts(github, opened).get("pulls/list") == 1

    _at(github, 5)
    pull, sha = _open(github, FROZEN_FILE, "README.md")
    run = _settle(github)[-1]
    assert (run["event"], run["exit_code"]) == ("pull_request", 1)
    (annotation,) = [line for line in run["stdout"].splitlines() if line.startswith("::error::")]
    assert f"incident #{incident} (SEV-1)" in annotation
    assert FROZEN_FILE in annotation
    assert "README.md" not in annotation  # only the files in the surfaces
    _held(github, pull, sha, incident)
    # the pull request afresh, open incidents, files, the incident's comments (its sealed word),
    # the label list and the label, the pull request's comments and the comment, status read
    # and write
    assert _counts(github, run) == {
        "pulls/get": 1,
        "issues/list-for-repo": 1,
        "pulls/list-files": 1,
        "issues/list-comments": 2,
        "issues/list-labels-for-repo": 1,
        "issues/add-labels": 1,
        "issues/create-comment": 1,
        "repos/get-combined-status-for-ref": 1,
        "repos/create-commit-status": 1,
    }

    # A push: the new head commit is held too, and the one comment is edited in place.
    _at(github, 8)
    pushed = github.control("POST", f"/pulls/{pull}/push", {"files": ["services/auth/keys.py"]})
    sha = str(pushed.body["head"]["sha"])
    run = _settle(github)[-1]
    assert (run["payload"]["action"], run["exit_code"]) == ("synchronize", 1)
    _held(github, pull, sha, incident)
    (comment,) = _freeze_comments(github, pull)
    assert "services/auth/keys.py" in comment
    assert _counts(github, run).get("issues/add-labels") is None  # the label is on already

    # A sweep repeats nothing and, the freeze unchanged, reads no pull request.
    _at(github, 12)
    github.schedule()
    sweep = _settle(github)[-1]
    assert sweep["exit_code"] == 0
    assert _pull_reads(github, sweep) == 0
    assert len(_freeze_comments(github, pull)) == 1

    # Recovered: the incident's own run releases it.
    _at(github, 30)
    github.repo(story.COMMS).get_issue(incident).create_comment(story.stakeholder(START))
    run = _settle(github)[-1]
    assert run["exit_code"] == 0
    _released(github, pull, sha)
    assert _counts(github, run).get("pulls/list") == 1
    status = next(
        c.body or ""
        for c in github.repo().get_issue(incident).get_comments()
        if (c.body or "").startswith(f"<!-- warroom:status:{incident} -->")
    )
    assert "Merge freeze off: released: the incident has recovered." in status

    # And the next sweep changes nothing.
    _at(github, 45)
    github.schedule()
    sweep = _settle(github)[-1]
    assert _pull_reads(github, sweep) == 0
    _released(github, pull, sha)


def test_the_status_comment_shows_the_freeze_and_the_pull_requests_it_holds(
    github: TestSandbox,
) -> None:
    _at(github, 0)
    pull, _ = _open(github, FROZEN_FILE)
    _settle(github)  # no incident yet: it passes
    incident, _ = _file(github)
    status = next(
        c.body or ""
        for c in github.repo().get_issue(incident).get_comments()
        if (c.body or "").startswith(f"<!-- warroom:status:{incident} -->")
    )
    assert "Merge freeze on:" in status
    assert f"Held at the last check: #{pull} Tighten tokens." in status
    # The freeze started after the pull request was opened: the incident's run held it.
    assert HELD in _labels(github, pull)
    assert len(_freeze_comments(github, pull)) == 1


@pytest.mark.parametrize(
    ("body", "labels", "posts"),
    [
        pytest.param("Part of the rollback.\n\nIncident: #1", [], 1, id="incident-reference"),
        # Labelled as it opens: the `labeled` run comes last and finds the status right.
        pytest.param("A hotfix", ["incident-fix"], 0, id="exempt-label"),
    ],
)
def test_a_pull_request_that_is_part_of_the_response_passes(
    github: TestSandbox, body: str, labels: list[str], posts: int
) -> None:
    incident, _ = _file(github)
    assert incident == 1
    if labels:
        github.repo().create_label("incident-fix", "ededed")
    answer = github.control(
        "POST",
        "/pulls",
        {
            "title": "Roll back",
            "head": "fix/rollback",
            "files": [FROZEN_FILE],
            "body": body,
            "labels": labels,
        },
    )
    pull, sha = int(answer.body["number"]), str(answer.body["head"]["sha"])
    runs = [r for r in _settle(github) if r["event"] == "pull_request"]
    assert [r["exit_code"] for r in runs] == [0] * len(runs)
    _released(github, pull, sha)
    # Nothing to hold: the pull request afresh, the open incidents, and the status read and
    # written (once). No files read.
    assert _counts(github, runs[-1]) == {
        "pulls/get": 1,
        "issues/list-for-repo": 1,
        "repos/get-combined-status-for-ref": 1,
        **({"repos/create-commit-status": posts} if posts else {}),
    }


def test_an_edit_that_removes_the_surface_releases_the_pull_request(github: TestSandbox) -> None:
    incident, _ = _file(github)
    pull, sha = _open(github, FROZEN_FILE)
    _settle(github)
    _held(github, pull, sha, incident)
    issue = github.repo(story.COMMANDER).get_issue(incident)
    issue.edit(body=issue.body.replace("services/auth/**", "services/billing/**"))
    run = _settle(github)[-1]
    assert run["exit_code"] == 0
    _released(github, pull, sha)


def test_a_sev3_incident_freezes_nothing(github: TestSandbox) -> None:
    _, opened = _file(github, severity="SEV-3")
    assert _pull_reads(github, opened) == 0
    pull, sha = _open(github, FROZEN_FILE)
    run = _settle(github)[-1]
    assert run["exit_code"] == 0
    _released(github, pull, sha)
