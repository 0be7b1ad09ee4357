"""The report's formats and reads: the same numbers in each, text made inert, few requests.

A report built from hand-made rows is printed in every format; JSON and CSV
must agree cell for cell; a hostile reason (what a forged reopen notice could
carry) must not ping in Markdown nor run in HTML. The shell's reads are counted
on a fake adapter.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.fake_github import START, make_comment, make_issue
from tests.unit.incident_support import incident_from
from warroom import authority, story
from warroom.cli import cli
from warroom.config import Config
from warroom.effects import UpsertComment
from warroom.errors import UsageError
from warroom.github.adapter import _last_page
from warroom.markers import encode_state, marker, quote
from warroom.model import CommentSnapshot, IssueSnapshot
from warroom.plan import _undo_early_close, evaluate_gate
from warroom.render import render
from warroom.report import charts, metrics
from warroom.report.metrics import ALL, FollowUps, Punctuality, Report, Row, Stat
from warroom.report.reading import NO_DISMISSAL, blocked_closure, follow_up_issue
from warroom.report.table import COLUMNS, duration
from warroom.report.to_csv import render_csv
from warroom.report.to_html import render_html
from warroom.report.to_json import render_json
from warroom.report.to_markdown import render_markdown
from warroom.run_report import one_listing, progress_line, read, report_main

HOSTILE = "<script>alert(1)</script> @everyone {{ 7*7 }} [x](https://evil.test) =1+1"


def _report() -> Report:
    row = Row(
        severity="SEV-1",
        month="2024-05",
        incidents=3,
        closed=2,
        dismissed=1,
        time_to_owner=Stat(2, 0.0, 0.0),
        time_to_first_checkpoint=Stat(2, 12.5, 20.0),
        time_to_mitigation=Stat(1, 95.0, 95.0),
        time_to_closure=Stat(2, 3000.0, 4000.0),
        checkpoints=Punctuality(4, 3),
        updates=Punctuality(3, 1),
        closures_blocked=2,
        blocked_by=((HOSTILE, 2), ("comms timeline complete", 1)),
        follow_ups=FollowUps(2, 1, 1),
        reviews_held=1,
    )
    rows = (
        row,
        Row("SEV-1", ALL, incidents=3),
        Row(ALL, "2024-04"),
        Row(ALL, "2024-05", incidents=3, blocked_by=row.blocked_by),
        Row(ALL, ALL, incidents=3, blocked_by=row.blocked_by, closures_blocked=2),
    )
    when = datetime(2024, 5, 20, 9, 30, tzinfo=UTC)
    return Report(when, date(2024, 4, 1), ("2024-04", "2024-05"), ("SEV-1",), rows)


def test_json_and_csv_carry_the_same_numbers() -> None:
    document = json.loads(render_json(_report()))
    lines = list(csv.DictReader(io.StringIO(render_csv(_report()))))
    assert document["columns"] == list(COLUMNS)
    assert len(lines) == len(document["rows"]) == 5
    for line, row in zip(lines, document["rows"], strict=True):
        assert list(line) == list(COLUMNS)
        for column in COLUMNS:
            value = row[column]
            if column == "blocked_by":
                assert line[column] == "; ".join(f"{k} ({n})" for k, n in value.items())
            elif value is None:
                assert line[column] == ""
            else:
                assert line[column] == str(value), column
    first = document["rows"][0]
    assert first["checkpoint_punctuality"] == 0.75
    assert first["update_punctuality"] == 0.333
    assert first["time_to_closure_p90_minutes"] == 4000.0
    assert document["rows"][1]["time_to_closure_median_minutes"] is None


def test_a_csv_cell_never_starts_a_formula() -> None:
    row = Row("=cmd", ALL, blocked_by=(("=HYPERLINK(1)", 1),))
    report = Report(START, None, ("2026-11",), ("=cmd",), (row,))
    (line,) = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert line["severity"] == "'=cmd"
    assert line["blocked_by"].startswith("'=")


def test_markdown_quotes_what_it_did_not_write_and_charts_every_month() -> None:
    text = render_markdown(_report())
    assert "@everyone" not in text
    assert "[x](https://" not in text  # the link is escaped and its scheme broken
    assert "<script>" not in text
    assert "&lt;script>alert(1)&lt;/script>" in text  # shown as text, as people wrote it
    assert "{{ 7*7 }}" in text  # data, never template code
    assert text.count("```mermaid\nxychart-beta\n") == 4
    assert '    x-axis ["2024-04", "2024-05"]\n' in text
    assert "    bar [0, 3]\n" in text  # the empty April is drawn as 0
    assert "| SEV-1 | 2024-05 | 3 | 2 | 1 | 0m / 0m | 12m / 20m | 1h 35m / 1h 35m |" in text
    assert "2d 2h / 2d 18h | 3/4 (75 %) | 1/3 (33 %) | 2 | 2 / 1 / 1 | 1 |" in text
    assert "incidents opened since 2024-04-01 · 3 incidents" in text


def test_html_is_one_page_that_escapes_everything_and_loads_nothing() -> None:
    page = render_html(_report())
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "src=" not in page
    assert "href=" not in page
    assert "default-src 'none'" in page
    assert page.count("<svg ") == 4
    assert page.count('<rect class="bar"') == 3 + 0 + 0 + 1  # months with a value only


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [
        pytest.param(0.0, 1.0, id="zero-still-has-an-axis"),
        pytest.param(1.0, 1.0, id="one"),
        pytest.param(3.0, 5.0, id="three-to-five"),
        pytest.param(11.0, 20.0, id="eleven-to-twenty"),
        pytest.param(21.0, 25.0, id="twenty-one-to-twenty-five"),
        pytest.param(100.0, 100.0, id="a-round-hundred-stays"),
        pytest.param(101.0, 200.0, id="just-over-a-hundred"),
    ],
)
def test_the_axis_top_is_a_readable_number(value: float, ceiling: float) -> None:
    assert charts.nice_ceiling(value) == ceiling


def test_bars_are_as_tall_as_their_values_and_missing_ones_are_not_drawn() -> None:
    chart = charts.ChartData(
        "x", "X", "n", ("a", "b", "c"), (charts.Series("s", (5.0, None, 2.5)),)
    )
    drawn = charts.layout(chart, width=400, height=200)
    left, top, right, bottom = drawn.plot
    assert [b.title for b in drawn.bars] == ["s, a: 5 n", "s, c: 2.5 n"]
    assert drawn.bars[0].height == bottom - top  # 5 is the top of the axis
    assert drawn.bars[1].height == pytest.approx((bottom - top) / 2, abs=0.01)
    assert all(left <= b.x and b.x + b.width <= right for b in drawn.bars)
    assert [t.label for t in drawn.ticks] == ["0", "1.25", "2.5", "3.75", "5"]


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        pytest.param(None, "—", id="none"),
        pytest.param(0.4, "0m", id="under-a-minute"),
        pytest.param(59.6, "1h 00m", id="rounds-up-to-an-hour"),
        pytest.param(95, "1h 35m", id="hours-and-minutes"),
        pytest.param(47 * 60 + 59, "47h 59m", id="under-two-days"),
        pytest.param(50 * 60, "2d 2h", id="days-and-hours"),
    ],
)
def test_durations_read_as_people_say_them(minutes: float | None, text: str) -> None:
    assert duration(minutes) == text


@pytest.mark.parametrize(
    ("done", "total", "line"),
    [
        pytest.param(0, 4, "\rreading incidents [..........] 0/4", id="start"),
        pytest.param(2, 4, "\rreading incidents [#####.....] 2/4", id="half"),
        pytest.param(4, 4, "\rreading incidents [##########] 4/4", id="done"),
        pytest.param(7, 100, "\rreading incidents [..........]   7/100", id="count-aligned"),
    ],
)
def test_the_progress_bar(done: int, total: int, line: str) -> None:
    assert progress_line(done, total, width=10) == line


# -- reading warroom's own writing ----------------------------------------------------------


def _notice(body: str, *, bot: bool = True) -> CommentSnapshot:
    return make_comment(body, author="github-actions[bot]" if bot else "mallory", bot=bot)


@pytest.mark.parametrize(
    ("body", "bot", "reasons"),
    [
        pytest.param(
            f"{marker('reopened', '1.1714567')}\nThis incident was reopened: it was closed "
            "before the closure gate was met.\n\n- **mitigation executed** (none): post one\n"
            "- **comms timeline complete** (no update): post one\n",
            True,
            ("mitigation executed", "comms timeline complete"),
            id="gate-notice-lists-its-conditions",
        ),
        pytest.param(
            f"{marker('reopened', '1.1714567')}\nThis incident was reopened: it was closed as "
            "not planned without an Incident Dismissal record.\n\n- Reason: false alarm\n",
            True,
            (NO_DISMISSAL,),
            id="dismissal-notice",
        ),
        pytest.param(
            f"{marker('reopened', '1.1714567')}\n- **mitigation executed** (none): post one\n",
            False,
            None,
            id="a-person-quoting-a-notice-counts-for-nothing",
        ),
        pytest.param(
            f"{marker('reminder', '1.x')}\n- **mitigation executed** (none): post one\n",
            True,
            None,
            id="another-kind-of-warroom-comment",
        ),
    ],
)
def test_a_reopen_notice_says_which_conditions_blocked_the_closure(
    body: str, bot: bool, reasons: tuple[str, ...] | None
) -> None:
    found = blocked_closure(_notice(body, bot=bot))
    assert (found.reasons if found is not None else None) == reasons


def _follow_up_body(key: str, *, due: str = "2026-12-02", proof: str = "") -> str:
    return (
        f"{marker('follow-up', key)}{proof}\n### Incident\n\n#7\n\n### Kind\n\nregression test\n\n"
        f"### Owner\n\n@aiko\n\n### Due date\n\n{due}\n\n### Acceptance criteria\n\nit runs\n"
    )


def _bot_issue(body: str, **kw: object) -> IssueSnapshot:
    return make_issue(body, number=40, labels=("hardening",), author_is_bot=True, **kw)


@pytest.mark.parametrize(
    ("issue", "key", "expected"),
    [
        pytest.param(
            _bot_issue(_follow_up_body("7.1.0")),
            "",
            (7, date(2026, 12, 2), False),
            id="open-follow-up",
        ),
        pytest.param(
            _bot_issue(_follow_up_body("7.1.0"), state="closed"),
            "",
            (7, date(2026, 12, 2), True),
            id="closed-is-done",
        ),
        pytest.param(
            _bot_issue(_follow_up_body("7.1.0", due="someday")),
            "",
            (7, None, False),
            id="no-readable-due-date",
        ),
        pytest.param(
            make_issue(_follow_up_body("7.1.0"), number=40),
            "",
            None,
            id="a-persons-issue-is-no-follow-up",
        ),
        pytest.param(
            _bot_issue(_follow_up_body("7.1.0")), "key", None, id="keyed-needs-warroom-proof"
        ),
        pytest.param(
            _bot_issue(
                _follow_up_body("7.1.0", proof=authority.proof("key", marker("follow-up", "7.1.0")))
            ),
            "key",
            (7, date(2026, 12, 2), False),
            id="keyed-with-proof",
        ),
    ],
)
def test_a_follow_up_issue_is_read_from_what_warroom_wrote(
    issue: IssueSnapshot, key: str, expected: tuple[int, date | None, bool] | None
) -> None:
    found = follow_up_issue(issue, key)
    assert (None if found is None else (found.incident, found.due, found.closed)) == expected


# -- the reads ----------------------------------------------------------------------------------


class _Adapter:
    """Just the reads the report makes, each recorded."""

    def __init__(self, issues: list[IssueSnapshot], comments: dict[int, list[CommentSnapshot]]):
        self.issues = issues
        self.by_issue = comments
        self.calls: list[str] = []
        self.repository_comments = 0

    def open_issues(self, label: str) -> list[IssueSnapshot]:
        self.calls.append(f"open {label}")
        return [i for i in self.issues if i.state == "open" and label in i.labels]

    def closed_issues(self, label: str, since: datetime) -> list[IssueSnapshot]:
        self.calls.append(f"closed {label}")
        return [i for i in self.issues if i.state == "closed" and label in i.labels]

    def comments_since(self, since: datetime) -> list[tuple[int, CommentSnapshot]]:
        self.calls.append("comments")
        return [
            (n, c) for n, found in self.by_issue.items() for c in found if c.created_at >= since
        ]

    def comment_count_since(self, since: datetime) -> int:
        self.calls.append("count comments")
        return self.repository_comments

    def comments(self, number: int) -> list[CommentSnapshot]:
        self.calls.append(f"comments #{number}")
        return list(self.by_issue.get(number, []))

    def collaborators(self, at_least: str) -> dict[str, str] | None:
        self.calls.append("collaborators")
        return {story.COMMANDER: "write"}

    def permission(self, login: str) -> str:
        self.calls.append(f"permission {login}")
        return "read"

    def team_member(self, team: str, login: str) -> bool:
        self.calls.append(f"team {login}")
        return False


def test_the_reads_are_listings_and_one_question_per_unlisted_author() -> None:
    body = story.incident_body()
    issues = [
        make_issue(body, number=1, comment_count=2),
        make_issue(body, number=2, comment_count=0, state="closed", closed_at=START),
        make_issue(body, number=3, created_at=START - timedelta(days=400)),  # before --since
    ]
    comments = {
        1: [
            make_comment(story.snapshot(START), author=story.COMMANDER, minutes=5, ident=1),
            make_comment(story.snapshot(START), author="outsider", minutes=6, ident=2),
        ],
        3: [make_comment("old", minutes=-400 * 24 * 60, ident=3)],
    }
    adapter = _Adapter(issues, comments)
    found = read(adapter, Config(), since=date(2026, 1, 1))
    assert adapter.calls == [
        "open incident",
        "closed incident",
        "comments #1",  # one page of its own: never more than the repository's listing
        "open hardening",
        "closed hardening",
        "collaborators",
        "permission outsider",
    ]
    assert [r.incident.number for r in found.incidents] == [1, 2]
    (first, _) = found.incidents
    assert [a.author for a in first.incident.applied] == [story.COMMANDER]  # outsider refused


def test_no_comment_listing_when_no_incident_has_a_comment() -> None:
    issues = [make_issue(story.incident_body(), number=1, comment_count=0)]
    adapter = _Adapter(issues, {})
    read(adapter, Config())
    assert adapter.calls == [
        "open incident",
        "closed incident",
        "open hardening",
        "closed hardening",
    ]


@pytest.mark.parametrize(
    ("counts", "repository", "listing", "asked"),
    [
        pytest.param([None, 3], 0, True, False, id="a-count-unknown-takes-the-listing"),
        pytest.param([0, 0], 0, False, False, id="no-comments-no-listing"),
        pytest.param([250], 0, False, False, id="one-incident-is-never-dearer"),
        pytest.param([10] * 5, 120, True, True, id="five-incidents-two-pages-of-repository"),
        pytest.param([10] * 5, 500, True, True, id="as-dear-takes-the-listing"),
        pytest.param([10] * 5, 501, False, True, id="a-busy-repository-reads-each-incident"),
    ],
)
def test_the_cheaper_way_to_read_the_comments(
    counts: list[int | None], repository: int, listing: bool, asked: bool
) -> None:
    issues = [make_issue("", number=n, comment_count=c) for n, c in enumerate(counts, start=1)]
    questions: list[int] = []

    def count() -> int:
        questions.append(repository)
        return repository

    assert one_listing(issues, count) is listing
    assert bool(questions) is asked


def test_a_busy_repository_reads_only_the_incidents_comments() -> None:
    body = story.incident_body()
    issues = [make_issue(body, number=n, comment_count=1) for n in (1, 2, 3)]
    comments = {
        n: [make_comment(story.snapshot(START), author=story.COMMANDER, ident=n)] for n in (1, 2, 3)
    }
    adapter = _Adapter(issues, comments)
    adapter.repository_comments = 5_000
    found = read(adapter, Config())
    assert adapter.calls[2:6] == ["count comments", "comments #1", "comments #2", "comments #3"]
    assert all(len(r.incident.applied) == 1 for r in found.incidents)


def test_progress_is_reported_per_incident() -> None:
    issues = [make_issue(story.incident_body(), number=n, comment_count=0) for n in (1, 2, 3)]
    seen: list[tuple[int, int]] = []
    read(_Adapter(issues, {}), Config(), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_every_format_prints_an_empty_report() -> None:
    report = metrics.build([], [], Config(), START)
    assert "No incidents." in render_markdown(report)
    assert "No incidents." in render_html(report)
    assert json.loads(render_json(report))["rows"][-1]["incidents"] == 0
    assert render_csv(report).count("\n") == 3


# -- the command ------------------------------------------------------------------------------


def test_report_main_writes_the_chosen_format_to_the_output_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_NOW", "2026-11-28T18:00:00Z")
    issues = [make_issue(story.incident_body(), number=1, comment_count=0)]
    output = tmp_path / "report.csv"
    printed: list[str] = []
    code = report_main(
        since=None,
        fmt="csv",
        output=output,
        echo=printed.append,
        adapter=_Adapter(issues, {}),
        config=Config(),
    )
    assert code == 0
    assert printed == []
    (line, *_) = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert (line["severity"], line["month"], line["incidents"]) == ("SEV-1", "2026-11", "1")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            {"fmt": "pdf"}, "--format: write one of markdown, json, csv, html", id="format"
        ),
        pytest.param(
            {"output": Path("/nonexistent-dir/report.md")},
            "--output: cannot write /nonexistent-dir/report.md",
            id="output-directory-missing",
        ),
    ],
)
def test_report_main_names_the_option_to_fix(options: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {
        "since": None,
        "fmt": "markdown",
        "output": None,
        "echo": print,
        "adapter": _Adapter([], {}),
        "config": Config(),
    }
    with pytest.raises(UsageError, match=re.escape(message)):
        report_main(**(arguments | options))


def test_a_since_that_is_no_date_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["report", "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "--since" in result.output


# -- what warroom writes, read back ------------------------------------------------------------


def test_the_reasons_read_back_are_the_conditions_the_gate_left_unmet() -> None:
    """The reopen notice as the planner writes it, read back by the report."""
    incident = incident_from(
        story.incident_body(), [], number=5, state="closed", closed_at=START + timedelta(hours=1)
    )
    gate = evaluate_gate(incident, Config())
    effects = _undo_early_close(None, incident, gate, Config(), render, "")
    (notice,) = [e for e in effects if isinstance(e, UpsertComment)]
    comment = make_comment(notice.body, author="github-actions[bot]", bot=True)
    found = blocked_closure(comment)
    assert found is not None
    assert found.reasons == tuple(c.title for c in gate.unmet)
    assert len(found.reasons) >= 3


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    incident=st.integers(min_value=1, max_value=10**9),
    due=st.dates(),
    acceptance=st.text(max_size=300),
)
def test_a_follow_up_warroom_wrote_reads_back_whatever_its_acceptance_says(
    incident: int, due: date, acceptance: str
) -> None:
    mark = marker("follow-up", f"{incident}.1.0")
    body = render(
        "follow_up.md.j2",
        {
            "marker": mark,
            "proof": "",
            "incident": incident,
            "kind": "regression test",
            "owner": "@aiko",
            "due": due.isoformat(),
            "acceptance": quote(acceptance),
            "source": "https://github.test/o/r/issues/1#issuecomment-1",
        },
    )
    found = follow_up_issue(_bot_issue(body))
    assert found is not None
    assert (found.incident, found.due) == (incident, due)


@settings(max_examples=100)
@given(body=st.text(max_size=500))
def test_reading_any_bot_comment_or_issue_never_fails(body: str) -> None:
    for text in (body, f"{marker('reopened', '1.2')}\n{body}", f"{marker('follow-up', '1')}{body}"):
        blocked_closure(make_comment(text, author="github-actions[bot]", bot=True))
        follow_up_issue(_bot_issue(text))


@pytest.mark.parametrize(
    ("key", "sealed_with", "counted", "asked"),
    [
        pytest.param("k", "k", True, False, id="sealed-state-counts-someone-who-left"),
        pytest.param("k", "forged", False, True, id="a-forged-seal-is-not-believed"),
        pytest.param("", "k", False, True, id="without-the-key-nothing-is-remembered"),
    ],
)
def test_records_a_run_applied_count_when_warroom_sealed_them(
    key: str, sealed_with: str, counted: bool, asked: bool
) -> None:
    """Someone who has since lost access: their record counts only as the sealed state says."""
    record = make_comment(story.snapshot(START), author="left-the-team", minutes=5, ident=1)
    state = authority.seal({"allowed": authority.remember([record])}, 1, sealed_with)
    status = make_comment(
        f"{marker('status', 1)}\n\n{encode_state(state)}\n",
        author="github-actions[bot]",
        bot=True,
        minutes=1,
        ident=2,
    )
    issues = [make_issue(story.incident_body(), number=1, comment_count=2)]
    adapter = _Adapter(issues, {1: [status, record]})
    found = read(adapter, Config(), state_key=key)
    (reported,) = found.incidents
    assert bool(reported.incident.applied) is counted
    assert ("permission left-the-team" in adapter.calls) is asked


@pytest.mark.parametrize(
    ("link", "count"),
    [
        pytest.param("", 0, id="one-page-no-header"),
        pytest.param(
            '<https://api.test/r/issues/comments?per_page=1&page=2>; rel="next", '
            '<https://api.test/r/issues/comments?per_page=1&page=4321>; rel="last"',
            4321,
            id="last-page-is-the-count",
        ),
        pytest.param(
            '<https://api.test/r/issues/comments?page=1>; rel="first", '
            '<https://api.test/r/issues/comments?page=x>; rel="last"',
            0,
            id="a-page-that-is-no-number",
        ),
    ],
)
def test_the_comment_count_is_the_last_pages_number(link: str, count: int) -> None:
    assert _last_page(link) == count
