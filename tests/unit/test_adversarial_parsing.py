"""Hostile bodies up to 65,536 characters read the way they should, and nothing breaks on them.

Anyone who can comment can post these, and every run on the incident reads
them. Each family (runs of spaces, colons, backticks, ``#``, ``>``, ``|``,
list markers, empty headings, fences and comments that never close) is fed
to the record parser and the form parser, and each body states what they must
find (``tests/support/hostile.py``). Speed is not asserted here: linearity is
guaranteed by the regex audit (``test_regex_audit.py``) and the 50 ms goal is
timed by ``make bench`` on the same bodies.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.hostile import LIMIT, Body, bodies
from tests.unit.test_regex_audit import OLD_STATUS, OLD_SUBJECT
from warroom.check import check_text, format_text
from warroom.config import DEFAULT_CONFIG
from warroom.parsing import forms, records
from warroom.parsing.forms import bundled_form, check_form, looks_like_form, parse_form
from warroom.parsing.records import find_records, read_records, unread_starts
from warroom.records.spec import STAKEHOLDER

INCIDENT = bundled_form("incident")
BODIES = bodies()


@pytest.mark.parametrize("body", BODIES, ids=[b.id for b in BODIES])
def test_record_parser_reads_what_the_body_holds(body: Body) -> None:
    assert len(body.text) <= LIMIT
    found = read_records(body.text)
    assert tuple(record.kind for record in found) == body.records
    lines = body.text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for record in found:
        assert 1 <= record.block.line <= record.block.end_line <= lines
        assert all(1 <= (f.line or 1) <= lines for f in record.findings)
    unread_starts(body.text)  # what `warroom check` says about quoted or fenced records


@pytest.mark.parametrize("body", BODIES, ids=[b.id for b in BODIES])
def test_form_parser_reads_what_the_body_holds(body: Body) -> None:
    assert parse_form(body.text, INCIDENT).record() == body.form
    assert looks_like_form(body.text, INCIDENT) is body.filed
    result = check_form(body.text, INCIDENT, DEFAULT_CONFIG)
    assert result.kind == "form"
    required = [f.label for f in INCIDENT.fields if f.required and f.id not in body.form]
    reported = {finding.field for finding in result.errors}
    assert set(required) <= reported  # every unanswered required field is named


@pytest.mark.parametrize("body", BODIES, ids=[b.id for b in BODIES])
def test_warroom_check_reports_on_every_hostile_body(body: Body) -> None:
    result = check_text(body.text)
    if body.records:
        assert result.kind == (body.records[0] if len(body.records) == 1 else "bundle")
    elif body.filed:
        assert result.kind == "form"
    else:
        assert result.kind == "unknown"
    report = format_text("comment.md", result)
    assert report.endswith("\n")
    assert len(report) < 200_000  # one line per finding, not one per hostile line


def test_a_form_body_is_cut_once_however_many_forms_are_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """16k empty headings cost twice the budget's half when each form cut the body again."""
    cuts = 0
    fence_spans = forms._fence_spans

    def counting(text: str) -> list[tuple[int, int]]:
        nonlocal cuts
        cuts += 1
        return fence_spans(text)

    monkeypatch.setattr(forms, "_fence_spans", counting)
    assert check_text("###\n" * (LIMIT // 4)).kind == "unknown"  # tried both bundled forms
    assert cuts == 1
    cuts = 0
    example = "### Summary\n\nx\n\n### Severity\n\nSEV-1\n"
    assert check_text(example).kind == "form"  # recognised, then checked
    assert cuts == 1


# --- any mix of hostile runs --------------------------------------------------------------

RUNS = st.sampled_from(
    [
        " ",
        "\t",
        ":",
        "`",
        "```\n",
        "~~~\n",
        "#",
        "### \n",
        "###\n",
        ">",
        "> ",
        "|",
        "- ",
        "* ",
        "1. ",
        "\n",
        "\r\n",
        "<!--",
        "-->",
        "**",
        "_",
        "(",
        "[",
        "]",
        "@",
        "&lt;",
        "Status",
        "Status:",
        "Customer impact:",
        "Subject:",
        "[INCIDENT]",
        "[SEV-1]",
        "### Checkpoint Decision Record\n",
        "- Decision:",
        "### Summary\n\n",
        "### Severity\n\n",
    ]
)


@st.composite
def hostile_bodies(draw: st.DrawFn) -> str:
    """A few runs, each of one hostile piece repeated up to thousands of times, up to 64 KiB."""
    pieces = draw(st.lists(st.tuples(RUNS, st.integers(1, 20_000)), min_size=1, max_size=6))
    return "".join(piece * count for piece, count in pieces)[:LIMIT]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_bodies())
def test_any_mix_of_hostile_runs_parses(text: str) -> None:
    blocks = find_records(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert len(blocks) <= records.MAX_RECORDS
    for block in blocks:
        assert 1 <= block.line <= block.end_line <= lines
        assert 0 <= block.start <= block.end <= len(text)
    check_text(text)
    parsed = parse_form(text, INCIDENT)
    assert set(parsed.values) <= set(INCIDENT.ids)
    assert all(1 <= line <= lines for line in parsed.lines.values())


# --- the linear start-line patterns read what the old ones read ------------------------------

OLD_STAKEHOLDER_FIELD = re.compile(
    r"^[ \t]{0,3}(?:[-*+][ \t]+)?(?:\*\*|__|\*|_)?[ \t]*(?:"
    + "|".join(
        r"[\W_]*".join(re.findall(r"[a-z0-9]+", name.lower()))
        for spec in STAKEHOLDER.fields
        if spec.key != "status"
        for name in (spec.label, *spec.aliases)
    )
    + r")[ \t]*(?:\([^)\n]{0,60}\))?[ \t]*(?:\*\*|__|\*|_)?[ \t]*:",
    re.M | re.I,
)
TOKENS = st.sampled_from(
    [
        *(" ", "\t", "  ", "-", "*", "+", "#", "##", "_", "`", "**", "__", ":", "(", ")", "[", "]"),
        *("status", "Status", "STATUS", "subject", "incident", "INCIDENT", "SEV-1", "x", "\n"),
        *("Customer impact", "customer-impact", "Next update", "(UTC)", "(note)"),
    ]
)


@settings(max_examples=3_000, deadline=None)
@given(st.lists(TOKENS, max_size=14).map("".join))
def test_start_line_patterns_match_what_the_old_ones_matched(line: str) -> None:
    """Short lines only: on long runs of blanks the old patterns are the ReDoS being fixed."""
    for new, old, how in (
        (records._STATUS, re.compile(OLD_STATUS, re.I), "match"),
        (records._SUBJECT, re.compile(OLD_SUBJECT, re.I), "fullmatch"),
        (records._STAKEHOLDER_FIELD, OLD_STAKEHOLDER_FIELD, "search"),
    ):
        ours, theirs = getattr(new, how)(line), getattr(old, how)(line)
        assert (ours is None) == (theirs is None), (new.pattern, line)
        if ours is not None and theirs is not None:
            assert ours.span() == theirs.span()
            assert ours.groupdict() == theirs.groupdict()
