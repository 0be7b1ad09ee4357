"""The private control API under ``/_sandbox/`` (not part of GitHub's surface).

It lets a test, the demo or a drill look behind the curtain and steer:
the request log (operation ids, counts per run), the event and run log (exit
code, outputs, step summary, every attempt), re-runs, the clock, fault
injection and what each fault hit, injected webhook deliveries, on-demand
scheduled runs, the runs' state directory and waiting until all runs are done.

    GET    /_sandbox                      api_url, repo, tokens, users
    GET    /_sandbox/requests[?run_id=&run_attempt=&operation_id=&after=]
    GET    /_sandbox/events               deliveries, with the run each started
    POST   /_sandbox/events               {"event": "issues", "payload": {...}}
    GET    /_sandbox/runs, /_sandbox/runs/{id}
    POST   /_sandbox/runs/{id}/rerun      next attempt, same payload (409 unless completed)
    POST   /_sandbox/runs/rerun-failed    {"sequential": false, "timeout": 300}
    POST   /_sandbox/schedule             {"cron": "*/15 * * * *"}
    POST   /_sandbox/wait                 {"timeout": 60}
    GET    /_sandbox/clock
    POST   /_sandbox/clock                {"now": "...Z"} | {"advance": "1h30m"} | {"frozen": true}
    GET    /_sandbox/faults               rules with what each hit, and the whole history
    POST   /_sandbox/faults               one rule, or {"rules": [...], "seed": 7}
    DELETE /_sandbox/faults               remove the rules (the history stays)
    DELETE /_sandbox/rate_limits          start every rate-limit window afresh
    GET    /_sandbox/state                the runs' saved WARROOM_STATE_DIR: files, saved_by
    DELETE /_sandbox/state                empty it (a cache miss)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from warroom.sandbox.clock import parse_duration, parse_timestamp
from warroom.sandbox.dispatcher import RunBusy
from warroom.sandbox.faults import FaultSpecError

if TYPE_CHECKING:
    from warroom.sandbox.sandbox import Sandbox


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ControlError(400, "body is not JSON: send a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


def _int(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ControlError(400, f"{name} must be an integer") from None


def handle_control(
    sandbox: Sandbox, method: str, path: str, query: dict[str, list[str]], raw: bytes
) -> tuple[int, Any]:
    """Answer one control request: (status, JSON body)."""
    try:
        return _route(sandbox, method, path.rstrip("/"), query, raw)
    except ControlError as exc:
        return exc.status, {"message": exc.message}


def _arg(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _route(
    sandbox: Sandbox, method: str, path: str, query: dict[str, list[str]], raw: bytes
) -> tuple[int, Any]:
    parts = path.split("/")[2:]
    head = parts[0] if parts else ""
    if head == "" and method == "GET":
        return 200, sandbox.info()
    if head == "requests" and method == "GET":
        return 200, sandbox.requests(
            run_id=_int(_arg(query, "run_id"), "run_id"),
            operation_id=_arg(query, "operation_id"),
            after=_int(_arg(query, "after"), "after") or 0,
            run_attempt=_int(_arg(query, "run_attempt"), "run_attempt"),
        )
    if head == "events" and method == "GET":
        return 200, {"events": sandbox.deliveries()}
    if head == "events" and method == "POST":
        body = _json_body(raw)
        event, payload = body.get("event"), body.get("payload")
        if not isinstance(event, str) or not isinstance(payload, dict):
            raise ControlError(
                400, 'send {"event": "<event name>", "payload": {...}} as GitHub would deliver it'
            )
        return 201, sandbox.deliver(event, payload)
    if head == "runs" and method == "POST":
        return _rerun(sandbox, parts[1:], raw)
    if head == "runs" and method == "GET":
        if len(parts) == 2:
            run = sandbox.run(_int(parts[1], "run id") or 0)
            if run is None:
                raise ControlError(404, f"no run {parts[1]}")
            return 200, run
        return 200, {"runs": sandbox.runs()}
    if head == "schedule" and method == "POST":
        body = _json_body(raw)
        cron = body.get("cron", "*/15 * * * *")
        if not isinstance(cron, str):
            raise ControlError(400, "cron must be a string such as '*/15 * * * *'")
        return 201, sandbox.schedule(cron)
    if head == "wait" and method == "POST":
        body = _json_body(raw)
        timeout = body.get("timeout", 60)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise ControlError(400, "timeout must be a non-negative number of seconds")
        idle = sandbox.wait_idle(float(timeout))
        return (200 if idle else 408), {"idle": idle, "pending": sandbox.pending_runs}
    if head == "clock":
        if method == "GET":
            return 200, sandbox.clock.snapshot()
        if method == "POST":
            return 200, _set_clock(sandbox, _json_body(raw))
    if head == "faults":
        if method == "GET":
            return 200, sandbox.faults.to_json()
        if method == "DELETE":
            sandbox.faults.clear()
            return 200, sandbox.faults.to_json()
        if method == "POST":
            body = _json_body(raw)
            seed = body.pop("seed", None)
            if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
                raise ControlError(400, "seed must be an integer")
            specs = body.pop("rules", None)
            if specs is None:
                specs = [body] if body else []
            elif body:
                raise ControlError(400, "send either one rule or {'rules': [...], 'seed': n}")
            if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
                raise ControlError(400, "rules must be a list of rule objects")
            try:
                sandbox.faults.configure(specs, seed=seed)
            except FaultSpecError as exc:
                raise ControlError(400, str(exc)) from None
            return 201, sandbox.faults.to_json()
    if head == "rate_limits" and method == "DELETE":
        sandbox.limits.reset()
        return 200, {"reset": True}
    if head == "state" and len(parts) == 1:
        if method == "GET":
            return 200, sandbox.run_state.to_json()
        if method == "DELETE":
            sandbox.run_state.clear()
            return 200, sandbox.run_state.to_json()
    raise ControlError(404, f"no control endpoint {method} {path}")


def _rerun(sandbox: Sandbox, rest: list[str], raw: bytes) -> tuple[int, Any]:
    if rest == ["rerun-failed"]:
        body = _json_body(raw)
        unknown = sorted(set(body) - {"sequential", "timeout"})
        if unknown:
            raise ControlError(
                400, f"unknown key(s) {', '.join(unknown)}: use sequential (true/false), timeout"
            )
        sequential = body.get("sequential", False)
        if not isinstance(sequential, bool):
            raise ControlError(400, "sequential must be true or false")
        timeout = body.get("timeout", 300)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ControlError(400, "timeout must be a positive number of seconds")
        try:
            runs = sandbox.rerun_failed(sequential=sequential, timeout=float(timeout))
        except TimeoutError as exc:
            raise ControlError(408, str(exc)) from None
        return 201, {"runs": runs}
    if len(rest) == 2 and rest[1] == "rerun":
        run_id = _int(rest[0], "run id") or 0
        try:
            return 201, sandbox.rerun(run_id)
        except KeyError:
            raise ControlError(404, f"no run {rest[0]}; GET /_sandbox/runs lists them") from None
        except RunBusy as exc:
            raise ControlError(409, str(exc)) from None
    raise ControlError(
        404, "POST /_sandbox/runs/{id}/rerun or /_sandbox/runs/rerun-failed; nothing else"
    )


def _set_clock(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - {"now", "advance", "frozen"})
    if unknown:
        raise ControlError(
            400, f"unknown clock key(s) {', '.join(unknown)}: use now, advance, frozen"
        )
    if not body:
        raise ControlError(400, 'send {"now": "2024-05-01T12:00:00Z"} or {"advance": "1h"}')
    now = body.get("now")
    advance = body.get("advance")
    frozen = body.get("frozen")
    if frozen is not None and not isinstance(frozen, bool):
        raise ControlError(400, "frozen must be true or false")
    try:
        when = parse_timestamp(now) if isinstance(now, str) else None
    except ValueError:
        raise ControlError(
            400, f"now {now!r} is not an ISO 8601 time such as 2024-05-01T12:00:00Z"
        ) from None
    if now is not None and when is None:
        raise ControlError(400, "now must be an ISO 8601 string such as 2024-05-01T12:00:00Z")
    try:
        delta = parse_duration(advance) if advance is not None else None
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None
    return sandbox.set_clock(now=when, advance=delta, frozen=frozen)
