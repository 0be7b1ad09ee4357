"""The reversible decision ladder as a decision table: which decision skips a rung unexplained.

Rows post decisions (ids count from 1) and say which comment, if any, the
guardrail stands for. The rung is the ``Ladder rung`` field, or the third rung
for ``Decision: rollback``; free text never decides it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.decision_story import Post, decision, incident, said
from tests.unit.fake_github import START
from warroom import story
from warroom.model import Decision, Rung
from warroom.parsing.values import ValueProblem, read_rung
from warroom.records.models import DecisionRecord
from warroom.rules import decision_ladder
from warroom.rules.guardrail import Guardrail

M, V = story.MITIGATION, story.VERIFICATION
UNEXPLAINED = "waiting: every minute locks out more users"
EXPLAINED = "flag/config: no flag covers the audience check"


@pytest.mark.parametrize(
    ("posts", "key"),
    [
        pytest.param([], None, id="no-decision"),
        pytest.param([(M, 10, decision(10, rung="flag/config"))], None, id="first-rung"),
        pytest.param([(M, 10, decision(10))], None, id="no-rung-is-not-judged"),
        pytest.param(
            [(M, 10, decision(10, rung="targeted patch"))], "1", id="patch-skips-the-flag"
        ),
        pytest.param([(M, 10, decision(10, rung="hotfix"))], "1", id="an-alias-of-the-patch"),
        pytest.param([(M, 10, decision(10, choice="rollback"))], "1", id="rollback-is-rung-3"),
        pytest.param(
            [(M, 10, decision(10, choice="rollback", rung="flag/config"))],
            None,
            id="the-rung-field-wins-over-the-decision",
        ),
        pytest.param(
            [(M, 10, decision(10, rung="full rollback", rejected=EXPLAINED))],
            None,
            id="says-why-the-flag-was-rejected",
        ),
        pytest.param(
            [(M, 10, decision(10, rung="2", rejected="the kill switch is broken"))],
            None,
            id="a-kill-switch-is-the-flag-rung",
        ),
        pytest.param(
            [(M, 10, decision(10, rung="2", rejected="reflagging the build: too slow"))],
            "1",
            id="a-word-containing-flag-is-not-the-rung",
        ),
        pytest.param(
            [
                (M, 10, decision(10, rung="flag/config")),
                (M, 20, decision(20, rung="targeted patch")),
            ],
            None,
            id="the-flag-was-tried-first",
        ),
        pytest.param(
            [
                (M, 10, decision(10, rung="targeted patch")),
                (M, 20, decision(20, rung="flag/config")),
            ],
            None,
            id="a-later-decision-in-force-settles-it",
        ),
        pytest.param(
            [
                (M, 10, decision(10, rung="targeted patch", rejected=EXPLAINED)),
                (M, 20, decision(20, choice="rollback")),
            ],
            "2",
            id="each-decision-says-why-on-its-own",
        ),
        pytest.param(
            [
                (M, 10, decision(10)),
                (M, 15, decision(15, rung="flag/config")),
                (M, 20, decision(20, rung="targeted patch")),
            ],
            None,
            id="the-flag-was-tried-by-any-earlier-decision",
        ),
    ],
)
def test_decision_ladder(posts: Sequence[Post], key: str | None) -> None:
    found = said(decision_ladder.evaluate, incident(posts))
    assert [g.key for g in found] == ([] if key is None else [key])
    for guardrail in found:
        assert guardrail.label is None
        assert guardrail.source.endswith(f"#issuecomment-{key}")
        assert "flag/config" in guardrail.fix


def _record(decision_value: Decision, rung: Rung | None) -> DecisionRecord:
    (_, record) = incident([(M, 10, decision(10))]).records(DecisionRecord)[0]
    return record.model_copy(update={"decision": decision_value, "rung": rung})


@pytest.mark.parametrize(
    ("decision_value", "rung", "expected"),
    [
        pytest.param(Decision.ROLLBACK, None, Rung.ROLLBACK, id="rollback-alone"),
        pytest.param(Decision.CONTINUE, None, None, id="continue-alone"),
        pytest.param(Decision.ESCALATE, None, None, id="escalate-alone"),
        pytest.param(Decision.ROLLBACK, Rung.PATCH, Rung.PATCH, id="the-field-first"),
    ],
)
def test_rung_of(decision_value: Decision, rung: Rung | None, expected: Rung | None) -> None:
    assert decision_ladder.rung_of(_record(decision_value, rung)) is expected


@pytest.mark.parametrize(
    ("written", "rung"),
    [
        pytest.param("flag/config", Rung.FLAG, id="table-flag"),
        pytest.param("Flag", Rung.FLAG, id="flag"),
        pytest.param("1", Rung.FLAG, id="number-1"),
        pytest.param("disable risky path via flag/config", Rung.FLAG, id="playbook-1"),
        pytest.param("Targeted patch", Rung.PATCH, id="table-patch"),
        pytest.param("targeted patch with bounded scope", Rung.PATCH, id="playbook-2"),
        pytest.param("full rollback", Rung.ROLLBACK, id="table-rollback"),
        pytest.param("3 (rollback to 4f2c1a9)", Rung.ROLLBACK, id="number-with-a-trailer"),
    ],
)
def test_the_rung_as_people_write_it(written: str, rung: Rung) -> None:
    (_, record) = incident([(M, 10, decision(10, rung=written))]).records(DecisionRecord)[0]
    assert record.rung is rung


def test_the_playbook_words_are_the_playbooks() -> None:
    assert decision_ladder.PLAYBOOK.startswith("Prefer the safest reversible option first:")
    for rung in (
        "disable risky path via flag/config",
        "targeted patch with bounded scope",
        "full rollback to last known-good revision",
    ):
        assert rung in decision_ladder.PLAYBOOK


def test_an_unreadable_rung_is_a_warning_and_the_decision_stands() -> None:
    from warroom.config import Config
    from warroom.parsing.records import read_records

    (record,) = read_records(decision(10, rung="somewhere in between"), Config(), reference=START)
    assert record.valid
    (warning,) = [w for w in record.warnings if w.field == "Ladder rung"]
    assert '"flag/config", "targeted patch", "full rollback"' in warning.message
    assert isinstance(record.model, DecisionRecord)
    assert record.model.rung is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_reading_a_rung_never_raises(text: str) -> None:
    assert isinstance(read_rung(text), Rung | ValueProblem)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" -flagconfiuretswhkd\n", max_size=2000))
def test_naming_the_flag_rung_anywhere_is_read(text: str) -> None:
    assert decision_ladder.names_flag_rung(f"{text} kill switch: broken")
    assert decision_ladder.names_flag_rung(f"config, {text}")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" -abdehmnopqrsuvwxyz\n", max_size=2000))
def test_text_without_the_rung_words_is_not_read_as_naming_it(text: str) -> None:
    assert not decision_ladder.names_flag_rung(text)


def test_the_notice_word_for_word() -> None:
    found = said(decision_ladder.evaluate, incident([(M, 10, decision(10, choice="rollback"))]))
    assert found == [
        Guardrail(
            rule="decision-ladder",
            key="1",
            title="A decision skips the flag/config rung without saying why",
            playbook=(
                "Prefer the safest reversible option first: 1. disable risky path via flag/config "
                "2. targeted patch with bounded scope 3. full rollback to last known-good revision"
            ),
            detail=(
                "This decision takes the full rollback rung; no earlier decision tried "
                "flag/config, and its Rejected alternatives do not say why that rung was rejected"
            ),
            fix=(
                'edit the record\'s "Rejected alternatives:" to say why disabling the risky path '
                'via flag/config was rejected (e.g. "flag/config: no flag covers this path"), '
                'or decide the flag/config rung first ("- Ladder rung: flag/config")'
            ),
            source="https://github.test/o/r/issues/1#issuecomment-1",
        )
    ]
