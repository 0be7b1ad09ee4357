"""What one run decides, event by event, against a fake GitHub (no HTTP).

The same behaviours are exercised end to end through the sandbox in tests/e2e.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.unit.fake_github import START, FakeGitHub, make_comment, make_issue
from warroom import authority, story
from warroom.config import Config
from warroom.effects import (
    AddLabels,
    Assign,
    DeleteComment,
    OpenFollowUp,
    RemoveLabel,
    Reopen,
    UpsertComment,
)
from warroom.events import issue_from_payload
from warroom.markers import decode_state, encode_state
from warroom.model import CommentSnapshot, IssueSnapshot
from warroom.run import RunResult, outputs, run

CONFIG = Config()
KEY = "test-state-key"
"""The ``WARROOM_STATE_KEY`` secret: the recommended install seals warroom's memory."""
RESPONDERS = dict.fromkeys(
    (story.COMMANDER, story.DEPUTY, story.MITIGATION, story.VERIFICATION, story.COMMS), "write"
)


def _user(login: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": abs(hash(login)) % 10_000,
        "type": "Bot" if login.endswith("[bot]") else "User",
    }


def _issue_payload(issue: IssueSnapshot) -> dict[str, Any]:
    return {
        "number": issue.number,
        "id": issue.id,
        "title": issue.title,
        "body": issue.body,
        "state": issue.state,
        "state_reason": issue.state_reason,
        "labels": [{"name": x} for x in issue.labels],
        "assignees": [_user(x) for x in issue.assignees],
        "user": _user(issue.author),
        "created_at": issue.created_at.isoformat(),
        "updated_at": (issue.updated_at or issue.closed_at or issue.created_at).isoformat(),
        "closed_at": issue.closed_at.isoformat() if issue.closed_at else None,
        "html_url": issue.html_url,
    }


def _comment_payload(comment: CommentSnapshot) -> dict[str, Any]:
    return {
        "id": comment.id,
        "body": comment.body,
        "user": _user(comment.author),
        "created_at": comment.created_at.isoformat(),
        "updated_at": comment.updated_at.isoformat(),
        "html_url": comment.html_url,
    }


def _run(gh: FakeGitHub, name: str, payload: dict[str, Any], minutes: int = 60) -> RunResult:
    # GitHub holds the issue as the payload shows it (a stale payload reads it again).
    snapshot = issue_from_payload(payload.get("issue"))
    if snapshot is not None:
        gh.incidents = [i for i in gh.incidents if i.number != snapshot.number] + [snapshot]
    return run(lambda: gh, name, payload, START + timedelta(minutes=minutes), CONFIG, state_key=KEY)


def _comment_event(gh: FakeGitHub, issue: IssueSnapshot, comment: CommentSnapshot) -> RunResult:
    gh.comments_by_issue.setdefault(issue.number, []).append(comment)
    payload = {
        "action": "created",
        "issue": _issue_payload(issue),
        "comment": _comment_payload(comment),
        "sender": _user(comment.author),
    }
    return _run(
        gh,
        "issue_comment",
        payload,
        minutes=int((comment.created_at - START).total_seconds() // 60) + 1,
    )


def _status(gh: FakeGitHub, number: int = 1) -> str:
    found = [
        c.body
        for c in gh.comments_by_issue.get(number, [])
        if c.body.startswith(f"<!-- warroom:status:{number} -->")
    ]
    assert len(found) == 1, f"expected exactly one status comment, found {len(found)}"
    return found[0]


def test_opened_incident_is_labelled_assigned_and_gets_one_status_comment() -> None:
    gh = FakeGitHub(perms=dict(RESPONDERS))
    issue = make_issue(story.incident_body())
    payload = {"action": "opened", "issue": _issue_payload(issue), "sender": _user(story.COMMANDER)}
    result = _run(gh, "issues", payload, minutes=1)
    assert not result.failures
    added = {label for e in gh.of(AddLabels) for label in e.labels}
    assert {"SEV-1", "phase: detection"} <= added
    assert gh.of(Assign) == [Assign(1, (story.COMMANDER, story.DEPUTY))]
    status = _status(gh)
    assert "SEV-1" in status
    assert "`@mara-okafor`" in status  # shown, not pinged
    assert "@mara-okafor " not in status.replace("`@mara-okafor`", "")
    # A rerun of the same event converges: no new comment, nothing edited.
    before = list(gh.comments_by_issue[1])
    gh.applied.clear()
    _run(gh, "issues", payload, minutes=1)
    assert gh.comments_by_issue[1] == before


@pytest.mark.parametrize(
    ("records", "phase_label"),
    [
        pytest.param(
            [story.snapshot(START, phase="containment")],
            "phase: containment",
            id="snapshot-sets-phase",
        ),
        pytest.param(
            [story.snapshot(START, phase="containment"), story.snapshot(START, phase="recovery")],
            "phase: recovery",
            id="latest-snapshot-wins",
        ),
    ],
)
def test_valid_snapshot_moves_the_phase_label(records: list[str], phase_label: str) -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    for i, body in enumerate(records):
        result = _comment_event(
            gh, issue, make_comment(body, author=story.COMMANDER, minutes=5 + i)
        )
        assert not result.failures
    added = [label for e in gh.of(AddLabels) for label in e.labels]
    assert phase_label in added
    assert RemoveLabel(1, "phase: detection") in gh.of(RemoveLabel)


def test_invalid_record_gets_one_reply_which_goes_away_when_fixed() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    bad = story.decision(START).replace("- Decision: rollback", "- Decision: maybe later")
    comment = make_comment(bad, author=story.COMMANDER)
    _comment_event(gh, issue, comment)
    replies = [
        c
        for c in gh.comments_by_issue[1]
        if c.body.startswith(f"<!-- warroom:reply:{comment.id} -->")
    ]
    assert len(replies) == 1
    assert "Decision" in replies[0].body
    assert "maybe later" in replies[0].body
    # Edited to be valid: the reply is removed, the record applied.
    fixed = replace(comment, body=story.decision(START))
    gh.comments_by_issue[1] = [fixed if c.id == comment.id else c for c in gh.comments_by_issue[1]]
    payload = {
        "action": "edited",
        "issue": _issue_payload(issue),
        "comment": _comment_payload(fixed),
        "sender": _user(story.COMMANDER),
    }
    _run(gh, "issue_comment", payload)
    assert DeleteComment(1, f"<!-- warroom:reply:{comment.id} -->") in gh.of(DeleteComment)
    assert not [c for c in gh.comments_by_issue[1] if c.body.startswith("<!-- warroom:reply:")]


@pytest.mark.parametrize(
    ("permission", "applied"),
    [
        pytest.param("admin", True, id="admin"),
        pytest.param("maintain", True, id="maintain"),
        pytest.param("write", True, id="write"),
        pytest.param("triage", False, id="triage"),
        pytest.param("read", False, id="read"),
        pytest.param("none", False, id="none"),
    ],
)
def test_only_responders_change_the_incident(permission: str, applied: bool) -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms={"outsider": permission})
    comment = make_comment(story.snapshot(START, phase="recovery"), author="outsider")
    _comment_event(gh, issue, comment)
    added = [label for e in gh.of(AddLabels) for label in e.labels]
    assert ("phase: recovery" in added) is applied
    replies = [
        c.body
        for c in gh.comments_by_issue[1]
        if c.body.startswith(f"<!-- warroom:reply:{comment.id} -->")
    ]
    assert bool(replies) is not applied
    if replies:
        assert f"has {permission} permission" in replies[0]


def test_bot_comments_are_never_records() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms={"github-actions[bot]": "admin"})
    comment = make_comment(
        story.snapshot(START, phase="recovery"), author="github-actions[bot]", bot=True
    )
    result = _comment_event(gh, issue, comment)
    assert result.ignored == "comments by bots are never records"
    assert gh.calls == []


def _full_story(gh: FakeGitHub, issue: IssueSnapshot, *, skip: str = "") -> None:
    steps = {
        "snapshot": story.snapshot(START, phase="recovery"),
        "decision": story.decision(START, minute=20, confidence="L2"),
        "verification": story.verification(START, minute=45),
        "stakeholder": story.stakeholder(START),
        "guardrail": story.follow_up(
            title="Alert on audience mismatches",
            kind="guardrail automation",
            owner=story.MITIGATION,
            due="2026-12-05",
        ),
        "regression": story.follow_up(
            title="Replay old tokens in CI",
            kind="regression test",
            owner=story.VERIFICATION,
            due="2026-12-05",
        ),
        "leadership": story.leadership(confidence="L3"),
        "closure": story.closure(),
        "evidence": story.auth_evidence(START),
    }
    for minute, (name, body) in enumerate(steps.items(), start=10):
        if name != skip:
            gh.comments_by_issue.setdefault(issue.number, []).append(
                make_comment(body, author=story.COMMANDER, minutes=minute + 40)
            )


def _close(gh: FakeGitHub, issue: IssueSnapshot, reason: str = "completed") -> RunResult:
    closed = replace(
        issue, state="closed", state_reason=reason, closed_at=START + timedelta(hours=2)
    )
    payload = {
        "action": "closed",
        "issue": _issue_payload(closed),
        "sender": _user(story.COMMANDER),
    }
    return _run(gh, "issues", payload, minutes=121)


@pytest.mark.parametrize(
    ("skip", "condition"),
    [
        pytest.param("verification", "fresh rerun evidence", id="closed-before-rerun-evidence"),
        pytest.param(
            "stakeholder", "communications timeline", id="closed-without-recovered-update"
        ),
        pytest.param("regression", "hardening follow-ups", id="closed-without-regression-test"),
        pytest.param("closure", "rollback trigger", id="closed-without-watch-trigger"),
    ],
)
def test_early_closure_is_reopened_with_what_is_missing(skip: str, condition: str) -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: recovery"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    _full_story(gh, issue, skip=skip)
    result = _close(gh, issue)
    assert gh.of(Reopen), "an incident closed before the gate must be reopened"
    assert result.failures
    assert condition in result.failures[0]
    assert "gate: blocked" in {label for e in gh.of(AddLabels) for label in e.labels}
    ticks = [x for x in _status(gh).splitlines() if x.startswith("- [") and condition in x]
    assert len(ticks) == 1, ticks
    assert ticks[0].startswith("- [ ] "), f"{condition!r} must show unmet: {ticks[0]}"


def test_closure_stands_when_the_gate_is_met_and_follow_ups_open_once() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: recovery"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    _full_story(gh, issue)
    result = _close(gh, issue)
    assert not result.failures, result.failures
    assert not gh.of(Reopen)
    added = {label for e in gh.of(AddLabels) for label in e.labels}
    assert {"gate: met", "phase: hardening"} <= added
    follow_ups = gh.of(OpenFollowUp)
    assert len(follow_ups) == 2
    assert {f.assignees for f in follow_ups} == {(story.MITIGATION,), (story.VERIFICATION,)}
    assert result.incidents[0].plan.outputs["gate"] == "met"


def test_dismissal_allows_closing_as_not_planned() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    gh.comments_by_issue[1] = [make_comment(story.dismissal(), author=story.COMMANDER)]
    result = _close(gh, issue, reason="not_planned")
    assert not result.failures
    assert not gh.of(Reopen)


def test_not_planned_without_dismissal_is_reopened() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    result = _close(gh, issue, reason="not_planned")
    assert gh.of(Reopen)
    assert result.failures


def test_hand_changed_severity_label_is_put_back_with_an_explanation() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-3", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    payload = {
        "action": "labeled",
        "label": {"name": "SEV-3"},
        "issue": _issue_payload(issue),
        "sender": _user("someone"),
    }
    _run(gh, "issues", payload)
    assert "SEV-1" in {label for e in gh.of(AddLabels) for label in e.labels}
    assert RemoveLabel(1, "SEV-3") in gh.of(RemoveLabel)
    guard = [
        e for e in gh.of(UpsertComment) if e.marker.startswith("<!-- warroom:severity-guard:1.")
    ]
    assert len(guard) == 1
    # Who changed what to what, with a mention that reaches them, and how to revise it instead.
    assert "@someone added the severity label `SEV-3` by hand" in guard[0].body
    assert "put back **SEV-1**" in guard[0].body
    assert "Checkpoint Decision Record" in guard[0].body


@pytest.mark.parametrize(
    ("action", "words"),
    [
        pytest.param("labeled", "added the severity label `SEV-3`", id="label-added-by-hand"),
        pytest.param("unlabeled", "removed the severity label `SEV-1`", id="label-removed-by-hand"),
    ],
)
def test_each_hand_change_of_severity_gets_its_own_notice(action: str, words: str) -> None:
    labels = ("incident", "SEV-1", "SEV-3") if action == "labeled" else ("incident",)
    gh = FakeGitHub(perms=dict(RESPONDERS))
    markers = set()
    for minute in (5, 9):
        issue = make_issue(
            story.incident_body(), labels=labels, updated_at=START + timedelta(minutes=minute)
        )
        payload = {
            "action": action,
            "label": {"name": "SEV-3" if action == "labeled" else "SEV-1"},
            "issue": _issue_payload(issue),
            "sender": _user("someone"),
        }
        _run(gh, "issues", payload, minutes=minute)
        (guard,) = [e for e in gh.of(UpsertComment) if "severity-guard" in e.marker]
        assert words in guard.body
        markers.add(guard.marker)
        gh.applied.clear()
    assert len(markers) == 2  # a new notice each time, so each change is answered visibly


def test_severity_revised_with_evidence_is_applied() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    _comment_event(
        gh, issue, make_comment(story.decision(START, severity="SEV-2"), author=story.COMMANDER)
    )
    assert "SEV-2" in {label for e in gh.of(AddLabels) for label in e.labels}
    assert RemoveLabel(1, "SEV-1") in gh.of(RemoveLabel)


def test_snapshot_alone_does_not_revise_severity() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    _comment_event(
        gh, issue, make_comment(story.snapshot(START, severity="SEV-3"), author=story.COMMANDER)
    )
    assert "SEV-3" not in {label for e in gh.of(AddLabels) for label in e.labels}
    assert "severity is revised only with evidence" in _status(gh)


def test_overdue_checkpoint_reminds_its_owner_once() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: containment"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    gh.comments_by_issue[1] = [
        make_comment(story.snapshot(START, next_in=30), author=story.COMMANDER)
    ]
    for _ in range(2):
        run(lambda: gh, "schedule", {}, START + timedelta(minutes=45), CONFIG, state_key=KEY)
    reminders = [
        c.body for c in gh.comments_by_issue[1] if c.body.startswith("<!-- warroom:reminder:")
    ]
    checkpoint = [r for r in reminders if "next checkpoint" in r]
    assert len(checkpoint) == 1
    assert f"@{story.DEPUTY}" in checkpoint[0]


def test_non_incident_issues_are_ignored() -> None:
    gh = FakeGitHub()
    issue = make_issue("just a bug report", labels=("bug",))
    payload = {"action": "opened", "issue": _issue_payload(issue), "sender": _user("someone")}
    result = _run(gh, "issues", payload)
    assert result.ignored == "#1 is not an incident"
    assert gh.calls == []


def test_a_sweep_with_nothing_new_writes_nothing() -> None:
    """The sweep runs every ten minutes: an unchanged incident must cost no write."""
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: containment"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    gh.comments_by_issue[1] = [
        make_comment(story.snapshot(START, next_in=90), author=story.COMMANDER)
    ]
    first = run(lambda: gh, "schedule", {}, START + timedelta(minutes=10), CONFIG, state_key=KEY)
    assert first.incidents[0].applied  # the status comment is posted once
    second = run(lambda: gh, "schedule", {}, START + timedelta(minutes=20), CONFIG, state_key=KEY)
    assert second.incidents[0].applied == []


def test_follow_ups_are_opened_by_event_runs_only_and_once() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: recovery"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    _full_story(gh, issue)
    _comment_event(
        gh, issue, make_comment(story.stakeholder(START), author=story.COMMS, minutes=70)
    )
    assert len(gh.of(OpenFollowUp)) == 2
    gh.applied.clear()
    _comment_event(
        gh, issue, make_comment(story.stakeholder(START), author=story.COMMS, minutes=80)
    )
    assert gh.of(OpenFollowUp) == []
    # A sweep runs beside the incident's own runs: it never races them to open one.
    gh.incidents = [issue]
    run(lambda: gh, "schedule", {}, START + timedelta(minutes=90), CONFIG, state_key=KEY)
    assert gh.of(OpenFollowUp) == []


def test_a_sweep_reopens_a_closure_whose_reopen_failed() -> None:
    closed = make_issue(
        story.incident_body(),
        state="closed",
        state_reason="completed",
        closed_at=START + timedelta(minutes=50),
        labels=("incident", "SEV-1", "phase: recovery"),
    )
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[closed])
    result = run(lambda: gh, "schedule", {}, START + timedelta(minutes=60), CONFIG, state_key=KEY)
    assert gh.of(Reopen) == [Reopen(1, gh.of(Reopen)[0].reason)]
    assert result.failures
    # A sweep reports no single incident, even when it swept exactly one.
    assert outputs(result)["incident"] == ""
    assert outputs(result)["gate"] == "n/a"


def test_a_sweep_leaves_incidents_closed_long_ago_alone() -> None:
    closed = make_issue(
        story.incident_body(),
        state="closed",
        closed_at=START,
        labels=("incident", "SEV-1", "phase: hardening"),
    )
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[closed])
    result = run(lambda: gh, "schedule", {}, START + timedelta(hours=30), CONFIG, state_key=KEY)
    assert result.incidents == []


def test_a_comment_with_one_valid_and_one_invalid_record_applies_the_valid_one() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    bad = story.decision(START).replace("- Decision: rollback", "- Decision: maybe later")
    comment = make_comment(story.snapshot(START, phase="containment") + "\n" + bad)
    _comment_event(gh, issue, comment)
    assert "phase: containment" in {label for e in gh.of(AddLabels) for label in e.labels}
    (reply,) = [
        e.body for e in gh.of(UpsertComment) if e.marker.endswith(f"reply:{comment.id} -->")
    ]
    assert "could not apply the decision record" in reply
    assert "(the snapshot record was applied)" in reply


@pytest.mark.parametrize(
    ("teams", "member", "applied", "team_reads"),
    [
        pytest.param(("incident-responders",), True, True, 1, id="team-member-allowed"),
        pytest.param(("incident-responders",), False, False, 1, id="not-in-the-team"),
        pytest.param((), True, False, 0, id="teams-not-configured"),
    ],
)
def test_named_teams_allow_their_members(
    teams: tuple[str, ...], member: bool, applied: bool, team_reads: int
) -> None:
    config = Config.model_validate({"responders": {"teams": list(teams)}})
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms={"tara": "triage"}, incidents=[issue])
    if member:
        gh.teams["incident-responders"] = {"tara"}
    comment = make_comment(story.snapshot(START, phase="recovery"), author="tara")
    gh.comments_by_issue[1] = [comment]
    payload = {
        "action": "created",
        "issue": _issue_payload(issue),
        "comment": _comment_payload(comment),
        "sender": _user("tara"),
    }
    run(lambda: gh, "issue_comment", payload, START + timedelta(minutes=10), config, state_key=KEY)
    added = {label for e in gh.of(AddLabels) for label in e.labels}
    assert ("phase: recovery" in added) is applied
    assert sum(call.startswith("GET membership") for call in gh.calls) == team_reads


def test_teams_are_not_read_for_authors_their_permission_allows() -> None:
    config = Config.model_validate({"responders": {"teams": ["incident-responders"]}})
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    comment = make_comment(story.snapshot(START), author=story.COMMANDER)
    gh.comments_by_issue[1] = [comment]
    payload = {
        "action": "created",
        "issue": _issue_payload(issue),
        "comment": _comment_payload(comment),
        "sender": _user(story.COMMANDER),
    }
    run(lambda: gh, "issue_comment", payload, START + timedelta(minutes=10), config, state_key=KEY)
    assert not [call for call in gh.calls if call.startswith("GET membership")]


def test_a_blocked_closure_still_reminds_of_the_overdue_checkpoint() -> None:
    """The closure is undone, so the clock runs on: status and reminders say the same."""
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: containment"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    gh.comments_by_issue[1] = [
        make_comment(story.snapshot(START, next_in=30), author=story.COMMANDER)
    ]
    result = _close(gh, issue)
    assert result.failures
    reminders = [e for e in gh.of(UpsertComment) if "reminder" in e.marker]
    assert any("next checkpoint" in e.body for e in reminders)
    assert "⏰ overdue" in _status(gh)


# -- authority from warroom's own memory (issue 7 §3) --------------------------------------


def _status_comment(gh: FakeGitHub, number: int = 1) -> CommentSnapshot:
    return next(
        c
        for c in gh.comments_by_issue[number]
        if c.body.startswith(f"<!-- warroom:status:{number} -->")
    )


def test_forged_status_copy_by_another_workflow_grants_nothing() -> None:
    """Another workflow posts as the same bot: its copy of the status comment is never read."""
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms={**RESPONDERS, "outsider": "read"}, incidents=[issue])
    opened = {"action": "opened", "issue": _issue_payload(issue), "sender": _user("mara-okafor")}
    _run(gh, "issues", opened, minutes=1)
    record = make_comment(story.snapshot(START, phase="recovery"), author="outsider", minutes=9)
    forged_state = {
        "v": 2,
        "allowed": {str(record.id): int(record.updated_at.timestamp())},
        "permissions": {"outsider": {"p": "admin", "team": "", "at": START.isoformat()}},
    }
    forged = make_comment(
        "<!-- warroom:status:1 -->\nforged\n\n" + encode_state(forged_state),
        author="github-actions[bot]",
        bot=True,
        minutes=8,
    )
    gh.comments_by_issue[1].append(forged)
    result = _comment_event(gh, issue, record)
    incident = result.incidents[0].incident
    assert [r.comment.id for r in incident.refused if r.unauthorized] == [record.id]
    assert "phase: recovery" not in {label for e in gh.of(AddLabels) for label in e.labels}
    real = decode_state(_status_comment(gh).body)
    assert str(record.id) not in real["allowed"]
    # Asked GitHub, not the copy; remembered under a keyed pseudonym, never by login.
    assert "outsider" not in real["permissions"]
    assert real["permissions"][authority.pseudonym(KEY, "outsider")]["p"] == "read"


def test_a_record_applied_while_allowed_outlives_the_authors_lost_access() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    record = make_comment(story.snapshot(START, phase="recovery"), author=story.COMMANDER)
    _comment_event(gh, issue, record)
    assert "phase: recovery" in {label for e in gh.of(AddLabels) for label in e.labels}
    gh.perms[story.COMMANDER] = "read"  # lost access after the record was applied
    gh.calls.clear()
    later = run(lambda: gh, "schedule", {}, START + timedelta(hours=3), CONFIG, state_key=KEY)
    assert later.incidents[0].incident.phase.value == "recovery"
    assert not later.incidents[0].incident.refused
    assert f"GET permission {story.COMMANDER}" not in gh.calls  # judged when applied


def test_an_edit_after_losing_access_is_judged_again() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    record = make_comment(story.snapshot(START, phase="containment"), author=story.MITIGATION)
    _comment_event(gh, issue, record)
    gh.perms[story.MITIGATION] = "read"
    edited = replace(
        record,
        body=story.snapshot(START, phase="recovery"),
        updated_at=record.updated_at + timedelta(hours=2),
    )
    gh.comments_by_issue[1] = [c if c.id != record.id else edited for c in gh.comments_by_issue[1]]
    result = run(lambda: gh, "schedule", {}, START + timedelta(hours=3), CONFIG, state_key=KEY)
    (refused,) = result.incidents[0].incident.refused
    assert refused.comment.id == record.id
    assert "has read permission" in (refused.unauthorized or "")


def test_one_permission_read_per_author_per_hour() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    for minute, phase in ((5, "containment"), (20, "recovery"), (70, "containment")):
        _comment_event(
            gh,
            issue,
            make_comment(
                story.snapshot(START, phase=phase), author=story.COMMANDER, minutes=minute
            ),
        )
    reads = [c for c in gh.calls if c == f"GET permission {story.COMMANDER}"]
    assert len(reads) == 2  # minute 5, and minute 70 once the first answer is an hour old


# -- decisions on fresh state (issue 7 §1) ---------------------------------------------------


def test_a_rerun_decides_on_the_issue_as_github_has_it_now() -> None:
    """A re-run carries its first attempt's payload: here from before the incident was closed."""
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: recovery"))
    gh = FakeGitHub(perms=dict(RESPONDERS))
    _full_story(gh, issue)
    _close(gh, issue)  # the gate is met: closed for good
    gh.applied.clear()
    old = make_comment(story.snapshot(START, next_in=30), author=story.COMMANDER, minutes=20)
    payload = {
        "action": "created",
        "issue": _issue_payload(issue),  # open, as it was at minute 20
        "comment": _comment_payload(old),
        "sender": _user(story.COMMANDER),
    }
    gh.calls.clear()
    result = run(
        lambda: gh,
        "issue_comment",
        payload,
        START + timedelta(hours=5),
        CONFIG,
        attempt=2,
        state_key=KEY,
    )
    assert "GET issue #1" in gh.calls
    assert result.incidents[0].plan.gate.state == "met"
    posted = [e.marker for e in gh.of(UpsertComment)]
    # No checkpoint reminder from the stale open payload; the post-closure review, due
    # 30 minutes after the close and not held, is the one reminder a standing closure gets.
    assert [m for m in posted if m.startswith("<!-- warroom:reminder:")] == [
        f"<!-- warroom:reminder:1.review-{int(gh.issue(1).closed_at.timestamp())}" + " -->"
    ]
    assert not gh.of(Reopen)


def test_a_queued_run_reads_the_issue_when_comments_are_newer_than_its_payload() -> None:
    issue = make_issue(
        story.incident_body(),
        labels=("incident", "SEV-1", "phase: detection"),
        updated_at=START + timedelta(minutes=5),
    )
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    first = make_comment(story.snapshot(START), author=story.COMMANDER, minutes=5)
    gh.comments_by_issue[1] = [
        first,
        make_comment("later words", author=story.DEPUTY, minutes=9),
    ]
    payload = {
        "action": "created",
        "issue": {
            **_issue_payload(issue),
            "updated_at": (START + timedelta(minutes=5)).isoformat(),
        },
        "comment": _comment_payload(first),
        "sender": _user(story.COMMANDER),
    }
    run(lambda: gh, "issue_comment", payload, START + timedelta(minutes=10), CONFIG, state_key=KEY)
    assert "GET issue #1" in gh.calls


def test_a_fresh_payload_costs_no_extra_read() -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    _comment_event(gh, issue, make_comment(story.snapshot(START), author=story.COMMANDER))
    assert "GET issue #1" not in gh.calls


@pytest.mark.parametrize(
    ("label", "comments", "seconds", "ignored"),
    [
        pytest.param("incident", 0, 0, True, id="form-label-at-filing-left-to-opened"),
        pytest.param("Incident", 0, 3, True, id="form-label-in-other-case"),
        pytest.param("incident", 0, 3600, False, id="labelled-an-incident-later"),
        pytest.param("incident", 2, 0, False, id="issue-already-has-comments"),
        pytest.param("SEV-2", 0, 0, False, id="another-label-is-handled"),
    ],
)
def test_the_form_label_at_filing_costs_no_run(
    label: str, comments: int, seconds: int, ignored: bool
) -> None:
    issue = make_issue(story.incident_body(), labels=("incident",))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    payload_issue = {
        **_issue_payload(issue),
        "comments": comments,
        "updated_at": (START + timedelta(seconds=seconds)).isoformat(),
    }
    payload = {
        "action": "labeled",
        "issue": payload_issue,
        "label": {"name": label},
        "sender": _user(story.COMMANDER),
    }
    result = _run(gh, "issues", payload, minutes=1)
    assert (result.ignored is not None) is ignored
    assert (gh.calls == []) is ignored


def test_someone_removed_cannot_add_records_on_a_remembered_answer() -> None:
    """The answer from minutes ago said write; GitHub now counts them as no collaborator."""
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue])
    _comment_event(gh, issue, make_comment(story.snapshot(START), author=story.MITIGATION))
    gh.perms[story.MITIGATION] = "none"  # removed from the repository
    removed = make_comment(
        story.snapshot(START, phase="recovery"),
        author=story.MITIGATION,
        minutes=15,
        association="CONTRIBUTOR",
    )
    gh.calls.clear()
    result = _comment_event(gh, issue, removed)
    assert f"GET permission {story.MITIGATION}" in gh.calls
    (refused,) = result.incidents[0].incident.refused
    assert refused.comment.id == removed.id


@pytest.mark.parametrize(
    ("listing", "reads"),
    [
        pytest.param(dict(RESPONDERS), [], id="one-listing-answers-every-author"),
        pytest.param(None, [story.COMMANDER, story.COMMS], id="too-many-to-list-ask-each"),
        pytest.param(
            {story.COMMANDER: "write"}, [story.COMMS], id="whoever-the-listing-leaves-out-is-asked"
        ),
    ],
)
def test_allowed_people_are_listed_at_once(
    listing: dict[str, str] | None, reads: list[str]
) -> None:
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms=dict(RESPONDERS), incidents=[issue], listing=listing)
    gh.comments_by_issue[1] = [
        make_comment(story.snapshot(START), author=story.COMMANDER, minutes=5),
        make_comment(story.stakeholder(START), author=story.COMMS, minutes=6),
    ]
    result = run(lambda: gh, "schedule", {}, START + timedelta(minutes=10), CONFIG, state_key=KEY)
    assert not result.incidents[0].incident.refused
    assert gh.calls.count("GET collaborators at least write") == 1
    assert [c.split()[-1] for c in gh.calls if c.startswith("GET permission")] == reads


def test_without_a_state_key_nothing_remembered_grants_authority() -> None:
    """Unsealed, a planted permission answer counts for nothing: every author is asked."""
    issue = make_issue(story.incident_body(), labels=("incident", "SEV-1", "phase: detection"))
    gh = FakeGitHub(perms={**RESPONDERS, "reader": "read"}, incidents=[issue])
    planted = {"permissions": {"reader": {"p": "admin", "team": "", "at": START.isoformat()}}}
    gh.comments_by_issue[1] = [
        make_comment(
            "<!-- warroom:status:1 -->\nstatus\n\n" + encode_state(planted),
            author="github-actions[bot]",
            bot=True,
            minutes=1,
        ),
        make_comment(story.snapshot(START, phase="recovery"), author="reader", minutes=5),
    ]
    result = run(lambda: gh, "schedule", {}, START + timedelta(minutes=10), CONFIG)
    (refused,) = result.incidents[0].incident.refused
    assert "has read permission" in (refused.unauthorized or "")
    assert "GET permission reader" in gh.calls
