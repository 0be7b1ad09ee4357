"""Play the demo's incident on a sandbox, and read back everything warroom owns.

The fault, retry and chaos tests compare a play under faults with a clean one;
``end_state`` is what must be equal: the incident's state, labels and
assignees, warroom's comments by marker, the follow-ups and the repository's
labels with their colours and descriptions.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tests.e2e.action_support import STATE_KEY, TEAM
from tests.e2e.conftest import TestSandbox
from warroom import demo
from warroom.markers import read_marker
from warroom.sandbox.faults import KINDS

CHAOS_CONFIG = """\
api:
  seconds_between_writes: 0
  retry_seconds: 8
  max_attempts: 4
"""
"""Retries as a run would make them, bounded so a run that meets a streak of faults fails
(and is re-run) instead of waiting a minute."""

CHAOS_RULE: dict[str, Any] = {
    "rate": 0.3,
    "token": "workflow",
    "kinds": list(KINDS),
    "retry_after": 1,
    "reset_in": 1,
    "latency_ms": 20,
}
"""30 % of the runs' requests fail, spread over every fault kind the sandbox knows."""


def story_sandbox(scratch: Path, config: str, name: str = "warroom") -> TestSandbox:
    """A started sandbox that runs `warroom action` for every event, with the story's team."""
    path = scratch / f"{name}.yml"
    path.write_text(config, encoding="utf-8")
    return TestSandbox(
        dispatch=[sys.executable, "-m", "warroom", "action"],
        env={"WARROOM_CONFIG": str(path), "WARROOM_STATE_KEY": STATE_KEY},
        users=TEAM,
        now=demo.START,
        frozen=True,
    ).start()


def converge(sb: TestSandbox) -> None:
    """As GitHub would after a bad hour: faults off, re-run what failed once, then a sweep."""
    sb.faults.clear()
    sb.rerun_failed(sequential=True)
    sb.schedule()
    assert sb.wait_idle(300), "runs did not finish"


def play(sb: TestSandbox) -> int:
    """The demo's scripted SEV-1 incident, start to end; returns the incident's number."""
    player = demo.Demo(sb, lambda line: None)
    demo._script(player)
    return player.number


def end_state(sb: TestSandbox, number: int) -> dict[str, Any]:
    """What a responder would see, read as an admin (not through the runs' token)."""
    repo = sb.repo()
    issue = repo.get_issue(number)
    own: dict[str, list[str]] = {}
    for comment in issue.get_comments():
        if comment.user.type == "Bot" and read_marker(comment.body or "") is not None:
            mark = (comment.body or "").split("\n", 1)[0]
            own.setdefault(mark, []).append(comment.body or "")
    follow_ups = []
    for item in repo.get_issues(state="all", labels=["hardening"]):
        parent = item.raw_data.get("parent_issue_url") or ""
        follow_ups.append(
            (
                item.title,
                tuple(sorted(a.login for a in item.assignees)),
                item.milestone.title if item.milestone else None,
                parent.rsplit("/", 1)[-1],
            )
        )
    return {
        "state": (issue.state, issue.state_reason),
        "labels": sorted(label.name for label in issue.labels),
        "assignees": sorted(a.login for a in issue.assignees),
        "comments": {mark: len(bodies) for mark, bodies in own.items()},
        "follow_ups": sorted(follow_ups),
        "repo_labels": sorted(
            (label.name, label.color, label.description or "") for label in repo.get_labels()
        ),
    }


def statuses(sb: TestSandbox, number: int) -> list[str]:
    """The bodies of warroom's status comments on the incident (there must be one)."""
    issue = sb.repo().get_issue(number)
    return [
        c.body or ""
        for c in issue.get_comments()
        if read_marker(c.body or "") == ("status", str(number))
    ]
