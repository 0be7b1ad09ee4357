"""The HTTP front: GitHub's REST surface under ``/api/v3`` and the private ``/_sandbox/`` API.

Every REST request goes through the same steps GitHub's edge would take:
route, authenticate, fault injection, primary rate limit, parse the body,
handle, and answer with GitHub's headers (``X-GitHub-Request-Id``,
``X-RateLimit-*``, ``Link``). Then observers see the exchange. Nothing a
client sends can take the server down: every failure becomes an HTTP answer.
Each request reads the sandbox clock once: its ``Date`` header, its rate-limit
window and any ``X-RateLimit-Reset`` it carries all come from that one
reading, so ``reset - Date`` is exactly the wait left on the sandbox clock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
import uuid
from datetime import datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from warroom.sandbox import errors
from warroom.sandbox.access import ANONYMOUS, Principal, Window
from warroom.sandbox.control import handle_control
from warroom.sandbox.errors import ApiError
from warroom.sandbox.faults import Fault
from warroom.sandbox.render import encode_json
from warroom.sandbox.rest import match_route
from warroom.sandbox.rest_core import Call, JsonBody
from warroom.sandbox.web import WebView, wants_html

if TYPE_CHECKING:
    from warroom.sandbox.sandbox import Sandbox

log = logging.getLogger("warroom.sandbox")

API_PREFIX = "/api/v3"
CONTROL_PREFIX = "/_sandbox"
GRAPHQL_PATH = "/api/graphql"
"""PyGithub's GraphQL URL for an Enterprise-style base URL (``/api/v3`` -> ``/api/graphql``)."""
MAX_REQUEST_BYTES = 10 * 1024 * 1024
_SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
_SECONDARY_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)
_PRIMARY_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
)


class _Dropped(Exception):
    """The connection is to be closed without an answer."""


class SandboxServer(ThreadingHTTPServer):
    """A threaded HTTP server bound to loopback, one thread per connection."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, sandbox: Sandbox, port: int) -> None:
        self.sandbox = sandbox
        self.web = WebView(sandbox)
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished mid-request is not news; log it quietly."""
        log.debug("sandbox: connection from %s ended abnormally", client_address, exc_info=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK stall
    server: SandboxServer

    def version_string(self) -> str:
        return "GitHub.com"

    _now: datetime | None = None
    """The sandbox clock as this request read it (see the module docstring)."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        if timestamp is None:
            timestamp = (self._now or self.server.sandbox.clock.now()).timestamp()
        return formatdate(timestamp, usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        """The web view's pages and assets answer HEAD as browsers and link checkers send it;
        the API and the control API do not (GitHub's description has no HEAD operations)."""
        path = urlsplit(self.path).path
        if path == GRAPHQL_PATH or any(
            path == prefix or path.startswith(prefix + "/")
            for prefix in (API_PREFIX, CONTROL_PREFIX)
        ):
            self._send(405, {"message": "HEAD is answered by the web pages only"}, {})
            return
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    # -- plumbing --------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                total += size
                if total > MAX_REQUEST_BYTES:
                    raise ApiError(413, "Payload Too Large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ApiError(400, "Invalid Content-Length") from None
        if length > MAX_REQUEST_BYTES:
            raise ApiError(413, "Payload Too Large")
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        if body is None:
            data = b""
        elif isinstance(body, JsonBody):
            data = body.data
        else:
            data = encode_json(body)
        try:
            self.send_response(status)
            if body is not None and "Content-Type" not in headers:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data and self.command != "HEAD":
                self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _serve(self) -> None:
        self._now = self.server.sandbox.clock.now()
        try:
            self._serve_now()
        finally:
            self._now = None

    def _serve_now(self) -> None:
        split = urlsplit(self.path)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        try:
            raw = self._read_body()
        except ApiError as exc:
            self.close_connection = True
            self._send(exc.status, exc.body(), {})
            return
        except (OSError, ValueError):
            self._drop()
            return
        if path == GRAPHQL_PATH:
            self._serve_graphql(raw)
        elif path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            self._serve_rest(path[len(API_PREFIX) :] or "/", query, raw)
        elif wants_html(self.command, path, self.headers.get("Accept", "")):
            self._serve_web(path, query, raw)
        elif path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            try:
                status, body = handle_control(self.server.sandbox, self.command, path, query, raw)
            except Exception:
                log.exception("sandbox: control %s %s failed", self.command, path)
                status, body = 500, {"message": "the control API failed; see the sandbox log"}
            self._send(status, body, {})
        else:
            self._serve_web(path, query, raw)

    def _serve_web(self, path: str, query: dict[str, list[str]], raw: bytes) -> None:
        """A page, asset or form post of the web view (``sandbox/web``), never the API."""
        try:
            reply = self.server.web.handle(self.command, path, query, dict(self.headers), raw)
        except Exception:
            log.exception("sandbox: web %s %s failed", self.command, path)
            self._send(500, {"message": "the web view failed; see the sandbox log"}, {})
            return
        self._send(reply.status, JsonBody(reply.body), reply.headers)

    # -- the REST surface ------------------------------------------------------------------

    def _principal(self) -> Principal | None:
        header = self.headers.get("Authorization")
        if not header:
            return ANONYMOUS
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() not in ("token", "bearer") or not token.strip():
            return None
        return self.server.sandbox.access.resolve(token.strip())

    def _serve_rest(self, rel: str, query: dict[str, list[str]], raw: bytes) -> None:
        sandbox = self.server.sandbox
        started = time.monotonic()
        now = self._now or sandbox.clock.now()
        method = self.command
        request_id = _request_id()
        route, params = match_route(method, rel)
        operation_id = route.operation_id if route else None
        resolved = self._principal()
        principal = resolved if resolved is not None else ANONYMOUS
        client = self.client_address[0]
        fault: Fault | None = None
        window: Window | None = None
        parsed: Any = None
        headers: dict[str, str] = {}
        status: int
        body: Any
        try:
            try:
                if resolved is None:
                    raise errors.bad_credentials()
                fault = sandbox.faults.pick(
                    method,
                    operation_id,
                    rel,
                    principal.login,
                    auth=principal.token_kind,
                    run_id=principal.run_id,
                    run_attempt=principal.run_attempt,
                )
                if fault is not None and fault.kind == "latency":
                    time.sleep(fault.latency_ms / 1000)
                if fault is not None and not fault.applies_first:
                    if fault.kind == "drop":
                        raise _Dropped
                    raise self._fault_error(fault, principal, request_id, now)
                if rel != "/rate_limit":
                    window, allowed = sandbox.limits.charge(principal, client, now)
                    if not allowed:
                        raise self._primary_limit(principal, window.reset, now)
                if raw.strip():
                    try:
                        parsed = json.loads(raw)
                    except (ValueError, UnicodeDecodeError):
                        raise errors.problems_parsing_json() from None
                if route is None:
                    raise errors.not_found()
                call = Call(method, rel, params, query, parsed, raw, principal, client)
                room = sandbox.room(params["repo"]) if "repo" in params else sandbox.rest
                if room is None:
                    raise errors.not_found()
                reply = room.handle(route, call)
                status, body, headers = reply.status, reply.body, dict(reply.headers)
            except ApiError as exc:
                status, body, headers = exc.status, exc.body(), dict(exc.headers)
            except _Dropped:
                raise
            except Exception:
                log.exception("sandbox: %s %s failed", method, rel)
                status, body, headers = 500, ApiError(500, "Server Error").body(), {}
            if fault is not None and fault.kind == "applied-drop":
                raise _Dropped
            if fault is not None and fault.kind == "applied-502":
                status, body, headers = 502, ApiError(502, "Server Error").body(), {}
        except _Dropped:
            sandbox.flush_notifications()
            seq = sandbox.record_exchange(
                self._exchange_parts(
                    method, rel, query, raw, parsed, 0, {}, None, operation_id, principal, fault
                ),
                request_id,
                started,
            )
            if fault is not None:
                sandbox.faults.logged(fault, seq)
            self._drop()
            return
        if window is None:
            window = sandbox.limits.peek(principal, client, now)
        standard = {
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Request-Id": request_id,
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(max(0, window.limit - window.used)),
            "X-RateLimit-Reset": str(window.reset),
            "X-RateLimit-Used": str(window.used),
            "X-RateLimit-Resource": "core",
        }
        standard.update(headers)
        if status == 204:
            body = None
        if body is not None:
            standard["Content-Type"] = "application/json; charset=utf-8"
        sandbox.flush_notifications()
        seen = body
        if isinstance(body, JsonBody):
            # Only listeners look at a response body; a kept page is parsed just for them.
            seen = body.parsed() if sandbox.observed else None
        seq = sandbox.record_exchange(
            self._exchange_parts(
                method,
                rel,
                query,
                raw,
                parsed,
                status,
                standard,
                seen,
                operation_id,
                principal,
                fault,
            ),
            request_id,
            started,
        )
        if fault is not None:
            sandbox.faults.logged(fault, seq)
        self._send(status, body, standard)

    def _serve_graphql(self, raw: bytes) -> None:
        """``POST /api/graphql`` (``sandbox.graphql``), logged and observed like REST."""
        sandbox = self.server.sandbox
        started = time.monotonic()
        now = self._now or sandbox.clock.now()
        request_id = _request_id()
        resolved = self._principal()
        principal = resolved if resolved is not None else ANONYMOUS
        parsed: Any = None
        headers: dict[str, str] = {}
        fault = (
            sandbox.faults.pick(
                "POST",
                "graphql",
                "/graphql",
                principal.login,
                auth=principal.token_kind,
                run_id=principal.run_id,
                run_attempt=principal.run_attempt,
            )
            if self.command == "POST" and resolved is not None
            else None
        )
        if fault is not None and fault.kind == "latency":
            time.sleep(fault.latency_ms / 1000)
        if self.command != "POST":
            status, body = 404, errors.not_found().body()
        elif resolved is None:
            status, body = errors.bad_credentials().status, errors.bad_credentials().body()
        elif fault is not None and not fault.applies_first and fault.kind != "drop":
            error = self._fault_error(fault, principal, request_id, now)
            status, body, headers = error.status, error.body(), dict(error.headers)
        elif fault is not None and fault.kind == "drop":
            status, body = 0, None
        else:
            window, allowed = sandbox.limits.charge(principal, self.client_address[0], now)
            headers = {
                "X-GitHub-Request-Id": request_id,
                "X-RateLimit-Limit": str(window.limit),
                "X-RateLimit-Remaining": str(max(0, window.limit - window.used)),
                "X-RateLimit-Reset": str(window.reset),
                "X-RateLimit-Used": str(window.used),
                "X-RateLimit-Resource": "graphql",
            }
            try:
                parsed = json.loads(raw) if raw.strip() else None
            except (ValueError, UnicodeDecodeError):
                parsed = None
            if not allowed:
                error = self._primary_limit(principal, window.reset, now)
                status, body = error.status, error.body()
                headers.update(error.headers)
            elif parsed is None:
                status, body = 200, {"errors": [{"message": "Problems parsing JSON"}]}
            else:
                try:
                    status, body = sandbox.graphql.handle(
                        parsed,
                        viewer=principal.login,
                        workflow_token=principal.workflow_token,
                    )
                except Exception:
                    log.exception("sandbox: GraphQL request failed")
                    status, body = 500, ApiError(500, "Server Error").body()
        dropped = fault is not None and fault.kind in ("drop", "applied-drop")
        if fault is not None and fault.kind == "applied-502":
            status, body, headers = 502, ApiError(502, "Server Error").body(), {}
        if body is not None and not dropped:
            headers["Content-Type"] = "application/json; charset=utf-8"
        sandbox.flush_notifications()
        seq = sandbox.record_exchange(
            self._exchange_parts(
                "POST",
                "/graphql",
                {},
                raw,
                parsed,
                0 if dropped else status,
                {} if dropped else headers,
                None if dropped else body,
                "graphql",
                principal,
                fault,
            ),
            request_id,
            started,
        )
        if fault is not None:
            sandbox.faults.logged(fault, seq)
        if dropped:
            self._drop()
            return
        self._send(status, body, headers)

    def _exchange_parts(
        self,
        method: str,
        rel: str,
        query: dict[str, list[str]],
        raw: bytes,
        parsed: Any,
        status: int,
        headers: dict[str, str],
        body: Any,
        operation_id: str | None,
        principal: Principal,
        fault: Fault | None,
    ) -> dict[str, Any]:
        request_headers = dict(self.headers.items())
        if "Authorization" in request_headers:
            scheme = request_headers["Authorization"].partition(" ")[0]
            request_headers["Authorization"] = f"{scheme} ***"
        if parsed is None and raw.strip():
            try:
                parsed = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                parsed = None
        return {
            "method": method,
            "path": rel,
            "query": query,
            "request_headers": request_headers,
            "request_body": parsed,
            "raw_request_body": raw,
            "status": status,
            "response_headers": headers,
            "response_body": body,
            "operation_id": operation_id,
            "login": principal.login,
            "run_id": principal.run_id,
            "run_attempt": principal.run_attempt,
            "fault": fault.kind if fault else None,
            "fault_rule": fault.hit.rule if fault and fault.hit else None,
        }

    def _fault_error(
        self, fault: Fault, principal: Principal, request_id: str, now: datetime
    ) -> ApiError:
        kind = fault.kind
        if kind in ("500", "502"):
            return ApiError(int(kind), "Server Error")
        if kind == "503":
            return ApiError(503, "Service Unavailable")
        if kind == "secondary-rate-limit":
            return ApiError(
                403,
                _SECONDARY.format(request_id=request_id),
                documentation_url=_SECONDARY_DOCS,
                headers={"Retry-After": str(fault.retry_after)},
            )
        if kind == "primary-rate-limit":
            return self._primary_limit(principal, int(now.timestamp()) + fault.reset_in, now)
        headers = {"Retry-After": str(fault.retry_after)} if kind == "429-retry-after" else {}
        return ApiError(
            429,
            _SECONDARY.format(request_id=request_id),
            documentation_url=_SECONDARY_DOCS,
            headers=headers,
        )

    def _primary_limit(self, principal: Principal, reset: int, now: datetime) -> ApiError:
        sandbox = self.server.sandbox
        window = sandbox.limits.peek(principal, self.client_address[0], now)
        who = f"user ID {principal.user.id}" if principal.user else f"{self.client_address[0]}"
        return ApiError(
            403,
            f"API rate limit exceeded for {who}.",
            documentation_url=_PRIMARY_DOCS,
            headers={
                "X-RateLimit-Limit": str(window.limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(reset),
                "X-RateLimit-Used": str(window.limit),
            },
        )


def _request_id() -> str:
    raw = uuid.uuid4().hex.upper()
    return f"{raw[0:4]}:{raw[4:10]}:{raw[10:17]}:{raw[17:24]}:{raw[24:32]}"
