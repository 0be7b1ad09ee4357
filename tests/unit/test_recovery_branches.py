"""Recovery branches as a decision table: which branches are of which type, and when all
three active without one branch owner is called out.

Ids name the boundary: a type's name exactly, with ``-``/``/`` after it, a name that only
starts the same (``hotfixes``), another incident's branches, branches not read at all, and
one branch owner named against two.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.unit.fake_github import START
from tests.unit.posture_support import Post, facts, incident
from warroom import story
from warroom.config import Config, config_from_yaml
from warroom.rules import recovery_branches

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
    assert '"- Branch owner: @login"' in said.fix
