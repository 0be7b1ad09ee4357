"""Authority end to end: what may change an incident, when others try to forge or plant it.

`github-actions[bot]` is the identity every workflow in a repository shares, so
a comment by it is not necessarily warroom's; a triager can open an issue that
looks like a follow-up; and people lose access while their records still stand.
The sandbox runs `warroom action` for every event, as a workflow would; the
tests act as the other workflow (with the bot's token), as the triager and as
the admin who changes a permission, and read only what GitHub shows and what
the sandbox counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import (
    BOT,
    STATE_KEY,
    MakeSandbox,
    dispatching_sandbox,
    records_to_the_gate,
    seed_records,
)
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import labels as _labels
from tests.e2e.conftest import START, TestSandbox
from warroom import story
from warroom.authority import pseudonym
from warroom.markers import decode_state, encode_state, marker
from warroom.plan import follow_up_key

pytestmark = pytest.mark.e2e

REFUSED = "permission on this repository"
"""What every reply to a record from someone without the permission says."""


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _runs_after(sb: TestSandbox, before: int) -> list[dict[str, Any]]:
    assert sb.wait_idle(120), "workflow runs did not finish"
    return sb.runs()[before:]


def _one_run(sb: TestSandbox, act: Callable[[], object]) -> dict[str, Any]:
    """Do ``act`` (which causes exactly one run) and return that run, checked crash-free."""
    before = len(sb.runs())
    act()
    (run,) = _runs_after(sb, before)
    assert "Traceback" not in run["stderr"], run["stderr"]
    return run


def _ok(run: dict[str, Any]) -> str:
    return f"exit {run['exit_code']}\n{run['stdout']}\n{run['stderr']}"


def _file(sb: TestSandbox) -> int:
    """An incident filed from the form; its `opened` run posts the status comment."""
    before = len(sb.runs())
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s on every authenticated call",
        body=story.incident_body(),
        labels=["incident"],
    )
    for run in _runs_after(sb, before):
        assert run["exit_code"] == 0, _ok(run)
    return int(issue.number)


def _comment(sb: TestSandbox, number: int, login: str, body: str) -> tuple[Any, dict[str, Any]]:
    posted: list[Any] = []
    run = _one_run(sb, lambda: posted.append(sb.repo(login).get_issue(number).create_comment(body)))
    return posted[0], run


def _status(sb: TestSandbox, number: int) -> Any:
    """warroom's own status comment: the first the bot posted with the status marker."""
    found = [
        c
        for c in sb.repo().get_issue(number).get_comments()
        if c.user.login == BOT and c.body.startswith(marker("status", number))
    ]
    assert found, f"no status comment on #{number}"
    return found[0]


def _replies(sb: TestSandbox, number: int, comment_id: int) -> list[str]:
    return [
        c.body
        for c in sb.repo().get_issue(number).get_comments()
        if c.user.login == BOT and c.body.startswith(marker("reply", comment_id))
    ]


def _with_state(body: str, state: dict[str, Any]) -> str:
    """A status comment's body with its hidden state replaced."""
    return body.split("<!-- warroom-state", 1)[0] + encode_state(state) + "\n"


def _stamp(when: datetime) -> int:
    return int(when.timestamp())


def _trigger(sb: TestSandbox, number: int, how: str) -> dict[str, Any]:
    """A run that reads every comment again: a responder's next record, or a sweep."""
    if how == "sweep":
        return _one_run(sb, sb.schedule)
    _, run = _comment(sb, number, story.COMMS, story.stakeholder(START, status="mitigating"))
    return run


TRIGGERS = [
    pytest.param("record", id="next-record"),
    pytest.param("sweep", id="sweep"),
]


# --- 1. a copy of the status comment posted later by another workflow ---------------------------


@pytest.mark.parametrize("how", TRIGGERS)
def test_a_later_copy_of_the_status_comment_grants_nothing(github: TestSandbox, how: str) -> None:
    number = _file(github)
    record, run = _comment(github, number, "outsider", story.snapshot(START, phase="recovery"))
    assert run["exit_code"] == 0, _ok(run)
    (reply,) = _replies(github, number, record.id)
    assert REFUSED in reply
    labels_before = _labels(github, number)
    real = _status(github, number)
    # Another workflow of the repository posts a copy of the status comment, as the same
    # github-actions[bot], whose state says the outsider is an admin and their record counted.
    forged_state = {
        **decode_state(real.body),
        "permissions": {"outsider": {"p": "admin", "team": "", "at": START.isoformat()}},
        "allowed": {str(record.id): _stamp(record.updated_at)},
    }
    forged = github.repo(BOT).get_issue(number).create_comment(_with_state(real.body, forged_state))
    assert forged.user.login == BOT

    run = _trigger(github, number, how)

    assert run["exit_code"] == 0, _ok(run)
    assert _labels(github, number) == labels_before, "the outsider's record was applied"
    assert "phase: recovery" not in _labels(github, number)
    (reply,) = _replies(github, number, record.id)
    assert "has read permission" in reply
    # The real status comment is still warroom's memory, and nothing forged got into it.
    status = _status(github, number)
    assert status.id == real.id
    state = decode_state(status.body)
    assert state.get("permissions", {}).get("outsider", {}).get("p") in (None, "read"), state
    assert str(record.id) not in state.get("allowed", {}), state
    applied = 1 if how == "record" else 0  # the stakeholder update that started the run
    assert f"Records applied ({applied})" in status.body


def test_a_status_comment_posted_before_warrooms_own_grants_nothing(github: TestSandbox) -> None:
    # The incident's `opened` run is still queued (seeded: no run) when another workflow,
    # as the same github-actions[bot], posts a status comment of its own making.
    body = story.incident_body().replace("{", "{{").replace("}", "}}")
    (number,) = github.seed_issues(1, author=story.COMMANDER, labels=["incident"], body=body)
    forged_state = {
        "v": 2,
        "permissions": {"outsider": {"p": "admin", "team": "", "at": START.isoformat()}},
    }
    forged = f"{marker('status', number)}\n## Incident #{number}\n\n{encode_state(forged_state)}\n"
    github.repo(BOT).get_issue(number).create_comment(forged)

    record, run = _comment(github, number, "outsider", story.snapshot(START, phase="recovery"))
    assert run["exit_code"] == 0, _ok(run)
    run = _trigger(github, number, "record")

    assert run["exit_code"] == 0, _ok(run)
    assert "phase: recovery" not in _labels(github, number), "the outsider's record was applied"
    (reply,) = _replies(github, number, record.id)
    assert "has read permission" in reply


@pytest.mark.parametrize(
    "plant",
    [
        pytest.param("permission", id="permission-dated-now"),
        pytest.param("allowed", id="allowed-entry"),
    ],
)
def test_warrooms_status_comment_edited_by_another_workflow_grants_nothing(
    github: TestSandbox, plant: str
) -> None:
    number = _file(github)
    record, run = _comment(github, number, "outsider", story.snapshot(START, phase="recovery"))
    assert run["exit_code"] == 0, _ok(run)
    labels_before = _labels(github, number)
    real = _status(github, number)
    # Any workflow of the repository can edit the comment warroom posted: same identity.
    state = decode_state(real.body)
    if plant == "permission":
        state["permissions"] = {"outsider": {"p": "admin", "team": "", "at": START.isoformat()}}
    else:
        state["allowed"] = {**state.get("allowed", {}), str(record.id): _stamp(record.updated_at)}
    github.repo(BOT).get_issue(number).get_comment(real.id).edit(_with_state(real.body, state))

    run = _trigger(github, number, "record")

    assert run["exit_code"] == 0, _ok(run)
    assert _labels(github, number) == labels_before, "the outsider's record was applied"
    (reply,) = _replies(github, number, record.id)
    assert "has read permission" in reply


# --- 2. a permission answer dated in the future ------------------------------------------------


@pytest.mark.parametrize("how", TRIGGERS)
def test_a_permission_dated_in_the_future_is_void(github: TestSandbox, how: str) -> None:
    number = _file(github)
    record, run = _comment(github, number, "reader", story.snapshot(START, phase="recovery"))
    assert run["exit_code"] == 0, _ok(run)
    labels_before = _labels(github, number)
    real = _status(github, number)
    # Any workflow can edit warroom's status comment too: it plants a far-future answer.
    state = decode_state(real.body)
    reader = pseudonym(STATE_KEY, "reader")  # how the sealed state names people
    assert reader in state.get("permissions", {}), state
    state["permissions"][reader] = {"p": "admin", "team": "", "at": "2099-01-01T00:00:00+00:00"}
    github.repo(BOT).get_issue(number).get_comment(real.id).edit(_with_state(real.body, state))

    run = _trigger(github, number, how)

    assert run["exit_code"] == 0, _ok(run)
    assert _labels(github, number) == labels_before, "the reader's record was applied"
    (reply,) = _replies(github, number, record.id)
    assert "has read permission" in reply
    kept = decode_state(_status(github, number).body)
    assert kept["permissions"].get(reader, {}).get("p") in (None, "read"), kept


# --- 3. follow-ups planted by others -------------------------------------------------------------


@pytest.mark.parametrize(
    "planter",
    [
        pytest.param("triager", id="by-a-triager"),
        pytest.param(BOT, id="by-another-workflow"),
    ],
)
def test_a_follow_up_planted_by_others_is_never_linked(github: TestSandbox, planter: str) -> None:
    number = _file(github)
    record = story.follow_up(
        title="Alert on audience rejections",
        kind="guardrail automation",
        owner=story.MITIGATION,
        due="2026-12-02",
    )
    # The record is on the issue; its own run has not happened yet (queued, or failed).
    (comment_id,) = seed_records(github, number, [(story.MITIGATION, record)])
    mark = marker("follow-up", follow_up_key(number, comment_id, 0))
    # Someone opens the issue warroom would look for: the label and the exact marker.
    planted_body = f"{mark}\nFollow-up from #{number}. Assigned to me."
    before = len(github.runs())
    planted = github.repo(planter).create_issue(
        title="[hardening] Alert on audience rejections", body=planted_body, labels=["hardening"]
    )
    _runs_after(github, before)

    _, run = _comment(github, number, story.COMMANDER, story.snapshot(START, phase="recovery"))

    assert run["exit_code"] == 0, _ok(run)
    hardening = list(github.repo().get_issues(state="all", labels=["hardening"]))
    (own,) = [i for i in hardening if i.number != planted.number]
    assert own.user.login == BOT
    assert own.body.startswith(mark)
    assert own.title == "[hardening] Alert on audience rejections"
    subs = [s.number for s in github.repo().get_issue(number).get_sub_issues()]
    assert subs == [own.number], "the planted issue was linked"
    assert json.loads(run["outputs"]["follow-ups"]) == [own.number]
    status = _status(github, number).body
    assert f"- #{own.number}" in status
    assert f"#{planted.number}" not in status
    # The planted issue is theirs and stays as they wrote it.
    again = github.repo().get_issue(planted.number)
    assert again.body == planted_body
    assert again.user.login == planter


# --- 4. losing access does not rewrite history -------------------------------------------------


def _set_permission(sb: TestSandbox, login: str, level: str) -> None:
    """What an admin does in Settings → Collaborators (the sandbox has no endpoint for it)."""
    with sb.state.transaction():
        user = sb.state.user(login)
        assert user is not None, login
        user.permission = level
        user.member = level in ("write", "maintain", "admin")


def _close_with_the_gate_met(sb: TestSandbox, number: int) -> list[int]:
    """The team's records to a met gate, the severity revised to SEV-2 on evidence, then closed.

    The records are judged by the closing run, while every author is still a responder.
    """
    _at(sb, 25)
    ids = seed_records(sb, number, records_to_the_gate(START, severity="SEV-2"))
    close = _one_run(
        sb,
        lambda: (
            sb.repo(story.COMMANDER)
            .get_issue(number)
            .edit(state="closed", state_reason="completed")
        ),
    )
    assert close["exit_code"] == 0, _ok(close)
    return ids


def _held(sb: TestSandbox, number: int) -> None:
    """The closed incident as the team left it."""
    issue = sb.repo().get_issue(number)
    labels = _labels(sb, number)
    assert issue.state == "closed", labels
    assert {"gate: met", "phase: hardening", "SEV-2"} <= labels, labels
    assert not {"gate: blocked", "SEV-1", "SEV-3", "phase: detection"} & labels, labels
    status = _status(sb, number).body
    assert "**SEV-2** · phase **hardening**" in status
    assert "closure gate **met**" in status


@pytest.mark.parametrize(
    "level",
    [
        pytest.param("read", id="writer-down-to-read"),
        pytest.param("none", id="writer-removed"),
    ],
)
def test_losing_access_keeps_the_records_made_before(github: TestSandbox, level: str) -> None:
    number = _file(github)
    _close_with_the_gate_met(github, number)
    _held(github, number)
    # The mitigation owner wrote the decision (with the SEV-2 evidence) and a follow-up.
    _set_permission(github, story.MITIGATION, level)
    # Long after every permission answer warroom kept has expired.
    _at(github, 25 + 120)

    sweep = _one_run(github, github.schedule)

    assert sweep["exit_code"] == 0, _ok(sweep)
    _held(github, number)
    # A new record from them is not applied, and the reply says why.
    new, run = _comment(
        github,
        number,
        story.MITIGATION,
        story.decision(START, minute=140, severity="SEV-3", confidence="L1"),
    )
    assert run["exit_code"] == 0, _ok(run)
    _held(github, number)
    assert "confidence: L1" not in _labels(github, number)
    (reply,) = _replies(github, number, new.id)
    assert f"has {_role(github, story.MITIGATION)} permission" in reply


def test_an_old_record_edited_after_losing_access_is_not_applied(github: TestSandbox) -> None:
    """An edit is a new version: judged by the author's access now, never applied without it.

    The version that was applied is gone from GitHub (as if its author had deleted the
    comment, which they may always do), so its records stop counting and the reply says why.
    """
    number = _file(github)
    decision_id, *_ = _close_with_the_gate_met(github, number)
    _set_permission(github, story.MITIGATION, "read")
    _at(github, 25 + 120)
    old = github.repo(story.MITIGATION).get_issue(number).get_comment(decision_id)
    assert "- Severity: SEV-2" in old.body

    run = _one_run(
        github, lambda: old.edit(old.body.replace("- Severity: SEV-2", "- Severity: SEV-3"))
    )

    assert "Traceback" not in run["stderr"]
    assert "SEV-3" not in _labels(github, number), "the edit by someone without access applied"
    (reply,) = _replies(github, number, decision_id)
    assert f"has {_role(github, story.MITIGATION)} permission" in reply


def _role(sb: TestSandbox, login: str) -> str:
    """The permission GitHub reports for ``login`` (``none`` reads as ``read`` when public)."""
    path = f"/repos/{sb.repo_full_name}/collaborators/{login}/permission"
    return str(sb.http("GET", path).body["role_name"])
