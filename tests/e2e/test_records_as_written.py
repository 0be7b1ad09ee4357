"""Records as people write them, through the sandbox: the Action reads what they mean.

A snapshot posted with its next checkpoint as a time without a date and the
owner on the same line is applied, the status comment shows the resolved date,
and a later run still reads it from when the comment was posted. A record
quoted in a reply is never applied.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import BOT, MakeSandbox, dispatching_sandbox, labels
from tests.e2e.conftest import START, TestSandbox
from warroom import story

pytestmark = pytest.mark.e2e


def _one_run(sb: TestSandbox, act: Callable[[], object]) -> dict[str, Any]:
    before = len(sb.runs())
    act()
    assert sb.wait_idle(120), "workflow runs did not finish"
    (run,) = sb.runs()[before:]
    return run


def _status(sb: TestSandbox, number: int) -> str:
    (status,) = [
        c.body
        for c in sb.repo().get_issue(number).get_comments()
        if c.user.login == BOT and c.body.startswith(f"<!-- warroom:status:{number} -->")
    ]
    return str(status)


def _snapshot_without_a_date(phase: str) -> str:
    return story.snapshot(START, phase=phase).replace(
        f"- Next checkpoint at: {story.at(START, 30)}\n- Next owner: @{story.DEPUTY}\n",
        f"- Next checkpoint: 12:40 UTC, Devi Raman (@{story.DEPUTY})\n",
    )


def test_a_time_without_a_date_and_its_owner_are_read_and_shown_with_the_date(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path)
    (number,) = sb.seed_issues(
        1,
        author=story.COMMANDER,
        labels=["incident"],
        title="[incident] 401s on every authenticated call",
        body=story.incident_body().replace("{", "{{").replace("}", "}}"),
    )
    issue = sb.repo(story.COMMANDER).get_issue(number)
    run = _one_run(sb, lambda: issue.create_comment(_snapshot_without_a_date("containment")))
    assert run["exit_code"] == 0, run["stderr"]
    assert "phase: containment" in labels(sb, number)
    status = _status(sb, number)
    # Posted at 12:00 UTC on 2024-05-01: "12:40 UTC" is that day's, shown with its date.
    assert "2024-05-01 12:40 UTC" in status
    assert 'read "12:40 UTC" as 2024-05-01 12:40 UTC' in status
    assert f"`@{story.DEPUTY}`" in status
    assert "<!-- warroom:reply:" not in "".join(
        c.body for c in sb.repo().get_issue(number).get_comments()
    )

    # Two hours later a quoted copy of the snapshot, with another phase, is posted in a reply:
    # it is never applied, and the checkpoint is still the one of the day it was posted, overdue.
    sb.set_clock(now=START + timedelta(hours=2), frozen=True)
    quoted = "As Mara said:\n\n" + "\n".join(
        f"> {line}" for line in _snapshot_without_a_date("recovery").splitlines()
    )
    run = _one_run(sb, lambda: issue.create_comment(quoted))
    assert run["exit_code"] == 0, run["stderr"]
    assert "phase: recovery" not in labels(sb, number)
    assert "phase: containment" in labels(sb, number)
    status = _status(sb, number)
    assert "2024-05-01 12:40 UTC" in status
    assert "⏰ overdue" in status
