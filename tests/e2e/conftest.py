"""The ``sandbox`` fixture: a local GitHub on a free port, judged by ``fidelity``.

Every sandbox a test starts here is attached to the ``fidelity`` recorder
(``tests/conftest.py``), so each exchange and delivery is checked against
GitHub's own descriptions while the test runs. Helpers act as any seeded user
through PyGithub, unchanged, or through raw HTTP when a test needs to see
exactly what went over the wire.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from github import Auth, Github

from tests.support.fidelity import Fidelity
from warroom.sandbox import Sandbox

START = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
"""Where every test sandbox's clock starts (frozen), so timestamps are exact."""


@dataclass(frozen=True)
class Response:
    """One raw HTTP answer."""

    status: int
    headers: dict[str, str]
    body: Any
    raw: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


class TestSandbox(Sandbox):
    """``Sandbox`` plus the helpers tests use to act as its users."""

    __test__ = False

    def github(self, login: str = "admin", **options: Any) -> Github:
        """A PyGithub client for a seeded user (``login`` or a level such as ``"triage"``).

        Retries and PyGithub's politeness pauses are off, so a test sees each
        answer as the server gave it and runs fast.
        """
        token = self.tokens.get(login) or self.token_for_level(login)
        settings: dict[str, Any] = {
            "retry": None,
            "seconds_between_requests": None,
            "seconds_between_writes": None,
        }
        settings.update(options)
        return Github(base_url=self.api_url, auth=Auth.Token(token), **settings)

    def repo(self, login: str = "admin", **options: Any) -> Any:
        """The seeded repository as ``login`` sees it (``GET /repos/{owner}/{repo}``)."""
        return self.github(login, **options).get_repo(self.repo_full_name)

    def http(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        login: str | None = "admin",
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """A raw request to the API (``path`` relative to ``/api/v3``) as ``login`` or ``token``."""
        send_headers = {"Accept": "application/vnd.github+json"}
        if token is None and login is not None:
            token = self.tokens[login]
        if token is not None:
            send_headers["Authorization"] = f"token {token}"
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        if data is not None:
            send_headers["Content-Type"] = "application/json"
        send_headers.update(headers or {})
        return _request(self.port, method, f"/api/v3{path}", data, send_headers)

    def control(self, method: str, path: str, body: Any = None) -> Response:
        """A request to the private control API under ``/_sandbox``."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        return _request(self.port, method, f"/_sandbox{path}", data, headers)


def _request(
    port: int, method: str, path: str, data: bytes | None, headers: dict[str, str]
) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=data, headers=headers)
        answer = conn.getresponse()
        raw = answer.read()
        parsed = json.loads(raw) if raw else None
        return Response(answer.status, dict(answer.getheaders()), parsed, raw)
    finally:
        conn.close()


MakeSandbox = Callable[..., TestSandbox]


@pytest.fixture
def make_sandbox(fidelity: Fidelity) -> Iterator[MakeSandbox]:
    """Start sandboxes with chosen options (``dispatch=``, ``data=`` ...); all stop at teardown."""
    started: list[TestSandbox] = []

    def make(**options: Any) -> TestSandbox:
        options.setdefault("now", START)
        options.setdefault("frozen", True)
        sb = TestSandbox(**options).start()
        fidelity.attach(sb)
        started.append(sb)
        return sb

    yield make
    for sb in reversed(started):
        sb.stop()


@pytest.fixture
def sandbox(make_sandbox: MakeSandbox, fidelity: Fidelity) -> TestSandbox:
    """A fresh local GitHub, clock frozen at ``START``, no dispatch command.

    ``make_sandbox`` attaches ``fidelity`` right after starting it.
    """
    return make_sandbox()
