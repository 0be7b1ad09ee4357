"""The overdue checkpoint, as a decision table: when ``checkpoint: overdue`` is on and off.

Playbook, "Evidence packet standard": every major checkpoint includes the
"next checkpoint time + owner"; the handoff acceptance test asks that the
"next checkpoint time is committed". When the latest committed time passes
without a new checkpoint, the incident carries ``checkpoint: overdue``; the next
checkpoint (a snapshot, a decision or a handoff naming a later time) takes it
off. The clock holds the label (``rules/clock.py``), so the one reminder per
miss stays the only comment about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from tests.unit.test_closure_gate_table import _met_story
from tests.unit.test_plan_decisions import _plan
from tests.unit.time_rules_support import Post, at, decision, incident, items
from warroom import story
from warroom.config import Config, LabelNames
from warroom.effects import AddLabels, RemoveLabel
from warroom.plan import desired_labels, evaluate_gate
from warroom.rules import clock

LABEL = "checkpoint: overdue"
FIRST: Post = (story.COMMANDER, 5, story.snapshot(at(0), next_in=25))
HANDOFF = f"""### Handoff Record
- From owner: @{story.DEPUTY}
- To owner: @{story.MITIGATION}
- Scope boundary: the rollback only; the audience parser fix stays with triage
- Unresolved unknowns: whether mobile clients cached bad tokens
- Next checkpoint at: {story.at(at(0), 70)}
- Rollback trigger: 401 rate above 2% for 5 minutes
"""
NEXT_IN_DECISION = f"- Next checkpoint at: {story.at(at(0), 70)}\n- Next owner: @{story.DEPUTY}\n"


@pytest.mark.parametrize(
    ("posts", "minutes", "overdue"),
    [
        pytest.param([], 120, None, id="no-checkpoint-committed"),
        pytest.param([FIRST], 24, False, id="before-its-time"),
        pytest.param([FIRST], 25, False, id="at-its-time"),
        pytest.param([FIRST], 26, True, id="passed"),
        pytest.param(
            [FIRST, (story.COMMANDER, 30, story.snapshot(at(0), next_in=60))],
            31,
            False,
            id="cleared-by-a-snapshot",
        ),
        pytest.param([FIRST, (story.DEPUTY, 30, HANDOFF)], 31, False, id="cleared-by-a-handoff"),
        pytest.param(
            [FIRST, (story.MITIGATION, 30, decision(30, extra=NEXT_IN_DECISION))],
            31,
            False,
            id="cleared-by-a-decision-naming-the-next",
        ),
        pytest.param(
            [FIRST, (story.MITIGATION, 30, decision(30))],
            31,
            True,
            id="a-decision-without-a-next-checkpoint-does-not-clear",
        ),
        pytest.param(
            [FIRST, (story.COMMANDER, 30, story.snapshot(at(0), next_in=60))],
            61,
            True,
            id="the-new-checkpoint-passes-too",
        ),
    ],
)
def test_the_label_stands_while_the_latest_checkpoint_time_has_passed(
    posts: Sequence[Post], minutes: int, overdue: bool | None
) -> None:
    found = items(incident(posts), minutes, "checkpoint")
    if overdue is None:
        assert found == []
        return
    (item,) = found
    assert item.overdue is overdue
    assert item.label == (LABEL if overdue else None)


def test_the_label_follows_the_config() -> None:
    config = Config(labels=LabelNames(checkpoint_overdue="late checkpoint"))
    found = incident([FIRST])
    gate = evaluate_gate(found, config)
    want, unwanted = desired_labels(found, gate, config, items=clock.items(found, at(26), config))
    assert "late checkpoint" in want
    assert LABEL not in want
    want, unwanted = desired_labels(found, gate, config, items=clock.items(found, at(24), config))
    assert "late checkpoint" in unwanted


def test_the_sweep_puts_it_on_and_the_record_s_run_takes_it_off() -> None:
    found = incident([FIRST])
    # The sweep after the time passed: the label goes on (no record needs its quiet minute).
    on = _plan(found, now=at(26))
    assert any(isinstance(e, AddLabels) and LABEL in e.labels for e in on.effects)
    # Before it passes, nothing.
    before = _plan(found, now=at(24))
    assert not any(isinstance(e, AddLabels) and LABEL in e.labels for e in before.effects)
    # The next checkpoint's own run takes it off.
    later = incident([FIRST, (story.COMMANDER, 30, story.snapshot(at(0), next_in=60))])
    labelled = replace(later, issue=replace(later.issue, labels=(*later.issue.labels, LABEL)))
    assert RemoveLabel(1, LABEL) in _plan(labelled, now=at(30)).effects
    # A label already on stays on without a second add.
    held = replace(found, issue=replace(found.issue, labels=(*found.issue.labels, LABEL)))
    again = _plan(held, now=at(40))
    assert not any(isinstance(e, AddLabels) and LABEL in e.labels for e in again.effects)
    assert RemoveLabel(1, LABEL) not in again.effects


def test_a_closed_incident_drops_the_label() -> None:
    closed = incident(
        [FIRST, *_met_story(confidence="L3")],
        state="closed",
        state_reason="completed",
        closed_at=at(90),
    )
    labelled = replace(closed, issue=replace(closed.issue, labels=(*closed.issue.labels, LABEL)))
    plan = _plan(labelled, now=at(120))
    assert plan.gate.state == "met"
    assert RemoveLabel(1, LABEL) in plan.effects
