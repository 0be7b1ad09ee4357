"""What every REST room of the sandbox shares: the parsed call, replies, routes, checks.

GitHub's REST surface is split by resource (issues in ``rest.py``, pull requests
in ``rest_pulls.py``, commit statuses in ``rest_statuses.py``, branches and refs in
``rest_git.py``); each room is a mixin over ``RestBase``, which holds the state,
the renderer and the helpers every handler needs (access checks, pagination with
``Link`` headers, body validation answering as GitHub's schema check does, and
webhook payloads). A room only validates, changes state in one transaction and
renders; the router in ``rest.py`` only routes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from warroom.sandbox import errors
from warroom.sandbox.access import Principal, RateLimits
from warroom.sandbox.clock import format_timestamp, parse_timestamp
from warroom.sandbox.records import Comment, Issue, Pull
from warroom.sandbox.render import Renderer, encode_json
from warroom.sandbox.seed import OWNER, REPO
from warroom.sandbox.state import Memo, State, Transaction

BODY_LIMIT = 65536


@dataclass
class Call:
    """One parsed REST request as a handler sees it."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    raw: bytes
    principal: Principal
    client: str = "127.0.0.1"

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass(frozen=True)
class JsonBody:
    """A body already encoded (a kept page): sent as is, and parsed only for observers."""

    data: bytes

    def parsed(self) -> Any:
        return json.loads(self.data)


@dataclass
class Reply:
    """A handler's answer; the server adds GitHub's standard headers.

    ``body`` is the JSON value to send, or a ``JsonBody`` holding it encoded.
    """

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _EncodedPage:
    data: bytes
    headers: Mapping[str, str]


_PAGE_BYTES = 64 * 1024 * 1024
"""The bytes of encoded pages kept between writes (10,000 issues in pages of 30: ~25 MB)."""


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    operation_id: str
    handler: str
    pattern: re.Pattern[str]


def compile_route(template: str) -> re.Pattern[str]:
    """The pattern of a path template; a ``{ref}`` spans slashes (``heads/incident/12/``)."""

    def param(match: re.Match[str]) -> str:
        name = match.group(1)
        body = r"\d+" if name.endswith(("_number", "_id")) else r"[^/]+"
        if name == "ref":
            body = r".+"
        return f"(?P<{name}>{body})"

    return re.compile("^" + re.sub(r"\{(\w+)\}", param, template) + "$")


# -- body validation ------------------------------------------------------------------

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


def _is(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return kind == "null" and value is None


def show_json(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _expect(where: str, value: Any, kinds: str) -> None:
    options = kinds.split("|")
    if any(_is(value, k) for k in options):
        return
    names = " or ".join(_TYPE_NAMES[k] for k in options)
    raise errors.invalid_request(f"For '{where}', {show_json(value)} is not {names}.")


def read_object(
    call: Call,
    spec: Mapping[str, str],
    *,
    required: Sequence[str] = (),
    items: Mapping[str, str] | None = None,
    optional_body: bool = False,
) -> dict[str, Any]:
    """Check a JSON object body against a field spec the way GitHub's schema check answers."""
    body = call.body
    if body is None and not call.raw.strip():
        if optional_body:
            return {}
        raise errors.invalid_request("For 'links/0/schema', nil is not an object.")
    if not isinstance(body, dict):
        raise errors.invalid_request(f"For 'links/0/schema', {show_json(body)} is not an object.")
    for key in body:
        if key not in spec:
            raise errors.invalid_request(f'"{key}" is not a permitted key.')
    for key in required:
        if key not in body:
            raise errors.invalid_request(f'"{key}" wasn\'t supplied.')
    for key, value in body.items():
        _expect(f"properties/{key}", value, spec[key])
        if items and key in items and isinstance(value, list):
            for index, item in enumerate(value):
                _expect(f"items/{key}/{index}", item, items[key])
    return body


def _int_param(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class RestBase:
    """State, renderer and the helpers every room's handlers use; ``handle`` dispatches."""

    def __init__(
        self,
        state: State,
        renderer: Renderer,
        limits: RateLimits,
        *,
        private: bool = False,
    ) -> None:
        self.state = state
        self.r = renderer
        self.limits = limits
        self.private = private
        self.teams: dict[str, set[str]] = {}
        """Team slug -> member logins (lower-case), in the repository's organisation."""
        self.repo_name = REPO
        """The repository these handlers serve (``sandbox.repos`` adds others)."""
        self.siblings: list[RestBase] = []
        """The other repositories' handlers: sub-issues may live there."""
        self._issue_orders: Memo[list[Issue]] = Memo(state, max_entries=64)
        self._pages: Memo[_EncodedPage] = Memo(
            state, max_entries=4096, max_weight=_PAGE_BYTES, weight=lambda p: len(p.data)
        )

    # -- dispatching -------------------------------------------------------------

    def handle(self, route: Route, call: Call) -> Reply:
        if "owner" in call.params and (
            call.params["owner"].lower() != OWNER.lower()
            or call.params["repo"].lower() != self.repo_name.lower()
        ):
            raise errors.not_found()
        handler: Callable[[Call], Reply] = getattr(self, route.handler)
        return handler(call)

    # -- access helpers ------------------------------------------------------------

    @property
    def public(self) -> bool:
        return not self.private

    def _read(self, call: Call) -> None:
        if not call.principal.at_least("read", public=self.public):
            raise errors.not_found()

    def _authenticated(self, call: Call) -> None:
        if call.principal.user is None:
            raise errors.requires_authentication()
        self._read(call)

    def _need(self, call: Call, level: str, message: str | None = None) -> None:
        self._authenticated(call)
        if not call.principal.at_least(level, public=self.public):
            raise errors.forbidden(message or "Must have admin rights to Repository.")

    def _can(self, call: Call, level: str) -> bool:
        return call.principal.at_least(level, public=self.public)

    def _issue(self, call: Call) -> Issue:
        issue = self.state.issues.get(int(call.params["issue_number"]))
        if issue is None:
            raise errors.not_found()
        return issue

    def _sender(self, call: Call) -> str:
        assert call.principal.user is not None
        return call.principal.user.login

    def _tx(self, call: Call) -> Any:
        return self.state.transaction(by_workflow_token=call.principal.workflow_token)

    # -- pagination ----------------------------------------------------------------

    def _slice(self, call: Call, items: Sequence[Any]) -> tuple[Sequence[Any], dict[str, str]]:
        """The items on the page asked for, and the ``Link`` header to the others."""
        per_page = min(100, max(1, _int_param(call.arg("per_page"), 30)))
        page = max(1, _int_param(call.arg("page"), 1))
        last = max(1, math.ceil(len(items) / per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = self._links(call, page, last)
        return chunk, ({"Link": links} if links else {})

    def _page(self, call: Call, items: Sequence[Any], render: Callable[[Any], Any]) -> Reply:
        chunk, headers = self._slice(call, items)
        return Reply(200, [render(item) for item in chunk], headers)

    def _kept_page(
        self,
        call: Call,
        items: Callable[[], Sequence[Any]],
        render: Callable[[Any], Any],
        render_json: Callable[[Any], str] | None = None,
    ) -> Reply:
        """``_page``, encoded once per state version and then served from memory.

        Clients re-read the same pages far more often than anyone writes (every
        run lists issues and comments), so a page is kept, keyed by its path and
        query, until the next transaction. Call with the state lock held, after
        the access checks: what is kept depends only on the records and the URL.
        ``render_json``, when given, encodes one item exactly as ``render`` then
        ``encode_json`` would, only faster.
        """
        key = (call.path, tuple((name, tuple(values)) for name, values in call.query.items()))

        def build() -> _EncodedPage:
            chunk, headers = self._slice(call, items())
            if render_json is None:
                return _EncodedPage(encode_json([render(item) for item in chunk]), headers)
            text = "[" + ", ".join(render_json(item) for item in chunk) + "]"
            return _EncodedPage(text.encode("utf-8"), headers)

        try:
            page = self._pages.get(key, build)
        except UnicodeEncodeError:
            # Text that UTF-8 cannot carry (a lone surrogate a client sent escaped):
            # answer unencoded, so it fails where it always did, on the way out.
            return self._page(call, items(), render)
        return Reply(200, JsonBody(page.data), dict(page.headers))

    def _links(self, call: Call, page: int, last: int) -> str:
        base = f"{self.r.api}{call.path}"
        query = {k: v[-1] for k, v in call.query.items() if k != "page"}

        def url(number: int) -> str:
            return f"<{base}?{urlencode({**query, 'page': str(number)})}>"

        parts: list[str] = []
        if page > 1:
            parts.append(f'{url(min(page - 1, last))}; rel="prev"')
        if page < last:
            parts.append(f'{url(page + 1)}; rel="next"')
            parts.append(f'{url(last)}; rel="last"')
        if page > 1:
            parts.append(f'{url(1)}; rel="first"')
        return ", ".join(parts)

    def _since(self, call: Call, resource: str) -> str | None:
        text = call.arg("since")
        if text is None:
            return None
        try:
            return format_timestamp(parse_timestamp(text))
        except ValueError:
            raise errors.validation_failed(resource, "since", "invalid", value=text) from None

    def _choice(self, call: Call, name: str, options: Sequence[str], default: str, res: str) -> str:
        value = call.arg(name) or default
        if value not in options:
            raise errors.validation_failed(res, name, "invalid", value=value)
        return value

    # -- shared checks ----------------------------------------------------------------

    def _check_body(self, text: Any, resource: str, field_name: str) -> None:
        if isinstance(text, str) and len(text) > BODY_LIMIT:
            raise errors.validation_failed(
                resource,
                field_name,
                "custom",
                message=f"body is too long (maximum is {BODY_LIMIT} characters)",
            )

    # -- webhook payloads ------------------------------------------------------------

    def _payload(self, action: str, sender: str, **parts: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {"action": action}
        payload.update(parts)
        payload["repository"] = self.r.repository(private=self.private)
        payload["organization"] = self.r.organization()
        payload["sender"] = self.r.user(sender)
        return payload

    def _emit_issue(
        self, tx: Transaction, action: str, issue: Issue, sender: str, **extra: Any
    ) -> None:
        """An ``issues`` event, or ``pull_request`` when the issue is a pull request.

        As on GitHub, labelling, assigning, editing or closing a pull request through
        the issues API tells webhooks about the pull request, not an issue.
        """
        pull = self.state.pulls.get(issue.number)
        if pull is not None:
            self._emit_pull(tx, action, issue, pull, sender, **extra)
            return
        tx.emit("issues", self._payload(action, sender, issue=self.r.webhook_issue(issue), **extra))

    def _emit_pull(
        self, tx: Transaction, action: str, issue: Issue, pull: Pull, sender: str, **extra: Any
    ) -> None:
        parts: dict[str, Any] = {"number": issue.number}
        parts.update(extra)
        parts["pull_request"] = self.r.pull(issue, pull)
        tx.emit("pull_request", self._payload(action, sender, **parts))

    def _emit_comment(
        self,
        tx: Transaction,
        action: str,
        issue: Issue,
        comment: Comment,
        sender: str,
        **extra: Any,
    ) -> None:
        parts: dict[str, Any] = dict(extra)
        parts["issue"] = self.r.webhook_issue(issue)
        parts["comment"] = self.r.comment(comment)
        tx.emit("issue_comment", self._payload(action, sender, **parts))
