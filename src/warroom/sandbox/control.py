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
    GET    /_sandbox/runs, /_sandbox/runs/{id}   each with its event, payload and exit_code
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
    POST   /_sandbox/pulls                {"title", "head", "files": [paths], "body"?, "user"?,
                                           "labels"?, "base"?, "draft"?} -> {number, head: {sha}}
                                           pushes branch head and opens a pull request (opened)
    POST   /_sandbox/pulls/{n}/push       {"files": [paths], "user"?}: a new head commit
                                           (synchronize, with before and after)
    PATCH  /_sandbox/pulls/{n}            {"title"?, "body"?, "state"?: "open"|"closed", "user"?}
                                           (edited, closed, reopened)
    GET    /_sandbox/branches             every branch: name, sha
    POST   /_sandbox/branches             {"name": "incident/12/hotfix", "sha"?}: create or move
    POST   /_sandbox/commits              {"message", "files"?, "user"?, "branch"?, "sha"?,
                                           "pulls"?: [n], "tags"?: [name]} -> {sha, parents}
                                           pushes one commit of the git history compare reads

Pull requests and branches are made here as a person with git would make them
(GitHub's REST surface cannot push); "user" is a seeded login, "writer" if not given.
A file is a path (modified) or {"filename", "status", "additions", "deletions",
"previous_filename"}.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from warroom.sandbox.clock import parse_duration, parse_timestamp
from warroom.sandbox.dispatcher import RunBusy
from warroom.sandbox.errors import ApiError
from warroom.sandbox.faults import FaultSpecError
from warroom.sandbox.seed import OWNER

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
    if head == "pulls":
        return _pulls(sandbox, method, parts[1:], raw)
    if head == "branches" and len(parts) == 1:
        if method == "GET":
            return 200, {"branches": sandbox.branches()}
        if method == "POST":
            return _branch(sandbox, _json_body(raw))
    if head == "commits" and len(parts) == 1 and method == "POST":
        return _commit(sandbox, _json_body(raw))
    if head == "projects" and len(parts) == 1:
        if method == "GET":
            return 200, {"projects": sandbox.board.snapshot()}
        if method == "POST":
            return _project(sandbox, _json_body(raw))
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


def _keys(body: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ControlError(
            400, f"unknown key(s) {', '.join(unknown)} for {what}: use {', '.join(sorted(allowed))}"
        )


def _text(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ControlError(400, f"{key} must be a non-empty string")
    return value


def _files(body: dict[str, Any]) -> list[Any]:
    files = body.get("files")
    if not isinstance(files, list) or not files:
        raise ControlError(
            400, 'files must be a non-empty list of paths, e.g. {"files": ["src/app.py"]}'
        )
    return files


_OPEN_KEYS = {"title", "head", "files", "body", "user", "labels", "base", "draft"}


def _pulls(sandbox: Sandbox, method: str, rest: list[str], raw: bytes) -> tuple[int, Any]:
    """Open, push to, edit, close and reopen pull requests as their people would."""
    body = _json_body(raw)
    try:
        if not rest and method == "POST":
            _keys(body, _OPEN_KEYS, "a pull request")
            labels = body.get("labels", [])
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                raise ControlError(400, 'labels must be a list of label names, e.g. ["hotfix"]')
            draft = body.get("draft", False)
            if not isinstance(draft, bool):
                raise ControlError(400, "draft must be true or false")
            return 201, sandbox.open_pull(
                title=_text(body, "title", required=True) or "",
                head=_text(body, "head", required=True) or "",
                files=_files(body),
                body=_text(body, "body"),
                user=_text(body, "user") or "writer",
                labels=labels,
                base=_text(body, "base"),
                draft=draft,
            )
        number = _int(rest[0], "pull request number") if rest else None
        if number is not None and rest[1:] == ["push"] and method == "POST":
            _keys(body, {"files", "user"}, "a push")
            return 201, sandbox.push_pull(
                number, _files(body), user=_text(body, "user") or "writer"
            )
        if number is not None and len(rest) == 1 and method == "PATCH":
            _keys(body, {"title", "body", "state", "user"}, "a pull request's change")
            if not body or set(body) == {"user"}:
                raise ControlError(400, 'send {"body": ...}, {"title": ...} or {"state": "closed"}')
            return 200, sandbox.change_pull(
                number,
                user=_text(body, "user") or "writer",
                title=_text(body, "title", required="title" in body),
                body=_text(body, "body"),
                body_given="body" in body,
                state=_text(body, "state"),
            )
    except KeyError as exc:
        raise ControlError(404, str(exc.args[0]) if exc.args else str(exc)) from None
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None
    except ApiError as exc:
        raise ControlError(exc.status, _api_message(exc)) from None
    raise ControlError(
        404,
        "POST /_sandbox/pulls, POST /_sandbox/pulls/{n}/push or PATCH /_sandbox/pulls/{n}; "
        "nothing else",
    )


def _api_message(exc: ApiError) -> str:
    """GitHub's answer as one line: its message and each error's message or field."""
    body = exc.body()
    details = [
        str(e.get("message") or f"{e.get('field')} {e.get('code')}")
        for e in body.get("errors", [])
        if isinstance(e, dict)
    ]
    return "; ".join([str(body.get("message")), *details])


def _branch(sandbox: Sandbox, body: dict[str, Any]) -> tuple[int, Any]:
    _keys(body, {"name", "sha"}, "a branch")
    try:
        return 201, sandbox.set_branch(_text(body, "name", required=True) or "", _text(body, "sha"))
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None


def _commit(sandbox: Sandbox, body: dict[str, Any]) -> tuple[int, Any]:
    _keys(body, {"message", "files", "user", "branch", "sha", "pulls", "tags"}, "a commit")
    pulls, tags = body.get("pulls", []), body.get("tags", [])
    if not isinstance(pulls, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in pulls
    ):
        raise ControlError(400, "pulls must be a list of pull request numbers, such as [2]")
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise ControlError(400, 'tags must be a list of names, such as ["v2.3.1"]')
    try:
        return 201, sandbox.add_commit(
            _text(body, "message", required=True) or "",
            _files(body) if "files" in body else [],
            user=_text(body, "user") or "writer",
            branch=_text(body, "branch") or "main",
            sha=_text(body, "sha"),
            pulls=pulls,
            tags=tags,
        )
    except (KeyError, ValueError) as exc:
        raise ControlError(400, str(exc).strip("'\"")) from None


def _project(sandbox: Sandbox, body: dict[str, Any]) -> tuple[int, Any]:
    """Seed a GitHub Project: {"number": 1, "title"?, "owner"?, "owner_type"?, "fields"?}.

    ``fields`` is a list of {"name", "data_type", "options"?}; without it the project has
    Title, Status (Todo, In Progress, Done), Owner, Due date and Incident.
    """
    _keys(body, {"number", "title", "owner", "owner_type", "fields"}, "a project")
    number = body.get("number")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ControlError(400, "number must be a positive integer (the project's number)")
    owner_type = body.get("owner_type", "Organization")
    if owner_type not in ("Organization", "User"):
        raise ControlError(400, "owner_type must be Organization or User")
    fields = body.get("fields")
    shaped: list[tuple[str, str, list[str]]] | None = None
    if fields is not None:
        if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
            raise ControlError(400, "fields must be a list of {name, data_type, options}")
        shaped = []
        for f in fields:
            kind = f.get("data_type")
            if kind not in ("TEXT", "DATE", "NUMBER", "SINGLE_SELECT", "TITLE"):
                raise ControlError(
                    400, "data_type must be TEXT, DATE, NUMBER, SINGLE_SELECT or TITLE"
                )
            options = f.get("options", [])
            if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
                raise ControlError(400, "options must be a list of option names")
            shaped.append((str(f.get("name", "")), kind, options))
    return 201, sandbox.seed_project(
        number,
        title=_text(body, "title") or "Backlog",
        owner=_text(body, "owner") or OWNER,
        owner_type=owner_type,
        fields=shaped,
    )
