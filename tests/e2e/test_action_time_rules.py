"""The time rules, played on the sandbox with its clock (issue 9 §4).

`warroom action` runs for every event and for the scheduled sweep, as a
workflow would. Each rule fires once at the right minute, clears when the
record that satisfies it lands, and a following sweep does not repeat it:
the overdue checkpoint's label, the 60-minute command timeline's nudges, and
the readiness checks' reminder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.action_support import MakeSandbox, dispatching_sandbox
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import labels as _labels
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from tests.e2e.story_state import statuses
from tests.unit.time_rules_support import body
from warroom import story

pytestmark = pytest.mark.e2e

OVERDUE = "checkpoint: overdue"
CONFIRMED = "- Rollback readiness: confirmed: dry run of the rollback to 4f2c1a9 passed\n"


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _file(sb: TestSandbox, text: str | None = None) -> int:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s", body=text or story.incident_body(), labels=["incident"]
    )
    _settle(sb)
    return int(issue.number)


def _comment(sb: TestSandbox, minutes: int, number: int, login: str, text: str) -> None:
    _at(sb, minutes)
    sb.repo(login).get_issue(number).create_comment(text)
    _settle(sb)


def _sweep(sb: TestSandbox, minutes: int) -> None:
    _at(sb, minutes)
    sb.schedule()
    _settle(sb)


def _reminders(sb: TestSandbox, number: int, kind: str) -> list[str]:
    prefix = f"<!-- warroom:reminder:{number}.{kind}"
    return [
        c.body or ""
        for c in sb.repo().get_issue(number).get_comments()
        if (c.body or "").startswith(prefix) and c.user.type == "Bot"
    ]


def test_an_overdue_checkpoint_is_labelled_by_the_sweep_and_cleared_by_the_next_one(
    github: TestSandbox,
) -> None:
    number = _file(github)
    _comment(github, 5, number, story.COMMANDER, story.snapshot(START, next_in=25))
    _sweep(github, 24)
    assert OVERDUE not in _labels(github, number)
    # The sweep after 12:25 finds the time passed: the label goes on, with one reminder.
    _sweep(github, 26)
    assert OVERDUE in _labels(github, number)
    assert len(_reminders(github, number, "checkpoint")) == 1
    (status,) = statuses(github, number)
    assert "⏰ overdue: **next checkpoint**" in status
    # A later sweep keeps it on and repeats nothing.
    _sweep(github, 36)
    assert OVERDUE in _labels(github, number)
    assert len(_reminders(github, number, "checkpoint")) == 1
    # The next checkpoint's own run takes it off; the next sweep leaves it off.
    _comment(github, 40, number, story.COMMANDER, story.snapshot(START, next_in=70))
    assert OVERDUE not in _labels(github, number)
    _sweep(github, 50)
    assert OVERDUE not in _labels(github, number)
    assert len(_reminders(github, number, "checkpoint")) == 1
    # The new time passing is a new miss: the label is back, with its own reminder.
    _sweep(github, 71)
    assert OVERDUE in _labels(github, number)
    assert len(_reminders(github, number, "checkpoint")) == 2


def test_the_60_minute_timeline_nudges_each_missing_stage_once(github: TestSandbox) -> None:
    number = _file(github, body(unclear=True))
    _sweep(github, 5)
    assert _reminders(github, number, "timeline") == []
    # T+10: no snapshot confirms the severity hypothesis yet: one nudge.
    _sweep(github, 11)
    (t10,) = _reminders(github, number, "timeline")
    assert t10.startswith(f"<!-- warroom:reminder:{number}.timeline-t10 -->")
    assert "T+10: severity hypothesis and commander" in t10
    assert "> The playbook: T+00–10: confirm severity hypothesis" in t10
    # A snapshot meets T+10 and T+20 (the form ticked rollback readiness): no T+20 nudge.
    _comment(github, 15, number, story.COMMANDER, story.snapshot(START, next_in=90))
    _sweep(github, 21)
    assert len(_reminders(github, number, "timeline")) == 1
    # T+35: no branch executed: one nudge; the decision lands; the next sweep adds nothing.
    _sweep(github, 36)
    assert len(_reminders(github, number, "timeline-t35")) == 1
    _comment(github, 40, number, story.MITIGATION, story.decision(START, minute=40))
    _sweep(github, 46)
    assert len(_reminders(github, number, "timeline")) == 2
    # T+50 is missed; verification and a leadership note settle T+50 and T+60.
    _sweep(github, 51)
    assert len(_reminders(github, number, "timeline-t50")) == 1
    _comment(github, 53, number, story.VERIFICATION, story.verification(START, minute=52))
    _comment(github, 55, number, story.COMMANDER, story.leadership(confidence="L2"))
    _sweep(github, 61)
    _sweep(github, 75)
    keys = sorted(
        r.split(" -->", 1)[0].rsplit("-", 1)[1] for r in _reminders(github, number, "timeline")
    )
    assert keys == ["t10", "t35", "t50"]
    (status,) = statuses(github, number)
    assert "- [x] T+60: a decision note and the next checkpoint" in status
    assert "- [x] T+50: verification compared against the baseline" in status


def test_a_severity_revised_in_the_first_hour_starts_the_timeline(github: TestSandbox) -> None:
    number = _file(github)
    _sweep(github, 11)
    assert _reminders(github, number, "timeline") == []
    # Revised with evidence at T+25: the timeline applies from now on. The decision
    # states the severity, weighs the options and executes a branch (T+10..T+35).
    _comment(
        github, 25, number, story.MITIGATION, story.decision(START, minute=25, severity="SEV-2")
    )
    _sweep(github, 36)
    assert _reminders(github, number, "timeline") == []
    _sweep(github, 51)
    (t50,) = _reminders(github, number, "timeline")
    assert "T+50: verification compared against the baseline" in t50
    _sweep(github, 61)
    assert len(_reminders(github, number, "timeline-t50")) == 1


def test_readiness_checks_are_reminded_once_and_clear_when_confirmed(github: TestSandbox) -> None:
    number = _file(github, body(rollback=False))
    (status,) = statuses(github, number)
    assert "- [ ] rollback path confirmed executable now: tick Rollback readiness" in status
    assert "git rev-parse --short HEAD\ngit log --oneline -n 5\n" in status
    _sweep(github, 14)
    assert _reminders(github, number, "readiness") == []
    _sweep(github, 16)
    (reminder,) = _reminders(github, number, "readiness")
    assert "rollback path confirmed executable now" in reminder
    assert "> The playbook: Before running this playbook, enforce these prechecks" in reminder
    _sweep(github, 26)
    assert len(_reminders(github, number, "readiness")) == 1
    # A decision record confirms the rollback path: the check ticks and nothing repeats.
    _comment(
        github,
        30,
        number,
        story.MITIGATION,
        story.decision(START, minute=30) + CONFIRMED,
    )
    (status,) = statuses(github, number)
    assert "- [x] rollback path confirmed executable now" in status
    assert "readiness checks before the playbook runs:" not in status.split("<details>")[0]
    _sweep(github, 40)
    assert len(_reminders(github, number, "readiness")) == 1
