"""The report's numbers, row by row: statistics, each measure, grouping by severity and month.

Incidents are built by the shared builder from records as people write them
(``incident_support.incident_from``); times are minutes after the builder's
start, as comments were posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.unit.fake_github import START
from tests.unit.incident_support import Post, incident_from
from warroom import story
from warroom.config import Config
from warroom.incident import Incident
from warroom.report import metrics
from warroom.report.metrics import ALL, Punctuality, Stat
from warroom.report.reading import Blocked, FollowUpIssue, Reported

C, M, V, S = story.COMMANDER, story.MITIGATION, story.VERIFICATION, story.COMMS


def _at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def _incident(
    posts: Sequence[Post] = (),
    *,
    severity: str = "SEV-1",
    closed_at: float | None = None,
    reason: str = "completed",
    number: int = 1,
    created: datetime = START,
    body: str | None = None,
) -> Incident:
    issue: dict[str, object] = {"number": number, "created_at": created}
    if closed_at is not None:
        issue |= {"state": "closed", "closed_at": _at(closed_at), "state_reason": reason}
    return incident_from(body or story.incident_body(severity=severity), list(posts), **issue)


# -- statistics -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        pytest.param([], None, None, id="none-has-no-median"),
        pytest.param([7.0], 7.0, 7.0, id="one-value-is-both"),
        pytest.param([1.0, 2.0], 1.5, 2.0, id="even-count-means-the-middle-two"),
        pytest.param([3.0, 1.0, 2.0], 2.0, 3.0, id="unsorted-input"),
        pytest.param([float(x) for x in range(1, 11)], 5.5, 9.0, id="ten-values-p90-is-the-ninth"),
        pytest.param([float(x) for x in range(1, 12)], 6.0, 10.0, id="eleven-values-rank-ten"),
        pytest.param([5.0] * 4, 5.0, 5.0, id="all-equal"),
        pytest.param([0.0, 0.0, 600.0], 0.0, 600.0, id="one-slow-outlier-shows-in-p90-only"),
    ],
)
def test_median_and_nearest_rank_p90(
    values: list[float], median: float | None, p90: float | None
) -> None:
    assert metrics.median(values) == median
    assert metrics.p90(values) == p90


def test_a_stat_skips_missing_values_and_rounds_to_a_tenth() -> None:
    assert metrics.stat([None, 1.04, None, 2.0]) == Stat(2, 1.5, 2.0)
    assert metrics.stat([None]) == Stat(0, None, None)


@pytest.mark.parametrize(
    ("first", "last", "months"),
    [
        pytest.param("2024-05", "2024-05", ("2024-05",), id="one-month"),
        pytest.param(
            "2024-11", "2025-02", ("2024-11", "2024-12", "2025-01", "2025-02"), id="across-a-year"
        ),
        pytest.param("2024-06", "2024-05", (), id="backwards-is-empty"),
    ],
)
def test_months_between(first: str, last: str, months: tuple[str, ...]) -> None:
    assert metrics.months_between(first, last) == months


# -- one incident's measures ----------------------------------------------------------------


def _snapshot(minutes_ahead: int, owner: str = C) -> str:
    return story.snapshot(START, next_in=minutes_ahead, owner=owner)


@pytest.mark.parametrize(
    ("posts", "closed_at", "now", "expected"),
    [
        pytest.param([], None, 120, Punctuality(0, 0), id="nothing-committed"),
        pytest.param(
            [(C, 5, _snapshot(30)), (C, 29, _snapshot(60))],
            None,
            45,
            Punctuality(1, 1),
            id="next-posted-before-due-is-on-time-the-next-not-yet-due",
        ),
        pytest.param(
            [(C, 5, _snapshot(30)), (C, 30, _snapshot(60))],
            None,
            45,
            Punctuality(1, 1),
            id="posted-at-the-minute-is-on-time",
        ),
        pytest.param(
            [(C, 5, _snapshot(30)), (C, 40, _snapshot(90))],
            None,
            45,
            Punctuality(1, 0),
            id="posted-after-due-is-late",
        ),
        pytest.param(
            [(C, 5, _snapshot(30))], None, 45, Punctuality(1, 0), id="never-posted-while-open"
        ),
        pytest.param(
            [(C, 5, _snapshot(30))], None, 20, Punctuality(0, 0), id="not-yet-due-is-not-counted"
        ),
        pytest.param(
            [(C, 5, _snapshot(30))], 25, 120, Punctuality(0, 0), id="due-after-closure-not-counted"
        ),
        pytest.param(
            [(C, 5, _snapshot(30))], 35, 120, Punctuality(1, 0), id="due-before-closure-missed"
        ),
        pytest.param(
            [(C, 5, _snapshot(30) + "\n" + _snapshot(90)), (C, 60, _snapshot(120))],
            None,
            100,
            Punctuality(1, 1),
            id="two-in-one-comment-the-last-counts",
        ),
    ],
)
def test_checkpoint_punctuality(
    posts: list[Post], closed_at: float | None, now: float, expected: Punctuality
) -> None:
    incident = _incident(posts, closed_at=closed_at)
    end = incident.issue.closed_at if closed_at is not None else _at(now)
    assert end is not None
    assert metrics.checkpoint_punctuality(incident, end) == expected


def _update(next_in: int) -> str:
    return story.stakeholder(START, status="mitigating", next_in=next_in)


@pytest.mark.parametrize(
    ("severity", "posts", "now", "expected"),
    [
        pytest.param("SEV-1", [], 20, Punctuality(0, 0), id="first-not-yet-due"),
        pytest.param("SEV-1", [], 31, Punctuality(1, 0), id="sev1-cadence-30-missed"),
        pytest.param("SEV-2", [], 31, Punctuality(0, 0), id="sev2-cadence-60-not-yet"),
        pytest.param(
            "SEV-1", [(S, 25, _update(45))], 40, Punctuality(1, 1), id="first-on-time-next-ahead"
        ),
        pytest.param(
            "SEV-1",
            [(S, 25, _update(120)), (S, 60, _update(120))],
            70,
            Punctuality(2, 1),
            id="cadence-beats-a-later-commitment",
        ),
        pytest.param(
            "SEV-1",
            [(S, 25, _update(35)), (S, 40, _update(120))],
            50,
            Punctuality(2, 1),
            id="an-earlier-commitment-beats-the-cadence",
        ),
    ],
)
def test_stakeholder_update_punctuality(
    severity: str, posts: list[Post], now: float, expected: Punctuality
) -> None:
    incident = _incident(posts, severity=severity)
    assert metrics.update_punctuality(incident, _at(now), Config()) == expected


def test_times_to_checkpoint_mitigation_and_closure_come_from_comment_times() -> None:
    posts: list[Post] = [
        (M, 12, story.decision(START, minute=1, choice="escalate+pause")),
        (V, 14, story.verification(START, minute=14)),  # green, but before any mitigation
        (M, 20, story.decision(START, minute=20)),
        (V, 26, story.verification(START, minute=26, result="red")),
        (V, 33, story.verification(START, minute=33)),
    ]
    measured = metrics.measure(Reported(_incident(posts, closed_at=50)), _at(60), Config())
    assert measured.to_owner == 0.0  # the form names the commander
    assert measured.to_first_checkpoint == 12.0  # any decision record, escalate too
    assert measured.to_mitigation == 33.0  # the first green after "rollback"
    assert measured.to_closure == 50.0
    assert measured.closed


def test_an_open_incident_without_records_has_no_durations_but_its_owner() -> None:
    measured = metrics.measure(Reported(_incident()), _at(60), Config())
    assert (measured.to_first_checkpoint, measured.to_mitigation, measured.to_closure) == (
        None,
        None,
        None,
    )
    assert not measured.closed
    assert measured.updates == Punctuality(1, 0)


def test_a_dismissed_incident_counts_only_as_dismissed() -> None:
    posts: list[Post] = [(C, 5, _snapshot(10)), (C, 6, story.dismissal())]
    reported = Reported(_incident(posts, closed_at=7, reason="not_planned"))
    measured = metrics.measure(reported, _at(60), Config())
    assert measured.dismissed
    assert not measured.closed
    assert measured.to_owner is None
    assert measured.checkpoints == Punctuality()


def test_closed_as_not_planned_without_a_dismissal_is_not_dismissed() -> None:
    incident = _incident(closed_at=7, reason="not_planned")
    assert not metrics.is_dismissed(incident)


# -- grouping -----------------------------------------------------------------------------


def _follow_up(number: int, incident: int, due: date | None, closed: bool) -> FollowUpIssue:
    return FollowUpIssue(number, incident, due, closed)


def test_rows_per_severity_and_month_with_totals_and_empty_months() -> None:
    may = START.replace(year=2024, month=5, day=3)
    july = START.replace(year=2024, month=7, day=9)
    incidents = [
        Reported(_incident(number=1, created=may, closed_at=None)),
        Reported(_incident(number=2, created=may, severity="SEV-2")),
        Reported(
            _incident(number=3, created=july),
            blocked=(Blocked(july, ("a", "b")), Blocked(july, ("b",))),
        ),
    ]
    follow_ups = [
        _follow_up(10, 3, date(2024, 7, 20), closed=False),  # overdue at now
        _follow_up(11, 3, date(2024, 8, 20), closed=False),
        _follow_up(12, 3, None, closed=True),
        _follow_up(13, 99, date(2024, 1, 1), closed=False),  # another incident's
    ]
    now = datetime(2024, 8, 1, 12, 0, tzinfo=START.tzinfo)
    report = metrics.build(incidents, follow_ups, Config(), now)
    assert report.months == ("2024-05", "2024-06", "2024-07", "2024-08")
    assert report.severities == ("SEV-1", "SEV-2")
    june = report.row(ALL, "2024-06")
    assert june is not None
    assert (june.incidents, june.time_to_owner, june.checkpoints) == (0, Stat(), Punctuality())
    assert report.row("SEV-1", "2024-06") is None  # per severity, only months with incidents
    sev1 = report.row("SEV-1", ALL)
    assert sev1 is not None
    assert sev1.incidents == 2
    assert sev1.closures_blocked == 2
    assert sev1.blocked_by == (("b", 2), ("a", 1))
    assert (sev1.follow_ups.open, sev1.follow_ups.done, sev1.follow_ups.overdue) == (2, 1, 1)
    overall = report.row(ALL, ALL)
    assert overall is not None
    assert overall.incidents == 3
    assert overall.time_to_owner == Stat(3, 0.0, 0.0)


def test_since_leaves_older_incidents_out_and_starts_the_months() -> None:
    april = START.replace(year=2024, month=4, day=30, hour=23)
    may = START.replace(year=2024, month=5, day=1, hour=0)
    incidents = [
        Reported(_incident(number=1, created=april)),
        Reported(_incident(number=2, created=may)),
    ]
    now = datetime(2024, 5, 2, tzinfo=START.tzinfo)
    report = metrics.build(incidents, [], Config(), now, since=date(2024, 5, 1))
    assert report.months == ("2024-05",)
    overall = report.row(ALL, ALL)
    assert overall is not None
    assert overall.incidents == 1


def test_an_empty_report_has_one_month_and_zero_rows() -> None:
    now = datetime(2024, 5, 2, tzinfo=START.tzinfo)
    report = metrics.build([], [], Config(), now)
    assert report.months == ("2024-05",)
    assert report.severities == ()
    assert [(r.severity, r.month, r.incidents) for r in report.rows] == [
        (ALL, "2024-05", 0),
        (ALL, ALL, 0),
    ]


def test_an_incident_without_a_readable_severity_is_unknown_and_listed_last() -> None:
    body = story.incident_body().replace(story.SEVERITY_OPTIONS["SEV-1"], "whatever")
    incidents = [
        Reported(incident_from(body, declared=False, number=1)),
        Reported(_incident(number=2, severity="SEV-3")),
    ]
    report = metrics.build(incidents, [], Config(), _at(60))
    assert report.severities == ("SEV-3", metrics.UNKNOWN)


def test_follow_ups_overdue_only_after_their_due_day() -> None:
    today = date(2024, 5, 2)
    items = [
        _follow_up(1, 1, today, closed=False),
        _follow_up(2, 1, today - timedelta(days=1), closed=False),
        _follow_up(3, 1, today - timedelta(days=9), closed=True),
    ]
    found = metrics._follow_ups(items, today)
    assert (found.open, found.done, found.overdue) == (2, 1, 1)


def test_the_measures_table_names_every_measure_once() -> None:
    keys = [m.key for m in metrics.MEASURES]
    assert len(keys) == len(set(keys))
    assert all(m.title and m.source for m in metrics.MEASURES)


def test_a_closed_incident_reopened_is_measured_as_open() -> None:
    incident = _incident(closed_at=20)
    reopened = replace(incident, issue=replace(incident.issue, state="open", closed_at=None))
    measured = metrics.measure(Reported(reopened), _at(60), Config())
    assert measured.to_closure is None
    assert not measured.closed


def test_the_readme_defines_every_measure_as_the_code_does() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The report across incidents\n", 1)[1].split("\n## ", 1)[0]
    for measure in metrics.MEASURES:
        assert f"| {measure.title} | {measure.source} |\n" in section, measure.key
