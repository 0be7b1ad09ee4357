"""Play the demo's incident on a sandbox, and read back everything warroom owns.

The fault, retry and chaos tests compare a play under faults with a clean one;
``end_state`` is what must be equal: the incident's state, labels and
assignees, warroom's comments by marker, the follow-ups and the repository's
labels with their colours and descriptions.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import TestSandbox
from warroom import demo
from warroom.markers import read_marker


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
