"""Hero mode as a decision table: who holds three or more roles, and when it is told.

Rows start from the story's form (five people, five roles) and change who holds
what: in the form, by a handoff, by a decision naming execution and
verification owners. The key says which occurrence is told: ``declared``, or
the comment (ids count from 1) after which hero mode stands.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.unit.decision_story import Post, decision, handoff, incident, said
from warroom import story
from warroom.rules import hero_mode
from warroom.rules.guardrail import Guardrail

C, D, M, V, S = story.COMMANDER, story.DEPUTY, story.MITIGATION, story.VERIFICATION, story.COMMS


@pytest.mark.parametrize(
    ("owners", "posts", "key", "holds"),
    [
        pytest.param({}, [], None, None, id="five-people-five-roles"),
        pytest.param({"mitigation": C}, [], None, None, id="two-roles-is-not-hero-mode"),
        pytest.param(
            {"mitigation": C, "verification": C},
            [],
            "declared",
            "commander, mitigation, verification",
            id="declared-with-three-roles",
        ),
        pytest.param(
            {"mitigation": C.upper(), "verification": C, "comms": C},
            [],
            "declared",
            "commander, mitigation, verification, comms",
            id="logins-in-any-case-are-one-person",
        ),
        pytest.param(
            {"mitigation": C},
            [(M, 10, handoff(10, from_owner=V, to_owner=C))],
            "1",
            "commander, mitigation, verification",
            id="a-handoff-makes-a-hero",
        ),
        pytest.param(
            {"mitigation": C, "verification": C},
            [(C, 10, decision(10, owner=M, verifier=V))],
            None,
            None,
            id="a-decision-naming-other-owners-spreads-the-load",
        ),
        pytest.param(
            {"mitigation": C, "verification": C},
            [(C, 10, handoff(10, from_owner=C, to_owner=M))],
            "1",
            "commander, mitigation, verification",
            id="a-handoff-moves-every-role-of-the-hero-to-a-new-hero",
        ),
        pytest.param(
            {"mitigation": C, "verification": C, "comms": C},
            [(C, 10, handoff(10, from_owner=S, to_owner=D))],
            "declared",
            "commander, mitigation, verification, comms",
            id="a-handoff-that-moves-nothing-of-theirs-is-not-a-new-occurrence",
        ),
        pytest.param(
            {"deputy": M, "verification": M},
            [(D, 10, handoff(10, from_owner=D, to_owner=S))],
            "declared",
            "deputy, mitigation, verification",
            id="handing-off-the-deputy-moves-no-lane",
        ),
        pytest.param(
            {"mitigation": C},
            [(C, 10, decision(10, owner=C)), (C, 11, decision(11, owner=C))],
            None,
            None,
            id="two-roles-after-a-decision-is-not-hero-mode",
        ),
    ],
)
def test_hero_mode(
    owners: dict[str, str], posts: Sequence[Post], key: str | None, holds: str | None
) -> None:
    found = said(hero_mode.evaluate, incident(posts, **owners))
    if key is None:
        assert found == []
        return
    (guardrail,) = found
    assert guardrail.key == key
    assert guardrail.label is None
    assert f"holds {holds} " in guardrail.detail
    assert guardrail.playbook == hero_mode.PLAYBOOK


def test_a_second_handoff_that_still_leaves_a_hero_is_a_new_occurrence() -> None:
    posts: list[Post] = [(V, 10, handoff(10, from_owner=V, to_owner=C))]
    first = said(hero_mode.evaluate, incident(posts, mitigation=C))
    posts.append((S, 20, handoff(20, from_owner=S, to_owner=C)))
    second = said(hero_mode.evaluate, incident(posts, mitigation=C))
    assert [g.key for g in first] == ["1"]
    assert [g.key for g in second] == ["2"]
    assert second[0].source.endswith("#issuecomment-2")
    assert "commander, mitigation, verification, comms" in second[0].detail


def test_a_decision_that_changes_who_is_the_hero_is_a_new_occurrence() -> None:
    posts: list[Post] = [(C, 10, decision(10, owner=C, verifier=C))]
    before = said(hero_mode.evaluate, incident([]))
    after = said(hero_mode.evaluate, incident(posts))
    assert [g.key for g in before] == []
    assert [g.key for g in after] == ["1"]


def test_the_playbook_words_are_the_playbooks() -> None:
    assert "Hero mode in one lane" in hero_mode.PLAYBOOK
    assert "Fast initially, fragile during handoff and fatigue windows." in hero_mode.PLAYBOOK


def test_the_notice_as_declared_word_for_word() -> None:
    found = said(hero_mode.evaluate, incident([], mitigation=C, verification=C))
    assert found == [
        Guardrail(
            rule="hero-mode",
            key="declared",
            title="Hero mode: one person holds three or more roles",
            playbook=(
                "Hero mode in one lane — Fast initially, fragile during handoff and fatigue "
                "windows."
            ),
            detail=f"@{C} holds commander, mitigation, verification (as declared)",
            fix=(
                "name other people until nobody holds more than two of commander, deputy, "
                "mitigation, verification and comms: a Checkpoint Decision Record's Owner for "
                "execution and Owner for verification, an Incident Command Snapshot's Incident "
                "commander, or a Handoff Record to someone who holds no role yet"
            ),
            source="",
        )
    ]


def test_the_notice_after_a_handoff_names_every_hero_as_written() -> None:
    both = f"{C.upper()}, @{D}"  # one handoff to two people: each gets verification
    posts: list[Post] = [(V, 10, handoff(10, from_owner=V, to_owner=both))]
    (found,) = said(hero_mode.evaluate, incident(posts, mitigation=C, comms=D))
    assert found.detail == (
        f"@{D} holds deputy, verification, comms; "
        f"@{C} holds commander, mitigation, verification (after this record)"
    )
    assert found.source == "https://github.test/o/r/issues/1#issuecomment-1"
