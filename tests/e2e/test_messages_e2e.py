"""Messages on demand end to end: slash commands answered through the sandbox.

A responder writes ``/warroom status-update`` (or one of the other three) in a
comment; the Action, dispatched by the sandbox as a workflow would be, replies
once with the playbook's message. The tests read what anyone on GitHub sees
(the replies, their bodies and edit times) and what the sandbox counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import BOT, MakeSandbox, dispatching_sandbox, seed_records, settle
from tests.e2e.action_support import at as _at
from tests.e2e.conftest import START, TestSandbox
from warroom import story
from warroom.markers import marker

pytestmark = pytest.mark.e2e


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _file(sb: TestSandbox) -> int:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s on every authenticated call",
        body=story.incident_body(),
        labels=["incident"],
    )
    settle(sb)
    return int(issue.number)


def _one_run(sb: TestSandbox, act: Callable[[], object]) -> dict[str, Any]:
    """Do ``act``, which starts exactly one run; that run, checked to have succeeded."""
    before = len(settle(sb))
    act()
    (run,) = settle(sb)[before:]
    assert run["exit_code"] == 0, run["stdout"] + run["stderr"]
    assert "Traceback" not in run["stderr"], run["stderr"]
    return run


def _ask(sb: TestSandbox, number: int, login: str, body: str) -> tuple[Any, dict[str, Any]]:
    posted: list[Any] = []
    run = _one_run(sb, lambda: posted.append(sb.repo(login).get_issue(number).create_comment(body)))
    return posted[0], run


def _replies(sb: TestSandbox, number: int, comment_id: int) -> list[Any]:
    """warroom's replies to one command comment (the bot's comments under its marker)."""
    mark = marker("message", comment_id)
    return [
        c
        for c in sb.repo().get_issue(number).get_comments()
        if c.user.login == BOT and (c.body or "").startswith(mark)
    ]


def _requests(sb: TestSandbox, run: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = sb.requests(run_id=run["id"])["counts"]
    return counts


HANDOFF = f"""### Handoff Record
- From owner: @{story.COMMANDER}
- To owner: @{story.DEPUTY}
- Scope boundary: the auth-gateway rollback; billing is out of scope
- Unresolved unknowns: whether mobile clients cached bad tokens
- Next checkpoint at: {story.at(START, 120)}
- Rollback trigger: 401 rate above 2% for 5 minutes
"""


def _worked(sb: TestSandbox, number: int) -> None:
    """The incident half an hour in: a snapshot, a decision, a stakeholder update, a handoff."""
    seed_records(
        sb,
        number,
        [
            (story.COMMANDER, story.snapshot(START)),
            (story.MITIGATION, story.decision(START, minute=20)),
            (story.COMMS, story.stakeholder(START, status="mitigating")),
            (story.COMMANDER, HANDOFF),
        ],
    )


@pytest.mark.parametrize(
    ("command", "says"),
    [
        pytest.param(
            "escalate",
            [
                "[INCIDENT][SEV-1] 401s on every authenticated API call",
                "Current decision: rollback",
                "Immediate ask: ⟨fill in: approval/resource⟩",
                f"Owner: @{story.DEPUTY}",  # the handoff moved the commander's lane
            ],
            id="escalate",
        ),
        pytest.param(
            "status-update",
            [
                "Status: mitigating",
                "Customer impact: sign-in failed for most users for about 40 minutes",
                f"Next committed update time: {story.at(START, 120)}",
            ],
            id="status-update",
        ),
        pytest.param(
            "leadership-note",
            [
                "### Incident Leadership Note",
                "- Current confidence level (L1/L2/L3): L2",
                "- What we need from leadership: ⟨fill in: what we need from leadership⟩",
            ],
            id="leadership-note",
        ),
        pytest.param(
            "handoff",
            [
                "- [x] scope boundary is explicit (what is included/excluded): the auth-gateway",
                "Result: 4 of 4 met; ready to hand over",
            ],
            id="handoff",
        ),
    ],
)
def test_a_responder_gets_the_message_once_and_reruns_and_sweeps_add_nothing(
    github: TestSandbox, command: str, says: list[str]
) -> None:
    number = _file(github)
    _worked(github, number)
    _at(github, 40)
    _one_run(github, github.schedule)  # the records judged, and what they make due, first
    asked, run = _ask(github, number, story.DEPUTY, f"For the bridge:\n/warroom {command}\n")
    (reply,) = _replies(github, number, asked.id)
    assert "```text\n" in reply.body
    for line in says:
        assert line in reply.body
    # One listing of comments, one of branches, the reply and the status comment:
    # the author's permission comes from the sealed state (the sweep listed collaborators).
    counts = _requests(github, run)
    assert counts.get("issues/create-comment", 0) == 1, counts
    assert sum(counts.values()) <= 4, counts
    first = (reply.body, reply.updated_at)
    # A rerun of the same run, a sweep and the next record: the reply is neither repeated
    # nor edited, and none of these asks for the command author's permission again.
    _at(github, 50)
    github.rerun(run["id"])  # the same run again: its id stays, its attempt goes up
    settle(github)
    rerun = github.run(run["id"])
    assert rerun is not None
    assert (rerun["exit_code"], rerun["run_attempt"]) == (0, 2), rerun
    swept = _one_run(github, github.schedule)
    _ask(github, number, story.COMMS, story.stakeholder(START, status="recovered"))
    (again,) = _replies(github, number, asked.id)
    assert (again.body, again.updated_at) == first
    assert "repos/get-collaborator-permission-level" not in _requests(github, swept)


def test_an_edited_command_gets_its_reply_rewritten_and_a_removed_one_loses_it(
    github: TestSandbox,
) -> None:
    number = _file(github)
    _worked(github, number)
    _at(github, 40)
    asked, _ = _ask(github, number, story.COMMANDER, "/warroom status-update")
    (reply,) = _replies(github, number, asked.id)
    assert "Status: mitigating" in reply.body
    _at(github, 45)
    _one_run(github, lambda: asked.edit("/warroom escalate"))
    (edited,) = _replies(github, number, asked.id)
    assert edited.id == reply.id
    assert "[INCIDENT][SEV-1]" in edited.body
    assert "Status: mitigating" not in edited.body
    _one_run(github, lambda: asked.edit("never mind, posted it by hand"))
    assert _replies(github, number, asked.id) == []
    # The person's comment is theirs: edited by them only, never deleted.
    assert github.repo().get_issue(number).get_comments().totalCount >= 1
    assert any(c.id == asked.id for c in github.repo().get_issue(number).get_comments())


@pytest.mark.parametrize(
    "level",
    [pytest.param("triage", id="triage"), pytest.param("read", id="read")],
)
def test_a_non_responder_is_refused(github: TestSandbox, level: str) -> None:
    number = _file(github)
    _worked(github, number)
    login = github.logins_by_level[level]
    asked, run = _ask(github, number, login, "/warroom escalate")
    (reply,) = _replies(github, number, asked.id)
    assert "**Not answered.**" in reply.body
    # The asker's permission is read once; the records' authors come in the collaborators list.
    counts = _requests(github, run)
    assert counts.get("repos/get-collaborator-permission-level", 0) <= 1, counts
    assert sum(counts.values()) <= 7, counts
    assert f"has {level} permission on this repository" in reply.body
    assert "[INCIDENT]" not in reply.body
    assert f"@{login}" not in reply.body  # named, not pinged again


def test_an_unknown_command_is_told_the_four(github: TestSandbox) -> None:
    number = _file(github)
    asked, _ = _ask(github, number, story.COMMANDER, "/warroom escalte")
    (reply,) = _replies(github, number, asked.id)
    assert "warroom has no command `/warroom` “escalte”" in reply.body
    for kind in ("escalate", "status-update", "leadership-note", "handoff"):
        assert f"- `/warroom {kind}`" in reply.body


def test_a_quoted_command_is_not_a_command(github: TestSandbox) -> None:
    number = _file(github)
    asked, _ = _ask(github, number, story.COMMANDER, "> /warroom escalate\n\nWho asked this?")
    assert _replies(github, number, asked.id) == []


def test_people_text_stays_inert_in_the_message(github: TestSandbox) -> None:
    number = _file(github)
    hostile = story.stakeholder(START, status="mitigating").replace(
        "sign-in failed for most users for about 40 minutes",
        "@everyone <img src=x> {{ secrets.TOKEN }} ${{ github.token }} ```` [x](https://e.test)",
    )
    seed_records(github, number, [(story.COMMS, hostile)])
    _at(github, 40)
    asked, _ = _ask(github, number, story.COMMANDER, "/warroom status-update")
    (reply,) = _replies(github, number, asked.id)
    body = reply.body
    opening = body.index("`````text\n")  # a fence longer than any run of backticks inside
    closing = body.index("\n`````\n", opening)
    inside = body[opening:closing]
    assert "@everyone <img src=x> {{ secrets.TOKEN }} ${{ github.token }} ```` [x](" in inside
    assert "@everyone" not in body[:opening] + body[closing:]


def test_warroom_render_prints_the_message_and_names_what_is_wrong(
    github: TestSandbox, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    number = _file(github)
    _worked(github, number)
    env = {
        **os.environ,
        "GITHUB_API_URL": github.api_url,
        "GITHUB_REPOSITORY": github.repo_full_name,
        "GITHUB_TOKEN": github.token_for_level("admin"),
        "WARROOM_CONFIG": str(tmp_path / "warroom.yml"),
        "WARROOM_NOW": (START + timedelta(minutes=40)).isoformat(),
    }

    def render(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "warroom", "render", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    before = len(github.requests()["requests"])
    shown = render("status-update", str(number))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Status: mitigating\n")
    assert f"Next committed update time: {story.at(START, 120)}" in shown.stdout
    assert "```" not in shown.stdout  # the message itself, ready to paste
    assert len(github.requests()["requests"]) - before <= 4
    handoff = render("handoff", str(number))
    assert handoff.returncode == 0, handoff.stderr
    assert "Result: 4 of 4 met" in handoff.stdout
    fresh = _file(github)  # nothing posted yet: the handoff test misses all four items
    missing = render("handoff", str(fresh))
    assert missing.returncode == 1, missing.stderr
    assert "Result: 0 of 4 met; missing: scope boundary" in missing.stdout
    unknown = render("escalte", str(number))
    assert unknown.returncode == 2
    assert "'escalate', 'status-update', 'leadership-note', 'handoff'" in unknown.stderr
    not_one = github.repo().create_issue(title="a question", body="not an incident")
    refused = render("escalate", str(not_one.number))
    assert refused.returncode == 2
    assert f"#{not_one.number} is not an incident" in refused.stderr
    missing_issue = render("escalate", "999")
    assert missing_issue.returncode == 2  # a usage mistake, not a finding
    assert "has no issue #999; give the number of an incident's issue" in missing_issue.stderr
    assert "Traceback" not in refused.stderr + unknown.stderr + missing_issue.stderr
