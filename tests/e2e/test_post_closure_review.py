"""The 30-minute post-closure review, played on the sandbox with its clock (issue 9 §4).

The playbook: "Run a short review immediately after closure" with its five
questions, and "turn answers into backlog items before context fades". A
closure that stands gets the questions once; a review not held within
``clock.review_minutes`` is reminded once, and never again; each action an
answer names opens one hardening follow-up, however often runs repeat.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import (
    MakeSandbox,
    dispatching_sandbox,
    records_to_the_gate,
    seed_records,
)
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import own as _own
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from tests.e2e.story_state import statuses
from warroom import story
from warroom.records.spec import REVIEW_QUESTIONS

pytestmark = pytest.mark.e2e

CLOSED_AT = 40
"""Minutes after the start at which the incident is closed with the gate met."""

REVIEW = f"""### Post-Closure Review
- Signal first but ignored: token audience rejections rose twenty minutes before the first page
  - Action: Page on the token audience rejection rate, @{story.MITIGATION}, due 2024-05-08
- Longest decision checkpoint: rollback versus flag-off took 18 minutes
- Where ownership became ambiguous: comms during the 12:40 handoff
- Guardrail that would have helped most: a token round trip before traffic shifts
  - Action: Post-deploy token round trip in the pipeline, @{story.VERIFICATION}, due 2024-05-10
- Metric to add or redefine: login success rate per token audience
"""


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _requests(sb: TestSandbox, run: dict[str, Any]) -> int:
    return sum(sb.requests(run_id=run["id"])["counts"].values())


def _sweep(sb: TestSandbox) -> None:
    sb.schedule()
    _settle(sb)


def _closed_with_the_gate_met(sb: TestSandbox) -> int:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s", body=story.incident_body(), labels=["incident"]
    )
    _settle(sb)
    _at(sb, 30)
    seed_records(sb, issue.number, records_to_the_gate(START))
    _at(sb, CLOSED_AT)
    sb.repo(story.COMMANDER).get_issue(issue.number).edit(state="closed", state_reason="completed")
    run = _settle(sb)[-1]
    assert run["exit_code"] == 0, run["stdout"]
    assert run["outputs"]["gate"] == "met"
    return int(issue.number)


def _hardening_issues(sb: TestSandbox) -> list[Any]:
    return list(sb.repo().get_issues(state="all", labels=["hardening"]))


def test_the_review_is_asked_once_reminded_once_and_its_actions_become_follow_ups(
    github: TestSandbox,
) -> None:
    number = _closed_with_the_gate_met(github)
    # Right after the closure stands: the five questions, verbatim, pinging the commander.
    (notice,) = _own(github, number, "review")
    assert notice.splitlines()[1].startswith(f"@{story.COMMANDER}, the closure stands.")
    for question in REVIEW_QUESTIONS.values():
        assert f"- {question}\n" in notice
    assert "### Post-Closure Review" in notice
    assert "Action: <title>, @owner, due YYYY-MM-DD" in notice
    (status,) = statuses(github, number)
    assert "### Post-closure review" in status
    assert "- [ ] due 2024-05-01 13:10 UTC:" in status
    assert _own(github, number, "reminder") == []

    # A sweep before the review is due changes nothing.
    _at(github, CLOSED_AT + 20)
    _sweep(github)
    assert _own(github, number, "reminder") == []
    assert len(_own(github, number, "review")) == 1

    # 31 minutes after the closure, with no review: one reminder, pinging the commander.
    _at(github, CLOSED_AT + 31)
    _sweep(github)
    # The sweep's three listings, the incident's comments, the reminder and the status edit.
    swept = github.runs()[-1]
    assert _requests(github, swept) <= 6, github.requests(run_id=swept["id"])["counts"]
    (reminder,) = _own(github, number, "reminder")
    assert reminder.startswith(f"<!-- warroom:reminder:{number}.review-")
    assert f"@{story.COMMANDER}: **30-minute post-closure review**" in reminder
    (status,) = statuses(github, number)
    assert "⏰ overdue: post a Post-Closure Review record" in status

    # Later sweeps remind no more, and ask no more.
    comments = len(list(github.repo().get_issue(number).get_comments()))
    for minutes in (CLOSED_AT + 45, CLOSED_AT + 120):
        _at(github, minutes)
        _sweep(github)
    assert len(list(github.repo().get_issue(number).get_comments())) == comments

    # The review, with two actions: two follow-ups, each assigned, with its due date.
    before = {i.number for i in _hardening_issues(github)}
    _at(github, CLOSED_AT + 130)
    github.repo(story.COMMANDER).get_issue(number).create_comment(REVIEW)
    run = _settle(github)[-1]
    assert run["exit_code"] == 0, run["stdout"]
    # The comments, the author's permission (not remembered past the hour), the follow-ups
    # already open, two issues each made a sub-issue, the status, and the closure review
    # package edited in place (its timeline now shows the review held).
    assert _requests(github, run) <= 9, github.requests(run_id=run["id"])["counts"]
    opened = [i for i in _hardening_issues(github) if i.number not in before]
    assert len(opened) == 2
    by_title = {i.title: i for i in opened}
    alert = by_title["[hardening] Page on the token audience rejection rate"]
    probe = by_title["[hardening] Post-deploy token round trip in the pipeline"]
    assert [a.login for a in alert.assignees] == [story.MITIGATION]
    assert [a.login for a in probe.assignees] == [story.VERIFICATION]
    assert "### Due date\n\n2024-05-08" in alert.body
    assert "### Kind\n\nguardrail automation" in probe.body
    assert "what one guardrail would have reduced resolution time most?" in probe.body
    subs = {s.number for s in github.repo().get_issue(number).get_sub_issues()}
    assert {alert.number, probe.number} <= subs
    (status,) = statuses(github, number)
    assert "- [x] held ([review](" in status
    assert f"2 action(s), 2 opened as follow-ups: #{alert.number}, #{probe.number}" in status
    assert f"#{alert.number} Page on the token audience rejection rate" in status

    # Sweeps and replayed events open nothing twice and post nothing new.
    settled = (
        len(list(github.repo().get_issue(number).get_comments())),
        len(_hardening_issues(github)),
    )
    _at(github, CLOSED_AT + 200)
    _sweep(github)
    last = github.deliveries()[-1]
    github.deliver(last["event"], last["payload"])
    _settle(github)
    _sweep(github)
    assert (
        len(list(github.repo().get_issue(number).get_comments())),
        len(_hardening_issues(github)),
    ) == settled
    assert len(_own(github, number, "review")) == 1
    assert len(_own(github, number, "reminder")) == 1


def test_an_action_without_a_due_date_is_refused_with_what_to_write_then_opens_when_fixed(
    github: TestSandbox,
) -> None:
    number = _closed_with_the_gate_met(github)
    _at(github, CLOSED_AT + 10)
    lacking = REVIEW.replace(", due 2024-05-08", "")
    comment = github.repo(story.COMMANDER).get_issue(number).create_comment(lacking)
    _settle(github)
    (reply,) = _own(github, number, "reply")
    assert "**Signal first but ignored**" in reply
    # As GitHub shows it: people's text is quoted (``<`` as ``&lt;``, no live mention).
    assert 'lacks a due date; write "Action: &lt;title>, @\u2060owner, due YYYY-MM-DD"' in reply
    titles = {i.title for i in _hardening_issues(github)}
    assert not any("token audience rejection rate" in t for t in titles), titles
    # Not held yet: the review is still due, so the sweep past its time reminds once.
    _at(github, CLOSED_AT + 31)
    _sweep(github)
    assert len(_own(github, number, "reminder")) == 1

    # Fixed in place: the reply goes, both follow-ups open.
    _at(github, CLOSED_AT + 35)
    comment.edit(REVIEW)
    _settle(github)
    assert _own(github, number, "reply") == []
    titles = {i.title for i in _hardening_issues(github)}
    assert "[hardening] Page on the token audience rejection rate" in titles
    assert "[hardening] Post-deploy token round trip in the pipeline" in titles


def test_a_sweep_with_memory_wakes_for_the_review_once_and_then_lets_it_be(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    sb = dispatching_sandbox(make_sandbox, tmp_path, env={"WARROOM_STATE_DIR": str(state)})
    number = _closed_with_the_gate_met(sb)
    _sweep(sb)  # no memory yet: reads everything, remembers when the review falls due
    _at(sb, CLOSED_AT + 10)
    _sweep(sb)
    assert "unchanged and not due" in sb.runs()[-1]["stdout"]
    assert _own(sb, number, "reminder") == []

    # Due at +30: the memory wakes the sweep for this incident, which reminds once.
    _at(sb, CLOSED_AT + 31)
    _sweep(sb)
    assert "unchanged and not due" not in sb.runs()[-1]["stdout"]
    assert len(_own(sb, number, "reminder")) == 1
    comments = len(list(sb.repo().get_issue(number).get_comments()))
    for minutes in (CLOSED_AT + 45, CLOSED_AT + 60):
        _at(sb, minutes)
        _sweep(sb)
        assert sb.runs()[-1]["exit_code"] == 0
    assert len(list(sb.repo().get_issue(number).get_comments())) == comments
