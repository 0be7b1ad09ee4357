"""Recovery branches as a decision table: which branches are of which type, and when all
three active without one branch owner is called out.

Ids name the boundary: a type's name exactly, with ``-``/``/`` after it, a name that only
starts the same (``hotfixes``), another incident's branches, branches not read at all, and
one branch owner named against two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.unit.fake_github import START, FakeGitHub, make_comment, make_issue
from tests.unit.posture_support import Post, facts, incident
from warroom import story
from warroom.config import Config, config_from_yaml
from warroom.model import IssueSnapshot
from warroom.rules import recovery_branches
from warroom.run import run

ALL_THREE = ("incident/1/hotfix", "incident/1/rollback", "incident/1/containment")


def _snapshot(extra: str) -> Post:
    return (story.COMMANDER, 30, story.snapshot(START, next_in=60) + extra)


def _keys(
    branches: Sequence[str] | None, posts: Sequence[Post] = (), config: Config | None = None
) -> list[str]:
    read = tuple(branches) if branches is not None else None
    found = recovery_branches.rule(incident(posts), config or Config(), facts(branches=read))
    return [g.key for g in found]


@pytest.mark.parametrize(
    ("branches", "posts", "keys"),
    [
        pytest.param(None, [], [], id="not-read"),
        pytest.param([], [], [], id="none"),
        pytest.param(ALL_THREE[:2], [], [], id="two-of-three"),
        pytest.param(ALL_THREE, [], ["all-three"], id="all-three"),
        pytest.param(
            ("incident/1/hotfix-token", "incident/1/rollback/4f2c1a9", "incident/1/containment"),
            [],
            ["all-three"],
            id="names-with-a-suffix",
        ),
        pytest.param(
            ("incident/1/hotfixes", "incident/1/rollback", "incident/1/containment"),
            [],
            [],
            id="a-name-that-only-starts-the-same",
        ),
        pytest.param(
            ("incident/1/hotfix", "incident/1/rollback", "incident/12/containment"),
            [],
            [],
            id="another-incidents-branch",
        ),
        pytest.param(
            ALL_THREE, [_snapshot(f"- Branch owner: @{story.MITIGATION}\n")], [], id="one-owner"
        ),
        pytest.param(
            ALL_THREE,
            [_snapshot(f"- Branch owner: @{story.MITIGATION}, @{story.DEPUTY}\n")],
            ["all-three"],
            id="two-owners-are-not-one",
        ),
        pytest.param(
            ALL_THREE,
            [_snapshot(f"- Recovery branch owner: @{story.MITIGATION}\n")],
            [],
            id="owner-by-alias",
        ),
    ],
)
def test_recovery_branches(
    branches: Sequence[str] | None, posts: list[Post], keys: list[str]
) -> None:
    assert _keys(branches, posts) == keys


def test_a_team_names_its_own_branches() -> None:
    config = config_from_yaml(
        "recovery_branches:\n  prefix: 'ir-{number}/'\n  hotfix: fix\n  containment: contain\n"
    )
    assert _keys(("ir-1/fix", "ir-1/rollback", "ir-1/contain-x"), config=config) == ["all-three"]
    assert config.recovery_branches.prefix_for(12) == "ir-12/"
    assert recovery_branches.by_type(("ir-1/fix", "ir-1/other"), 1, config) == {
        "hotfix": ["ir-1/fix"],
        "rollback": [],
        "containment": [],
    }


def test_what_it_says_quotes_the_playbook_and_lists_the_branches() -> None:
    (said,) = recovery_branches.rule(incident(), Config(), facts(branches=ALL_THREE))
    assert said.playbook == "Do not maintain all three branches active without one branch owner."
    assert "`incident/1/hotfix`, `incident/1/rollback`, `incident/1/containment`" in said.detail
    assert "`- Branch owner: @login`" in said.fix


# --- the shell: what the runs read ------------------------------------------------------------


def _open(number: int) -> IssueSnapshot:
    return make_issue(story.incident_body(), number=number, labels=("incident", "SEV-1"))


@pytest.mark.parametrize(
    ("prefix", "reads"),
    [
        pytest.param("incident/{number}/", ["GET matching refs heads/incident/"], id="one-read"),
        pytest.param(
            "{number}-recovery/",
            ["GET matching refs heads/1-recovery/", "GET matching refs heads/2-recovery/"],
            id="number-first-reads-each",
        ),
    ],
)
def test_a_sweep_reads_branches_once_when_it_can(prefix: str, reads: list[str]) -> None:
    config = Config.model_validate({"recovery_branches": {"prefix": prefix}})
    gh = FakeGitHub(incidents=[_open(1), _open(2)])
    gh.branch_names = [prefix.replace("{number}", "2") + "hotfix"]
    result = run(lambda: gh, "schedule", {}, START + timedelta(minutes=10), config)
    assert [c for c in gh.calls if "matching refs" in c] == reads
    first, second = result.incidents
    assert first.plan.guardrails == second.plan.guardrails == ()
    assert _status(gh, 2).count("(hotfix)") == 1
    assert "(hotfix)" not in _status(gh, 1)


def test_a_closed_incident_reads_no_branches() -> None:
    closed = replace(_open(1), state="closed", state_reason="not_planned", closed_at=START)
    gh = FakeGitHub(incidents=[closed], perms={story.COMMANDER: "write"})
    gh.comments_by_issue[1] = [make_comment(story.dismissal(), author=story.COMMANDER)]
    (swept,) = run(lambda: gh, "schedule", {}, START + timedelta(minutes=10), Config()).incidents
    assert swept.plan.gate.dismissed
    assert not [c for c in gh.calls if "matching refs" in c]


def _status(gh: FakeGitHub, number: int) -> str:
    return next(
        c.body
        for c in gh.comments_by_issue[number]
        if c.body.startswith(f"<!-- warroom:status:{number} -->")
    )
