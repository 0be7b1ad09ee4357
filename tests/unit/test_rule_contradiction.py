"""The contradiction protocol as a decision table: what is a contradiction, what settles it.

Two decision records by different authors, conflicting, within
``clock.reassess_minutes`` (10 by default) of each other stand with the
``decision: contested`` label until a later decision record captures both
recommendations, each with reversibility and blast radius, and sets its next
checkpoint within the same minutes. Comment ids count from 1; a key is
``<first>-<second>``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.unit.decision_story import Post, decision, incident, said, settling
from warroom import story
from warroom.config import Clock, Config
from warroom.rules import contradiction
from warroom.rules.guardrail import Guardrail

M, V, C = story.MITIGATION, story.VERIFICATION, story.COMMANDER
ROLLBACK = decision(10, choice="rollback")


@pytest.mark.parametrize(
    ("posts", "keys"),
    [
        pytest.param([(M, 10, ROLLBACK)], [], id="one-decision"),
        pytest.param([(M, 10, ROLLBACK), (V, 15, decision(15))], ["1-2"], id="conflicting"),
        pytest.param([(M, 10, ROLLBACK), (V, 20, decision(20))], ["1-2"], id="at-the-window-edge"),
        pytest.param([(M, 10, ROLLBACK), (V, 21, decision(21))], [], id="past-the-window"),
        pytest.param(
            [(M, 10, ROLLBACK), (M.upper(), 15, decision(15))],
            [],
            id="one-author-revising-is-not-a-contradiction",
        ),
        pytest.param(
            [(M, 10, ROLLBACK), (V, 15, decision(15, choice="rollback"))],
            [],
            id="agreeing",
        ),
        pytest.param(
            [
                (M, 10, decision(10, rung="flag/config")),
                (V, 15, decision(15, rung="targeted patch")),
            ],
            ["1-2"],
            id="same-decision-different-rungs",
        ),
        pytest.param(
            [(M, 10, decision(10, rung="flag/config")), (V, 15, decision(15))],
            [],
            id="a-rung-left-out-does-not-conflict",
        ),
        pytest.param(
            [(M, 10, ROLLBACK), (V, 15, decision(15)), (C, 18, settling(18))],
            [],
            id="settled",
        ),
        pytest.param(
            [(M, 10, ROLLBACK), (V, 15, decision(15)), (C, 18, settling(18, next_in=11))],
            ["1-2"],
            id="reassessment-too-late",
        ),
        pytest.param(
            [
                (M, 10, ROLLBACK),
                (V, 15, decision(15)),
                (C, 18, settling(18, a="rollback; reversibility: minutes")),
            ],
            ["1-2"],
            id="a-recommendation-without-blast-radius",
        ),
        pytest.param(
            [
                (M, 10, ROLLBACK),
                (V, 15, decision(15)),
                (C, 18, settling(18, b="flag off; blast radius: one check")),
            ],
            ["1-2"],
            id="a-recommendation-without-reversibility",
        ),
        pytest.param(
            [(C, 8, settling(8)), (M, 10, ROLLBACK), (V, 15, decision(15))],
            ["2-3"],
            id="a-settling-record-before-does-not-settle",
        ),
        pytest.param(
            [
                (M, 10, ROLLBACK),
                (V, 15, decision(15)),
                (C, 18, decision(18, rung="flag/config", extra="- Recommendation A: flag off\n")),
            ],
            ["1-2"],
            id="half-a-settling-record-settles-nothing-and-is-no-side",
        ),
        pytest.param(
            [(M, 10, ROLLBACK), (V, 15, decision(15)), (C, 18, settling(18)), (M, 25, ROLLBACK)],
            [],
            id="the-settling-record-is-no-side-of-a-new-one",
        ),
        pytest.param(
            [
                (M, 10, ROLLBACK),
                (V, 15, decision(15)),
                (C, 18, settling(18)),
                (M, 22, decision(22, choice="rollback")),
                (V, 24, decision(24, choice="escalate+pause")),
            ],
            ["4-5"],
            id="a-new-contradiction-after-settling",
        ),
    ],
)
def test_contradiction(posts: Sequence[Post], keys: list[str]) -> None:
    found = said(contradiction.evaluate, incident(posts))
    assert [g.key for g in found] == keys
    for guardrail in found:
        assert guardrail.label == "decision: contested"
        assert guardrail.source.endswith(f"#issuecomment-{guardrail.key.split('-')[1]}")


def test_the_window_and_the_reassessment_follow_the_config() -> None:
    config = Config(clock=Clock(reassess_minutes=5))
    posts: list[Post] = [(M, 10, ROLLBACK), (V, 16, decision(16))]
    assert said(contradiction.evaluate, incident(posts, config), config) == []
    posts = [(M, 10, ROLLBACK), (V, 14, decision(14)), (C, 18, settling(18, next_in=6))]
    (standing,) = said(contradiction.evaluate, incident(posts, config), config)
    assert "within 5 minutes" in standing.fix


def test_the_label_is_the_configured_one() -> None:
    config = Config.model_validate({"labels": {"decision_contested": "contested"}})
    posts: list[Post] = [(M, 10, ROLLBACK), (V, 15, decision(15))]
    (standing,) = said(contradiction.evaluate, incident(posts, config), config)
    assert standing.label == "contested"


@pytest.mark.parametrize(
    ("choice", "rung", "said_as"),
    [
        pytest.param("rollback", None, '"rollback"', id="rollback"),
        pytest.param("rollback", "full rollback", '"rollback"', id="rollback-on-its-own-rung"),
        pytest.param(
            "rollback", "targeted patch", '"rollback" on the targeted patch rung', id="rollback-2"
        ),
        pytest.param("continue mitigation", None, '"continue mitigation"', id="continue"),
        pytest.param(
            "continue mitigation",
            "full rollback",
            '"continue mitigation" on the full rollback rung',
            id="continue-3",
        ),
    ],
)
def test_the_detail_names_both_sides(choice: str, rung: str | None, said_as: str) -> None:
    posts: list[Post] = [
        (M, 10, decision(10, choice="escalate+pause")),
        (V, 14, decision(14, choice=choice, rung=rung)),
    ]
    (standing,) = said(contradiction.evaluate, incident(posts))
    assert standing.detail == (
        f'@{M} decided "escalate+pause", then @{V} decided {said_as}, 4 minutes apart'
    )


def test_the_notice_word_for_word() -> None:
    posts: list[Post] = [(M, 10, ROLLBACK), (V, 15, decision(15))]
    assert said(contradiction.evaluate, incident(posts)) == [
        Guardrail(
            rule="contradiction",
            key="1-2",
            title="Two owners' decisions conflict",
            playbook=(
                "If two owners provide conflicting mitigation recommendations: "
                "1. capture both recommendations in one decision record "
                "2. score reversibility and blast radius for each "
                "3. choose the more reversible path unless evidence disproves it "
                "4. schedule a rapid reassessment checkpoint (<=10 minutes)"
            ),
            detail=(
                f'@{M} decided "rollback", then @{V} decided "continue mitigation", 5 minutes apart'
            ),
            fix=(
                "post one Checkpoint Decision Record that captures both: "
                '"- Recommendation A:" and "- Recommendation B:", each with its reversibility '
                "and blast radius, the path chosen (the more reversible one unless evidence "
                'disproves it) and "- Next checkpoint at:" within 10 minutes of its Timestamp'
            ),
            source="https://github.test/o/r/issues/1#issuecomment-2",
            label="decision: contested",
        )
    ]


def test_the_playbook_words_are_the_playbooks() -> None:
    for step in (
        "capture both recommendations in one decision record",
        "score reversibility and blast radius for each",
        "choose the more reversible path unless evidence disproves it",
        "schedule a rapid reassessment checkpoint (<=10 minutes)",
    ):
        assert step in contradiction.PLAYBOOK
