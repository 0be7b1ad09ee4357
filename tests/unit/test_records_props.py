"""Properties of the record parser: any text is safe, and templates round-trip.

Hostile text is built from the pieces that steer the parser (headings,
labels, fences, HTML comments, CR/LF, Unicode) as well as from raw random
text, up to GitHub's 65,536-character body limit. Timings are measured in
``bench/``, not asserted here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.check import check_text, format_json, format_text
from warroom.parsing.records import find_records, read_records
from warroom.parsing.values import is_placeholder
from warroom.records.reading import says_none
from warroom.records.spec import ENUMS, RECORD_KINDS, SPECS, ValueKind
from warroom.render import render_record

BODY_LIMIT = 65_536

PIECES = st.sampled_from(
    [
        "### Incident Command Snapshot",
        "### Checkpoint Decision Record",
        "**Incident Leadership Note**",
        "[INCIDENT][SEV-1] ",
        "[INCIDENT][",
        "Status: mitigating",
        "Customer impact: ",
        "### Verification Rerun Record",
        "### Hardening Follow-up",
        "- Decision: ",
        "**Severity:** ",
        "* Next owner: @",
        "  - ",
        "1. ",
        "Timestamp: 2026-11-28 16:20",
        " UTC",
        "```",
        "~~~",
        "<!--",
        "-->",
        "---",
        "# ",
        "> ",
        "\n",
        "\r\n",
        "\r",
        "\t",
        ":",
        "(",
        ")",
        "@",
        "|",
        "{{ 7*7 }}",
        "{% for x in y %}",
        "\u2028",
        "\ufeff",
        "\x00",
        "é",
        "🧭",
    ]
)
STRUCTURED = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=80).map("".join)


def _check_everything(text: str) -> None:
    blocks = find_records(text)
    records = read_records(text)
    assert [b.kind for b in blocks] == [r.kind for r in records]
    lines = text.count("\n") + text.count("\r") + 1
    for record in records:
        assert record.kind in RECORD_KINDS
        assert 1 <= record.line <= record.end_line <= lines
        assert 0 <= record.start <= record.end <= len(text)
        assert record.valid == (record.model is not None)
        for finding in record.findings:
            assert finding.field
            assert finding.message
            assert finding.line is None or 1 <= finding.line <= lines
        record.to_json()
    result = check_text(text)
    format_text("x.md", result)
    format_json("x.md", result)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=2_000))
def test_random_text_never_raises(text: str) -> None:
    _check_everything(text)


@settings(max_examples=200, deadline=None)
@given(STRUCTURED)
def test_structured_hostile_text_never_raises(text: str) -> None:
    _check_everything(text)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(STRUCTURED.filter(bool))
def test_text_at_the_body_limit_never_raises(seed: str) -> None:
    text = (seed * (BODY_LIMIT // len(seed) + 1))[:BODY_LIMIT]
    _check_everything(text)


# --- round trip: a template filled with valid values reads back as those values ---------------

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_WORD = st.builds(
    str.__add__, st.sampled_from(_ALNUM), st.text(alphabet=_ALNUM + ",.;'%=+/-", max_size=11)
)
_LINE = st.lists(_WORD, min_size=1, max_size=6).map(" ".join)
TEXT = (
    st.lists(_LINE, min_size=1, max_size=3)
    .map("\n".join)
    .filter(lambda text: not is_placeholder(text) and not says_none(text))
)
ONE_LINE = _LINE.filter(lambda text: not is_placeholder(text))
_CODE_LINE = st.builds(
    lambda head, body, tail: head + body + tail,
    st.sampled_from("$#" + _ALNUM),
    st.text(alphabet=_ALNUM + " _.:/|'\"=-", max_size=30),
    st.sampled_from(_ALNUM + "'\""),
)
CODE = st.lists(_CODE_LINE, min_size=1, max_size=4).map("\n".join)
LOGINS = st.lists(
    st.lists(st.text(alphabet=_ALNUM, min_size=1, max_size=6), min_size=1, max_size=3).map(
        "-".join
    ),
    min_size=1,
    max_size=3,
    unique_by=str.lower,
).map(tuple)
PATHS = st.lists(
    st.builds(
        str.__add__,
        st.sampled_from(_ALNUM),
        st.text(alphabet=_ALNUM + "/._*?-", max_size=20),
    ),
    min_size=1,
    max_size=4,
    unique=True,
).map(tuple)
TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda moment: moment.replace(second=0, microsecond=0, tzinfo=UTC)
)


def _strategy(kind: ValueKind) -> st.SearchStrategy[Any]:
    if kind in ENUMS:
        return st.sampled_from(list(ENUMS[kind]))
    return {
        ValueKind.TEXT: TEXT,
        ValueKind.CODE: CODE,
        ValueKind.LOGINS: LOGINS,
        ValueKind.PATHS: PATHS,
        ValueKind.TIME: TIMES,
        ValueKind.DATE: st.dates(),
    }[kind]


@st.composite
def filled(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(RECORD_KINDS))
    values: dict[str, Any] = {}
    for spec in SPECS[kind].fields:
        one_line = kind == "escalation" and spec.key == "summary"
        values[spec.key] = draw(ONE_LINE if one_line else _strategy(spec.value))
    if kind == "dismissal":
        values["evidence"] += f" #{draw(st.integers(1, 99_999))}"
    return kind, values


@settings(max_examples=200, deadline=None)
@given(filled())
def test_filled_templates_read_back_as_their_values(case: tuple[str, dict[str, Any]]) -> None:
    kind, values = case
    text = render_record(kind, values)
    [record] = read_records(text)
    assert record.kind == kind
    assert record.valid, (text, record.errors)
    for key, value in values.items():
        assert record.values[key] == value, (key, text)
