"""The confidence ladder as a decision table: an L1 decision takes a reversible action only."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.unit.decision_story import Post, decision, incident, said
from warroom import story
from warroom.rules import confidence_ladder
from warroom.rules.guardrail import Guardrail

M = story.MITIGATION
EXPLAINED = "flag/config: no flag covers the audience check"


@pytest.mark.parametrize(
    ("posts", "key", "why"),
    [
        pytest.param([], None, "", id="no-decision"),
        pytest.param(
            [(M, 10, decision(10, confidence="L1", rung="flag/config"))],
            None,
            "",
            id="l1-on-the-flag-rung",
        ),
        pytest.param(
            [(M, 10, decision(10, confidence="L1"))], None, "", id="l1-reversible-no-rung"
        ),
        pytest.param(
            [(M, 10, decision(10, confidence="L1", rung="targeted patch", rejected=EXPLAINED))],
            "1",
            "targeted patch rung",
            id="l1-patch",
        ),
        pytest.param(
            [(M, 10, decision(10, confidence="low", choice="rollback", rejected=EXPLAINED))],
            "1",
            "full rollback rung",
            id="l1-rollback",
        ),
        pytest.param(
            [(M, 10, decision(10, confidence="L1", rung="flag/config", reversibility=None))],
            "1",
            "states no Reversibility",
            id="l1-without-reversibility",
        ),
        pytest.param(
            [(M, 10, decision(10, confidence="L2", rung="targeted patch", rejected=EXPLAINED))],
            None,
            "",
            id="l2-allows-a-bounded-mitigation",
        ),
        pytest.param(
            [(M, 10, decision(10, confidence="L2", reversibility=None))],
            None,
            "",
            id="l2-without-reversibility-is-decision-quality-not-this-rule",
        ),
        pytest.param(
            [
                (M, 10, decision(10, confidence="L1", rung="targeted patch")),
                (M, 20, decision(20, confidence="L2", rung="targeted patch", rejected=EXPLAINED)),
            ],
            None,
            "",
            id="more-evidence-settles-it",
        ),
        pytest.param(
            [
                (M, 10, decision(10, confidence="L2")),
                (M, 20, decision(20, confidence="L1", choice="rollback")),
            ],
            "2",
            "full rollback rung",
            id="the-decision-in-force-is-judged",
        ),
    ],
)
def test_confidence_ladder(posts: Sequence[Post], key: str | None, why: str) -> None:
    found = said(confidence_ladder.evaluate, incident(posts))
    assert [g.key for g in found] == ([] if key is None else [key])
    for guardrail in found:
        assert why in guardrail.detail
        assert guardrail.label is None
        assert guardrail.source.endswith(f"#issuecomment-{key}")


def test_the_playbook_words_are_the_playbooks() -> None:
    assert confidence_ladder.PLAYBOOK == "L1 (low): incomplete evidence, reversible action only"


def test_the_notice_word_for_word() -> None:
    posts: list[Post] = [(M, 10, decision(10, confidence="L1", reversibility=None))]
    assert said(confidence_ladder.evaluate, incident(posts)) == [
        Guardrail(
            rule="confidence-ladder",
            key="1",
            title="An L1 decision takes an action that is not known to be reversible",
            playbook="L1 (low): incomplete evidence, reversible action only",
            detail=(
                "This L1 (low confidence) decision states no Reversibility, "
                "so nobody knows it can be undone"
            ),
            fix=(
                'take a reversible action ("- Ladder rung: flag/config") and say how to undo it '
                '("- Reversibility:"), or gather the evidence for L2 and post a decision that '
                'says "- Confidence level (L1/L2/L3): L2"'
            ),
            source="https://github.test/o/r/issues/1#issuecomment-1",
        )
    ]
