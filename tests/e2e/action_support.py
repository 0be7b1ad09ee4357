"""What the Action's end-to-end tests share: the team, the dispatch command, the sandbox.

The sandbox runs `warroom action` for each event the way a workflow would,
with the story's response team as users at varied permission levels.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.conftest import START, TestSandbox
from warroom import story

MakeSandbox = Callable[..., TestSandbox]

TEAM = {
    story.COMMANDER: "write",
    story.DEPUTY: "maintain",
    story.MITIGATION: "write",
    story.VERIFICATION: "write",
    story.COMMS: "admin",
}
ACTION = [sys.executable, "-m", "warroom", "action"]
BOT = "github-actions[bot]"
STATE_KEY = "sandbox-state-key"
"""The ``WARROOM_STATE_KEY`` secret, as the recommended install passes it to every run."""
FAST = "api:\n  seconds_between_writes: 0\n  retry_seconds: 20\n"
"""The sandbox needs no pause between writes, and a test no minute of retries."""


def dispatching_sandbox(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    config: str = FAST,
    *,
    command: list[str] | None = None,
    env: dict[str, str] | None = None,
    **options: Any,
) -> TestSandbox:
    """A sandbox that runs `warroom action` (or ``command``) for each event, with the team."""
    path = tmp_path / "warroom.yml"
    path.write_text(config, encoding="utf-8")
    options.setdefault("users", TEAM)
    return make_sandbox(
        dispatch=command or ACTION,
        env={"WARROOM_CONFIG": str(path), "WARROOM_STATE_KEY": STATE_KEY, **(env or {})},
        **options,
    )


def labels(sb: TestSandbox, number: int) -> set[str]:
    """The issue's labels, as anyone reading it sees them."""
    return {label.name for label in sb.repo().get_issue(number).labels}


def seed_records(sb: TestSandbox, number: int, records: list[tuple[str, str]]) -> list[int]:
    """Put records on an incident as people's comments, without the runs they would start.

    The next run judges them all at once, as a run queued behind them would;
    it keeps each test to the runs it is about. Returns the comment ids in order.
    """
    ids: list[int] = []
    for author, body in records:
        literal = body.replace("{", "{{").replace("}", "}}")  # seed_comments fills {n}/{c}
        ids += sb.seed_comments(number, 1, author=author, body=literal)
    return ids


def records_to_the_gate(start: datetime, *, severity: str | None = None) -> list[tuple[str, str]]:
    """(author, record) pairs that meet the closure gate once the incident is closed.

    ``severity`` goes into the decision record's evidence, which revises the incident's.
    """
    return [
        (story.MITIGATION, story.decision(start, minute=20, severity=severity)),
        (story.VERIFICATION, story.verification(start, minute=25)),
        (story.VERIFICATION, story.auth_evidence(start)),
        (story.COMMS, story.stakeholder(start, next_in=120)),
        *story.follow_ups(),
        (story.COMMANDER, story.leadership(confidence="L3")),
        (story.COMMANDER, story.closure()),
    ]


def settle(sb: TestSandbox) -> list[dict[str, Any]]:
    """Wait for every dispatched run to finish; every run so far, oldest first."""
    assert sb.wait_idle(120), "workflow runs did not finish"
    return sb.runs()


def at(sb: TestSandbox, minutes: int) -> None:
    """Set the sandbox's frozen clock ``minutes`` after the tests' start."""
    sb.set_clock(now=START + timedelta(minutes=minutes), frozen=True)


def own(sb: TestSandbox, number: int, kind: str) -> list[str]:
    """The bodies of warroom's comments of one kind on issue ``number`` (``reopened``,
    ``guardrail``, ``review``...), oldest first: what the bot wrote, never a person's copy."""
    prefix = f"<!-- warroom:{kind}:"
    return [
        c.body or ""
        for c in sb.repo().get_issue(number).get_comments()
        if (c.body or "").startswith(prefix) and c.user.type == "Bot"
    ]
