"""GitHub's error answers, as the sandbox gives them.

A handler raises ``ApiError`` and the server turns it into the status, body
and headers GitHub would send; nothing else escapes a handler (anything else
becomes a 500 and is logged), so bad input never crashes the server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """One GitHub error response: status, ``message``, optional ``errors``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: Sequence[Mapping[str, Any]] | None = None,
        documentation_url: str = DOCS,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = list(errors) if errors is not None else None
        self.documentation_url = documentation_url
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body: ``message``, ``errors`` when any, ``documentation_url``, ``status``."""
        out: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            out["errors"] = self.errors
        out["documentation_url"] = self.documentation_url
        out["status"] = str(self.status)
        return out


def not_found() -> ApiError:
    """GitHub's 404, also used for resources a caller may not see."""
    return ApiError(404, "Not Found")


def bad_credentials() -> ApiError:
    """An unknown or revoked token."""
    return ApiError(401, "Bad credentials")


def requires_authentication() -> ApiError:
    """A write without a token."""
    return ApiError(401, "Requires authentication")


def forbidden(message: str = "Must have admin rights to Repository.") -> ApiError:
    """A known user without the permission the operation needs."""
    return ApiError(403, message)


def problems_parsing_json() -> ApiError:
    """A body that is not JSON at all."""
    return ApiError(400, "Problems parsing JSON")


def invalid_request(detail: str) -> ApiError:
    """GitHub's schema-validation answer: 422 ``Invalid request.`` with the reason."""
    return ApiError(422, f"Invalid request.\n\n{detail}")


def validation_failed(resource: str, field: str, code: str, **extra: Any) -> ApiError:
    """GitHub's model-validation answer: 422 ``Validation Failed`` with one ``errors`` entry."""
    error: dict[str, Any] = {"resource": resource, "code": code, "field": field}
    error.update(extra)
    return ApiError(422, "Validation Failed", errors=[error])
