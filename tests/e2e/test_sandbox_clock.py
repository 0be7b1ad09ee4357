"""The settable clock as a client sees it: in timestamps, headers and the control API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from tests.e2e.conftest import START, MakeSandbox, Response, TestSandbox

pytestmark = [pytest.mark.e2e, pytest.mark.npm]


def test_setting_and_advancing_the_clock_moves_every_timestamp(sandbox: TestSandbox) -> None:
    repo = sandbox.repo("admin")
    issue = repo.create_issue("A day-long incident")

    advanced = sandbox.control("POST", "/clock", {"advance": "1h30m"})
    comment = issue.create_comment("90 minutes in")
    assert advanced.body == {"now": "2024-05-01T13:30:00Z", "frozen": True}
    assert comment.created_at == START + timedelta(hours=1, minutes=30)

    sandbox.control("POST", "/clock", {"now": "2024-05-02T11:59:00Z"})
    issue.edit(state="closed")
    assert issue.closed_at == datetime(2024, 5, 2, 11, 59, tzinfo=UTC)
    assert issue.created_at == START

    sandbox.control("POST", "/clock", {"advance": 60})
    answer = sandbox.http("GET", "/repos/acme/service/issues/1")
    assert answer.header("Date") == "Thu, 02 May 2024 12:00:00 GMT"
    assert sandbox.control("GET", "/clock").body["now"] == "2024-05-02T12:00:00Z"


def test_the_clock_can_be_released_to_run(sandbox: TestSandbox) -> None:
    released = sandbox.control("POST", "/clock", {"frozen": False})

    assert released.body["frozen"] is False
    assert released.body["now"] >= "2024-05-01T12:00:00Z"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"advance": "soon"}, "is not a duration", id="bad-duration"),
        pytest.param({"now": "yesterday"}, "ISO 8601", id="bad-time"),
        pytest.param({"when": "now"}, "unknown clock key", id="unknown-key"),
        pytest.param({}, "send", id="empty"),
    ],
)
def test_bad_clock_requests_say_what_to_send(
    sandbox: TestSandbox, body: dict[str, object], message: str
) -> None:
    answer = sandbox.control("POST", "/clock", body)

    assert answer.status == 400
    assert message in answer.body["message"]
    assert sandbox.control("GET", "/clock").body["now"] == "2024-05-01T12:00:00Z"


def test_rate_limit_windows_follow_the_clock(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(rate_limit=2)
    assert sandbox.http("GET", "/repos/acme/service").status == 200
    assert sandbox.http("GET", "/repos/acme/service").status == 200

    refused = sandbox.http("GET", "/repos/acme/service")
    assert refused.status == 403
    assert refused.header("X-RateLimit-Remaining") == "0"
    assert refused.body["message"] == "API rate limit exceeded for user ID 1001."

    sandbox.control("POST", "/clock", {"advance": "1h"})
    assert sandbox.http("GET", "/repos/acme/service").status == 200


def _wait(answer: Response) -> int:
    """What a client computes from one answer: X-RateLimit-Reset minus the answer's Date."""
    date = parsedate_to_datetime(answer.header("Date") or "")
    return int(answer.header("X-RateLimit-Reset") or 0) - int(date.timestamp())


def test_reset_minus_date_is_the_wait_left_on_the_sandbox_clock(
    make_sandbox: MakeSandbox,
) -> None:
    # The clock is frozen in 2024 while the wall clock is today: only the sandbox clock counts.
    sandbox = make_sandbox(rate_limit=2)
    assert _wait(sandbox.http("GET", "/repos/acme/service")) == 3600
    assert sandbox.http("GET", "/repos/acme/service").status == 200
    sandbox.set_clock(advance=timedelta(minutes=25))

    refused = sandbox.http("GET", "/repos/acme/service")

    assert refused.status == 403
    assert parsedate_to_datetime(refused.header("Date") or "") == START + timedelta(minutes=25)
    assert _wait(refused) == 35 * 60
    # Waiting one second less is still too soon; waiting exactly that long gets through.
    sandbox.set_clock(advance=timedelta(seconds=_wait(refused) - 1))
    too_soon = sandbox.http("GET", "/repos/acme/service")
    assert (too_soon.status, _wait(too_soon)) == (403, 1)
    sandbox.set_clock(advance=timedelta(seconds=1))
    again = sandbox.http("GET", "/repos/acme/service")
    assert (again.status, _wait(again)) == (200, 3600)


def test_a_primary_limit_fault_resets_on_the_sandbox_clock(sandbox: TestSandbox) -> None:
    sandbox.control("POST", "/faults", {"kind": "primary-rate-limit", "reset_in": 90})

    refused = sandbox.http("GET", "/repos/acme/service")

    assert (refused.status, _wait(refused)) == (403, 90)


def test_a_clock_set_back_starts_a_new_window(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(rate_limit=1)
    assert sandbox.http("GET", "/repos/acme/service").status == 200
    sandbox.set_clock(now=START - timedelta(days=1))

    answer = sandbox.http("GET", "/repos/acme/service")

    assert (answer.status, _wait(answer)) == (200, 3600)


def test_a_running_clock_dates_and_resets_on_the_sandbox_clock(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(frozen=False)

    answers = [sandbox.http("GET", "/repos/acme/service") for _ in range(3)]

    for answer in answers:
        assert parsedate_to_datetime(answer.header("Date") or "").year == START.year
        assert 3500 <= _wait(answer) <= 3600, answer.headers
