"""The Action end to end: the sandbox runs `warroom action` for every event, as a workflow would.

A team files and works an incident through PyGithub; the assertions read what
any user would see on GitHub (labels, comments, issues) and what the sandbox
counted (requests per run), never warroom's internals.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import MakeSandbox, dispatching_sandbox
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import labels as _labels
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from warroom import story

pytestmark = pytest.mark.e2e


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    """A sandbox that dispatches `warroom action` for each event, with the story's team."""
    return dispatching_sandbox(make_sandbox, tmp_path)


def _file(sb: TestSandbox) -> Any:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s on every authenticated call",
        body=story.incident_body(),
        labels=["incident"],
    )
    _settle(sb)
    return issue


def _comment(sb: TestSandbox, number: int, login: str, body: str) -> Any:
    created = sb.repo(login).get_issue(number).create_comment(body)
    _settle(sb)
    return created


def _bodies(sb: TestSandbox, number: int, prefix: str = "<!-- warroom:") -> list[str]:
    return [c.body for c in sb.repo().get_issue(number).get_comments() if c.body.startswith(prefix)]


def _last_run(sb: TestSandbox) -> dict[str, Any]:
    return _settle(sb)[-1]


def _requests_of(sb: TestSandbox, run: dict[str, Any]) -> int:
    return sum(sb.requests(run_id=run["id"])["counts"].values())


def test_opened_incident_is_labelled_assigned_and_gets_a_status_comment(
    github: TestSandbox,
) -> None:
    issue = _file(github)
    # Filing with the form's label is two events; the `labeled` one is left to `opened`.
    run, labeled = _settle(github)[-2:]
    assert (run["action"], labeled["action"]) == ("opened", "labeled")
    assert "the run for `opened` handles it" in labeled["stdout"]
    assert _requests_of(github, labeled) == 0
    assert run["exit_code"] == 0, run["stdout"] + run["stderr"]
    assert {"incident", "SEV-1", "phase: detection"} <= _labels(github, issue.number)
    assignees = {a.login for a in github.repo().get_issue(issue.number).assignees}
    assert assignees == {story.COMMANDER, story.DEPUTY}
    statuses = _bodies(github, issue.number, f"<!-- warroom:status:{issue.number} -->")
    assert len(statuses) == 1
    assert "### Needs someone now" in statuses[0]
    assert "the first 15 minutes (not done)" not in statuses[0]  # the form did them all
    assert run["outputs"]["severity"] == "SEV-1"
    assert run["outputs"]["gate"] == "n/a"
    # Labels are created with colours on first use.
    colours = {label.name: label.color for label in github.repo().get_labels()}
    assert colours["SEV-1"] == "b60205"


def test_record_comment_moves_labels_within_the_request_budget(github: TestSandbox) -> None:
    issue = _file(github)
    # Up to 100 comments on the incident: one page for warroom to read.
    github.seed_comments(issue.number, 95, author="reader")
    _comment(github, issue.number, story.COMMANDER, story.snapshot(START, phase="containment"))
    run = _last_run(github)
    assert run["exit_code"] == 0, run["stdout"] + run["stderr"]
    assert "phase: containment" in _labels(github, issue.number)
    assert "phase: detection" not in _labels(github, issue.number)
    # Comments, collaborators, labels on and off, the status: the recovery branches the
    # filing run read minutes ago are not read again.
    counts = github.requests(run_id=run["id"])["counts"]
    assert _requests_of(github, run) <= 5, counts
    assert "git/list-matching-refs" not in counts


def test_invalid_record_gets_one_reply_edited_then_removed_when_fixed(github: TestSandbox) -> None:
    issue = _file(github)
    bad = story.decision(START).replace("- Decision: rollback", "- Decision: maybe later")
    comment = _comment(github, issue.number, story.MITIGATION, bad)
    replies = _bodies(github, issue.number, f"<!-- warroom:reply:{comment.id} -->")
    assert len(replies) == 1
    assert '"maybe later"' in replies[0]
    comment.edit(bad.replace("maybe later", "perhaps"))
    _settle(github)
    replies = _bodies(github, issue.number, f"<!-- warroom:reply:{comment.id} -->")
    assert len(replies) == 1
    assert '"perhaps"' in replies[0]
    comment.edit(story.decision(START))
    _settle(github)
    assert _bodies(github, issue.number, f"<!-- warroom:reply:{comment.id} -->") == []


@pytest.mark.parametrize(
    ("level", "applied"),
    [
        pytest.param("admin", True, id="admin"),
        pytest.param("maintain", True, id="maintain"),
        pytest.param("write", True, id="write"),
        pytest.param("triage", False, id="triage"),
        pytest.param("read", False, id="read"),
    ],
)
def test_records_apply_only_from_responders(github: TestSandbox, level: str, applied: bool) -> None:
    issue = _file(github)
    login = github.logins_by_level[level]
    comment = _comment(github, issue.number, login, story.snapshot(START, phase="recovery"))
    assert ("phase: recovery" in _labels(github, issue.number)) is applied
    replies = _bodies(github, issue.number, f"<!-- warroom:reply:{comment.id} -->")
    assert len(replies) == (0 if applied else 1)


def _work_the_incident(sb: TestSandbox, number: int, *, follow_ups: bool = True) -> None:
    _at(sb, 20)
    _comment(sb, number, story.MITIGATION, story.decision(START, minute=20))
    _at(sb, 45)
    # The rerun, with Scenario A's evidence minimum posted beside it.
    rerun = story.verification(START, minute=45) + "\n" + story.auth_evidence(START)
    _comment(sb, number, story.VERIFICATION, rerun)
    _comment(sb, number, story.COMMS, story.stakeholder(START))
    if follow_ups:
        for author, record in story.follow_ups():
            _comment(sb, number, author, record)
    _comment(sb, number, story.COMMANDER, story.leadership(confidence="L3"))
    _comment(sb, number, story.COMMANDER, story.closure())


def _close(sb: TestSandbox, number: int, reason: str = "completed") -> dict[str, Any]:
    sb.repo(story.COMMANDER).get_issue(number).edit(state="closed", state_reason=reason)
    return _last_run(sb)


def test_early_close_is_reopened_and_the_run_fails_then_the_gate_is_met(
    github: TestSandbox,
) -> None:
    issue = _file(github)
    _work_the_incident(github, issue.number, follow_ups=False)
    run = _close(github, issue.number)
    assert run["exit_code"] == 1
    assert "::error::" in run["stdout"]
    assert "hardening follow-ups" in run["stdout"]
    reopened = github.repo().get_issue(issue.number)
    assert reopened.state == "open"
    assert "gate: blocked" in _labels(github, issue.number)
    (status,) = _bodies(github, issue.number, f"<!-- warroom:status:{issue.number} -->")
    assert "- [ ] hardening follow-ups" in status
    assert "Hardening Follow-up record" in status
    # The team meets the gate; the follow-ups open once, linked and assigned.
    for author, record in story.follow_ups():
        _comment(github, issue.number, author, record)
    run = _close(github, issue.number)
    assert run["exit_code"] == 0, run["stdout"]
    assert run["outputs"]["gate"] == "met"
    final = github.repo().get_issue(issue.number)
    assert final.state == "closed"
    assert {"gate: met", "phase: hardening"} <= _labels(github, issue.number)
    assert "gate: blocked" not in _labels(github, issue.number)
    follow_ups = list(github.repo().get_issues(state="all", labels=["hardening"]))
    assert len(follow_ups) == 2
    assert {f.assignees[0].login for f in follow_ups} == {story.MITIGATION, story.VERIFICATION}
    assert all(f"#{issue.number}" in f.body for f in follow_ups)
    subs = {s.number for s in github.repo().get_issue(issue.number).get_sub_issues()}
    assert subs == {f.number for f in follow_ups}


def test_closure_stays_within_its_request_budget(github: TestSandbox) -> None:
    issue = _file(github)
    _work_the_incident(github, issue.number)
    github.seed_comments(issue.number, 150, author="reader")
    count = github.repo().get_issue(issue.number).comments
    run = _close(github, issue.number)
    assert run["exit_code"] == 0, run["stdout"]
    assert _requests_of(github, run) <= math.ceil(count / 100) + 6, github.requests(
        run_id=run["id"]
    )["counts"]


def test_replayed_events_never_duplicate(github: TestSandbox) -> None:
    issue = _file(github)
    _work_the_incident(github, issue.number)
    _close(github, issue.number)
    before = (
        len(list(github.repo().get_issue(issue.number).get_comments())),
        len(list(github.repo().get_issues(state="all", labels=["hardening"]))),
    )
    # Every event GitHub delivered so far is delivered again, in order, each one once the run
    # before it is done (delivered together, GitHub's concurrency group would cancel all but
    # the first and the newest).
    for delivery in github.deliveries():
        if delivery["event"] in {"issues", "issue_comment"} and not delivery.get("suppressed"):
            github.deliver(delivery["event"], delivery["payload"])
            _settle(github)
    after = (
        len(list(github.repo().get_issue(issue.number).get_comments())),
        len(list(github.repo().get_issues(state="all", labels=["hardening"]))),
    )
    assert after == before


FAULT_CASES = [
    # (id, fault, when it is armed, the operation it must hit). Armed before filing, the first
    # workflow write is the status comment the `opened` run posts; armed before the follow-up
    # records, the run for the first record opens its hardening issue; armed before the close,
    # the close run's requests (a read, a label write, the status edit). Each create is
    # faulted both ways GitHub fails after applying a write.
    pytest.param(
        {"kind": "applied-502", "operation_id": "issues/create-comment"},
        "file",
        "issues/create-comment",
        id="comment-502-after-write",
    ),
    pytest.param(
        {"kind": "applied-drop", "operation_id": "issues/create-comment"},
        "file",
        "issues/create-comment",
        id="comment-dropped-after-write",
    ),
    pytest.param(
        {"kind": "applied-502", "operation_id": "issues/create"},
        "follow-ups",
        "issues/create",
        id="follow-up-502-after-write",
    ),
    pytest.param(
        {"kind": "applied-drop", "operation_id": "issues/create"},
        "follow-ups",
        "issues/create",
        id="follow-up-dropped-after-write",
    ),
    pytest.param(
        {"kind": "503", "operation_id": "issues/list-comments"},
        "close",
        "issues/list-comments",
        id="read-503",
    ),
    pytest.param(
        {"kind": "secondary-rate-limit", "retry_after": 1, "operation_id": "issues/add-labels"},
        "close",
        "issues/add-labels",
        id="secondary-rate-limit",
    ),
    pytest.param(
        {"kind": "429", "operation_id": "issues/update-comment"},
        "close",
        "issues/update-comment",
        id="429-without-retry-after",
    ),
]


@pytest.mark.parametrize(("fault", "armed", "operation"), FAULT_CASES)
def test_faults_are_retried_without_duplicates(
    github: TestSandbox, fault: dict[str, Any], armed: str, operation: str
) -> None:
    def arm(phase: str) -> None:
        if phase == armed:
            # Scoped to the workflow's token, so the test's own requests are not the ones that
            # fail.
            github.faults.add(fault["kind"], times=1, login="github-actions[bot]", **rest)

    rest = {k: v for k, v in fault.items() if k != "kind"}
    arm("file")
    issue = _file(github)
    _work_the_incident(github, issue.number, follow_ups=False)
    arm("follow-ups")
    for author, record in story.follow_ups():
        _comment(github, issue.number, author, record)
    arm("close")
    run = _close(github, issue.number)
    assert run["exit_code"] == 0, run["stdout"] + run["stderr"]
    assert run["outputs"]["gate"] == "met"
    # The fault fired, once, on the request it was meant for, in a run that then succeeded.
    (rule,) = github.faults.to_json()["rules"]
    assert rule["fired"] == 1, rule
    (hit,) = rule["hits"]
    assert (hit["operation_id"], hit["kind"]) == (operation, fault["kind"])
    assert hit["seq"] is not None
    runs = {r["id"]: r for r in _settle(github)}
    hit_run = runs[hit["run_id"]]
    assert hit_run["exit_code"] == 0, hit_run["stdout"] + hit_run["stderr"]
    if armed == "close":
        assert hit["run_id"] == run["id"]
    # Nothing twice: two follow-ups, each warroom comment once.
    assert len(list(github.repo().get_issues(state="all", labels=["hardening"]))) == 2
    bodies = _bodies(github, issue.number)
    markers = [b.split("\n", 1)[0] for b in bodies]
    assert len(markers) == len(set(markers)), "a warroom comment was posted twice"


def test_sweep_reminds_the_next_owner_of_an_overdue_checkpoint_once(github: TestSandbox) -> None:
    issue = _file(github)
    _comment(github, issue.number, story.COMMANDER, story.snapshot(START, next_in=30))
    _at(github, 45)
    for _ in range(2):
        github.schedule()
        _settle(github)
    reminders = [
        b for b in _bodies(github, issue.number, "<!-- warroom:reminder:") if "next checkpoint" in b
    ]
    assert len(reminders) == 1
    assert f"@{story.DEPUTY}" in reminders[0]


def test_hand_changed_severity_is_put_back(github: TestSandbox) -> None:
    issue = _file(github)
    sb_issue = github.repo("writer").get_issue(issue.number)
    sb_issue.remove_from_labels("SEV-1")
    _settle(github)
    sb_issue.add_to_labels("SEV-3")
    _settle(github)
    labels = _labels(github, issue.number)
    assert "SEV-1" in labels
    assert "SEV-3" not in labels
    assert _bodies(github, issue.number, f"<!-- warroom:severity-guard:{issue.number}.")


def test_deleted_record_drops_out_of_the_state(github: TestSandbox) -> None:
    issue = _file(github)
    comment = _comment(
        github, issue.number, story.COMMANDER, story.snapshot(START, phase="recovery")
    )
    assert "phase: recovery" in _labels(github, issue.number)
    comment.delete()
    _settle(github)
    assert "phase: detection" in _labels(github, issue.number)
    assert "phase: recovery" not in _labels(github, issue.number)


def test_severity_is_revised_only_by_a_record_with_evidence(github: TestSandbox) -> None:
    issue = _file(github)
    # A snapshot alone names another severity: noted, not applied.
    _comment(github, issue.number, story.COMMANDER, story.snapshot(START, severity="SEV-3"))
    assert {"SEV-1"} <= _labels(github, issue.number)
    assert "SEV-3" not in _labels(github, issue.number)
    (status,) = _bodies(github, issue.number, f"<!-- warroom:status:{issue.number} -->")
    assert "severity is revised only with evidence" in status
    # A decision record whose evidence packet says SEV-2: applied, with its confidence.
    _comment(
        github,
        issue.number,
        story.MITIGATION,
        story.decision(START, severity="SEV-2", confidence="L2"),
    )
    labels = _labels(github, issue.number)
    assert {"SEV-2", "confidence: L2"} <= labels
    assert "SEV-1" not in labels
    assert _last_run(github)["outputs"]["severity"] == "SEV-2"
