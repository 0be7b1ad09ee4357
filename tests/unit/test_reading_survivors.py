"""The readers' last untested behaviours, each a decision a responder sees in a reply.

Found by ``make mutants``: an owner written on the time's line, the lines and cuts
of the warnings about unknown labels, and values with a trailing comment.
"""

from __future__ import annotations

import pytest

from tests.unit.fake_github import START
from warroom import story
from warroom.config import Config
from warroom.parsing.records import find_records, read_records
from warroom.records.reading import read_block, read_value
from warroom.records.spec import ValueKind

CONFIG = Config()


def _snapshot(checkpoint: str, owner_line: str | None) -> str:
    body = story.snapshot(START).replace(
        "- Next checkpoint at: 2026-11-28 16:30 UTC", f"- Next checkpoint at: {checkpoint}"
    )
    replacement = "" if owner_line is None else f"- Next owner: {owner_line}\n"
    return body.replace("- Next owner: @devi-raman\n", replacement)


def test_two_next_owners_name_everyone_and_keep_the_other_findings() -> None:
    (record,) = read_records(_snapshot("16:40 UTC, @omar", "@ann, @bob"), CONFIG, reference=START)
    assert [(e.field, e.line, e.message) for e in record.errors] == [
        (
            "Next owner",
            12,
            'names @ann, @bob but line 11 ("Next checkpoint at") names @omar; '
            "write one next owner, in one place",
        )
    ]
    # The time's own warning (read without a date) is still there beside the error.
    assert [(w.field, w.line) for w in record.warnings] == [("Next checkpoint at", 11)]


def test_an_unreadable_owner_on_the_times_line_is_reported_on_that_line() -> None:
    (record,) = read_records(_snapshot("16:40 UTC, @omar!!", None), CONFIG, reference=START)
    (error,) = record.errors
    assert (error.field, error.line) == ("Next owner", 11)
    assert error.message.startswith('the owner after the time on the "Next checkpoint at" line')


def test_the_owner_on_the_times_line_is_what_the_field_holds() -> None:
    (block,) = find_records(_snapshot("16:40 UTC, @omar", None))
    values, raw, _ = read_block(block, CONFIG, START)
    assert raw["next_owner"] == "@omar"
    assert values["next_owner"] == ("omar",)


def test_an_unreadable_optional_field_warns_on_its_own_line() -> None:
    (record,) = read_records(story.decision(START) + "- Severity: SEV-9\n", CONFIG, reference=START)
    (warning,) = [w for w in record.warnings if w.field == "Severity"]
    assert warning.line == 13
    assert warning.message.endswith("(not read; the rest of the record stands)")
    assert record.valid


def test_an_unknown_label_is_named_cut_at_forty_characters() -> None:
    label = "Verification signal to watch on the dashboard panel"
    body = story.decision(START).replace("- Verification signal:", f"- {label}:")
    (record,) = read_records(body, CONFIG, reference=START)
    (unknown,) = [w for w in record.warnings if w.line == 11]
    assert unknown.field == label[:39] + "…"
    assert unknown.message.endswith('did you mean "Verification signal"?')


def test_a_missing_field_points_at_its_look_alike_cut_at_forty_characters() -> None:
    label = "Decision taken by the incident commander after review"
    body = story.decision(START).replace("- Decision: rollback", f"- {label}: rollback")
    (record,) = read_records(body, CONFIG, reference=START)
    (error,) = record.errors
    assert f'(line 4 has "{label[:39]}…": if that is this field, write "Decision:")' in (
        error.message
    )


def test_no_suggestions_when_none_are_asked_for() -> None:
    body = story.decision(START).replace("- Verification signal:", "- Verification signals seen:")
    (block,) = find_records(body)
    _, _, findings = read_block(block, CONFIG, START, suggest=0)
    assert not [f for f in findings if "did you mean" in f.message]
    _, _, findings = read_block(block, CONFIG, START, suggest=1)
    assert [f for f in findings if "did you mean" in f.message]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        pytest.param(
            "*rollback* (as agreed)", "rollback", id="emphasis-around-a-value-with-a-comment"
        ),
        pytest.param("`rollback`, then watch", "rollback", id="code-span-value-then-a-comment"),
    ],
)
def test_a_value_with_a_trailing_comment_is_read_without_its_decoration(
    raw: str, value: str
) -> None:
    assert str(read_value(ValueKind.DECISION, raw, CONFIG.zone)) == value


def test_a_reminder_with_no_owner_calls_on_the_incident_commander() -> None:
    """An overdue item whose lane has nobody named still pages someone, in words."""
    from tests.unit.test_closure_gate_table import _incident
    from warroom.plan import _reminder
    from warroom.render import render
    from warroom.rules.clock import ClockItem

    item = ClockItem("comms", "next stakeholder update", START, (), True, "comms-1")
    body = _reminder(item, _incident([]), CONFIG, render).body
    assert "⏰ incident commander: **next stakeholder update** was due" in body
