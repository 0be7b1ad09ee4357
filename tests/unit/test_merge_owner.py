"""The merge-owner rule as decision tables: which lanes meet on which files, and what settles it.

Lanes come from records (a decision's execution owner, a handoff's new owner,
each with ``Surfaces``) and from the pull requests linked to the incident
(``Facts.pulls``). Ids name the boundary: the same owner is one lane, a
handoff passes surfaces on, a lane's latest declaration replaces its earlier
one, a glob against a path, a directory against a file, and one merge owner
named against two.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.posture_support import Post, decision, facts, incident
from warroom import story
from warroom.config import Config
from warroom.rules import merge_owner
from warroom.rules.guardrail import PullFacts

TOMAS, AIKO, DEVI = story.MITIGATION, story.VERIFICATION, story.DEPUTY


def _lane(minute: int, owner: str, surfaces: str) -> Post:
    return decision(minute, "rollback", owner=owner, extra=f"- Surfaces: {surfaces}\n")


def _handoff(minute: int, source: str, target: str, surfaces: str = "") -> Post:
    lines = [
        "### Handoff Record",
        f"- From owner: @{source}",
        f"- To owner: @{target}",
        "- Scope boundary: the token service only",
        "- Unresolved unknowns: mobile token caches",
        f"- Next checkpoint at: {story.at(story_start(), minute + 30)}",
        "- Rollback trigger: 401 rate above 2%",
    ]
    if surfaces:
        lines.append(f"- Surfaces: {surfaces}")
    return (source, minute, "\n".join(lines) + "\n")


def story_start() -> datetime:
    from tests.unit.fake_github import START

    return START


def _snapshot(minute: int, extra: str) -> Post:
    return (story.COMMANDER, minute, story.snapshot(story_start(), next_in=minute + 30) + extra)


TOMAS_AIKO = ":".join(sorted((AIKO, TOMAS)))
"""The occurrence key of the two lanes: their owners, not the records that declared them."""


def _pull(number: int, author: str, *files: str) -> PullFacts:
    return PullFacts(number=number, author=author, files=files)


def _keys(posts: Sequence[Post], pulls: Sequence[PullFacts] | None = None) -> list[str]:
    found = merge_owner.rule(
        incident(posts), Config(), facts(pulls=tuple(pulls) if pulls is not None else None)
    )
    return [g.key for g in found]


@pytest.mark.parametrize(
    ("posts", "pulls", "keys"),
    [
        pytest.param([], None, [], id="nothing-declared"),
        pytest.param(
            [_lane(20, TOMAS, "services/auth/token.py"), _lane(25, AIKO, "services/auth/token.py")],
            None,
            [TOMAS_AIKO],
            id="two-lanes-one-file",
        ),
        pytest.param(
            [_lane(20, TOMAS, "services/auth/token.py"), _lane(25, AIKO, "services/billing/x.py")],
            None,
            [],
            id="two-lanes-apart",
        ),
        pytest.param(
            [_lane(20, TOMAS, "services/auth/**"), _lane(25, AIKO, "services/auth/token.py")],
            None,
            [TOMAS_AIKO],
            id="a-glob-and-a-path-in-it",
        ),
        pytest.param(
            [_lane(20, TOMAS, "services/auth/"), _lane(25, AIKO, "services/auth/keys/a.pem")],
            None,
            [TOMAS_AIKO],
            id="a-directory-and-a-file-under-it",
        ),
        pytest.param(
            [_lane(20, TOMAS, "services/auth"), _lane(25, AIKO, "services/authz/a.py")],
            None,
            [],
            id="a-directory-and-a-sibling-with-its-prefix",
        ),
        pytest.param(
            [_lane(20, TOMAS, "services/*/config.yml"), _lane(25, AIKO, "services/auth/*.yml")],
            None,
            [],
            id="two-globs-that-only-cross-are-not-read-as-meeting",
        ),
        pytest.param(
            [_lane(20, TOMAS, "services/**"), _lane(25, AIKO, "services/auth/*.yml")],
            None,
            [TOMAS_AIKO],
            id="two-globs-one-covers-the-other",
        ),
        pytest.param(
            [_lane(20, TOMAS, "services/auth/a.py"), _lane(25, TOMAS, "services/auth/a.py")],
            None,
            [],
            id="the-same-owner-is-one-lane",
        ),
        pytest.param(
            [
                _lane(20, TOMAS, "services/auth/a.py"),
                _lane(25, TOMAS, "docs/a.md"),
                _lane(30, AIKO, "services/auth/a.py"),
            ],
            None,
            [],
            id="a-lanes-latest-declaration-replaces-its-earlier-one",
        ),
        pytest.param(
            [
                _lane(20, TOMAS, "services/auth/a.py"),
                _handoff(30, TOMAS, AIKO, "services/auth/a.py"),
            ],
            None,
            [],
            id="a-handoff-passes-the-surfaces-on",
        ),
        pytest.param(
            [
                _handoff(20, TOMAS, AIKO, "services/auth/a.py"),
                _lane(30, DEVI, "services/auth/a.py"),
            ],
            None,
            [":".join(sorted((AIKO, DEVI)))],
            id="a-handoff-declares-the-new-owners-lane",
        ),
        pytest.param(
            [],
            [_pull(7, TOMAS, "services/auth/a.py"), _pull(8, AIKO, "services/auth/a.py", "b.md")],
            [TOMAS_AIKO],
            id="two-pull-requests-one-file",
        ),
        pytest.param(
            [],
            [_pull(7, TOMAS, "services/auth/a.py"), _pull(8, TOMAS, "services/auth/a.py")],
            [],
            id="two-pull-requests-one-author",
        ),
        pytest.param(
            [_lane(20, AIKO, "services/auth/**")],
            [_pull(7, TOMAS, "services/auth/a.py")],
            [TOMAS_AIKO],
            id="a-declared-lane-and-a-pull-request",
        ),
        pytest.param(
            [
                _lane(20, TOMAS, "services/auth/a.py"),
                _lane(25, AIKO, "services/auth/a.py"),
                _snapshot(30, f"- Merge owner: @{story.COMMANDER}\n"),
            ],
            None,
            [],
            id="a-merge-owner-named-in-a-snapshot-settles-it",
        ),
        pytest.param(
            [
                _lane(20, TOMAS, "services/auth/a.py"),
                decision(
                    25,
                    "rollback",
                    owner=AIKO,
                    extra=f"- Surfaces: services/auth/a.py\n- Merge owner: @{AIKO}\n",
                ),
            ],
            None,
            [],
            id="a-merge-owner-named-in-a-decision-settles-it",
        ),
        pytest.param(
            [
                _lane(20, TOMAS, "services/auth/a.py"),
                _lane(25, AIKO, "services/auth/a.py"),
                _snapshot(30, f"- Merge owner: @{TOMAS}, @{AIKO}\n"),
            ],
            None,
            [TOMAS_AIKO],
            id="two-merge-owners-are-not-one",
        ),
    ],
)
def test_merge_owner(posts: list[Post], pulls: list[PullFacts] | None, keys: list[str]) -> None:
    assert _keys(posts, pulls) == keys


def test_what_it_says_names_the_lanes_and_the_files() -> None:
    posts = [_lane(20, TOMAS, "a.py, b.py"), _lane(25, AIKO, "a.py, b.py")]
    (said,) = merge_owner.rule(incident(posts), Config(), facts())
    assert said.playbook == "If lanes edit the same files, define one merge owner immediately."
    assert f"@{TOMAS} (a decision record) and @{AIKO} (a decision record)" in said.detail
    assert "`a.py`, `b.py`" in said.detail
    assert "`- Merge owner: @login`" in said.fix
    assert said.source.endswith("#issuecomment-2")


def test_a_large_pull_request_is_shown_short() -> None:
    files = [f"src/f{i}.py" for i in range(3000)]
    pulls = (_pull(7, TOMAS, *files), _pull(8, AIKO, *files))
    (said,) = merge_owner.rule(incident([]), Config(), facts(pulls=pulls))
    assert "and 2995 more" in said.detail


_SEGMENT = st.text(alphabet="abc.", min_size=1, max_size=4)
_PATH = st.lists(_SEGMENT, min_size=1, max_size=4).map("/".join)


@given(_PATH)
def test_a_path_meets_itself_its_directory_and_a_star_over_it(path: str) -> None:
    assert merge_owner.shared([path], [path]) == [path]
    assert merge_owner.shared(["**"], [path]) == [path]
    parent = path.rsplit("/", 1)[0]
    if parent != path:
        assert merge_owner.shared([parent + "/"], [path]) == [path]


@given(_PATH, _PATH)
def test_shared_is_symmetric_for_paths(a: str, b: str) -> None:
    assert merge_owner.shared([a], [b]) == merge_owner.shared([b], [a])


def test_hostile_globs_stay_fast() -> None:
    glob = "*" * 200 + "a" * 50
    assert merge_owner.shared([glob], ["b" * 300]) == []


def test_a_lane_declaring_its_files_again_is_the_same_occurrence() -> None:
    """A later decision re-declaring the same lane's surfaces does not make a new notice."""
    once = [_lane(20, TOMAS, "services/auth/a.py"), _lane(25, AIKO, "services/auth/a.py")]
    again = [*once, _lane(30, TOMAS, "services/auth/a.py, docs/b.md")]
    assert _keys(once) == _keys(again) == [TOMAS_AIKO]
