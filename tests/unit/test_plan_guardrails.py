"""How the planner carries guardrails: told once per occurrence, shown while they stand,
their label on while they stand and off once settled, and silent once the response is over.

A stand-in rule is registered for each row, so these rows test the planner's handling of
any guardrail; each real rule has its own table beside its module's tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.unit.test_closure_gate_table import _incident, _met_story
from tests.unit.test_plan_decisions import CLOSED_AT, _closed, _context, _plan
from warroom.config import Config
from warroom.effects import AddLabels, RemoveLabel, UpsertComment
from warroom.incident import Incident
from warroom.plan import guardrail_marker
from warroom.rules import guardrails
from warroom.rules.guardrail import Facts, Guardrail

STANDING = Guardrail(
    rule="stand-in",
    key="42",
    title="a stand-in guardrail",
    playbook="keep recovery governable",
    detail="@mona wrote [this](https://example.test)",
    fix="post the record that settles it",
    source="https://github.test/o/r/issues/1#issuecomment-42",
    label="decision: contested",
)


@pytest.fixture
def rule(monkeypatch: pytest.MonkeyPatch) -> list[Guardrail]:
    """The guardrails the stand-in rule says stand; rows set them."""
    said: list[Guardrail] = []
    seen: list[Facts] = []

    def stand_in(incident: Incident, config: Config, facts: Facts) -> Iterable[Guardrail]:
        seen.append(facts)
        return list(said)

    monkeypatch.setattr(guardrails, "RULES", (stand_in,))
    return said


def _notices(effects: Sequence[object]) -> list[UpsertComment]:
    return [e for e in effects if isinstance(e, UpsertComment) and ":guardrail:" in e.marker]


def test_a_standing_guardrail_is_told_once_with_its_label_and_in_the_status(
    rule: list[Guardrail],
) -> None:
    rule.append(STANDING)
    incident = _incident([])
    plan = _plan(incident)
    (notice,) = _notices(plan.effects)
    assert notice.marker == "<!-- warroom:guardrail:1.stand-in.42 -->"
    shown = _context(notice.body)
    assert shown["_name"] == "guardrail.md.j2"
    assert "@mona" not in shown["detail"]  # people's text is quoted: no second ping
    assert shown["fix"] == STANDING.fix
    assert any(isinstance(e, AddLabels) and "decision: contested" in e.labels for e in plan.effects)
    assert plan.guardrails == (STANDING,)
    again = _plan(incident, own=[notice.marker])
    assert _notices(again.effects) == []
    assert again.guardrails == (STANDING,)


def test_a_settled_guardrail_takes_its_label_off(rule: list[Guardrail]) -> None:
    incident = _incident([])
    issue = replace(incident.issue, labels=(*incident.issue.labels, "decision: contested"))
    labelled = replace(incident, issue=issue)
    plan = _plan(labelled)
    assert RemoveLabel(1, "decision: contested") in plan.effects
    assert _notices(plan.effects) == []


def test_a_new_occurrence_is_told_again(rule: list[Guardrail]) -> None:
    rule.append(STANDING)
    first = _notices(_plan(_incident([])).effects)[0]
    rule[0] = replace(STANDING, key="43")
    (second,) = _notices(_plan(_incident([]), own=[first.marker]).effects)
    assert second.marker != first.marker
    assert second.marker == guardrail_marker(1, rule[0])


def test_a_closed_incident_hears_no_guardrail(rule: list[Guardrail]) -> None:
    rule.append(STANDING)
    plan = _plan(_closed(_met_story()), now=CLOSED_AT + timedelta(minutes=5))
    assert plan.gate.state == "met"
    assert _notices(plan.effects) == []
    assert plan.guardrails == ()


def test_keys_repeated_by_a_rule_are_said_once(rule: list[Guardrail]) -> None:
    rule.extend([STANDING, STANDING])
    assert len(_notices(_plan(_incident([])).effects)) == 1


def test_the_status_comment_lists_what_stands(rule: list[Guardrail]) -> None:
    rule.append(STANDING)
    incident = _incident([])
    plan = _plan(incident)
    from warroom.plan import status_context

    shown = status_context(incident, plan.gate, CLOSED_AT, Config(), {}, standing=plan.guardrails)[
        "guardrails"
    ]
    assert [g["title"] for g in shown] == ["a stand-in guardrail"]
    assert shown[0]["source"] == STANDING.source
