"""The value readers shared by forms and records: tables of what people write, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.model import Confidence, Decision, Phase, Severity, Status
from warroom.parsing.values import (
    DATELESS_GRACE,
    Inferred,
    ValueProblem,
    When,
    format_moment,
    is_placeholder,
    mentions,
    read_confidence,
    read_date,
    read_decision,
    read_logins,
    read_paths,
    read_phase,
    read_severity,
    read_status,
    read_time,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("SEV-1", Severity.SEV1, id="canonical"),
        pytest.param("sev1", Severity.SEV1, id="lower-no-dash"),
        pytest.param("Sev 1", Severity.SEV1, id="space"),
        pytest.param("S2", Severity.SEV2, id="short"),
        pytest.param("3", Severity.SEV3, id="bare-number"),
        pytest.param("severity 2", Severity.SEV2, id="word-severity"),
        pytest.param("SEV-1 (auth at risk)", Severity.SEV1, id="parenthetical"),
        pytest.param("SEV-1 — user safety", Severity.SEV1, id="dash-comment"),
        pytest.param("  SEV_2  ", Severity.SEV2, id="underscore-padded"),
    ],
)
def test_read_severity_accepts_how_people_write_it(raw: str, expected: Severity) -> None:
    assert read_severity(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("SEV-X", id="template-placeholder"),
        pytest.param("SEV-4", id="no-such-level"),
        pytest.param("SEV-12", id="two-digits"),
        pytest.param("", id="empty"),
        pytest.param("critical", id="word"),
        pytest.param("sev" + " " * 5000 + "x", id="hostile-spaces"),
    ],
)
def test_read_severity_refuses_with_the_choices(raw: str) -> None:
    problem = read_severity(raw)
    assert isinstance(problem, ValueProblem)
    assert '"SEV-1", "SEV-2", "SEV-3"' in problem.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Escalate + Pause", Decision.ESCALATE, id="spaced-plus"),
        pytest.param("escalate+pause", Decision.ESCALATE, id="canonical-escalate"),
        pytest.param("escalate and pause", Decision.ESCALATE, id="and"),
        pytest.param("Continue Mitigation", Decision.CONTINUE, id="title-case"),
        pytest.param("ROLLBACK", Decision.ROLLBACK, id="upper"),
        pytest.param("roll-back", Decision.ROLLBACK, id="hyphenated"),
    ],
)
def test_read_decision_matches_loosely_and_canonicalises(raw: str, expected: Decision) -> None:
    assert read_decision(raw) == expected


def test_read_decision_names_the_choices_and_echoes_the_value() -> None:
    problem = read_decision("maybe later")
    assert isinstance(problem, ValueProblem)
    assert problem.message == (
        'must be one of "continue mitigation", "rollback", "escalate+pause"; got "maybe later"'
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("L1", Confidence.L1, id="canonical"),
        pytest.param("l3", Confidence.L3, id="lower"),
        pytest.param("L2 (medium)", Confidence.L2, id="with-gloss"),
        pytest.param("high", Confidence.L3, id="word"),
        pytest.param(" L3 — consistent evidence", Confidence.L3, id="with-comment"),
    ],
)
def test_read_confidence(raw: str, expected: Confidence) -> None:
    assert read_confidence(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("L1/L2/L3", id="template-choices-are-not-a-choice"),
        pytest.param("L1 | L2 | L3", id="pipe-choices"),
        pytest.param("L4", id="no-such-level"),
        pytest.param("L12", id="two-digits"),
        pytest.param("pretty sure", id="prose"),
    ],
)
def test_read_confidence_refuses(raw: str) -> None:
    assert isinstance(read_confidence(raw), ValueProblem)


@pytest.mark.parametrize(
    ("reader", "raw", "expected"),
    [
        pytest.param(read_phase, "Containment", Phase.CONTAINMENT, id="phase"),
        pytest.param(read_status, "MITIGATING", Status.MITIGATING, id="status"),
    ],
)
def test_other_enumerations(reader: object, raw: str, expected: object) -> None:
    assert callable(reader)
    assert reader(raw) == expected


def test_status_template_choices_are_refused() -> None:
    assert isinstance(read_status("investigating/mitigating/recovered"), ValueProblem)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("@alice", ("alice",), id="one"),
        pytest.param("@alice, @bob", ("alice", "bob"), id="comma"),
        pytest.param("@alice and @bob", ("alice", "bob"), id="and"),
        pytest.param("@alice AND @bob", ("alice", "bob"), id="and-upper"),
        pytest.param("@alice & @bob; @carol", ("alice", "bob", "carol"), id="mixed-separators"),
        pytest.param("@and-co", ("and-co",), id="login-starting-with-and"),
        pytest.param("@Alice @alice", ("Alice",), id="case-insensitive-dedupe"),
        pytest.param("@dependabot[bot]", ("dependabot[bot]",), id="bot"),
        pytest.param("@alice.", ("alice",), id="trailing-full-stop"),
    ],
)
def test_read_logins(raw: str, expected: tuple[str, ...]) -> None:
    assert read_logins(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("Alice", id="a-name-is-not-a-login"),
        pytest.param("@alice, Bob", id="one-name-among-logins"),
        pytest.param("@org/team", id="team"),
        pytest.param("@-alice", id="leading-hyphen"),
        pytest.param("@alice-", id="trailing-hyphen"),
        pytest.param("@al--ice", id="double-hyphen"),
        pytest.param("@" + "a" * 40, id="too-long"),
        pytest.param("", id="empty"),
    ],
)
def test_read_logins_refuses_with_an_example(raw: str) -> None:
    problem = read_logins(raw)
    assert isinstance(problem, ValueProblem)
    assert "@octocat" in problem.message


def test_mentions_ignores_email_addresses() -> None:
    assert list(mentions("mail ops@example.com or ping @bob, (@carol)")) == ["bob", "carol"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "2026-11-28 16:20 UTC", datetime(2026, 11, 28, 16, 20, tzinfo=UTC), id="playbook-form"
        ),
        pytest.param(
            "2026-11-28T16:20:00Z", datetime(2026, 11, 28, 16, 20, tzinfo=UTC), id="iso-z"
        ),
        pytest.param(
            "2026-11-28 16:20 utc", datetime(2026, 11, 28, 16, 20, tzinfo=UTC), id="lower-utc"
        ),
        pytest.param(
            "2026-11-28t16:20z", datetime(2026, 11, 28, 16, 20, tzinfo=UTC), id="lower-t-z"
        ),
        pytest.param(
            "2026-11-28T16:20:00+05:30",
            datetime(2026, 11, 28, 16, 20, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            id="offset",
        ),
        pytest.param(
            "2026-11-28 16:20 Europe/Berlin",
            datetime(2026, 11, 28, 16, 20, tzinfo=BERLIN),
            id="iana-zone",
        ),
        pytest.param(
            "2026-11-28 16:20", datetime(2026, 11, 28, 16, 20, tzinfo=BERLIN), id="default-zone"
        ),
        pytest.param(
            "2026-11-28 16:20:30.5 GMT",
            datetime(2026, 11, 28, 16, 20, 30, 500000, tzinfo=UTC),
            id="fraction",
        ),
    ],
)
def test_read_time(raw: str, expected: datetime) -> None:
    value = read_time(raw, BERLIN)
    assert isinstance(value, datetime)
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        pytest.param("after lunch", "is not a time", id="prose"),
        pytest.param("2026-13-01 10:00", "is not a valid date", id="month-13"),
        pytest.param("2026-11-28 24:00", "is not a valid date", id="hour-24"),
        pytest.param("2026-11-28 16:20 Mars/Olympus", "unknown time zone", id="unknown-zone"),
        pytest.param("2026-11-28 16:20 +2400", "invalid UTC offset", id="offset-out-of-range"),
        pytest.param("2026-11-28 16:20 Etc/", "is not a time", id="zone-directory"),
        pytest.param("２０２６-11-28 16:20", "is not a time", id="non-ascii-digits"),
        pytest.param("2026-11-28 16:20" + " " * 5000 + "x", "is not a time", id="hostile-spaces"),
    ],
)
def test_read_time_refuses_with_an_example(raw: str, says: str) -> None:
    problem = read_time(raw, UTC)
    assert isinstance(problem, ValueProblem)
    assert says in problem.message
    assert "2026-11-28 16:20 UTC" in problem.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("2026-12-05", date(2026, 12, 5), id="iso"),
        pytest.param(" 2026-12-05 ", date(2026, 12, 5), id="padded"),
        pytest.param("2026-02-30", None, id="no-such-day"),
        pytest.param("05/12/2026", None, id="slashes"),
        pytest.param("tomorrow", None, id="word"),
    ],
)
def test_read_date(raw: str, expected: date | None) -> None:
    value = read_date(raw)
    if expected is None:
        assert isinstance(value, ValueProblem)
        assert "YYYY-MM-DD" in value.message
    else:
        assert value == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("", True, id="empty"),
        pytest.param("<time>", True, id="angle-hint"),
        pytest.param("_No response_", True, id="github-no-response"),
        pytest.param("TBD", True, id="tbd"),
        pytest.param("to-do", True, id="todo"),
        pytest.param("rollback", False, id="a-value"),
        pytest.param("<a> and <b>", False, id="two-tags-are-text"),
        pytest.param(" ⟨fill in: immediate ask⟩ ", True, id="warroom-message-blank"),
        pytest.param("⟨fill in: owner⟩ then @mara", False, id="blank-with-an-answer-is-text"),
    ],
)
def test_is_placeholder(raw: str, expected: bool) -> None:
    assert is_placeholder(raw) is expected


# --- properties -------------------------------------------------------------------------------

READERS = (read_severity, read_decision, read_confidence, read_status, read_phase, read_logins)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_readers_never_raise(raw: str) -> None:
    for reader in READERS:
        value = reader(raw)
        assert value is not None
    assert read_time(raw, BERLIN) is not None
    assert read_date(raw) is not None
    assert isinstance(is_placeholder(raw), bool)


LOGIN = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,18}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(LOGIN, min_size=1, max_size=4, unique_by=str.lower),
    st.sampled_from([", ", " ", " and ", "; ", " & "]),
)
def test_logins_round_trip(logins: list[str], separator: str) -> None:
    assert read_logins(separator.join(f"@{login}" for login in logins)) == tuple(logins)


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2999, 12, 31),
        timezones=st.sampled_from([UTC, BERLIN, timezone(timedelta(hours=-3))]),
    ).map(lambda moment: moment.replace(microsecond=0)),
    st.sampled_from(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z"]),
)
def test_times_round_trip(moment: datetime, pattern: str) -> None:
    read = read_time(moment.strftime(pattern), UTC)
    assert isinstance(read, datetime)
    # Compared as instants: Python never equates a time in a repeated DST hour across zones.
    assert read.astimezone(UTC) == moment.astimezone(UTC)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(list(Severity)),
    st.sampled_from(["{n}", "sev{n}", "Sev {n}", "SEV-{n}", "s{n}", "SEVERITY {n}"]),
)
def test_severity_spellings(severity: Severity, spelling: str) -> None:
    assert read_severity(spelling.format(n=severity.value[-1])) is severity


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(list(Decision)), st.sampled_from([str.upper, str.title, str.lower]))
def test_decision_case_and_spacing(decision: Decision, case: object) -> None:
    assert callable(case)
    spaced = decision.value.replace("+", " + ")
    assert read_decision(case(spaced)) is decision


# --- times without a date ---------------------------------------------------------------------

POSTED = datetime(2024, 5, 1, 9, 12, tzinfo=UTC)
"""When the comment was posted: the reference a time without a date is read from."""


@pytest.mark.parametrize(
    ("raw", "when", "zone", "expected"),
    [
        pytest.param(
            "16:40 UTC", When.NEXT, UTC, datetime(2024, 5, 1, 16, 40, tzinfo=UTC), id="later-today"
        ),
        pytest.param(
            "6:40 PM UTC", When.NEXT, UTC, datetime(2024, 5, 1, 18, 40, tzinfo=UTC), id="pm"
        ),
        pytest.param(
            "6:40 a.m. UTC", When.NEXT, UTC, datetime(2024, 5, 2, 6, 40, tzinfo=UTC), id="am-dots"
        ),
        pytest.param("6pm", When.NEXT, UTC, datetime(2024, 5, 1, 18, 0, tzinfo=UTC), id="hour-pm"),
        pytest.param(
            "12:15 AM", When.NEXT, UTC, datetime(2024, 5, 2, 0, 15, tzinfo=UTC), id="midnight-am"
        ),
        pytest.param(
            "12:15 PM", When.NEXT, UTC, datetime(2024, 5, 1, 12, 15, tzinfo=UTC), id="noon-pm"
        ),
        pytest.param(
            "16:40",
            When.NEXT,
            BERLIN,
            datetime(2024, 5, 1, 16, 40, tzinfo=BERLIN),
            id="configured-zone",
        ),
        pytest.param(
            "07:00 Europe/Berlin",
            When.NEXT,
            UTC,
            datetime(2024, 5, 2, 7, 0, tzinfo=BERLIN),
            id="iana-zone-tomorrow",
        ),
        pytest.param(
            "09:00 +02:00",
            When.NEXT,
            UTC,
            datetime(2024, 5, 2, 9, 0, tzinfo=timezone(timedelta(hours=2))),
            id="offset",
        ),
        pytest.param(
            "8:30",
            When.NEXT,
            UTC,
            datetime(2024, 5, 1, 8, 30, tzinfo=UTC),
            id="just-before-posting-is-today-and-overdue",
        ),
        pytest.param(
            "8:00",
            When.NEXT,
            UTC,
            datetime(2024, 5, 2, 8, 0, tzinfo=UTC),
            id="more-than-the-grace-before-is-tomorrow",
        ),
        pytest.param(
            "08:50 UTC",
            When.LAST,
            UTC,
            datetime(2024, 5, 1, 8, 50, tzinfo=UTC),
            id="timestamp-earlier-today",
        ),
        pytest.param(
            "09:40 UTC",
            When.LAST,
            UTC,
            datetime(2024, 5, 1, 9, 40, tzinfo=UTC),
            id="timestamp-a-little-after-posting-is-today",
        ),
        pytest.param(
            "16:40 UTC",
            When.LAST,
            UTC,
            datetime(2024, 4, 30, 16, 40, tzinfo=UTC),
            id="timestamp-later-than-the-grace-is-yesterday",
        ),
    ],
)
def test_a_time_without_a_date_is_read_from_the_reference(
    raw: str, when: When, zone: ZoneInfo, expected: datetime
) -> None:
    value = read_time(raw, zone, reference=POSTED, when=when)
    assert isinstance(value, Inferred), value
    assert value.value == expected
    assert value.value.utcoffset() == expected.utcoffset()
    assert value.note.startswith(f'read "{raw}" as {format_moment(expected)}: no date was written')
    assert "write the date if you meant another day" in value.note


def test_the_note_shows_the_resolved_date_and_the_reference() -> None:
    value = read_time("16:40 UTC", UTC, reference=POSTED)
    assert isinstance(value, Inferred)
    assert value.note == (
        'read "16:40 UTC" as 2024-05-01 16:40 UTC: no date was written, so the day is counted '
        "from 2024-05-01 09:12 UTC; write the date if you meant another day"
    )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        pytest.param("25:00 UTC", "not a valid time of day", id="hour-25"),
        pytest.param("16:60", "not a valid time of day", id="minute-60"),
        pytest.param("13:00 PM", "the hour is 1 to 12", id="pm-hour-13"),
        pytest.param("0:30 AM", "the hour is 1 to 12", id="am-hour-0"),
        pytest.param("16", "is not a time", id="a-bare-number-is-not-a-time"),
        pytest.param("16:40 Mars/Olympus", "unknown time zone", id="unknown-zone"),
        pytest.param("soon", "is not a time", id="prose"),
    ],
)
def test_a_nonsense_time_of_day_is_refused(raw: str, says: str) -> None:
    problem = read_time(raw, UTC, reference=POSTED)
    assert isinstance(problem, ValueProblem)
    assert says in problem.message


def test_a_time_without_a_date_and_no_reference_is_a_problem() -> None:
    problem = read_time("16:40 UTC", UTC)
    assert isinstance(problem, ValueProblem)
    assert problem.message.startswith("has no date")
    assert "2026-11-28 16:20 UTC" in problem.message


def test_a_dated_time_is_never_inferred() -> None:
    assert read_time("2026-11-28 16:20 UTC", UTC, reference=POSTED) == datetime(
        2026, 11, 28, 16, 20, tzinfo=UTC
    )


@settings(max_examples=150, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2000, 1, 2),
        max_value=datetime(2099, 12, 30),
        timezones=st.sampled_from([UTC, BERLIN, ZoneInfo("America/New_York")]),
    ),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(list(When)),
    st.sampled_from([UTC, BERLIN, ZoneInfo("Asia/Kolkata")]),
)
def test_a_time_without_a_date_lands_within_a_day_of_the_reference(
    reference: datetime, hour: int, minute: int, when: When, zone: ZoneInfo
) -> None:
    value = read_time(f"{hour:02d}:{minute:02d}", zone, reference=reference, when=when)
    assert isinstance(value, Inferred), value
    moment = value.value
    # The wall-clock time as written, in the zone it was read in.
    assert (moment.hour, moment.minute, moment.tzinfo) == (hour, minute, zone)
    # Next: at most one day after "the reference less the grace"; last: mirrored.
    day = timedelta(days=1, hours=1)
    if when is When.NEXT:
        assert reference - DATELESS_GRACE <= moment <= reference - DATELESS_GRACE + day
    else:
        assert reference + DATELESS_GRACE - day <= moment <= reference + DATELESS_GRACE
    assert format_moment(moment) in value.note


# --- owners written as names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Priya Shah (@priya-s)", ("priya-s",), id="name-then-login"),
        pytest.param("@priya-s (Priya Shah)", ("priya-s",), id="login-then-name"),
        pytest.param("Priya Shah(@priya-s)", ("priya-s",), id="no-space-before-paren"),
        pytest.param(
            "Priya Shah (@priya-s), Omar Haddad (@omar)", ("priya-s", "omar"), id="two-names"
        ),
        pytest.param("Priya Shah (@priya-s) and @omar", ("priya-s", "omar"), id="mixed"),
        pytest.param("@alice (IC), @bob (deputy)", ("alice", "bob"), id="roles-are-commentary"),
        pytest.param("(@priya-s)", ("priya-s",), id="a-lone-login-in-parentheses"),
        pytest.param("José Núñez (@jnunez)", ("jnunez",), id="accented-name"),
    ],
)
def test_read_logins_accepts_a_name_with_its_login(raw: str, expected: tuple[str, ...]) -> None:
    assert read_logins(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("Nadia", id="a-bare-name"),
        pytest.param("Nadia (SRE)", id="a-name-with-a-role"),
        pytest.param("Priya Shah (@priya-s, @omar)", id="one-name-two-logins"),
        pytest.param("Priya Shah (priya-s)", id="a-login-without-its-at"),
        pytest.param("@omar, Nadia", id="a-name-among-logins"),
    ],
)
def test_a_name_without_a_login_shows_the_accepted_forms(raw: str) -> None:
    problem = read_logins(raw)
    assert isinstance(problem, ValueProblem)
    assert '"@login" or "Name (@login)"' in problem.message
    assert f'got "{raw}"' in problem.message


NAME = st.lists(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzéñ'.-", min_size=1, max_size=8
    ).filter(lambda word: word.lower() != "and"),
    min_size=1,
    max_size=3,
).map(" ".join)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(NAME, LOGIN), min_size=1, max_size=3, unique_by=lambda p: p[1].lower()))
def test_names_with_logins_round_trip(owners: list[tuple[str, str]]) -> None:
    written = ", ".join(f"{name} (@{login})" for name, login in owners)
    assert read_logins(written) == tuple(login for _, login in owners)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("services/auth/**", ("services/auth/**",), id="one-glob"),
        pytest.param("`a.py`, ./b/c.yml  a.py", ("a.py", "b/c.yml"), id="ticks-dot-slash-repeat"),
        pytest.param("- a.py\n- b.py", ("a.py", "b.py"), id="bullets"),
    ],
)
def test_read_paths(raw: str, expected: tuple[str, ...]) -> None:
    assert read_paths(raw) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        pytest.param(" , `` ", "must name repository paths", id="nothing"),
        pytest.param("a" * 301, "301 characters", id="too-long"),
    ],
)
def test_read_paths_says_what_to_write(raw: str, says: str) -> None:
    problem = read_paths(raw)
    assert isinstance(problem, ValueProblem)
    assert says in problem.message


@given(st.lists(st.text(alphabet="abz/._*-", min_size=1, max_size=12), min_size=1, max_size=6))
def test_read_paths_reads_back_what_a_template_writes(entries: list[str]) -> None:
    read = read_paths(", ".join(entries))
    kept = [e.removeprefix("./") for e in entries]
    kept = [e for e in kept if e and e not in {"-", "*", "+"}]
    if kept:
        assert read == tuple(dict.fromkeys(kept))
    else:
        assert isinstance(read, ValueProblem)
