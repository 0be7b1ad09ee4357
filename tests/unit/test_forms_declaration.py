"""Typed reading of the incident and hardening forms: one row per rule, by field label."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from warroom.config import DEFAULT_CONFIG
from warroom.declaration import (
    HardeningItem,
    IncidentDeclaration,
    IssueRef,
    form_kind,
    read_declaration,
    read_hardening,
    read_typed,
)
from warroom.model import DependencyClass, FollowUpKind, Level, Scenario, Severity
from warroom.parsing.forms import bundled_form, form_from_yaml, parse_form

ROOT = Path(__file__).resolve().parents[2]
INCIDENT = bundled_form("incident")
HARDENING = bundled_form("hardening")
INCIDENT_EXAMPLE = (ROOT / "examples" / "incident-form.md").read_text("utf-8")
HARDENING_EXAMPLE = (ROOT / "examples" / "hardening-form.md").read_text("utf-8")


def _edit(body: str, label: str, answer: str) -> str:
    """Replace one section's answer in a rendered body."""
    heading = f"### {label}\n\n"
    start = body.index(heading) + len(heading)
    end = body.find("\n\n### ", start)
    return body[:start] + answer + (body[end:] if end != -1 else "\n")


def test_the_example_incident_reads_completely() -> None:
    reading = read_declaration(parse_form(INCIDENT_EXAMPLE, INCIDENT), DEFAULT_CONFIG)
    assert reading.findings == ()
    declaration = reading.value
    assert isinstance(declaration, IncidentDeclaration)
    assert declaration.severity is Severity.SEV1
    assert declaration.dependency_classes == (DependencyClass.AUTH, DependencyClass.OBSERVABILITY)
    assert declaration.scenario == Scenario.RELEASE_AUTH_FAILURE
    assert declaration.commander == "mara-okafor"
    assert declaration.assignees == (
        "mara-okafor",
        "devi-raman",
        "tomas-lindqvist",
        "aiko-tanaka",
        "sam-whitfield",
    )
    assert declaration.owners["verification owner"] == ("aiko-tanaka",)
    assert declaration.impacted_surfaces == (
        "services/auth/**",
        "config/auth-gateway.yml",
        "libs/token-audience/**",
    )
    assert declaration.rollback_ready is True
    assert declaration.last_known_good == "4f2c1a9"
    assert declaration.baseline_evidence.startswith("$ git rev-parse --short HEAD\n")


def test_the_example_hardening_item_reads_completely() -> None:
    reading = read_hardening(parse_form(HARDENING_EXAMPLE, HARDENING))
    assert reading.findings == ()
    item = reading.value
    assert isinstance(item, HardeningItem)
    assert item.incident == IssueRef(number=42)
    assert item.kind is FollowUpKind.REGRESSION_TEST
    assert item.owner == ("aiko-tanaka",)
    assert item.due == date(2026, 12, 5)
    assert item.acceptance_criteria.startswith("- A test in services/auth/tests replays")
    assert item.acceptance_criteria.endswith("under services/auth/**.")


@pytest.mark.parametrize(
    ("label", "answer", "attribute", "expected"),
    [
        pytest.param("Severity", "SEV-2 — major workflow degradation", "severity", Severity.SEV2,
                     id="severity-option"),
        pytest.param("Severity", "sev 3", "severity", Severity.SEV3, id="severity-edited-loosely"),
        pytest.param("Dependency classes", "billing/ledger — transaction mismatch, other",
                     "dependency_classes", (DependencyClass.BILLING, DependencyClass.OTHER),
                     id="multi-select-classes"),
        pytest.param("Scenario", "billing state mismatch", "scenario",
                     Scenario.BILLING_STATE_MISMATCH, id="scenario"),
        pytest.param("Deputy", "@devi-raman, @hubot", "deputy", ("devi-raman", "hubot"),
                     id="two-logins"),
        pytest.param("Impacted surfaces", "- `services/auth/**`\n\n* docs/runbook.md",
                     "impacted_surfaces", ("services/auth/**", "docs/runbook.md"),
                     id="surfaces-with-bullets-and-backticks"),
        pytest.param("First bad deploy", "_No response_", "first_bad_deploy", None,
                     id="optional-left-empty"),
        pytest.param("First bad deploy", "TBD", "first_bad_deploy", None,
                     id="optional-placeholder"),
        pytest.param("Rollback readiness",
                     "- [ ] The rollback path to the last known-good revision is executable now.",
                     "rollback_ready", False, id="rollback-unticked"),
    ],
)  # fmt: skip
def test_incident_values(label: str, answer: str, attribute: str, expected: object) -> None:
    reading = read_declaration(parse_form(_edit(INCIDENT_EXAMPLE, label, answer), INCIDENT))
    assert reading.value is not None, reading.findings
    assert getattr(reading.value, attribute) == expected


@pytest.mark.parametrize(
    ("label", "answer", "message"),
    [
        pytest.param("Severity", "SEV-4", 'must be one of "SEV-1", "SEV-2", "SEV-3"; got "SEV-4"',
                     id="severity-out-of-range"),
        pytest.param("Severity", "SEV-1, SEV-2", "pick exactly one option; got 2",
                     id="two-severities"),
        pytest.param("Severity", "None", "is required but has no answer", id="no-severity"),
        pytest.param("Incident commander", "Alice", "must be one or more GitHub @logins",
                     id="commander-not-a-login"),
        pytest.param("Communications owner", "@acme/comms", "must be one or more GitHub @logins",
                     id="team-is-not-an-owner"),
        pytest.param("Dependency classes", "payments", 'got "payments"', id="unknown-class"),
        pytest.param("Impacted surfaces", "the whole auth area", "looks like prose",
                     id="surface-is-prose"),
        pytest.param("Summary", "<short summary>", 'still holds a placeholder ("<short summary>")',
                     id="summary-placeholder"),
        pytest.param("Baseline evidence", "```shell\n\n```", "is required but has no answer",
                     id="empty-evidence-block"),
        pytest.param("Rollback readiness", "- [x] Rolled back already", "tick the form's own box",
                     id="edited-checkbox"),
    ],
)  # fmt: skip
def test_incident_errors_name_the_field(label: str, answer: str, message: str) -> None:
    body = _edit(INCIDENT_EXAMPLE, label, answer)
    reading = read_declaration(parse_form(body, INCIDENT))
    assert reading.value is None
    errors = [f for f in reading.findings if f.level is Level.ERROR]
    assert [f.field for f in errors] == [label]
    assert message in errors[0].message
    assert errors[0].line == body.split("\n").index(f"### {label}") + 1


@pytest.mark.parametrize(
    ("edits", "warned"),
    [
        pytest.param(
            {"Rollback readiness": "- [ ] The rollback path to the last known-good revision "
             "is executable now."},
            ["Rollback readiness"],
            id="rollback-not-confirmed",
        ),
        pytest.param({"Deputy": "@Mara-Okafor"}, ["Deputy"], id="deputy-is-the-commander"),
        pytest.param(
            {"Deputy": "@mara-okafor", "Severity": "SEV-9"},
            ["Deputy"],
            id="warnings-survive-errors",
        ),
    ],
)  # fmt: skip
def test_incident_warnings(edits: dict[str, str], warned: list[str]) -> None:
    body = INCIDENT_EXAMPLE
    for label, answer in edits.items():
        body = _edit(body, label, answer)
    reading = read_declaration(parse_form(body, INCIDENT))
    assert [f.field for f in reading.findings if f.level is Level.WARNING] == warned


@pytest.mark.parametrize(
    ("label", "answer", "message"),
    [
        pytest.param("Incident", "the outage last night", 'as "#123", "owner/repo#123"',
                     id="incident-not-a-link"),
        pytest.param("Incident", "#0", 'as "#123"', id="issue-zero"),
        pytest.param("Due date", "next Friday", "must be a date written YYYY-MM-DD",
                     id="due-not-a-date"),
        pytest.param("Due date", "2026-02-30", "must be a date written YYYY-MM-DD",
                     id="due-impossible-date"),
        pytest.param("Owner", "the SRE team", "must be one or more GitHub @logins",
                     id="owner-not-a-login"),
        pytest.param("Kind", "postmortem", "must be one of", id="unknown-kind"),
    ],
)  # fmt: skip
def test_hardening_errors_name_the_field(label: str, answer: str, message: str) -> None:
    reading = read_hardening(parse_form(_edit(HARDENING_EXAMPLE, label, answer), HARDENING))
    assert reading.value is None
    assert [f.field for f in reading.findings] == [label]
    assert message in reading.findings[0].message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        pytest.param("#42", IssueRef(number=42), id="same-repo"),
        pytest.param("acme/payments#7", IssueRef(number=7, repo="acme/payments"), id="short"),
        pytest.param(
            "https://github.com/acme/payments/issues/7#issuecomment-1",
            IssueRef(number=7, repo="acme/payments"),
            id="url",
        ),
    ],
)
def test_incident_links(answer: str, expected: IssueRef) -> None:
    reading = read_hardening(parse_form(_edit(HARDENING_EXAMPLE, "Incident", answer), HARDENING))
    assert reading.value is not None
    assert reading.value.incident == expected


def test_a_custom_incident_form_without_a_field_is_told_which_id_is_missing() -> None:
    form = form_from_yaml(
        "name: Lean incident\nlabels: [incident]\nbody:\n"
        "  - {type: input, id: summary, attributes: {label: Summary}}\n"
    )
    reading = read_declaration(parse_form("### Summary\n\nlogin fails", form))
    assert reading.value is None
    missing = {f.field for f in reading.findings}
    assert {"severity", "incident_commander", "blast_radius"} <= missing
    assert "rollback_ready" not in missing  # has a default: unconfirmed


@pytest.mark.parametrize(
    ("yaml_text", "kind"),
    [
        pytest.param(None, "incident", id="bundled-incident"),
        pytest.param("name: x\nlabels: hardening\nbody:\n  - {type: input, attributes: {label: A}}",
                     "hardening", id="by-label"),
        pytest.param("name: x\nbody:\n  - {type: input, attributes: {label: A}}", None,
                     id="unrelated-form"),
    ],
)  # fmt: skip
def test_form_kind(yaml_text: str | None, kind: str | None) -> None:
    form = INCIDENT if yaml_text is None else form_from_yaml(yaml_text)
    assert form_kind(form) == kind
    reading = read_typed(parse_form("", form))
    assert (reading is None) is (kind is None)
