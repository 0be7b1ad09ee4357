"""The scenario library's evidence minimums, played on the sandbox (issue 9 §3).

Each bundled scenario is declared from the form, brought to the playbook's
gate with the team's records, and closed: without the scenario's minimum the
close is undone and the notice names what to post; with it the close stands.
The permission leak's order (revocation before patch) is played with the
sandbox clock: told once, not repeated by a sweep, settled by the proof.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import (
    TEAM,
    MakeSandbox,
    at,
    dispatching_sandbox,
    labels,
    records_to_the_gate,
    seed_records,
    settle,
)
from tests.e2e.action_support import own as _own
from tests.e2e.conftest import START, TestSandbox
from tests.e2e.story_state import statuses
from warroom import story

pytestmark = pytest.mark.e2e

DATA_OWNER = "nadia-ferreira"


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path, users={**TEAM, DATA_OWNER: "write"})


def _file(sb: TestSandbox, scenario: str) -> int:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[INCIDENT] " + scenario,
        body=story.incident_body(scenario=scenario),
        labels=["incident"],
    )
    settle(sb)
    return int(issue.number)


def _close(sb: TestSandbox, number: int) -> dict[str, Any]:
    sb.repo(story.COMMANDER).get_issue(number).edit(state="closed", state_reason="completed")
    return settle(sb)[-1]


def _evidence(item: str, proof: str, minute: int = 30) -> tuple[str, str]:
    return (story.VERIFICATION, story.evidence(START, item, proof, minute=minute))


BILLING_EVIDENCE = [
    _evidence("mismatch sample size", "412 of 90,000 events"),
    _evidence("blast radius estimate", "EU invoices between 09:00 and 14:00"),
    _evidence("safe replay boundary", "ledger offset 88120"),
]

SCENARIOS = [
    pytest.param(
        "auth token failure after release",
        [],  # records_to_the_gate carries Scenario A's evidence already
        [],
        id="auth-token-failure",
    ),
    pytest.param(
        "billing state mismatch",
        [
            *BILLING_EVIDENCE,
            (DATA_OWNER, story.sign_off(START, "data owner", DATA_OWNER)),
            (story.COMMANDER, story.sign_off(START, "incident commander", story.COMMANDER)),
        ],
        [
            "evidence minimum: mismatch sample size",
            "evidence minimum: safe replay boundary",
            "dual sign-off: data owner and incident commander, by different people",
        ],
        id="billing-state-mismatch",
    ),
    pytest.param(
        "permission leak in edge flow",
        [
            _evidence("reproducible minimal case", "curl -H 'X-Edge: 1' /admin -> 200"),
            _evidence("revocation completion proof", "revoked 41 edge tokens at 14:12"),
            _evidence("audit trail snapshot", "audit-2026-11-28.tar.gz"),
        ],
        ["evidence minimum: revocation completion proof", "evidence minimum: audit trail snapshot"],
        id="permission-leak",
    ),
]


@pytest.mark.parametrize(("scenario", "minimum", "named"), SCENARIOS)
def test_a_close_without_the_scenarios_minimum_is_reopened_naming_it(
    github: TestSandbox, scenario: str, minimum: list[tuple[str, str]], named: list[str]
) -> None:
    number = _file(github, scenario)
    at(github, 25)
    gate = records_to_the_gate(START)
    if not minimum:  # Scenario A: drop its evidence to see the close undone
        gate = [(who, body) for who, body in gate if "### Scenario Evidence" not in body]
        named = [
            "evidence minimum: failing endpoint list",
            "evidence minimum: rollback safety check output",
        ]
        minimum = [(story.VERIFICATION, story.auth_evidence(START))]
    seed_records(github, number, gate)
    run = _close(github, number)
    assert run["exit_code"] == 1, run["stdout"]
    assert github.repo().get_issue(number).state == "open"
    (notice,) = _own(github, number, "reopened")
    for title in named:
        assert f"- **{title}**" in notice, notice
    assert "Scenario Evidence record" in notice
    (status,) = statuses(github, number)
    assert f"Scenario **{scenario}**, its evidence minimum:" in status
    assert "- [ ] " + named[0] in status

    # With the minimum on record, the same close stands.
    at(github, 90)
    seed_records(github, number, minimum)
    run = _close(github, number)
    assert run["exit_code"] == 0, run["stdout"]
    assert github.repo().get_issue(number).state == "closed"
    assert "gate: met" in labels(github, number)
    (status,) = statuses(github, number)
    assert "- [ ] evidence minimum" not in status
    assert "- [x] " + named[0] in status
    assert len(_own(github, number, "reopened")) == 1


def test_one_person_signing_both_roles_does_not_close_a_billing_mismatch(
    github: TestSandbox,
) -> None:
    number = _file(github, "billing state mismatch")
    at(github, 25)
    signatures = [
        (story.COMMANDER, story.sign_off(START, "data owner", story.COMMANDER)),
        (story.COMMANDER, story.sign_off(START, "incident commander", story.COMMANDER)),
    ]
    seed_records(github, number, [*records_to_the_gate(START), *BILLING_EVIDENCE, *signatures])
    run = _close(github, number)
    assert run["exit_code"] == 1, run["stdout"]
    (notice,) = _own(github, number, "reopened")
    assert "the same person signed off in more than one role" in notice


def _revocation_notices(sb: TestSandbox, number: int) -> list[str]:
    """This rule's notices only: the same decision may also stand against the postures."""
    mark = f"<!-- warroom:guardrail:{number}.revocation-first."
    return [body for body in _own(sb, number, "guardrail") if body.startswith(mark)]


def _patch_decision(minute: int) -> str:
    text = story.decision(START, minute=minute).replace(
        "- Decision: rollback", "- Decision: continue mitigation"
    )
    return "\n".join(
        "- Why this decision now: ship the hotfix for the edge header check"
        if line.startswith("- Why this decision now:")
        else line
        for line in text.splitlines()
    )


def test_a_patch_before_revocation_proof_is_told_once_and_settled_by_the_proof(
    github: TestSandbox,
) -> None:
    number = _file(github, "permission leak in edge flow")
    at(github, 10)
    comment = github.repo(story.MITIGATION).get_issue(number).create_comment(_patch_decision(10))
    settle(github)
    marker = f"<!-- warroom:guardrail:{number}.revocation-first.{comment.id} -->"
    (notice,) = _revocation_notices(github, number)
    assert notice.startswith(marker)
    assert "Patch decided before the revocation completion proof" in notice
    assert "access revocation first, then patch" in notice
    (status,) = statuses(github, number)
    glance = status.split("### Closure gate", 1)[0]
    assert "Patch decided before the revocation completion proof" in glance

    # The sweep ten minutes later sees the same occurrence: no second notice.
    at(github, 20)
    github.schedule()
    settle(github)
    assert len(_revocation_notices(github, number)) == 1

    # Revocation proof posted: the flag settles, and the next sweep says nothing new.
    at(github, 25)
    github.repo(story.VERIFICATION).get_issue(number).create_comment(
        story.evidence(START, "revocation completion proof", "revoked 41 tokens", minute=24)
    )
    settle(github)
    (status,) = statuses(github, number)
    glance = status.split("### Closure gate", 1)[0]
    assert "Patch decided before" not in glance
    assert "- [x] evidence minimum: revocation completion proof" in status
    at(github, 35)
    github.schedule()
    settle(github)
    assert len(_revocation_notices(github, number)) == 1
