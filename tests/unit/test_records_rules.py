"""The playbook's rules on records, one table row per rule case.

Each row is a record text and the findings it must produce, as
``(level, field)`` pairs, plus message fragments that must appear: the
fragments are what tells a responder what to write.
"""

from __future__ import annotations

import pytest

from warroom.config import Config
from warroom.model import Confidence, Level
from warroom.parsing.records import read_records
from warroom.records.quality import RULES

FULL_DECISION = """### Checkpoint Decision Record
- Timestamp: 2026-11-28 16:20 UTC
- Evidence reviewed: 401 graph by deploy hash
- Decision: rollback
- Why this decision now: the flag did not clear the 401s
- Rejected alternatives: targeted hotfix, slower to verify
- Owner for execution: @tomas
- Owner for verification: @aiko
- Reversibility: redeploy 9e0d7b3 in five minutes
- Blast radius: key rotation reverts with it
- Verification signal: 401 rate under 0.5% for 15 minutes
- Confidence level (L1/L2/L3): L2
- Severity: SEV-1
- Impacted systems/users: auth-gateway, every signed-in user
- Commands executed:
  ```
  ./scripts/health auth-gateway
  ```
- Outputs:
  ```
  401 rate 38.1%
  ```
- Residual risk: cached tokens on mobile
- Next checkpoint at: 2026-11-28 16:50 UTC
- Next owner: @devi
"""

SNAPSHOT = """### Incident Command Snapshot
- Incident ID: #42
- Severity: SEV-1
- Incident commander: @mara
- Current phase: containment
- Latest stable revision: 4f2c1a9
- Candidate mitigation path: flag off
- Risk if we wait 30 minutes: everyone logged out
- Next checkpoint at: 2026-11-28 16:50 UTC
- Next owner: @devi
"""

CLOSURE = """### Incident Closure Record
- Mitigation executed: flag off in all regions
- Verification evidence: the green rerun at 15:05
- Residual risks: mobile sessions may stay logged out
- Rollback trigger for 24h watch: 401 rate above 2% for 5 minutes
- Owner for 24h watch: @devi
- Hardening follow-ups: #57, #58
- Communications timeline: 14:20 investigating, 14:45 mitigating, 15:15 recovered
- Confidence level (L1/L2/L3): L3
"""

VERIFICATION = """### Verification Rerun Record
- Timestamp: 2026-11-28 15:05 UTC
- Revision under test: 4f2c1a9
- Commands executed: `./scripts/health auth-gateway`
- Outputs: `401 rate 0.2%`
- Result: Green
- Residual risk: cached tokens on mobile
- Owner for verification: @aiko
"""

DISMISSAL = """### Incident Dismissal
- Reason: duplicate
- Evidence: same spike as #42
- Dismissed by: @mara
"""


def _without(text: str, *labels: str) -> str:
    return "\n".join(
        line
        for line in text.split("\n")
        if not any(line.startswith(f"- {label}:") for label in labels)
    )


def _drop_fenced(text: str, label: str) -> str:
    """Remove a field whose value is a fenced block (its label line and the fence)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"- {label}:"))
    return "\n".join(lines[:start] + lines[start + 4 :])


CASES = [
    pytest.param(FULL_DECISION, [], [], id="advanced-decision-is-clean"),
    pytest.param(
        _without(FULL_DECISION, "Reversibility"),
        [(Level.WARNING, "Reversibility")],
        ["below advanced standard", "how quickly we can undo"],
        id="decision-without-reversibility-is-below-advanced-standard",
    ),
    pytest.param(
        _without(FULL_DECISION, "Blast radius", "Verification signal"),
        [(Level.WARNING, "Blast radius"), (Level.WARNING, "Verification signal")],
        ["blast-radius statement", "verification statement"],
        id="each-missing-quality-statement-is-named",
    ),
    pytest.param(
        FULL_DECISION.replace(
            "- Reversibility: redeploy 9e0d7b3 in five minutes", "- Reversibility:"
        ),
        [(Level.WARNING, "Reversibility")],
        ["is empty"],
        id="empty-statement-counts-as-missing",
    ),
    pytest.param(
        _without(FULL_DECISION, "Confidence level (L1/L2/L3)"),
        [(Level.WARNING, "Confidence level (L1/L2/L3)")],
        ["confidence level"],
        id="decision-without-confidence",
    ),
    pytest.param(
        FULL_DECISION.replace("(L1/L2/L3): L2", "(L1/L2/L3): pretty sure"),
        [(Level.WARNING, "Confidence level (L1/L2/L3)")],
        ['must be one of "L1", "L2", "L3"', "not read; the rest of the record stands"],
        id="unreadable-optional-confidence-is-a-warning-not-a-refusal",
    ),
    pytest.param(
        FULL_DECISION.replace("(L1/L2/L3): L2", "(L1/L2/L3): L1 | L2 | L3"),
        [(Level.WARNING, "Confidence level (L1/L2/L3)")],
        ["is empty"],
        id="untouched-template-choices-count-as-missing",
    ),
    pytest.param(
        _without(FULL_DECISION, "Severity", "Impacted systems/users"),
        [(Level.WARNING, "Severity"), (Level.WARNING, "Impacted systems/users")],
        ["evidence packet", "current severity", "impacted systems and users"],
        id="evidence-packet-names-each-missing-item",
    ),
    pytest.param(
        _drop_fenced(_drop_fenced(FULL_DECISION, "Commands executed"), "Outputs"),
        [(Level.WARNING, "Commands executed"), (Level.WARNING, "Outputs")],
        ["commands executed", "outputs"],
        id="evidence-packet-commands-and-outputs",
    ),
    pytest.param(
        _without(FULL_DECISION, "Residual risk", "Next checkpoint at", "Next owner"),
        [
            (Level.WARNING, "Residual risk"),
            (Level.WARNING, "Next checkpoint at"),
            (Level.WARNING, "Next owner"),
        ],
        ["residual risk statement", "next checkpoint time", "next checkpoint's owner"],
        id="evidence-packet-residual-risk-and-next-checkpoint",
    ),
    pytest.param(
        SNAPSHOT + _without(FULL_DECISION, "Severity", "Next checkpoint at", "Next owner"),
        [],
        [],
        id="snapshot-in-the-same-comment-supplies-severity-and-next-checkpoint",
    ),
    pytest.param(
        VERIFICATION
        + _without(
            _drop_fenced(_drop_fenced(FULL_DECISION, "Commands executed"), "Outputs"),
            "Residual risk",
        ),
        [],
        [],
        id="verification-in-the-same-comment-supplies-commands-outputs-and-risk",
    ),
    pytest.param(
        FULL_DECISION.replace("cached tokens on mobile", "None"),
        [(Level.WARNING, "Residual risk")],
        ['says "None"', 'not "none" by default'],
        id="decision-residual-risk-none",
    ),
    pytest.param(
        VERIFICATION.replace("cached tokens on mobile", "n/a"),
        [(Level.WARNING, "Residual risk")],
        ['says "n/a"'],
        id="verification-residual-risk-na",
    ),
    pytest.param(
        CLOSURE.replace("mobile sessions may stay logged out", "no residual risk"),
        [(Level.WARNING, "Residual risks")],
        ['not "none" by default'],
        id="closure-residual-risks-none",
    ),
    pytest.param(
        CLOSURE.replace("L3", "L1"),
        [(Level.WARNING, "Confidence level (L1/L2/L3)")],
        ["never close incident response with L1 confidence"],
        id="closure-with-l1",
    ),
    pytest.param(
        CLOSURE.replace("L3", "L2"),
        [(Level.WARNING, "Confidence level (L1/L2/L3)")],
        ["asks for L3 (closure.min_confidence)"],
        id="closure-below-configured-minimum",
    ),
    pytest.param(
        _without(FULL_DECISION, "Rejected alternatives"),
        [(Level.ERROR, "Rejected alternatives")],
        ["document rejected alternatives, not only chosen action"],
        id="rejected-alternatives-required",
    ),
    pytest.param(
        FULL_DECISION.replace("- Owner for execution: @tomas", "- Owner for execution: Tomas"),
        [(Level.ERROR, "Owner for execution")],
        ['got "Tomas"', "@octocat"],
        id="owner-must-be-a-login",
    ),
    pytest.param(
        SNAPSHOT.replace("- Next owner: @devi", "- Next owner: the SRE team"),
        [(Level.ERROR, "Next owner")],
        ["GitHub @logins"],
        id="next-owner-must-be-a-login",
    ),
    pytest.param(
        SNAPSHOT.replace("2026-11-28 16:50 UTC", "in 30 minutes"),
        [(Level.ERROR, "Next checkpoint at")],
        ["is not a time", '"2026-11-28 16:20 UTC"'],
        id="not-a-time",
    ),
    pytest.param(
        SNAPSHOT.replace(
            "- Current phase: containment",
            "- Current phase: detection | containment | recovery | hardening",
        ),
        [(Level.ERROR, "Current phase")],
        ["still holds the template text", '"containment"'],
        id="untouched-enumeration",
    ),
    pytest.param(
        SNAPSHOT.replace("- Incident ID: #42", "- Incident ID: TBD"),
        [(Level.ERROR, "Incident ID")],
        ['still holds the template text "TBD"'],
        id="placeholder-is-empty",
    ),
    pytest.param(DISMISSAL, [], [], id="duplicate-with-reference"),
    pytest.param(
        DISMISSAL.replace("same spike as #42", "same spike as the other one"),
        [(Level.ERROR, "Evidence")],
        ["#NUMBER"],
        id="duplicate-needs-the-incident-number",
    ),
    pytest.param(
        DISMISSAL.replace("duplicate", "false alarm").replace(" as #42", ""),
        [],
        [],
        id="false-alarm-needs-no-reference",
    ),
]


@pytest.mark.parametrize(("text", "expected", "fragments"), CASES)
def test_rules(text: str, expected: list[tuple[Level, str]], fragments: list[str]) -> None:
    findings = [f for record in read_records(text) for f in record.findings]
    assert [(f.level, f.field) for f in findings] == expected
    messages = " | ".join(f.message for f in findings)
    for fragment in fragments:
        assert fragment in messages


def test_warnings_leave_the_record_valid_and_typed() -> None:
    [record] = read_records(_without(FULL_DECISION, "Reversibility", "Confidence level (L1/L2/L3)"))
    assert record.valid
    assert record.warnings
    assert record.model is not None
    assert record.model.confidence is None


def test_closure_minimum_follows_the_config() -> None:
    config = Config.model_validate({"closure": {"min_confidence": "L2"}})
    [record] = read_records(CLOSURE.replace("L3", "L2"), config)
    assert record.findings == ()
    assert config.closure.min_confidence is Confidence.L2


def test_every_rule_names_kinds_that_exist() -> None:
    from warroom.records.spec import SPECS

    assert {kind for rule in RULES for kind in rule.kinds} <= set(SPECS)
    assert len({rule.name for rule in RULES}) == len(RULES)
