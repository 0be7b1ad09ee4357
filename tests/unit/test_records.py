"""Finding and splitting war-room blocks: how people really write them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from warroom.config import Config
from warroom.model import Decision, Level, Severity, Status
from warroom.parsing.records import (
    MAX_FIELDS,
    MAX_RECORDS,
    find_records,
    read_record_as,
    read_records,
    unread_starts,
)
from warroom.records.models import DecisionRecord, Escalation, Snapshot, StakeholderUpdate
from warroom.records.spec import SPECS
from warroom.records.types import ParsedRecord

DECISION = """### Checkpoint Decision Record
- Timestamp: 2026-11-28 16:20 UTC
- Evidence reviewed: 401 graph by deploy hash
- Decision: rollback
- Why this decision now: the flag did not clear the 401s
- Rejected alternatives: targeted hotfix, slower to verify
- Owner for execution: @tomas
- Owner for verification: @aiko
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


def only(text: str, config: Config | None = None) -> ParsedRecord:
    records = read_records(text, config or Config())
    assert len(records) == 1, [r.kind for r in records]
    return records[0]


def errors(record: ParsedRecord) -> dict[str, str]:
    return {f.field: f.message for f in record.errors}


# --- how a field may be written ---------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("- Decision: escalate+pause", id="dash-bullet"),
        pytest.param("* Decision: escalate+pause", id="star-bullet"),
        pytest.param("+ Decision: escalate+pause", id="plus-bullet"),
        pytest.param("• Decision: escalate+pause", id="pasted-from-chat-bullet"),
        pytest.param("1. Decision: escalate+pause", id="numbered"),
        pytest.param("**Decision:** escalate+pause", id="bold-colon-inside"),
        pytest.param("**Decision**: escalate+pause", id="bold-colon-outside"),
        pytest.param("- **Decision:** escalate+pause", id="bullet-and-bold"),
        pytest.param("__Decision__: escalate+pause", id="underscore-bold"),
        pytest.param("*Decision:* escalate+pause", id="italic"),
        pytest.param("Decision: escalate+pause", id="plain"),
        pytest.param("DECISION: Escalate + Pause", id="any-case"),
        pytest.param("-   Decision   :    escalate+pause   ", id="extra-spaces"),
        pytest.param(
            "- Decision (continue mitigation | rollback | escalate+pause): escalate+pause",
            id="options-in-label",
        ),
        pytest.param("- Decision: **escalate+pause**", id="bold-value"),
        pytest.param("- Decision: `escalate + pause`", id="code-value"),
        pytest.param("- Decision: escalate+pause (see thread)", id="trailing-comment"),
        pytest.param("- Decision: escalate+pause — waiting on legal", id="dash-comment"),
    ],
)
def test_decision_label_styles(line: str) -> None:
    text = DECISION.replace("- Decision: rollback", line)
    record = only(text)
    assert record.valid, record.findings
    assert isinstance(record.model, DecisionRecord)
    assert record.model.decision is Decision.ESCALATE


def test_a_block_indented_with_tabs() -> None:
    heading, *fields = DECISION.splitlines()
    record = only("\n".join([heading, *(f"\t{line}" for line in fields)]))
    assert record.valid, record.findings


def test_a_deeper_field_line_continues_the_one_above() -> None:
    text = DECISION.replace("- Decision: rollback", "    - Decision: rollback")
    record = only(text)
    assert "Decision" in errors(record)
    assert record.values["evidence_reviewed"] == "401 graph by deploy hash\n- Decision: rollback"


def test_parenthetical_label_is_matched() -> None:
    text = (
        "### Incident Leadership Note\n"
        "- What happened: release broke tokens\n"
        "- Why this decision path was chosen: rollback first\n"
        "- **Current Confidence Level (L1/L2/L3):** l3\n"
        "- What remains uncertain: mobile caches\n"
        "- What we need from leadership: nothing\n"
        "- Owner for next 24h watch: @devi\n"
    )
    record = only(text)
    assert record.valid, record.findings
    assert record.values["confidence"] == "L3"


@pytest.mark.parametrize(
    ("value_lines", "expected"),
    [
        pytest.param(
            ["- Evidence reviewed: 401 graph", "  and the deploy diff"],
            "401 graph\nand the deploy diff",
            id="indented-continuation",
        ),
        pytest.param(
            ["- Evidence reviewed: 401 graph", "and the deploy diff"],
            "401 graph\nand the deploy diff",
            id="lazy-continuation",
        ),
        pytest.param(
            ["- Evidence reviewed:", "  - 401 graph", "  - deploy diff"],
            "- 401 graph\n- deploy diff",
            id="nested-bullets",
        ),
        pytest.param(
            ["- Evidence reviewed:", "  - graphs:", "    - 401 rate: 38%"],
            "- graphs:\n  - 401 rate: 38%",
            id="nested-bullets-with-colons",
        ),
        pytest.param(
            ["- Evidence reviewed: graphs", "", "  second paragraph"],
            "graphs\n\nsecond paragraph",
            id="indented-paragraph",
        ),
        pytest.param(
            ["- Evidence reviewed:", "", "  after a blank line"],
            "after a blank line",
            id="value-on-next-paragraph",
        ),
        pytest.param(
            ["- Evidence reviewed: logs", "  ```", "  Decision: not a field", "  ```"],
            "logs\n```\nDecision: not a field\n```",
            id="fence-hides-labels",
        ),
        pytest.param(
            ["- Evidence reviewed: graphs <!-- link them -->"],
            "graphs",
            id="inline-html-comment",
        ),
        pytest.param(
            ["- Evidence reviewed: graphs", "  <!-- hint", "  over lines -->", "  and logs"],
            "graphs\nand logs",
            id="comment-lines-do-not-break-the-value",
        ),
        pytest.param(
            ["- Evidence reviewed: graphs", "", "<!-- a", "", "b -->  and logs"],
            "graphs\n\nand logs",
            id="text-after-a-comment-on-its-last-line",
        ),
    ],
)
def test_multi_line_values(value_lines: list[str], expected: str) -> None:
    text = DECISION.replace("- Evidence reviewed: 401 graph by deploy hash", "\n".join(value_lines))
    record = only(text)
    assert record.valid, record.findings
    assert record.values["evidence_reviewed"] == expected


def test_plain_labels_take_unindented_bullets_as_their_value() -> None:
    text = (
        "### Checkpoint Decision Record\n"
        "Timestamp: 2026-11-28 16:20 UTC\n"
        "Evidence reviewed: graphs\n"
        "Decision: rollback\n"
        "Why this decision now: flag failed\n"
        "Rejected alternatives:\n"
        "- hotfix: slower to verify\n"
        "- flag: already tried\n"
        "Owner for execution: @tomas\n"
        "Owner for verification: @aiko\n"
    )
    record = only(text)
    assert record.valid, record.findings
    assert (
        record.values["rejected_alternatives"]
        == "- hotfix: slower to verify\n- flag: already tried"
    )


def test_owners_over_nested_bullets() -> None:
    text = DECISION.replace(
        "- Owner for execution: @tomas", "- Owner for execution:\n  - @tomas\n  - @devi (deputy)"
    )
    assert only(text).values["execution_owner"] == ("tomas", "devi")


# --- where blocks start and end ---------------------------------------------------------------


def test_prose_around_a_block_is_not_part_of_it() -> None:
    text = "Quick update before the call.\n\n" + DECISION + "\nThanks all, more at 16:50.\n"
    record = only(text)
    assert record.valid, record.findings
    assert record.values["verification_owner"] == ("aiko",)
    assert (record.line, record.end_line) == (3, 10)


def test_prose_after_a_blank_line_ends_the_last_value() -> None:
    text = DECISION + "\nWe will revisit once the canary is green: @devi knows more.\n"
    assert only(text).values["verification_owner"] == ("aiko",)


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param("### Checkpoint Decision Record", id="h3"),
        pytest.param("## checkpoint decision record", id="h2-lower"),
        pytest.param("**Checkpoint Decision Record**", id="bold"),
        pytest.param("Checkpoint Decision Record", id="bare"),
        pytest.param("### Checkpoint Decision Record (16:20)", id="time-suffix"),
        pytest.param("### Checkpoint Decision Record — second checkpoint", id="dash-suffix"),
        pytest.param("### 🧭 Checkpoint Decision Record", id="emoji"),
        pytest.param("### Checkpoint-Decision-Record", id="hyphens"),
    ],
)
def test_heading_variants(heading: str) -> None:
    text = DECISION.replace("### Checkpoint Decision Record", heading)
    assert [block.kind for block in find_records(text)] == ["decision"]


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param("The Checkpoint Decision Record below is final.", id="prose-mention"),
        pytest.param("> ### Checkpoint Decision Record", id="quoted-reply"),
        pytest.param("### Checkpoint Decision Records", id="plural"),
        pytest.param("    Checkpoint Decision Record", id="indented-code"),
    ],
)
def test_not_headings(heading: str) -> None:
    text = DECISION.replace("### Checkpoint Decision Record", heading)
    assert find_records(text) == []


def test_a_record_inside_a_code_fence_is_not_read_but_is_reported() -> None:
    text = "Template for later:\n```\n" + DECISION + "```\n"
    assert find_records(text) == []
    assert unread_starts(text) == [(3, "decision", "fenced")]


def test_the_playbook_bundle_holds_two_records() -> None:
    records = read_records("Bundle:\n" + SNAPSHOT + DECISION)
    assert [(r.kind, r.line) for r in records] == [("snapshot", 2), ("decision", 12)]
    assert all(r.valid for r in records)


@pytest.mark.parametrize(
    "separator",
    [
        pytest.param("\n---\n", id="thematic-break"),
        pytest.param("\n# Notes\n", id="top-level-heading"),
    ],
)
def test_a_stop_line_ends_a_block(separator: str) -> None:
    text = SNAPSHOT.replace("- Next owner: @devi\n", "") + separator + "- Next owner: @devi\n"
    record = only(text)
    assert "Next owner" in errors(record)


def test_duplicate_field_is_an_error_on_the_second_line() -> None:
    text = DECISION + "- Decision: continue mitigation\n"
    record = only(text)
    assert not record.valid
    assert [(f.field, f.line) for f in record.errors] == [("Decision", 9)]
    assert "first on line 4" in record.errors[0].message
    assert record.values["decision"] is Decision.ROLLBACK


def test_unknown_labels_are_kept_as_extra_and_do_not_swallow_fields() -> None:
    text = DECISION.replace(
        "- Owner for verification: @aiko", "- Notes: see thread\n- Owner for verification: @aiko"
    )
    record = only(text)
    assert record.valid
    assert record.to_json()["extra"] == {"Notes": "see thread"}


def test_crlf_and_cr_read_like_lf_with_offsets_into_the_original() -> None:
    lf = "Intro\n" + DECISION
    for newline in ("\r\n", "\r"):
        text = lf.replace("\n", newline)
        record = only(text)
        assert record.valid
        assert record.values == only(lf).values
        assert text[record.start : record.end].startswith("### Checkpoint Decision Record")
        assert text[record.start : record.end].endswith("@aiko")


# --- the escalation and the stakeholder update ------------------------------------------------

ESCALATION = """[INCIDENT][SEV-1] 401s after the auth release
Impact: every signed-in user
Current decision: flag off, rollback as fallback
Immediate ask: an SRE with edge access
Next update: 2026-11-28 16:50 UTC
Owner: @mara
"""


@pytest.mark.parametrize(
    ("subject", "severity", "summary"),
    [
        pytest.param(
            "[INCIDENT][SEV-1] 401s after release",
            Severity.SEV1,
            "401s after release",
            id="playbook",
        ),
        pytest.param(
            "[incident] [sev 2] slow checkout", Severity.SEV2, "slow checkout", id="loose"
        ),
        pytest.param("**[INCIDENT][Sev1] Login down**", Severity.SEV1, "Login down", id="bold"),
        pytest.param("Subject: [INCIDENT][SEV-3] docs", Severity.SEV3, "docs", id="subject-prefix"),
    ],
)
def test_escalation_subject(subject: str, severity: Severity, summary: str) -> None:
    record = only(ESCALATION.replace("[INCIDENT][SEV-1] 401s after the auth release", subject))
    assert isinstance(record.model, Escalation)
    assert (record.model.severity, record.model.summary) == (severity, summary)


def test_escalation_under_its_heading_is_one_record() -> None:
    record = only("### Internal Engineering Escalation\n" + ESCALATION)
    assert record.valid
    assert record.line == 1


def test_unfilled_escalation_severity_names_the_subject_line() -> None:
    record = only(ESCALATION.replace("[SEV-1]", "[SEV-X]"))
    assert [(f.field, f.line) for f in record.errors] == [("[INCIDENT][SEV-X]", 1)]


STAKEHOLDER = """Status: Mitigating
Customer impact: sign-in fails for most users
Current mitigation: switching the new check off
Known unknowns: whether mobile users must sign in again
Next committed update time: 2026-11-28 17:00 UTC
"""


def test_stakeholder_update_starts_at_its_status_line() -> None:
    record = only("Update for the status page:\n\n" + STAKEHOLDER)
    assert isinstance(record.model, StakeholderUpdate)
    assert record.model.status is Status.MITIGATING
    assert record.line == 3


def test_a_lone_status_line_is_not_an_update() -> None:
    assert find_records("Status: looking into it\n\nMore soon.\n") == []


def test_stakeholder_heading_absorbs_the_status_line() -> None:
    records = find_records("### Stakeholder Update\n" + STAKEHOLDER)
    assert [(b.kind, b.line) for b in records] == [("stakeholder", 1)]


def test_two_updates_in_one_comment() -> None:
    records = read_records(STAKEHOLDER + "\n" + STAKEHOLDER.replace("Mitigating", "recovered"))
    assert [r.values["status"] for r in records] == [Status.MITIGATING, Status.RECOVERED]


# --- times, owners, required fields -----------------------------------------------------------


def test_time_without_zone_uses_the_configured_zone() -> None:
    text = SNAPSHOT.replace("2026-11-28 16:50 UTC", "2026-11-28 16:50")
    model = only(text, Config(timezone="Europe/Berlin")).model
    assert isinstance(model, Snapshot)
    assert model.next_checkpoint_at == datetime(
        2026, 11, 28, 16, 50, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert only(text).values["next_checkpoint_at"] == datetime(2026, 11, 28, 16, 50, tzinfo=UTC)


def test_every_block_field_is_required_and_named() -> None:
    record = only("### Incident Command Snapshot\n- Severity: SEV-2\n")
    assert set(errors(record)) == {
        "Incident ID",
        "Incident commander",
        "Current phase",
        "Latest stable revision",
        "Candidate mitigation path",
        "Risk if we wait 30 minutes",
        "Next checkpoint at",
        "Next owner",
    }
    assert errors(record)["Next owner"].startswith('missing; add "- Next owner:"')
    assert record.model is None
    assert record.values == {"severity": Severity.SEV2}


def test_read_record_as_reports_the_missing_heading() -> None:
    body = DECISION.split("\n", 1)[1]
    record = read_record_as(body, "decision")
    assert [f.field for f in record.errors] == ["Checkpoint Decision Record"]
    assert record.values["decision"] is Decision.ROLLBACK


def test_limits_bound_hostile_input() -> None:
    text = "### Checkpoint Decision Record\n" * (MAX_RECORDS + 5)
    assert len(find_records(text)) == MAX_RECORDS
    block = find_records("### Incident Dismissal\n" + "- x: y\n" * (MAX_FIELDS + 20))[0]
    assert len(block.fields) == MAX_FIELDS


def test_findings_carry_levels_and_lines() -> None:
    text = DECISION.replace("rollback", "maybe later")
    record = only(text)
    decision_errors = [f for f in record.findings if f.field == "Decision"]
    assert decision_errors[0].level is Level.ERROR
    assert decision_errors[0].line == 4


def test_docs_describe_every_kind_and_field() -> None:
    docs = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for spec in SPECS.values():
        assert f"**`{spec.kind}` — " in docs, spec.kind
        for field in spec.fields:
            assert f"| {field.label} | `{field.key}` |" in docs, (spec.kind, field.label)


def test_a_misspelt_label_is_read_with_a_warning() -> None:
    text = DECISION.replace("Owner for verification", "Owner for verfication")
    record = only(text)
    assert record.valid, record.errors
    assert record.values["verification_owner"] == ("aiko",)
    [note] = [f for f in record.warnings if f.line == 8]
    assert note.field == "Owner for verification"
    assert note.message.startswith('read "Owner for verfication:" as "Owner for verification"')
