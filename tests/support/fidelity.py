"""The ``fidelity`` recorder: every exchange and delivery of a sandbox, judged against GitHub.

The sandbox calls listeners from its server threads, so violations are
collected under a lock and reported by the test that caused them (see
``tests/conftest.py``). A test that sends something non-conforming on purpose
wraps it in ``expect_violation``, which proves the oracle can fail and keeps the
expected violation out of the report.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import pytest

from tests.support import Violation
from tests.support.graphql import GraphQLOracle, default_graphql_oracle
from tests.support.openapi import OpenApiOracle
from tests.support.webhooks import WebhookOracle
from warroom.sandbox.observe import Delivery, DeliveryListener, Exchange, ExchangeListener


class Observable(Protocol):
    """What the sandbox offers observers (``warroom.sandbox.Sandbox``)."""

    def add_exchange_listener(self, fn: ExchangeListener) -> None: ...

    def add_delivery_listener(self, fn: DeliveryListener) -> None: ...


class Fidelity:
    """Collects, thread-safely, every departure from GitHub's descriptions."""

    def __init__(
        self,
        openapi: OpenApiOracle,
        webhooks: WebhookOracle,
        graphql: GraphQLOracle | None = None,
    ) -> None:
        self._openapi = openapi
        self._webhooks = webhooks
        self._graphql = graphql
        self._lock = threading.Condition()
        self._violations: list[Violation] = []
        self.exchanges_checked = 0
        self.deliveries_checked = 0

    def attach(self, sandbox: Observable) -> None:
        """Judge everything this sandbox serves and emits from now on."""
        sandbox.add_exchange_listener(self.observe_exchange)
        sandbox.add_delivery_listener(self.observe_delivery)

    def observe_exchange(self, exchange: Exchange) -> None:
        """Listener: check one exchange; never raises into the server thread."""
        try:
            if exchange.operation_id == "graphql":
                # GraphQL is judged against GitHub's GraphQL schema, built on first use.
                if self._graphql is None:
                    self._graphql = default_graphql_oracle()
                found = self._graphql.check(exchange)
            else:
                found = self._openapi.check(exchange)
        except Exception as error:  # an oracle bug must fail the test, not kill the server
            found = [
                Violation(
                    str(exchange.operation_id),
                    f"{exchange.method} {exchange.path} -> {exchange.status}",
                    "oracle",
                    "$",
                    f"the OpenAPI oracle crashed: {error!r}",
                )
            ]
        self._record(found, exchanges=1)

    def observe_delivery(self, delivery: Delivery) -> None:
        """Listener: check one webhook delivery; never raises into the server thread."""
        try:
            found = self._webhooks.check(delivery)
        except Exception as error:
            found = [
                Violation(
                    delivery.event,
                    f"delivery {delivery.event}",
                    "oracle",
                    "$",
                    f"the webhook oracle crashed: {error!r}",
                )
            ]
        self._record(found, deliveries=1)

    def _record(self, found: list[Violation], exchanges: int = 0, deliveries: int = 0) -> None:
        with self._lock:
            self._violations.extend(found)
            self.exchanges_checked += exchanges
            self.deliveries_checked += deliveries
            self._lock.notify_all()

    @property
    def violations(self) -> tuple[Violation, ...]:
        """A snapshot of what has been recorded and not yet taken."""
        with self._lock:
            return tuple(self._violations)

    def take(self) -> list[Violation]:
        """Remove and return everything recorded so far."""
        with self._lock:
            taken, self._violations = self._violations, []
            return taken

    @contextmanager
    def expect_violation(
        self, subject: str, match: str = "", timeout: float = 5.0
    ) -> Iterator[None]:
        """Fail unless the block causes a violation of ``subject`` whose text matches ``match``.

        Waits up to ``timeout`` seconds for it, because a server may call its
        listeners just after the client has read the response. The matching
        violations are consumed; any other violation stays for the report.
        """
        with self._lock:
            start = len(self._violations)
        yield
        pattern = re.compile(match)
        deadline = time.monotonic() + timeout

        def matches(v: Violation) -> bool:
            return v.subject == subject and pattern.search(str(v)) is not None

        with self._lock:
            while True:
                fresh = self._violations[start:]
                if any(map(matches, fresh)):
                    self._violations[start:] = [v for v in fresh if not matches(v)]
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._lock.wait(remaining)
        seen = "\n".join(f"  - {v}" for v in fresh) or "  (none)"
        pytest.fail(
            f"expected a violation of {subject} matching {match!r}; the block caused:\n{seen}",
            pytrace=False,
        )

    def report(self, violations: list[Violation]) -> str:
        """The message a failing test shows: one line per violation."""
        lines = [f"  - {v}" for v in violations]
        return (
            f"{len(violations)} departure(s) from GitHub's description "
            f"({self.exchanges_checked} exchanges, {self.deliveries_checked} deliveries "
            "checked):\n" + "\n".join(lines)
        )

    def assert_clean(self) -> None:
        """Fail, naming each violation, if anything was recorded and not expected."""
        found = self.take()
        if found:
            pytest.fail(self.report(found), pytrace=False)
