"""How the adapter reads GitHub's failures and retries them, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
import requests
from github import GithubException

from warroom.config import Api
from warroom.errors import GitHubError
from warroom.github.adapter import GitHubAdapter, _classify

NOW = datetime(2026, 11, 28, 16, 0, tzinfo=UTC).timestamp()


def _gh(status: int, headers: dict[str, str] | None = None, message: str = "x") -> GithubException:
    return GithubException(status, {"message": message}, headers or {})


@pytest.mark.parametrize(
    ("exc", "wait"),
    [
        pytest.param(_gh(502), None, id="502-backoff"),
        pytest.param(_gh(503, {"Retry-After": "2"}), 2.0, id="503-retry-after-seconds"),
        pytest.param(
            _gh(
                503,
                {"Retry-After": format_datetime(datetime.fromtimestamp(NOW + 7, UTC), usegmt=True)},
            ),
            7.0,
            id="retry-after-http-date",
        ),
        pytest.param(
            _gh(403, {"Retry-After": "3"}, "You have exceeded a secondary rate limit"),
            3.0,
            id="secondary-rate-limit",
        ),
        pytest.param(
            _gh(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW + 40))}),
            40.0,
            id="primary-rate-limit-until-reset",
        ),
        pytest.param(_gh(429), None, id="429-without-retry-after"),
        pytest.param(requests.exceptions.ConnectionError("reset"), None, id="dropped-connection"),
        pytest.param(requests.exceptions.ChunkedEncodingError("cut"), None, id="cut-mid-body"),
    ],
)
def test_transient_failures_are_retried_after_the_wait_github_asks(
    exc: Exception, wait: float | None
) -> None:
    transient = _classify(exc, NOW)
    assert transient is not None
    assert transient.wait == (pytest.approx(wait, abs=1.0) if wait is not None else None)


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(_gh(404), id="404"),
        pytest.param(_gh(422), id="422"),
        pytest.param(
            _gh(403, message="Resource not accessible by integration"), id="403-permission"
        ),
        pytest.param(_gh(401), id="401"),
        pytest.param(ValueError("bug"), id="not-github"),
    ],
)
def test_definite_failures_are_not_retried(exc: Exception) -> None:
    assert _classify(exc, NOW) is None


def _adapter(**api: float) -> tuple[GitHubAdapter, list[float]]:
    slept: list[float] = []
    adapter = GitHubAdapter(
        api_url="http://127.0.0.1:9/api/v3",
        token="t",
        repository="o/r",
        api=Api(**api),  # type: ignore[arg-type]
        sleep=slept.append,
        wall_clock=lambda: NOW,
        seed=1,
    )
    return adapter, slept


def test_a_write_that_happened_despite_a_502_is_not_repeated() -> None:
    adapter, slept = _adapter()
    attempts: list[int] = []

    def create() -> str:
        attempts.append(1)
        raise _gh(502)

    result = adapter._call("comment", create, write=True, happened=lambda: "found")
    assert result == "found"
    assert len(attempts) == 1
    assert len(slept) == 1


def test_retries_stop_at_the_time_budget_with_a_message() -> None:
    adapter, slept = _adapter(retry_seconds=5)

    def limited() -> str:
        raise _gh(403, {"Retry-After": "60"}, "secondary rate limit")

    with pytest.raises(GitHubError, match=r"api\.retry_seconds"):
        adapter._call("list comments", limited)
    assert slept == []


def test_retries_stop_after_max_attempts() -> None:
    adapter, slept = _adapter(max_attempts=3)
    with pytest.raises(GitHubError, match="gave up after 3 attempts"):
        adapter._call("read", lambda: (_ for _ in ()).throw(_gh(500)))
    assert len(slept) == 2


def test_writes_stop_at_the_cap() -> None:
    adapter, _ = _adapter(max_writes=2)
    adapter._call("a", lambda: 1, write=True)
    adapter._call("b", lambda: 2, write=True)
    with pytest.raises(GitHubError, match="max_writes"):
        adapter._call("c", lambda: 3, write=True)
