"""Severity moves only with evidence, and the derivation reads every comment: decision rows.

Playbook: "revise severity only with evidence". A Checkpoint Decision Record
carries the evidence; a snapshot posted with it may name the new severity; a
snapshot alone only leaves a note. Ids name the rule and the case.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.fake_github import START, make_comment, make_issue
from tests.unit.test_closure_gate_table import _incident, _met_story
from warroom import story
from warroom.config import Config
from warroom.incident import derive
from warroom.model import Severity
from warroom.parsing.records import read_records
from warroom.rules import closure_gate

DECISION = story.decision(START, minute=20)


@pytest.mark.parametrize(
    ("body", "severity"),
    [
        pytest.param(
            story.decision(START, minute=20, severity="SEV-2"),
            Severity.SEV2,
            id="revise-with-evidence/decision-names-severity",
        ),
        pytest.param(
            story.snapshot(START, severity="SEV-2") + "\n" + DECISION,
            Severity.SEV2,
            id="revise-with-evidence/snapshot-posted-with-a-decision",
        ),
        pytest.param(
            story.snapshot(START, severity="SEV-3")
            + "\n"
            + story.snapshot(START, severity="SEV-2")
            + "\n"
            + DECISION,
            Severity.SEV2,
            id="revise-with-evidence/the-last-snapshot-with-a-decision",
        ),
        pytest.param(
            story.snapshot(START, severity="SEV-2")
            + "\n"
            + story.snapshot(START, severity="SEV-3")
            + "\n"
            + DECISION,
            Severity.SEV3,
            id="revise-with-evidence/the-last-snapshot-not-the-first",
        ),
        pytest.param(DECISION, Severity.SEV1, id="revise-with-evidence/decision-alone-keeps-it"),
        pytest.param(
            story.snapshot(START, severity="SEV-2"),
            Severity.SEV1,
            id="revise-with-evidence/snapshot-alone-keeps-it",
        ),
    ],
)
def test_severity_moves_only_with_evidence(body: str, severity: Severity) -> None:
    incident = _incident([(story.COMMANDER, 10, body)])
    assert incident.severity == severity
    if severity != Severity.SEV1:
        assert incident.severity_history[-1].source.startswith("revised with evidence in https://")


def test_a_snapshot_alone_leaves_a_note_that_says_how() -> None:
    incident = _incident([(story.COMMANDER, 10, story.snapshot(START, severity="SEV-2"))])
    url = incident.applied[0].url
    assert incident.notes == (
        f"{url} says SEV-2 but the incident stays SEV-1: severity is revised only with "
        "evidence, by a Checkpoint Decision Record whose evidence packet says `Severity: SEV-2`",
    )


def test_records_without_a_severity_leave_no_note() -> None:
    incident = _incident(_met_story())
    assert incident.notes == ()
    same = _incident([(story.COMMANDER, 10, story.snapshot(START, severity="SEV-1"))])
    assert same.notes == ()


def test_an_undeclared_incident_takes_severity_and_owners_from_records() -> None:
    body = story.snapshot(START, severity="SEV-2") + "\n" + DECISION
    incident = _incident([(story.COMMANDER, 10, body)], declared=False)
    assert incident.severity == Severity.SEV2
    ownership = next(c for c in closure_gate.evaluate(incident, Config()) if c.key == "ownership")
    # The snapshot names the commander, the decision the mitigation and verification owners:
    # nobody owns comms yet, and an undeclared incident still has that lane to fill.
    assert not ownership.met
    assert ownership.detail == "no owner of comms"


def test_a_comment_without_records_does_not_stop_the_reading() -> None:
    config = Config()
    issue = make_issue(story.incident_body())
    empty = make_comment("thanks", minutes=5, ident=1)
    later = make_comment(DECISION, author=story.MITIGATION, minutes=10, ident=2)
    records = read_records(DECISION, config, reference=later.created_at)
    incident = derive(
        issue,
        declaration=None,
        declaration_findings=(),
        comments=[(empty, ()), (later, records)],
        permissions={story.MITIGATION.lower(): "write"},
        config=config,
    )
    assert [a.comment_id for a in incident.applied] == [2]
    assert incident.applied[0].at == START + timedelta(minutes=10)
