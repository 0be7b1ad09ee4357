"""Posting from the pages: open, comment, edit, close, reopen and relabel as a chosen seeded user.

A form post becomes the very REST call a client would make (``POST .../issues``,
``POST .../comments``, ``PATCH .../issues/comments/{id}``, ``PATCH .../issues/{n}``,
``POST``/``DELETE .../labels``),
handled by the same ``RestApi`` handler with the chosen user's permissions,
charged to that user's rate limit, logged and shown to observers like any exchange, so webhooks fire
and the dispatcher starts runs exactly as for an API client. Only ``POST``
changes anything; every field is checked for size and kind before a call is
made, and a refusal comes back as the REST answer's own message.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from warroom.sandbox import errors
from warroom.sandbox.access import Principal
from warroom.sandbox.errors import ApiError
from warroom.sandbox.records import User
from warroom.sandbox.rest import LABEL_NAME_LIMIT, TITLE_LIMIT, match_route
from warroom.sandbox.rest_core import BODY_LIMIT, Call, JsonBody
from warroom.sandbox.seed import OWNER, REPO
from warroom.sandbox.web.issue_forms import IssueForm, compose

if TYPE_CHECKING:
    from warroom.sandbox.sandbox import Sandbox

FORM_LIMIT = 4 * BODY_LIMIT + 16 * 1024
"""The largest form post read (a comment at GitHub's limit, percent-encoded, and the rest)."""
MAX_FIELDS = 300
_USER_AGENT = "warroom-sandbox-web"


class FormError(Exception):
    """A form post that cannot become a REST call; ``status`` and a message naming the field."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Outcome:
    """What a post did: the REST status, its JSON answer, and a message when refused."""

    status: int
    body: Any
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_form(raw: bytes, content_type: str) -> dict[str, list[str]]:
    """The fields of an ``application/x-www-form-urlencoded`` body; ``FormError`` otherwise."""
    if content_type.split(";", 1)[0].strip().lower() != "application/x-www-form-urlencoded":
        raise FormError(415, "send the form as application/x-www-form-urlencoded")
    if len(raw) > FORM_LIMIT:
        raise FormError(413, f"the form is larger than {FORM_LIMIT} bytes; shorten the comment")
    try:
        text = raw.decode("utf-8")
        return parse_qs(
            text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        raise FormError(400, "the form is not UTF-8 text with at most 300 fields") from None


def one(fields: Mapping[str, Sequence[str]], name: str, *, limit: int) -> str:
    """Field ``name``'s single value, at most ``limit`` characters; ``FormError`` otherwise."""
    values = fields.get(name) or []
    if len(values) != 1:
        raise FormError(400, f"field {name!r}: give exactly one value")
    value = values[0]
    if len(value) > limit:
        raise FormError(413, f"field {name!r}: at most {limit} characters")
    return value


def acting_user(sandbox: Sandbox, fields: Mapping[str, Sequence[str]]) -> User:
    """The seeded person the form acts as (field ``as``); never the bot."""
    login = one(fields, "as", limit=64)
    user = sandbox.state.user(login)
    if user is None or user.type != "User":
        people = ", ".join(u.login for u in people_of(sandbox))
        raise FormError(400, f"field 'as': {login!r} is not a seeded user; choose one of {people}")
    return user


def people_of(sandbox: Sandbox) -> list[User]:
    """The seeded people (not the bot), as the select lists them."""
    return [u for u in sandbox.state.users.values() if u.type == "User"]


def label_names(fields: Mapping[str, Sequence[str]], name: str) -> list[str]:
    values = list(fields.get(name) or [])
    for value in values:
        if not value.strip() or len(value) > LABEL_NAME_LIMIT:
            raise FormError(400, f"field {name!r}: a label name of 1 to {LABEL_NAME_LIMIT} chars")
    return values


def call_as(
    sandbox: Sandbox, user: User, method: str, rel: str, body: Any, client: str = "127.0.0.1"
) -> Outcome:
    """One REST call as ``user``, through the API's own handler, logged like any exchange."""
    started = time.monotonic()
    request_id = uuid.uuid4().hex.upper()[:20]
    principal = Principal(user)
    route, params = match_route(method, rel)
    raw = json.dumps(body).encode() if body is not None else b""
    status: int
    out: Any
    headers: dict[str, str] = {}
    try:
        if route is None:
            raise errors.not_found()
        _, allowed = sandbox.limits.charge(principal, client, sandbox.clock.now())
        if not allowed:
            raise ApiError(403, f"API rate limit exceeded for user ID {user.id}.")
        reply = sandbox.rest.handle(route, Call(method, rel, params, {}, body, raw, principal))
        status, out, headers = reply.status, reply.body, dict(reply.headers)
    except ApiError as exc:
        status, out, headers = exc.status, exc.body(), dict(exc.headers)
    if isinstance(out, JsonBody):
        out = out.parsed()
    if status == 204:
        out = None
    if out is not None:
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
    headers["X-GitHub-Request-Id"] = request_id
    sandbox.flush_notifications()
    request_headers = {"User-Agent": _USER_AGENT, "Accept": "application/vnd.github+json"}
    if body is not None:
        request_headers["Content-Type"] = "application/json"
    sandbox.record_exchange(
        {
            "method": method,
            "path": rel,
            "query": {},
            "request_headers": request_headers,
            "request_body": body,
            "raw_request_body": raw,
            "status": status,
            "response_headers": headers,
            "response_body": out,
            "operation_id": route.operation_id if route else None,
            "login": user.login,
            "run_id": None,
            "run_attempt": None,
            "fault": None,
            "fault_rule": None,
        },
        request_id,
        started,
    )
    if status >= 400:
        return Outcome(status, out, refusal(user, status, out))
    return Outcome(status, out)


def refusal(user: User, status: int, body: Any) -> str:
    """A person's words for a REST refusal: who tried, GitHub's status and message, the fields."""
    message = body.get("message", "") if isinstance(body, dict) else ""
    details = []
    for item in (body.get("errors") or []) if isinstance(body, dict) else []:
        if isinstance(item, dict):
            details.append(str(item.get("message") or item.get("code") or ""))
    extra = f" ({'; '.join(d for d in details if d)})" if any(details) else ""
    return f"{user.login} ({user.permission}) was refused: {status} {message}{extra}"


def issue_rel(number: int, tail: str = "") -> str:
    return f"/repos/{OWNER}/{REPO}/issues/{number}{tail}"


def open_issue(
    sandbox: Sandbox, fields: Mapping[str, Sequence[str]], form: IssueForm | None = None
) -> Outcome:
    """``POST /repos/{owner}/{repo}/issues`` with title, body and the labels ticked.

    With an issue ``form``, the body is the one GitHub writes for the answers
    and the form's labels go on the issue, as when a form is submitted on GitHub.
    """
    user = acting_user(sandbox, fields)
    title = one(fields, "title", limit=TITLE_LIMIT).strip()
    if not title:
        raise FormError(400, "field 'title': give the issue a title")
    body: dict[str, Any] = {"title": title}
    if form is not None:
        for name, values in fields.items():
            if sum(len(v) for v in values) > BODY_LIMIT:
                raise FormError(413, f"field {name!r}: at most {BODY_LIMIT} characters")
        text, missing = compose(form, fields)
        if missing:
            raise FormError(400, "the form is not complete: " + "; ".join(missing))
    else:
        text = (
            one(fields, "body", limit=BODY_LIMIT).replace("\r\n", "\n") if "body" in fields else ""
        )
    if text.strip():
        body["body"] = text
    chosen = [*(form.labels if form is not None else ()), *label_names(fields, "label")]
    labels = list(dict.fromkeys(chosen))
    if labels:
        body["labels"] = labels
    return call_as(sandbox, user, "POST", f"/repos/{OWNER}/{REPO}/issues", body)


def post_comment(sandbox: Sandbox, number: int, fields: Mapping[str, Sequence[str]]) -> Outcome:
    """``POST /repos/{owner}/{repo}/issues/{n}/comments`` as the chosen user."""
    user = acting_user(sandbox, fields)
    text = one(fields, "body", limit=BODY_LIMIT).replace("\r\n", "\n")
    if not text.strip():
        raise FormError(400, "field 'body': write a comment first")
    return call_as(sandbox, user, "POST", issue_rel(number, "/comments"), {"body": text})


def edit_comment(sandbox: Sandbox, comment_id: int, fields: Mapping[str, Sequence[str]]) -> Outcome:
    """``PATCH /repos/{owner}/{repo}/issues/comments/{id}`` with the new body, as the chosen user.

    Whether that user may edit it (the author, or anyone with write) is the REST
    handler's to decide, as on GitHub; an unchanged body is a quiet success there.
    """
    user = acting_user(sandbox, fields)
    text = one(fields, "body", limit=BODY_LIMIT).replace("\r\n", "\n")
    if not text.strip():
        raise FormError(400, "field 'body': a comment cannot be blank; write its new text")
    rel = f"/repos/{OWNER}/{REPO}/issues/comments/{comment_id}"
    return call_as(sandbox, user, "PATCH", rel, {"body": text})


def change_state(sandbox: Sandbox, number: int, fields: Mapping[str, Sequence[str]]) -> Outcome:
    """``PATCH /repos/{owner}/{repo}/issues/{n}`` with ``state`` (and ``state_reason``)."""
    user = acting_user(sandbox, fields)
    state = one(fields, "state", limit=10)
    if state not in ("open", "closed"):
        raise FormError(400, "field 'state': open or closed")
    body: dict[str, Any] = {"state": state}
    if state == "closed" and fields.get("state_reason"):
        reason = one(fields, "state_reason", limit=20)
        if reason not in ("completed", "not_planned"):
            raise FormError(400, "field 'state_reason': completed or not_planned")
        body["state_reason"] = reason
    return call_as(sandbox, user, "PATCH", issue_rel(number), body)


def relabel(sandbox: Sandbox, number: int, fields: Mapping[str, Sequence[str]]) -> Outcome:
    """Add the labels ticked and remove those unticked, relative to what the page showed.

    Labels someone else changed since the page was drawn are left as they are.
    """
    user = acting_user(sandbox, fields)
    chosen = label_names(fields, "label")
    shown = label_names(fields, "shown")
    added = [name for name in dict.fromkeys(chosen) if name not in shown]
    removed = [name for name in dict.fromkeys(shown) if name not in chosen]
    outcome = Outcome(200, None)
    if added:
        outcome = call_as(sandbox, user, "POST", issue_rel(number, "/labels"), {"labels": added})
        if not outcome.ok:
            return outcome
    for name in removed:
        outcome = call_as(
            sandbox, user, "DELETE", issue_rel(number, f"/labels/{quote(name, safe='')}"), None
        )
        if not outcome.ok:
            return outcome
    return outcome
