"""The sandbox's small pure parts: durations, the output file, rules, the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.sandbox.clock import Clock, parse_duration, parse_timestamp
from warroom.sandbox.dispatcher import concurrency_group, parse_output_file
from warroom.sandbox.faults import (
    HISTORY_KEPT,
    RULE_HITS_KEPT,
    Faults,
    FaultSpecError,
    parse_rule,
)

NAMES = st.from_regex(r"[a-z][a-z0-9_-]{0,15}", fullmatch=True)
LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(90, timedelta(seconds=90), id="seconds-number"),
        pytest.param("3600", timedelta(hours=1), id="seconds-text"),
        pytest.param("1h30m", timedelta(hours=1, minutes=30), id="hours-minutes"),
        pytest.param("2d", timedelta(days=2), id="days"),
        pytest.param("1w1s", timedelta(weeks=1, seconds=1), id="weeks-seconds"),
        pytest.param("-15m", timedelta(minutes=-15), id="backwards"),
        pytest.param("0.5h", timedelta(minutes=30), id="fraction"),
    ],
)
def test_durations(text: float | str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "1x", "h1", "1h 2q", "1h30"])
def test_bad_durations_say_what_to_write(text: str) -> None:
    with pytest.raises(ValueError, match="seconds"):
        parse_duration(text)


@settings(max_examples=60)
@given(st.integers(0, 500), st.integers(0, 59), st.integers(0, 59))
def test_duration_units_add_up(hours: int, minutes: int, seconds: int) -> None:
    assert parse_duration(f"{hours}h{minutes}m{seconds}s") == timedelta(
        hours=hours, minutes=minutes, seconds=seconds
    )


@settings(max_examples=60)
@given(st.dictionaries(NAMES, st.lists(LINE, min_size=1, max_size=4), max_size=5))
def test_output_file_round_trips_single_and_multiline_values(values: dict[str, list[str]]) -> None:
    text = ""
    for name, lines in values.items():
        if len(lines) == 1 and "<<" not in lines[0]:
            text += f"{name}={lines[0]}\n"
        else:
            text += f"{name}<<EOF_MARK\n" + "\n".join(lines) + "\nEOF_MARK\n"

    assert parse_output_file(text) == {name: "\n".join(lines) for name, lines in values.items()}


def test_timestamps_read_as_github_writes_them() -> None:
    assert parse_timestamp("2024-05-01T12:00:00Z") == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert parse_timestamp("2024-05-01T14:00:00+02:00") == datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert parse_timestamp("2024-05-01") == datetime(2024, 5, 1, tzinfo=UTC)


def test_frozen_clock_moves_only_when_told() -> None:
    clock = Clock(datetime(2024, 1, 1, tzinfo=UTC), frozen=True)

    assert clock.now() == clock.now() == datetime(2024, 1, 1, tzinfo=UTC)
    clock.advance(timedelta(hours=25))
    assert clock.now() == datetime(2024, 1, 2, 1, tzinfo=UTC)
    clock.set(datetime(2023, 12, 31, tzinfo=UTC))
    assert clock.now() == datetime(2023, 12, 31, tzinfo=UTC)
    assert clock.snapshot() == {"now": "2023-12-31T00:00:00Z", "frozen": True}


@pytest.mark.parametrize(
    ("payload", "group"),
    [
        pytest.param({"issue": {"number": 7}}, "warroom-7", id="issue"),
        pytest.param({"schedule": "* * * * *"}, "warroom-sweep", id="no-issue"),
        pytest.param({"issue": {"number": "7"}}, "warroom-sweep", id="odd-number"),
        pytest.param({"issue": {"number": 0}}, "warroom-sweep", id="falsy-number"),
        pytest.param({"pull_request": {"number": 9}}, "warroom-pr-9", id="pull-request"),
        pytest.param(
            {"issue": {"number": 9, "pull_request": {}}, "comment": {}},
            "warroom-9",
            id="comment-on-a-pull-request",
        ),
        pytest.param({"pull_request": {"number": "9"}}, "warroom-sweep", id="odd-pull-number"),
    ],
)
def test_runs_group_as_the_workflows_concurrency_key(
    payload: dict[str, object], group: str
) -> None:
    # The workflow's key: warroom-${{ github.event.issue.number || 'sweep' }}; the
    # pull_request workflow's: warroom-pr-${{ github.event.pull_request.number }}
    assert concurrency_group(payload) == group


def test_a_rule_without_times_fires_once_and_a_rate_rule_forever() -> None:
    faults = Faults(seed=1)
    faults.configure([{"kind": "502", "operation_id": "issues/create"}])

    assert faults.pick("GET", "issues/get", "/x", None) is None
    first = faults.pick("POST", "issues/create", "/x", None)
    assert first is not None
    assert first.kind == "502"
    assert faults.pick("POST", "issues/create", "/x", None) is None

    faults.configure([{"kind": "500", "rate": 1.0, "path": "/repos/*/labels"}])
    assert all(faults.pick("GET", None, "/repos/acme/labels", "a") for _ in range(5))
    assert parse_rule({"kind": "latency", "rate": 0.1}).times is None


def test_a_bad_rule_in_a_batch_adds_none_of_them() -> None:
    faults = Faults()

    with pytest.raises(FaultSpecError):
        faults.configure([{"kind": "500"}, {"kind": "nope"}])

    assert faults.rules == []


def test_the_record_of_hits_is_bounded_and_keeps_the_newest() -> None:
    faults = Faults()
    faults.configure([{"kind": "500", "times": None}])
    total = HISTORY_KEPT + 5

    for seq in range(1, total + 1):
        fault = faults.pick("GET", "issues/get", "/x", "a")
        assert fault is not None
        faults.logged(fault, seq)

    (rule,) = faults.to_json()["rules"]
    assert rule["fired"] == total
    assert [h["seq"] for h in rule["hits"]] == list(range(total - RULE_HITS_KEPT + 1, total + 1))
    assert [h["seq"] for h in faults.history()] == list(range(6, total + 1))


@pytest.mark.parametrize(
    ("spec", "share_of_502"),
    [
        pytest.param({"weights": {"502": 3, "applied-drop": 1}}, 0.75, id="weights-alone"),
        pytest.param(
            {"kinds": ["502", "503", "applied-drop"], "weights": {"502": 2}}, 0.5, id="default-1"
        ),
        pytest.param({"kinds": ["502", "applied-drop"]}, 0.5, id="even"),
    ],
)
def test_weights_share_the_firings(spec: dict[str, object], share_of_502: float) -> None:
    faults = Faults(seed=11)
    faults.configure([{**spec, "rate": 1.0}])

    kinds = [faults.pick("POST", "issues/create", "/x", None) for _ in range(4000)]

    share = sum(1 for f in kinds if f is not None and f.kind == "502") / len(kinds)
    assert abs(share - share_of_502) < 0.03, share


def test_a_token_selector_matches_how_the_request_authenticated() -> None:
    faults = Faults()
    faults.configure([{"kind": "502", "token": "workflow", "times": None}])

    assert faults.pick("GET", None, "/x", "github-actions[bot]") is None
    assert faults.pick("GET", None, "/x", None, auth="anonymous") is None
    hit = faults.pick("GET", None, "/x", "github-actions[bot]", auth="workflow", run_id=9)
    assert hit is not None
    assert hit.hit is not None
    assert (hit.hit.target.run_id, hit.hit.rule) == (9, 1)
