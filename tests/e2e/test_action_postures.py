"""Postures, merge owner and recovery branches, played on the sandbox with its clock.

`warroom action` runs for every event, as the workflow would. Each rule fires
once, at the event that makes it stand; a sweep later does not repeat it; the
record that settles it takes it out of the status comment's "Needs someone
now"; and its notice, like everything people and warroom wrote, stays.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.action_support import FAST, MakeSandbox, dispatching_sandbox, settle
from tests.e2e.action_support import at as _at
from tests.e2e.conftest import START, TestSandbox
from tests.e2e.story_state import statuses
from warroom import story

pytestmark = pytest.mark.e2e


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _file(sb: TestSandbox, severity: str = "SEV-1") -> int:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s", body=story.incident_body(severity=severity), labels=["incident"]
    )
    settle(sb)
    return int(issue.number)


def _comment(sb: TestSandbox, number: int, login: str, body: str) -> int:
    made = sb.repo(login).get_issue(number).create_comment(body)
    settle(sb)
    return int(made.id)


def _notices(sb: TestSandbox, number: int, rule: str) -> list[str]:
    prefix = f"<!-- warroom:guardrail:{number}.{rule}."
    return [
        c.body or ""
        for c in sb.repo().get_issue(number).get_comments()
        if (c.body or "").startswith(prefix) and c.user.type == "Bot"
    ]


def _needs_now(sb: TestSandbox, number: int) -> str:
    (status,) = statuses(sb, number)
    return status.split("### Needs someone now", 1)[1].split("###", 1)[0]


def _sweep(sb: TestSandbox, minutes: int) -> None:
    _at(sb, minutes)
    sb.schedule()
    settle(sb)


def _decision(minute: int, choice: str, owner: str = story.MITIGATION, extra: str = "") -> str:
    body = story.decision(START, minute=minute, choice=choice)
    return (
        body.replace(f"Owner for execution: @{story.MITIGATION}", f"Owner for execution: @{owner}")
        + extra
    )


def test_a_decision_against_the_postures_is_told_once_and_settled_by_its_reason(
    github: TestSandbox,
) -> None:
    number = _file(github)
    (status,) = statuses(github, number)
    assert (
        "**Posture:** SEV-1 rollback-first evaluation · "
        "auth/identity rollback-first + audit capture" in status
    )
    _at(github, 20)
    decided = _comment(github, number, story.MITIGATION, _decision(20, "continue mitigation"))
    (severity,) = _notices(github, number, "severity-posture")
    (dependency,) = _notices(github, number, "dependency-posture")
    assert f"<!-- warroom:guardrail:{number}.severity-posture.{decided} -->" in severity
    assert "rollback-first evaluation" in severity
    assert "This matrix prevents overconfident “single-fix” decisions." in dependency
    needs = _needs_now(github, number)
    assert "A decision against the SEV-1 posture without a stated reason" in needs
    assert "A decision against the dependency risk matrix without a stated reason" in needs

    _sweep(github, 30)
    assert len(_notices(github, number, "severity-posture")) == 1
    assert len(_notices(github, number, "dependency-posture")) == 1

    # The decision's owner says why: edited in place, it no longer stands.
    _at(github, 32)
    comment = github.repo(story.MITIGATION).get_issue(number).get_comment(decided)
    comment.edit(
        (comment.body or "")
        + "- Posture exception: the rollback drops tokens minted since 14:05; the flag is safer\n"
    )
    settle(github)
    needs = _needs_now(github, number)
    assert "posture" not in needs
    assert "dependency risk matrix" not in needs
    _sweep(github, 45)
    assert len(_notices(github, number, "severity-posture")) == 1
    assert len(_notices(github, number, "dependency-posture")) == 1


def test_a_sev2_rollback_is_against_its_posture_until_a_decision_in_line(
    github: TestSandbox,
) -> None:
    number = _file(github, severity="SEV-2")
    (status,) = statuses(github, number)
    assert "SEV-2 bounded hotfix with tight verification" in status
    _at(github, 20)
    _comment(github, number, story.MITIGATION, _decision(20, "rollback"))
    (notice,) = _notices(github, number, "severity-posture")
    assert "bounded hotfix with tight verification" in notice
    assert _notices(github, number, "dependency-posture") == []  # auth/identity: rollback-first
    _at(github, 30)
    _comment(github, number, story.MITIGATION, _decision(30, "continue mitigation"))
    assert "SEV-2 posture" not in _needs_now(github, number)
    _sweep(github, 40)
    assert len(_notices(github, number, "severity-posture")) == 1


def test_lanes_editing_the_same_files_need_one_merge_owner(github: TestSandbox) -> None:
    number = _file(github)
    _at(github, 20)
    surfaces = "- Surfaces: services/auth/token.py, config/auth-gateway.yaml\n"
    _comment(github, number, story.MITIGATION, _decision(20, "rollback", extra=surfaces))
    assert _notices(github, number, "merge-owner") == []
    _at(github, 25)
    _comment(
        github,
        number,
        story.VERIFICATION,
        _decision(25, "rollback", owner=story.VERIFICATION, extra="- Surfaces: services/auth/**\n"),
    )
    (notice,) = _notices(github, number, "merge-owner")
    assert "If lanes edit the same files, define one merge owner immediately." in notice
    assert "`services/auth/token.py`" in notice
    assert f"@{story.MITIGATION}" not in notice  # quoted: nobody is pinged again
    assert "Lanes edit the same files without one merge owner" in _needs_now(github, number)

    _sweep(github, 35)
    assert len(_notices(github, number, "merge-owner")) == 1

    _a_merge_owner_settles_it(github, number, at=40)


def test_all_three_recovery_branches_without_one_owner_are_called_out(
    github: TestSandbox,
) -> None:
    number = _file(github)
    github.set_branch(f"incident/{number}/hotfix")
    github.set_branch(f"incident/{number}/rollback")
    github.set_branch(f"incident/{number + 1}/containment")  # another incident's
    _sweep(github, 10)
    (status,) = statuses(github, number)
    assert (
        f"**Recovery branches:** `incident/{number}/hotfix` (hotfix), "
        f"`incident/{number}/rollback` (rollback) · branch owner not named"
    ) in status
    assert _notices(github, number, "recovery-branches") == []

    github.set_branch(f"incident/{number}/containment-flag")
    _sweep(github, 20)
    (notice,) = _notices(github, number, "recovery-branches")
    assert "Do not maintain all three branches active without one branch owner." in notice
    assert "all-three" in notice.splitlines()[0]
    _sweep(github, 30)
    assert len(_notices(github, number, "recovery-branches")) == 1

    _at(github, 35)
    _comment(
        github,
        number,
        story.COMMANDER,
        story.snapshot(START, next_in=65) + f"- Branch owner: @{story.MITIGATION}\n",
    )
    (status,) = statuses(github, number)
    assert f"branch owner `@{story.MITIGATION}`" in status
    assert "without one branch owner" not in _needs_now(github, number)
    _sweep(github, 45)
    assert len(_notices(github, number, "recovery-branches")) == 1


def test_an_incident_run_reads_its_branches_at_most_every_ten_minutes(github: TestSandbox) -> None:
    """Branches are pushed without an issue event: a run within ten minutes of the last read
    reuses it; a later one reads them again, with one request under the incident's prefix."""

    seen = 0

    def reads() -> list[str]:
        """The branch reads since the last call, by every run."""
        nonlocal seen
        found = github.requests(operation_id="git/list-matching-refs")["requests"]
        paths = [r["path"].split("/git/matching-refs/", 1)[1] for r in found[seen:]]
        seen = len(found)
        return paths

    number = _file(github)
    assert reads() == [f"heads/incident/{number}/"]
    _at(github, 5)
    _comment(github, number, story.MITIGATION, _decision(5, "rollback"))
    assert reads() == []
    github.set_branch(f"incident/{number}/hotfix")
    _at(github, 20)
    _comment(github, number, story.COMMANDER, story.snapshot(START, next_in=60))
    assert reads() == [f"heads/incident/{number}/"]
    assert f"`incident/{number}/hotfix` (hotfix)" in statuses(github, number)[0]


def test_a_sweep_reads_every_incidents_branches_with_one_request(github: TestSandbox) -> None:
    first, second = _file(github), _file(github)
    github.set_branch(f"incident/{second}/hotfix")
    _sweep(github, 10)
    run = github.runs()[-1]
    assert run["event"] == "schedule"
    reads = github.requests(run_id=run["id"], operation_id="git/list-matching-refs")["requests"]
    assert [r["path"].split("/git/matching-refs/", 1)[1] for r in reads] == ["heads/incident/"]
    assert "**Recovery branches:**" not in statuses(github, first)[0]
    assert f"`incident/{second}/hotfix` (hotfix)" in statuses(github, second)[0]


def _a_merge_owner_settles_it(sb: TestSandbox, number: int, *, at: int) -> None:
    """A snapshot naming one merge owner settles the rule; a sweep later says nothing new."""
    _at(sb, at)
    _comment(
        sb,
        number,
        story.COMMANDER,
        story.snapshot(START, next_in=70) + f"- Merge owner: @{story.MITIGATION}\n",
    )
    assert "merge owner" not in _needs_now(sb, number)
    _sweep(sb, at + 10)
    assert len(_notices(sb, number, "merge-owner")) == 1


def _link_a_pull_request(sb: TestSandbox, number: int) -> None:
    """@tomas's pull request, part of the response: ``Incident: #N`` in its description."""
    _at(sb, 15)
    sb.open_pull(
        title="Tighten token checks",
        head="fix/token",
        files=["services/auth/token.py"],
        body=f"Incident: #{number}",
        user=story.MITIGATION,
    )
    settle(sb)


def _another_lane_on_the_same_files(sb: TestSandbox, number: int) -> None:
    """@aiko's decision declares a lane over the pull request's files."""
    _at(sb, 20)
    _comment(
        sb,
        number,
        story.VERIFICATION,
        _decision(20, "rollback", owner=story.VERIFICATION, extra="- Surfaces: services/auth/**\n"),
    )


@pytest.fixture
def reading_pulls(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(
        make_sandbox, tmp_path, FAST + "merge_owner:\n  read_pull_requests: true\n"
    )


def test_a_linked_pull_request_is_a_lane_when_the_team_turns_it_on(
    reading_pulls: TestSandbox,
) -> None:
    """``Incident: #N`` makes a pull request one more lane; its run pays one listing and one
    read of its files, and the merge owner named in a snapshot settles it."""
    github = reading_pulls
    number = _file(github)
    _link_a_pull_request(github, number)
    assert _notices(github, number, "merge-owner") == []  # one lane alone shares nothing
    _another_lane_on_the_same_files(github, number)
    (notice,) = _notices(github, number, "merge-owner")
    assert "pull request #" in notice
    assert "`services/auth/token.py`" in notice
    run = github.runs()[-1]
    counts = github.requests(run_id=run["id"])["counts"]
    assert counts.get("pulls/list") == 1
    assert counts.get("pulls/list-files") == 1

    _a_merge_owner_settles_it(github, number, at=30)


def test_linked_pull_requests_are_not_read_unless_the_team_turns_it_on(
    github: TestSandbox,
) -> None:
    number = _file(github)
    _link_a_pull_request(github, number)
    _another_lane_on_the_same_files(github, number)
    assert _notices(github, number, "merge-owner") == []
    run = github.runs()[-1]
    counts = github.requests(run_id=run["id"])["counts"]
    assert not [op for op in counts if op.startswith("pulls/")]
