"""What the sandbox lets observers see: each HTTP exchange and each webhook delivery.

Tests attach listeners to validate every request and response against GitHub's
OpenAPI description and every delivery against the webhook schemas; the
sandbox itself never imports those validators.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Exchange:
    """One request the sandbox answered on GitHub's REST surface (not ``/_sandbox/``).

    ``path`` is relative to the API root (``/repos/o/r/issues/1``, without
    ``/api/v3``); ``operation_id`` is GitHub's OpenAPI ``operationId``
    (``issues/create``) of the route that served it, or ``None`` for a 404 on an
    unknown route. Bodies are the parsed JSON (``None`` when there was none or it
    did not parse; ``raw_request_body`` keeps the bytes).
    """

    method: str
    path: str
    query: Mapping[str, list[str]]
    request_headers: Mapping[str, str]
    request_body: Any
    raw_request_body: bytes
    status: int
    response_headers: Mapping[str, str]
    response_body: Any
    operation_id: str | None
    login: str | None = None
    run_id: int | None = None
    run_attempt: int | None = None
    fault: str | None = None
    fault_rule: int | None = None


@dataclass(frozen=True)
class Delivery:
    """One webhook event the sandbox emitted, as GitHub would deliver it."""

    event: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> str | None:
        value = self.payload.get("action")
        return value if isinstance(value, str) else None


ExchangeListener = Callable[[Exchange], None]
DeliveryListener = Callable[[Delivery], None]
