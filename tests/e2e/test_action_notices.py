"""Every undo has a visible reason, and the status comment reads at a glance (issue 8 §3-§5).

Played on the sandbox with `warroom action` dispatched for every event: what a
responder sees is a new comment that mentions them (an edit notifies nobody),
says what is missing and how to fix it, and is posted once per undo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import MakeSandbox, dispatching_sandbox
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import labels as _labels
from tests.e2e.action_support import own as _own
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from tests.e2e.story_state import play, statuses
from warroom import story

pytestmark = pytest.mark.e2e


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _file(sb: TestSandbox) -> int:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s", body=story.incident_body(), labels=["incident"]
    )
    _settle(sb)
    return int(issue.number)


def _comment(sb: TestSandbox, number: int, login: str, body: str) -> None:
    sb.repo(login).get_issue(number).create_comment(body)
    _settle(sb)


def _close(sb: TestSandbox, number: int, reason: str = "completed") -> dict[str, Any]:
    sb.repo(story.COMMANDER).get_issue(number).edit(state="closed", state_reason=reason)
    return _settle(sb)[-1]


def test_an_early_close_gets_one_notice_to_whoever_closed_it(github: TestSandbox) -> None:
    number = _file(github)
    _at(github, 20)
    _comment(github, number, story.MITIGATION, story.decision(START, minute=20))
    _at(github, 30)
    run = _close(github, number)
    assert run["exit_code"] == 1
    assert github.repo().get_issue(number).state == "open"
    (notice,) = _own(github, number, "reopened")
    # It pings the closer (a new comment notifies; the edited status comment does not).
    assert notice.splitlines()[1].startswith(f"@{story.COMMANDER}, this incident was reopened")
    # One line per missing condition, naming the record that meets it.
    assert "- **mitigation executed and verified with fresh rerun evidence**" in notice
    assert "Verification Rerun Record" in notice
    assert "Stakeholder Update" in notice
    assert len(statuses(github, number)) == 1
    status_url = next(
        c.html_url
        for c in github.repo().get_issue(number).get_comments()
        if (c.body or "").startswith(f"<!-- warroom:status:{number} -->")
    )
    assert f"[status comment]({status_url})" in notice

    # The same close, seen again (a sweep), posts no second notice.
    github.schedule()
    _settle(github)
    assert len(_own(github, number, "reopened")) == 1

    # A second early close is a new undo: a second notice.
    _at(github, 40)
    _close(github, number)
    assert len(_own(github, number, "reopened")) == 2


def test_a_false_alarm_is_reopened_with_the_dismissal_it_needs_then_closes(
    github: TestSandbox,
) -> None:
    number = _file(github)
    _at(github, 10)
    run = _close(github, number, reason="not_planned")
    assert run["exit_code"] == 1
    assert "Incident Dismissal" in run["stdout"]
    (notice,) = _own(github, number, "reopened")
    assert "without an Incident Dismissal record" in notice
    assert "### Incident Dismissal" in notice
    assert "- Reason: false alarm" in notice
    assert f"- Dismissed by: @{story.COMMANDER}" in notice
    assert "fresh rerun evidence" not in notice  # not the six recovery conditions
    assert "gate: blocked" in _labels(github, number)

    # The status comment offers the dismissal among its fillable records.
    (status,) = statuses(github, number)
    assert "**dismissal** (`warroom template dismissal`)" in status

    _at(github, 12)
    _comment(
        github,
        number,
        story.COMMANDER,
        "### Incident Dismissal\n- Reason: false alarm\n"
        "- Evidence: the 401 spike was a load test against staging\n"
        f"- Dismissed by: @{story.COMMANDER}\n",
    )
    run = _close(github, number, reason="not_planned")
    assert run["exit_code"] == 0, run["stdout"]
    issue = github.repo().get_issue(number)
    assert (issue.state, issue.state_reason) == ("closed", "not_planned")
    assert "gate: blocked" not in _labels(github, number)
    assert len(_own(github, number, "reopened")) == 1


def test_a_hand_changed_severity_is_put_back_with_who_changed_what(github: TestSandbox) -> None:
    number = _file(github)
    _at(github, 5)
    github.repo("writer").get_issue(number).add_to_labels("SEV-3")
    _settle(github)
    assert "SEV-3" not in _labels(github, number)
    assert "SEV-1" in _labels(github, number)
    (notice,) = _own(github, number, "severity-guard")
    assert "@writer added the severity label `SEV-3` by hand" in notice
    assert "put back **SEV-1**" in notice
    assert "`Severity: SEV-N`" in notice


def test_the_status_comment_leads_with_what_needs_someone_and_stays_short(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path)
    number = play(sb)
    (status,) = statuses(sb, number)
    glance = status.split("<details>", 1)[0]
    assert len(glance) <= 2500, len(glance)
    assert glance.index("### Needs someone now") < glance.index("### Closure gate")
    # Plain statements: the residual risk itself, and each follow-up with owner and due date.
    assert "residual risks explicit" in glance
    assert ": stated" not in glance
    assert "sessions minted during the bad window" in glance
    assert "Alert when token audience rejections exceed 1%: `@tomas-lindqvist`, due" in glance
    # Nothing it cannot know: no merge-freeze tick, and a default next owner says it is one.
    assert "freeze unrelated merges" not in glance
    assert "(deputy)" in status


def test_no_reminder_in_the_same_minute_as_the_record_that_satisfies_it(
    github: TestSandbox,
) -> None:
    number = _file(github)
    _at(github, 5)
    _comment(github, number, story.COMMANDER, story.snapshot(START, next_in=20))
    # 40 minutes in, the checkpoint (due at 25) is overdue; two records land in one minute.
    _at(github, 40)
    _comment(github, number, story.VERIFICATION, story.verification(START, minute=40))
    _comment(github, number, story.COMMANDER, story.snapshot(START, next_in=60))
    assert _own(github, number, "reminder") == []
    # An overdue item with no record coming is still reminded, by the next quiet run.
    _at(github, 140)
    github.schedule()
    _settle(github)
    assert any("next checkpoint" in r for r in _own(github, number, "reminder"))


def test_each_follow_up_shows_its_state_as_its_own_events_tell(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path)
    number = play(sb)
    follow_ups = sorted(
        sb.repo().get_issues(state="all", labels=["hardening"]), key=lambda i: i.number
    )
    assert len(follow_ups) == 2
    (status,) = statuses(sb, number)
    assert status.count(", open\n") == 2  # opened by warroom, so open
    # The owner closes the first follow-up: its own event updates the incident's status.
    sb.repo(story.MITIGATION).get_issue(follow_ups[0].number).edit(state="closed")
    _settle(sb)
    (status,) = statuses(sb, number)
    assert f"#{follow_ups[0].number} " in status
    line = next(x for x in status.splitlines() if x.startswith(f"- #{follow_ups[0].number} "))
    assert line.endswith(", closed"), line
    line = next(x for x in status.splitlines() if x.startswith(f"- #{follow_ups[1].number} "))
    assert line.endswith(", open"), line
    # Reopened, it is open again.
    sb.repo(story.MITIGATION).get_issue(follow_ups[0].number).edit(state="open")
    _settle(sb)
    (status,) = statuses(sb, number)
    line = next(x for x in status.splitlines() if x.startswith(f"- #{follow_ups[0].number} "))
    assert line.endswith(", open"), line


def test_closing_an_issue_that_only_looks_like_a_follow_up_changes_nothing(
    github: TestSandbox,
) -> None:
    number = _file(github)
    planted = github.repo("github-actions[bot]").create_issue(
        title="[hardening] planted",
        body=f"<!-- warroom:follow-up:{number}.1.0 -->\nnot warroom's",
        labels=["hardening"],
    )
    _settle(github)
    before = statuses(github, number)
    before_runs = len(github.runs())
    github.repo("admin").get_issue(planted.number).edit(state="closed")
    runs = _settle(github)[before_runs:]
    assert "carries warroom's follow-up marker but not its proof" in runs[-1]["stdout"]
    assert statuses(github, number) == before
