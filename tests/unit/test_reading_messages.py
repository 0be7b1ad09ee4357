"""What the record reader writes back to people, to the character: values, cut-offs, and
what to write when a field is missing or blank.

Messages are the product here: each says which field and what to write instead, and a
value warroom writes must read back the same. Each row names the case it guards.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from tests.unit.fake_github import START
from warroom import story
from warroom.config import Config
from warroom.model import Level, Severity
from warroom.parsing.records import read_records
from warroom.records.reading import _short, is_blank, is_unfilled, missing_message, write_value
from warroom.records.spec import SPECS, ValueKind

PLUS_ONE = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        pytest.param(ValueKind.LOGINS, ("mara", "li"), "@mara, @li", id="logins"),
        pytest.param(
            ValueKind.TIME,
            datetime(2026, 11, 28, 17, 20, tzinfo=PLUS_ONE),
            "2026-11-28 16:20 UTC",
            id="time-in-utc-to-the-minute",
        ),
        pytest.param(
            ValueKind.TIME,
            datetime(2026, 11, 28, 16, 20, 5, tzinfo=UTC),
            "2026-11-28 16:20:05 UTC",
            id="time-with-seconds",
        ),
        pytest.param(
            ValueKind.TIME,
            datetime(2026, 11, 28, 16, 20, 0, 500, tzinfo=UTC),
            "2026-11-28 16:20:00 UTC",
            id="time-with-only-microseconds-keeps-seconds",
        ),
        pytest.param(ValueKind.DATE, date(2026, 12, 1), "2026-12-01", id="date"),
        pytest.param(ValueKind.SEVERITY, Severity.SEV2, "SEV-2", id="enum-by-value"),
        pytest.param(
            ValueKind.TEXT,
            datetime(2026, 11, 28, 16, 20, tzinfo=UTC),
            "2026-11-28 16:20:00+00:00",
            id="a-time-for-another-kind-is-plain-str",
        ),
        pytest.param(ValueKind.TEXT, "as written", "as written", id="text-unchanged"),
        pytest.param(ValueKind.TEXT, 3, "3", id="other-as-str"),
    ],
)
def test_write_value(kind: ValueKind, value: Any, text: str) -> None:
    assert write_value(kind, value) == text


@pytest.fixture
def new_york() -> Iterator[None]:
    """The machine's zone set away from UTC, as on a runner in another zone."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "America/New_York")
        time.tzset()
        yield
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_write_value_is_utc_whatever_the_machine_s_zone() -> None:
    value = datetime(2026, 11, 28, 16, 20, tzinfo=UTC)
    assert write_value(ValueKind.TIME, value) == "2026-11-28 16:20 UTC"


@pytest.mark.parametrize(
    ("text", "limit", "short"),
    [
        pytest.param("a" * 60, 60, "a" * 60, id="exactly-the-limit-is-kept"),
        pytest.param("a" * 61, 60, "a" * 59 + "…", id="one-over-is-cut-with-an-ellipsis"),
        pytest.param("a" * 41, 40, "a" * 39 + "…", id="forty"),
        pytest.param("a \n  b", 60, "a b", id="one-line"),
    ],
)
def test_short(text: str, limit: int, short: str) -> None:
    assert _short(text, limit) == short


def test_short_defaults_to_sixty() -> None:
    assert _short("a" * 61) == "a" * 59 + "…"
    assert _short("a" * 60) == "a" * 60


@pytest.mark.parametrize(
    ("kind", "key", "message"),
    [
        pytest.param(
            "escalation",
            "severity",
            'missing; start the message with "[INCIDENT][SEV-1] <short summary>"',
            id="subject-severity-starts-the-message",
        ),
        pytest.param(
            "escalation",
            "summary",
            'missing; start the message with "[INCIDENT][SEV-1] <short summary>"',
            id="subject-summary-starts-the-message",
        ),
        pytest.param(
            "escalation",
            "impact",
            'missing; add "Impact:" to the block with the users and systems affected',
            id="subject-other-field-no-bullet",
        ),
        pytest.param(
            "stakeholder",
            "customer_impact",
            'missing; add "Customer impact:" to the block with the impact on customers, '
            "in plain language",
            id="status-start-no-bullet",
        ),
        pytest.param(
            "decision",
            "decision",
            'missing; add "- Decision:" to the block with one of "continue mitigation", '
            '"rollback", "escalate+pause"',
            id="heading-start-bullet",
        ),
    ],
)
def test_missing_message(kind: str, key: str, message: str) -> None:
    spec = SPECS[kind]
    field = next(f for f in spec.fields if f.key == key)
    assert missing_message(spec, field) == message


def test_a_required_field_written_blank_is_an_error_on_its_line() -> None:
    body = story.decision(START).replace("- Decision: rollback", "- Decision:")
    (record,) = read_records(body, Config(), reference=START)
    assert [(e.field, e.message, e.level, e.line) for e in record.errors] == [
        (
            "Decision",
            'is empty; write one of "continue mitigation", "rollback", "escalate+pause"',
            Level.ERROR,
            4,
        )
    ]


@pytest.mark.parametrize(
    ("raw", "text", "enum", "code"),
    [
        pytest.param("TBD", True, True, True, id="tbd-is-blank-for-every-kind"),
        pytest.param("```\n```", False, True, True, id="empty-fence-is-text-as-written"),
        pytest.param("`<time>`", False, True, False, id="hint-in-backticks-is-text-and-code"),
    ],
)
def test_is_blank_reads_each_kind_its_own_way(raw: str, text: bool, enum: bool, code: bool) -> None:
    assert is_blank(ValueKind.TEXT, raw) is text
    assert is_blank(ValueKind.SEVERITY, raw) is enum
    assert is_blank(ValueKind.CODE, raw) is code


def test_is_unfilled_asks_the_field_s_own_kind() -> None:
    field = next(f for f in SPECS["decision"].fields if f.key == "evidence_reviewed")
    assert field.value is ValueKind.TEXT
    assert is_unfilled(field, "`<time>`") is False
    assert is_unfilled(field, "TBD") is True
