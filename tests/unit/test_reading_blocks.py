"""Whole record blocks as the reader sees them: fences that hold blank lines, the incident
a duplicate points at, and a missing field's message when nothing in the block resembles it.
"""

from __future__ import annotations

import pytest

from tests.unit.fake_github import START
from warroom import story
from warroom.config import Config
from warroom.parsing.records import read_records
from warroom.records.reading import code_value


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param("```\na\n\nb\n```", "a\n\nb", id="blank-line-inside-a-fence-stays-inside"),
        pytest.param("~~~\na\n\n~~~\nafter", "a", id="tilde-fence-closes-on-its-own-line"),
        pytest.param("```\na\n```x\nb\n```", "a\n```x\nb", id="fence-with-text-does-not-close"),
        pytest.param("```\na\n``\nb\n```", "a\n``\nb", id="shorter-run-does-not-close"),
    ],
)
def test_code_value(raw: str, code: str) -> None:
    code_value.cache_clear()  # computed here, not remembered from another test's call
    assert code_value(raw) == code


def test_a_duplicate_points_at_the_first_incident_its_evidence_names() -> None:
    body = (
        story.dismissal()
        .replace("- Reason: false alarm", "- Reason: duplicate")
        .replace("- Evidence: the alert", "- Evidence: duplicate of #12 and #14; the alert")
    )
    (record,) = read_records(body, Config(), reference=START)
    assert record.errors == ()
    assert record.model is not None
    assert record.model.duplicate_of == 12  # type: ignore[union-attr]


def test_a_missing_field_with_no_look_alike_says_only_what_to_add() -> None:
    body = story.decision(START).replace("- Decision: rollback\n", "")
    (record,) = read_records(body, Config(), reference=START)
    assert [(e.field, e.message, e.line) for e in record.errors] == [
        (
            "Decision",
            'missing; add "- Decision:" to the block with one of "continue mitigation", '
            '"rollback", "escalate+pause"',
            1,
        )
    ]
