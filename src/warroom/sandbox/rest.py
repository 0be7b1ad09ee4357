"""GitHub's REST surface for one repository: routes, permissions, validation, effects.

Each route carries GitHub's OpenAPI ``operationId`` so observers can check the
exchange against GitHub's description. Handlers validate everything first and
only then change state inside one transaction, emitting the webhook events
GitHub would send for the change (``issues`` / ``issue_comment`` with
``sender``, ``changes`` and ``state_reason``; ``pull_request`` when the issue
is a pull request). The issues room lives here; pull requests, commit statuses,
branches and the git history are rooms of their own (``rest_pulls``, ``rest_statuses``,
``rest_git``, ``rest_commits``), mixed into ``RestApi`` and listed in ``ROUTES`` with the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, overload
from urllib.parse import unquote

from warroom.sandbox import errors, rest_commits, rest_git, rest_pulls, rest_statuses
from warroom.sandbox.clock import format_timestamp, parse_timestamp
from warroom.sandbox.errors import ApiError
from warroom.sandbox.records import Comment, Issue, Label, Milestone, User, level_at_least
from warroom.sandbox.rest_commits import CommitsRoutes
from warroom.sandbox.rest_core import (
    BODY_LIMIT,
    Call,
    Reply,
    RestBase,
    Route,
    compile_route,
    read_object,
    show_json,
)
from warroom.sandbox.rest_git import GitRoutes
from warroom.sandbox.rest_pulls import PullsRoutes
from warroom.sandbox.rest_statuses import StatusesRoutes
from warroom.sandbox.seed import OWNER
from warroom.sandbox.state import Transaction

TITLE_LIMIT = 256
LABEL_NAME_LIMIT = 50
LABEL_DESCRIPTION_LIMIT = 100
MAX_ASSIGNEES = 10
MAX_SUB_ISSUES = 100
STATE_REASONS = ("completed", "not_planned", "duplicate", "reopened")
LOCK_REASONS = ("off-topic", "too heated", "resolved", "spam")
_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")
_NO_PUSH = "Must have push access to view repository collaborators."


_ROUTE_TABLE: list[tuple[str, str, str, str]] = [
    ("GET", "/rate_limit", "rate-limit/get", "rate_limit"),
    ("GET", "/user", "users/get-authenticated", "get_authenticated_user"),
    ("GET", "/users/{username}", "users/get-by-username", "get_user"),
    ("GET", "/repos/{owner}/{repo}", "repos/get", "get_repo"),
    ("GET", "/repos/{owner}/{repo}/issues", "issues/list-for-repo", "list_issues"),
    ("POST", "/repos/{owner}/{repo}/issues", "issues/create", "create_issue"),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/comments",
        "issues/list-comments-for-repo",
        "list_repo_comments",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        "issues/get-comment",
        "get_comment",
    ),
    (
        "PATCH",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        "issues/update-comment",
        "update_comment",
    ),
    (
        "DELETE",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        "issues/delete-comment",
        "delete_comment",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/events",
        "issues/list-events-for-repo",
        "list_repo_events",
    ),
    ("GET", "/repos/{owner}/{repo}/issues/events/{event_id}", "issues/get-event", "get_event"),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}", "issues/get", "get_issue"),
    ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", "issues/update", "update_issue"),
    (
        "POST",
        "/repos/{owner}/{repo}/issues/{issue_number}/assignees",
        "issues/add-assignees",
        "add_assignees",
    ),
    (
        "DELETE",
        "/repos/{owner}/{repo}/issues/{issue_number}/assignees",
        "issues/remove-assignees",
        "remove_assignees",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}/assignees/{assignee}",
        "issues/check-user-can-be-assigned-to-issue",
        "check_issue_assignee",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        "issues/list-comments",
        "list_comments",
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        "issues/create-comment",
        "create_comment",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}/events",
        "issues/list-events",
        "list_events",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}/labels",
        "issues/list-labels-on-issue",
        "list_issue_labels",
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/issues/{issue_number}/labels",
        "issues/add-labels",
        "add_labels",
    ),
    (
        "PUT",
        "/repos/{owner}/{repo}/issues/{issue_number}/labels",
        "issues/set-labels",
        "set_labels",
    ),
    (
        "DELETE",
        "/repos/{owner}/{repo}/issues/{issue_number}/labels",
        "issues/remove-all-labels",
        "remove_all_labels",
    ),
    (
        "DELETE",
        "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
        "issues/remove-label",
        "remove_label",
    ),
    ("PUT", "/repos/{owner}/{repo}/issues/{issue_number}/lock", "issues/lock", "lock_issue"),
    ("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/lock", "issues/unlock", "unlock_issue"),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}/parent",
        "issues/get-parent",
        "get_parent",
    ),
    (
        "DELETE",
        "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue",
        "issues/remove-sub-issue",
        "remove_sub_issue",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
        "issues/list-sub-issues",
        "list_sub_issues",
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
        "issues/add-sub-issue",
        "add_sub_issue",
    ),
    (
        "PATCH",
        "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues/priority",
        "issues/reprioritize-sub-issue",
        "reprioritize_sub_issue",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{issue_number}/timeline",
        "issues/list-events-for-timeline",
        "list_timeline",
    ),
    ("GET", "/repos/{owner}/{repo}/labels", "issues/list-labels-for-repo", "list_labels"),
    ("POST", "/repos/{owner}/{repo}/labels", "issues/create-label", "create_label"),
    ("GET", "/repos/{owner}/{repo}/labels/{name}", "issues/get-label", "get_label"),
    ("PATCH", "/repos/{owner}/{repo}/labels/{name}", "issues/update-label", "update_label"),
    ("DELETE", "/repos/{owner}/{repo}/labels/{name}", "issues/delete-label", "delete_label"),
    ("GET", "/repos/{owner}/{repo}/milestones", "issues/list-milestones", "list_milestones"),
    ("POST", "/repos/{owner}/{repo}/milestones", "issues/create-milestone", "create_milestone"),
    (
        "GET",
        "/repos/{owner}/{repo}/milestones/{milestone_number}",
        "issues/get-milestone",
        "get_milestone",
    ),
    (
        "PATCH",
        "/repos/{owner}/{repo}/milestones/{milestone_number}",
        "issues/update-milestone",
        "update_milestone",
    ),
    (
        "DELETE",
        "/repos/{owner}/{repo}/milestones/{milestone_number}",
        "issues/delete-milestone",
        "delete_milestone",
    ),
    ("GET", "/repos/{owner}/{repo}/assignees", "issues/list-assignees", "list_assignees"),
    (
        "GET",
        "/repos/{owner}/{repo}/assignees/{assignee}",
        "issues/check-user-can-be-assigned",
        "check_assignee",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/collaborators",
        "repos/list-collaborators",
        "list_collaborators",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/collaborators/{username}/permission",
        "repos/get-collaborator-permission-level",
        "collaborator_permission",
    ),
    (
        "GET",
        "/orgs/{org}/teams/{team_slug}/memberships/{username}",
        "teams/get-membership-for-user-in-org",
        "team_membership",
    ),
]

ROUTES: tuple[Route, ...] = tuple(
    Route(method, template, op, handler, compile_route(template))
    for method, template, op, handler in (
        *_ROUTE_TABLE,
        *rest_pulls.ROUTE_TABLE,
        *rest_statuses.ROUTE_TABLE,
        *rest_commits.ROUTE_TABLE,
        *rest_git.ROUTE_TABLE,
    )
)
"""Every operation the sandbox serves, with GitHub's operationId."""


def match_route(method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    """The route serving ``method path`` and its decoded path parameters."""
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None, {}


def _label_names(values: Iterable[Any]) -> list[str]:
    names: list[str] = []
    for value in values:
        name = value.get("name") if isinstance(value, dict) else value
        if not isinstance(name, str):
            raise errors.invalid_request(
                f"For 'items', {show_json(value)} is not a label name or an object with a name."
            )
        names.append(name)
    return names


class RestApi(PullsRoutes, StatusesRoutes, CommitsRoutes, GitRoutes, RestBase):
    """The handlers; the server routes to them and turns ``ApiError`` into answers."""

    # ================================================================================
    # accounts and the repository
    # ================================================================================

    def rate_limit(self, call: Call) -> Reply:
        window = self.limits.peek(call.principal, call.client, self.state.clock.now())
        core = {
            "limit": window.limit,
            "used": window.used,
            "remaining": max(0, window.limit - window.used),
            "reset": window.reset,
        }

        def other(limit: int) -> dict[str, int]:
            return {"limit": limit, "used": 0, "remaining": limit, "reset": window.reset}

        resources = {
            "core": core,
            "search": other(30),
            "graphql": other(window.limit),
            "integration_manifest": other(5000),
            "code_search": other(10),
        }
        return Reply(200, {"resources": resources, "rate": core})

    def get_authenticated_user(self, call: Call) -> Reply:
        user = call.principal.user
        if user is None:
            raise errors.requires_authentication()
        if call.principal.workflow_token:
            raise errors.forbidden("Resource not accessible by integration")
        out = self.r.public_user(user)
        out.update(
            {
                "user_view_type": "private",
                "private_gists": 0,
                "total_private_repos": 0,
                "owned_private_repos": 0,
                "disk_usage": 0,
                "collaborators": 0,
                "two_factor_authentication": True,
            }
        )
        return Reply(200, out)

    def get_user(self, call: Call) -> Reply:
        user = self.state.user(call.params["username"])
        if user is None:
            raise errors.not_found()
        return Reply(200, self.r.public_user(user))

    def get_repo(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            return Reply(
                200, self.r.full_repository(private=self.private, viewer=call.principal.user)
            )

    # ================================================================================
    # issues
    # ================================================================================

    def list_issues(self, call: Call) -> Reply:
        self._read(call)
        state = self._choice(call, "state", ("open", "closed", "all"), "open", "Issue")
        sort = self._choice(call, "sort", ("created", "updated", "comments"), "created", "Issue")
        direction = self._choice(call, "direction", ("asc", "desc"), "desc", "Issue")
        since = self._since(call, "Issue")
        wanted = [n.strip().lower() for n in (call.arg("labels") or "").split(",") if n.strip()]
        assignee = call.arg("assignee")
        creator = call.arg("creator")
        milestone = call.arg("milestone")
        with self.state.lock:
            label_ids: list[int] = []
            for name in wanted:
                label_id = self.state.label_ids.get(name)
                if label_id is None:
                    return self._page(call, [], self.r.issue)
                label_ids.append(label_id)
            labels = tuple(label_ids)
            filters = (state, sort, direction, since, labels, creator, assignee, milestone)
            return self._kept_page(
                call,
                lambda: self._issue_orders.get(filters, lambda: self._select_issues(*filters)),
                self.r.issue,
            )

    def _select_issues(
        self,
        state: str,
        sort: str,
        direction: str,
        since: str | None,
        label_ids: Sequence[int],
        creator: str | None,
        assignee: str | None,
        milestone: str | None,
    ) -> list[Issue]:
        """The issues ``GET /issues`` lists for these filters, in the order asked for."""
        items: list[Issue] = []
        for issue in self.state.issues.values():
            if state != "all" and issue.state != state:
                continue
            if since is not None and issue.updated_at < since:
                continue
            if label_ids and not all(i in issue.labels for i in label_ids):
                continue
            if creator is not None and issue.user.lower() != creator.lower():
                continue
            if assignee is not None and not _matches_assignee(issue, assignee):
                continue
            if milestone is not None and not _matches_milestone(issue, milestone):
                continue
            items.append(issue)
        key: Callable[[Issue], Any]
        if sort == "updated":
            key = lambda i: (i.updated_at, i.number)  # noqa: E731
        elif sort == "comments":
            key = lambda i: (i.comments, i.number)  # noqa: E731
        else:
            key = lambda i: (i.created_at, i.number)  # noqa: E731
        items.sort(key=key, reverse=direction == "desc")
        return items

    def get_issue(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            return Reply(200, self.r.issue(self._issue(call)))

    _ISSUE_CREATE: ClassVar[dict[str, str]] = {
        "title": "string|integer",
        "body": "string|null",
        "assignee": "string|null",
        "milestone": "string|integer|null",
        "labels": "array",
        "assignees": "array",
        "type": "string|null",
        "issue_field_values": "array",
    }

    def create_issue(self, call: Call) -> Reply:
        self._authenticated(call)
        body = read_object(
            call,
            self._ISSUE_CREATE,
            required=("title",),
            items={"labels": "string|object", "assignees": "string"},
        )
        title = str(body["title"])
        text = body.get("body")
        self._check_title(title)
        self._check_body(text, "Issue", "body")
        sender = self._sender(call)
        privileged = self._can(call, "triage")
        with self._tx(call) as tx:
            labels: list[Label] = []
            assignees: list[str] = []
            milestone: Milestone | None = None
            if privileged:
                names = _label_names(body.get("labels") or [])
                self._check_label_names(names)
                logins = list(body.get("assignees") or [])
                if body.get("assignee"):
                    logins.append(body["assignee"])
                assignees = self._check_assignees(logins, None)
                milestone = self._milestone_arg(body.get("milestone"), "Issue")
                labels = self._labels_for(tx, names)
            now = self.state.now()
            issue = self.state.add_issue(
                tx,
                Issue(
                    id=0,
                    title=title,
                    body=text,
                    user=sender,
                    labels=[label.id for label in labels],
                    assignees=assignees,
                    milestone=milestone.number if milestone else None,
                    created_at=now,
                    updated_at=now,
                ),
            )
            self._emit_issue(tx, "opened", issue, sender)
            for label in labels:
                self.state.add_event(tx, issue, sender, "labeled", label=_event_label(label))
                self._emit_issue(tx, "labeled", issue, sender, label=self.r.label(label))
            for login in assignees:
                self.state.add_event(tx, issue, sender, "assigned", assignee=login)
                self._emit_issue(tx, "assigned", issue, sender, assignee=self.r.user(login))
            if milestone is not None:
                self.state.add_event(tx, issue, sender, "milestoned", milestone=milestone.title)
                self._emit_issue(
                    tx, "milestoned", issue, sender, milestone=self.r.milestone(milestone)
                )
            out = self.r.issue(issue)
        return Reply(201, out, {"Location": out["url"]})

    _ISSUE_UPDATE: ClassVar[dict[str, str]] = {
        "title": "string|integer|null",
        "body": "string|null",
        "assignee": "string|null",
        "state": "string",
        "state_reason": "string|null",
        "duplicate_issue_id": "integer",
        "milestone": "string|integer|null",
        "labels": "array",
        "assignees": "array",
        "type": "string|null",
        "issue_field_values": "array",
    }

    def update_issue(self, call: Call) -> Reply:
        self._authenticated(call)
        body = read_object(
            call,
            self._ISSUE_UPDATE,
            items={"labels": "string|object", "assignees": "string"},
            optional_body=True,
        )
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            is_author = issue.user.lower() == sender.lower()
            privileged = self._can(call, "triage")
            if not (privileged or is_author):
                raise errors.forbidden()
            # -- validate everything before changing anything
            title = body.get("title")
            if title is not None:
                title = str(title)
                self._check_title(title)
            if "body" in body:
                self._check_body(body["body"], "Issue", "body")
            new_state = body.get("state")
            if new_state is not None and new_state not in ("open", "closed"):
                raise errors.invalid_request(
                    f"For 'properties/state', {show_json(new_state)} is not one of open, closed."
                )
            reason = body.get("state_reason")
            if reason is not None and reason not in STATE_REASONS:
                raise errors.invalid_request(
                    f"For 'properties/state_reason', {show_json(reason)} is not one of "
                    f"{', '.join(STATE_REASONS)}."
                )
            if new_state == "closed" and reason == "reopened":
                raise errors.validation_failed("Issue", "state_reason", "invalid", value=reason)
            labels: list[Label] | None = None
            assignees: list[str] | None = None
            milestone_change = False
            milestone: Milestone | None = None
            if privileged:
                if "labels" in body:
                    names = _label_names(body["labels"])
                    self._check_label_names(names)
                if "assignees" in body or "assignee" in body:
                    logins = list(body.get("assignees") or [])
                    if "assignees" not in body and body.get("assignee"):
                        logins = [body["assignee"]]
                    assignees = self._check_assignees(logins, issue)
                if "milestone" in body:
                    milestone_change = True
                    milestone = self._milestone_arg(body["milestone"], "Issue")
                if "labels" in body:
                    labels = self._labels_for(tx, _label_names(body["labels"]))
            # -- apply
            changes: dict[str, Any] = {}
            now = self.state.now()
            if title is not None and title != issue.title:
                changes["title"] = {"from": issue.title}
                self.state.add_event(
                    tx, issue, sender, "renamed", rename={"from": issue.title, "to": title}
                )
                issue.title = title
            if "body" in body and body["body"] != issue.body:
                changes["body"] = {"from": issue.body or ""}
                issue.body = body["body"]
            touched = bool(changes)
            if changes:
                issue.updated_at = now
                self._emit_issue(tx, "edited", issue, sender, changes=changes)
            if new_state is not None and new_state != issue.state:
                touched = True
                issue.updated_at = now
                if new_state == "closed":
                    issue.state = "closed"
                    issue.state_reason = reason or "completed"
                    issue.closed_at = now
                    issue.closed_by = sender
                    self.state.add_event(
                        tx, issue, sender, "closed", state_reason=issue.state_reason
                    )
                    self._emit_issue(tx, "closed", issue, sender)
                else:
                    issue.state = "open"
                    issue.state_reason = "reopened"
                    issue.closed_at = None
                    self.state.add_event(tx, issue, sender, "reopened", state_reason="reopened")
                    self._emit_issue(tx, "reopened", issue, sender)
            if labels is not None:
                touched |= self._replace_labels(tx, issue, labels, sender)
            if assignees is not None:
                touched |= self._replace_assignees(tx, issue, assignees, sender)
            if milestone_change:
                touched |= self._set_milestone(tx, issue, milestone, sender)
            if touched:
                issue.updated_at = now
                tx.touch(issue)
            return Reply(200, self.r.issue(issue))

    def _check_title(self, title: str) -> None:
        if not title.strip():
            raise errors.validation_failed("Issue", "title", "missing_field")
        if len(title) > TITLE_LIMIT:
            raise errors.validation_failed(
                "Issue",
                "title",
                "custom",
                message=f"title is too long (maximum is {TITLE_LIMIT} characters)",
            )

    # ================================================================================
    # labels
    # ================================================================================

    def _check_label_name(self, name: str) -> None:
        if not name.strip():
            raise errors.validation_failed("Label", "name", "missing_field")
        if len(name) > LABEL_NAME_LIMIT:
            raise errors.validation_failed(
                "Label",
                "name",
                "custom",
                message=f"name is too long (maximum is {LABEL_NAME_LIMIT} characters)",
            )

    def _check_label_names(self, names: Iterable[str]) -> None:
        for name in names:
            self._check_label_name(name)

    def _labels_for(self, tx: Transaction, names: Iterable[str]) -> list[Label]:
        """The labels named, creating missing ones as GitHub does (grey, no description)."""
        out: list[Label] = []
        for name in names:
            label = self.state.label_named(name.strip())
            if label is None:
                label = self.state.add_label(tx, name.strip(), "ededed", None)
            if label not in out:
                out.append(label)
        return out

    def _add_labels(
        self, tx: Transaction, issue: Issue, labels: Iterable[Label], sender: str
    ) -> bool:
        changed = False
        for label in labels:
            if label.id in issue.labels:
                continue
            issue.labels.append(label.id)
            changed = True
            self.state.add_event(tx, issue, sender, "labeled", label=_event_label(label))
            self._emit_issue(tx, "labeled", issue, sender, label=self.r.label(label))
        return changed

    def _drop_labels(
        self, tx: Transaction, issue: Issue, labels: Iterable[Label], sender: str
    ) -> bool:
        changed = False
        for label in list(labels):
            if label.id not in issue.labels:
                continue
            issue.labels.remove(label.id)
            changed = True
            self.state.add_event(tx, issue, sender, "unlabeled", label=_event_label(label))
            self._emit_issue(tx, "unlabeled", issue, sender, label=self.r.label(label))
        return changed

    def _replace_labels(
        self, tx: Transaction, issue: Issue, labels: list[Label], sender: str
    ) -> bool:
        keep = {label.id for label in labels}
        gone = [
            self.state.labels[i] for i in issue.labels if i not in keep and i in self.state.labels
        ]
        changed = self._drop_labels(tx, issue, gone, sender)
        return self._add_labels(tx, issue, labels, sender) or changed

    def _labels_body(self, call: Call) -> list[str]:
        body = call.body
        if body is None and not call.raw.strip():
            raise errors.invalid_request("For 'links/0/schema', nil is not an object.")
        if isinstance(body, dict):
            unknown = [k for k in body if k != "labels"]
            if unknown:
                raise errors.invalid_request(f'"{unknown[0]}" is not a permitted key.')
            if "labels" not in body:
                raise errors.invalid_request('"labels" wasn\'t supplied.')
            body = body["labels"]
        if isinstance(body, str):
            body = [body]
        if not isinstance(body, list):
            raise errors.invalid_request(
                f"For 'properties/labels', {show_json(body)} is not an array."
            )
        names = _label_names(body)
        self._check_label_names(names)
        return names

    def list_labels(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            labels = sorted(self.state.labels.values(), key=lambda lb: (lb.name.lower(), lb.id))
            return self._page(call, labels, self.r.label)

    _LABEL_CREATE: ClassVar[dict[str, str]] = {
        "name": "string",
        "color": "string",
        "description": "string|null",
    }

    def create_label(self, call: Call) -> Reply:
        self._need(call, "write")
        body = read_object(call, self._LABEL_CREATE, required=("name",))
        name = body["name"].strip()
        self._check_label_name(name)
        color = self._check_color(body.get("color", "ededed"))
        description = self._check_description(body.get("description"))
        with self._tx(call) as tx:
            if self.state.label_named(name) is not None:
                raise errors.validation_failed("Label", "name", "already_exists")
            label = self.state.add_label(tx, name, color, description)
            out = self.r.label(label)
        return Reply(201, out, {"Location": out["url"]})

    def _check_color(self, color: str) -> str:
        color = color.removeprefix("#")
        if not _COLOR.match(color):
            raise errors.validation_failed("Label", "color", "invalid", value=color)
        return color.lower()

    def _check_description(self, description: str | None) -> str | None:
        if description is not None and len(description) > LABEL_DESCRIPTION_LIMIT:
            raise errors.validation_failed(
                "Label",
                "description",
                "custom",
                message=(
                    f"description is too long (maximum is {LABEL_DESCRIPTION_LIMIT} characters)"
                ),
            )
        return description

    def _label(self, call: Call) -> Label:
        label = self.state.label_named(call.params["name"])
        if label is None:
            raise errors.not_found()
        return label

    def get_label(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            return Reply(200, self.r.label(self._label(call)))

    _LABEL_UPDATE: ClassVar[dict[str, str]] = {
        "new_name": "string",
        "color": "string",
        "description": "string|null",
    }

    def update_label(self, call: Call) -> Reply:
        self._need(call, "write")
        body = read_object(call, self._LABEL_UPDATE, optional_body=True)
        with self._tx(call) as tx:
            label = self._label(call)
            new_name = body.get("new_name")
            if new_name is not None:
                new_name = new_name.strip()
                self._check_label_name(new_name)
                other = self.state.label_named(new_name)
                if other is not None and other.id != label.id:
                    raise errors.validation_failed("Label", "name", "already_exists")
            color = self._check_color(body["color"]) if "color" in body else None
            description = self._check_description(body.get("description"))
            if new_name is not None:
                self.state.rename_label(label, new_name)
            if color is not None:
                label.color = color
            if "description" in body:
                label.description = description
            tx.touch(label)
            return Reply(200, self.r.label(label))

    def delete_label(self, call: Call) -> Reply:
        self._need(call, "write")
        with self._tx(call) as tx:
            label = self._label(call)
            for issue in self.state.remove_label(tx, label):
                issue.updated_at = self.state.now()
        return Reply(204)

    def list_issue_labels(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            issue = self._issue(call)
            labels = [self.state.labels[i] for i in issue.labels if i in self.state.labels]
            return self._page(call, labels, self.r.label)

    def _issue_labels_reply(self, issue: Issue) -> Reply:
        return Reply(
            200,
            [self.r.label(self.state.labels[i]) for i in issue.labels if i in self.state.labels],
        )

    def add_labels(self, call: Call) -> Reply:
        self._need(call, "triage")
        names = self._labels_body(call)
        if not names:
            raise errors.invalid_request("For 'properties/labels', [] should have at least 1 item.")
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            labels = self._labels_for(tx, names)
            if self._add_labels(tx, issue, labels, sender):
                issue.updated_at = self.state.now()
                tx.touch(issue)
            return self._issue_labels_reply(issue)

    def set_labels(self, call: Call) -> Reply:
        self._need(call, "triage")
        names = self._labels_body(call)
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            labels = self._labels_for(tx, names)
            if self._replace_labels(tx, issue, labels, sender):
                issue.updated_at = self.state.now()
                tx.touch(issue)
            return self._issue_labels_reply(issue)

    def remove_all_labels(self, call: Call) -> Reply:
        self._need(call, "triage")
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            labels = [self.state.labels[i] for i in issue.labels if i in self.state.labels]
            if self._drop_labels(tx, issue, labels, sender):
                issue.updated_at = self.state.now()
                tx.touch(issue)
        return Reply(204)

    def remove_label(self, call: Call) -> Reply:
        self._need(call, "triage")
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            label = self.state.label_named(call.params["name"])
            if label is None or label.id not in issue.labels:
                raise ApiError(404, "Label does not exist")
            self._drop_labels(tx, issue, [label], sender)
            issue.updated_at = self.state.now()
            tx.touch(issue)
            return self._issue_labels_reply(issue)

    # ================================================================================
    # assignees
    # ================================================================================

    def _repo_assignable(self, user: User | None) -> bool:
        return user is not None and user.type == "User" and level_at_least(user.permission, "read")

    def _issue_assignable(self, user: User | None, issue: Issue) -> bool:
        if self._repo_assignable(user):
            return True
        if user is None or user.type != "User":
            return False
        login = user.login.lower()
        if issue.user.lower() == login:
            return True
        return any(c.user.lower() == login for c in self.state.comments_of(issue.number))

    def _check_assignees(self, logins: Sequence[Any], issue: Issue | None) -> list[str]:
        """Canonical logins; 422 for anyone GitHub would not let be assigned."""
        out: list[str] = []
        for login in logins:
            user = self.state.user(str(login))
            ok = self._issue_assignable(user, issue) if issue else self._repo_assignable(user)
            if user is None or not ok:
                raise ApiError(
                    422,
                    "Validation Failed",
                    errors=[
                        {
                            "value": login,
                            "resource": "Issue",
                            "field": "assignees",
                            "code": "invalid",
                        }
                    ],
                )
            if user.login not in out:
                out.append(user.login)
        if len(out) > MAX_ASSIGNEES:
            raise errors.validation_failed(
                "Issue",
                "assignees",
                "custom",
                message=f"An issue can have at most {MAX_ASSIGNEES} assignees",
            )
        return out

    def _replace_assignees(
        self, tx: Transaction, issue: Issue, logins: list[str], sender: str
    ) -> bool:
        gone = [a for a in issue.assignees if a not in logins]
        added = [a for a in logins if a not in issue.assignees]
        for login in gone:
            issue.assignees.remove(login)
            self.state.add_event(tx, issue, sender, "unassigned", assignee=login)
            self._emit_issue(tx, "unassigned", issue, sender, assignee=self.r.user(login))
        for login in added:
            issue.assignees.append(login)
            self.state.add_event(tx, issue, sender, "assigned", assignee=login)
            self._emit_issue(tx, "assigned", issue, sender, assignee=self.r.user(login))
        return bool(gone or added)

    def _assignees_body(self, call: Call) -> list[str]:
        body = read_object(
            call, {"assignees": "array"}, items={"assignees": "string"}, optional_body=True
        )
        return list(body.get("assignees") or [])

    def add_assignees(self, call: Call) -> Reply:
        self._need(call, "triage")
        logins = self._assignees_body(call)
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            wanted = list(issue.assignees)
            for login in logins:
                user = self.state.user(login)
                if (
                    user is not None
                    and self._issue_assignable(user, issue)
                    and user.login not in wanted
                ):
                    wanted.append(user.login)
            wanted = wanted[:MAX_ASSIGNEES]
            if self._replace_assignees(tx, issue, wanted, sender):
                issue.updated_at = self.state.now()
                tx.touch(issue)
            return Reply(201, self.r.issue(issue))

    def remove_assignees(self, call: Call) -> Reply:
        self._need(call, "triage")
        logins = {login.lower() for login in self._assignees_body(call)}
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            wanted = [a for a in issue.assignees if a.lower() not in logins]
            if self._replace_assignees(tx, issue, wanted, sender):
                issue.updated_at = self.state.now()
                tx.touch(issue)
            return Reply(200, self.r.issue(issue))

    def list_assignees(self, call: Call) -> Reply:
        self._read(call)
        users = [u for u in self.state.users.values() if self._repo_assignable(u)]
        return self._page(call, users, lambda u: self.r.user(u.login))

    def check_assignee(self, call: Call) -> Reply:
        self._read(call)
        if not self._repo_assignable(self.state.user(call.params["assignee"])):
            raise errors.not_found()
        return Reply(204)

    def check_issue_assignee(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            issue = self._issue(call)
            if not self._issue_assignable(self.state.user(call.params["assignee"]), issue):
                raise errors.not_found()
        return Reply(204)

    # ================================================================================
    # collaborators
    # ================================================================================

    def _collaborators_gate(self, call: Call) -> None:
        self._need(call, "write", _NO_PUSH)

    def list_collaborators(self, call: Call) -> Reply:
        self._collaborators_gate(call)
        permission = call.arg("permission")
        users = [
            u
            for u in self.state.users.values()
            if u.type == "User"
            and u.permission != "none"
            and (permission is None or _role_grants(u.permission, permission))
        ]
        return self._page(call, users, self.r.collaborator)

    def collaborator_permission(self, call: Call) -> Reply:
        self._collaborators_gate(call)
        user = self.state.user(call.params["username"])
        if user is None or user.type != "User":
            raise errors.not_found()
        role = user.permission
        if role == "none" and self.public:
            role = "read"
        legacy = {"maintain": "write", "triage": "read"}.get(role, role)
        collaborator = self.r.collaborator(user)
        collaborator["role_name"] = role
        return Reply(200, {"permission": legacy, "role_name": role, "user": collaborator})

    def team_membership(self, call: Call) -> Reply:
        """Team membership needs an organisation member's token; a workflow token has none."""
        self._authenticated(call)
        if call.principal.workflow_token:
            raise errors.forbidden("Resource not accessible by integration")
        user = call.principal.user
        if user is None or not user.member or call.params["org"].lower() != OWNER:
            raise errors.not_found()
        members = self.teams.get(call.params["team_slug"].lower())
        login = call.params["username"].lower()
        if members is None or login not in members:
            raise errors.not_found()
        slug = call.params["team_slug"]
        url = f"{self.r.api}/orgs/{OWNER}/teams/{slug}/memberships/{login}"
        return Reply(200, {"url": url, "role": "member", "state": "active"})

    # ================================================================================
    # milestones
    # ================================================================================

    def _milestone_arg(self, value: Any, resource: str) -> Milestone | None:
        if value is None or value == "":
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        milestone = self.state.milestones.get(number)
        if milestone is None:
            raise ApiError(
                422,
                "Validation Failed",
                errors=[
                    {"value": value, "resource": resource, "field": "milestone", "code": "invalid"}
                ],
            )
        return milestone

    def _set_milestone(
        self, tx: Transaction, issue: Issue, milestone: Milestone | None, sender: str
    ) -> bool:
        new = milestone.number if milestone else None
        if new == issue.milestone:
            return False
        old = self.state.milestones.get(issue.milestone) if issue.milestone else None
        issue.milestone = new
        if old is not None:
            self.state.add_event(tx, issue, sender, "demilestoned", milestone=old.title)
            self._emit_issue(tx, "demilestoned", issue, sender, milestone=self.r.milestone(old))
        if milestone is not None:
            self.state.add_event(tx, issue, sender, "milestoned", milestone=milestone.title)
            self._emit_issue(tx, "milestoned", issue, sender, milestone=self.r.milestone(milestone))
        return True

    def list_milestones(self, call: Call) -> Reply:
        self._read(call)
        state = self._choice(call, "state", ("open", "closed", "all"), "open", "Milestone")
        sort = self._choice(call, "sort", ("due_on", "completeness"), "due_on", "Milestone")
        direction = self._choice(call, "direction", ("asc", "desc"), "asc", "Milestone")
        with self.state.lock:
            items = [m for m in self.state.milestones.values() if state in ("all", m.state)]
            if sort == "completeness":

                def done(m: Milestone) -> tuple[float, int]:
                    o, c = self.state.milestone_counts(m.number)
                    return (c / (o + c) if o + c else 0.0, m.number)

                items.sort(key=done, reverse=direction == "desc")
            else:
                items.sort(
                    key=lambda m: (m.due_on is None, m.due_on or "", m.number),
                    reverse=direction == "desc",
                )
            return self._page(call, items, self.r.milestone)

    _MILESTONE: ClassVar[dict[str, str]] = {
        "title": "string",
        "state": "string",
        "description": "string|null",
        "due_on": "string|null",
    }

    def _milestone_fields(self, body: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "title" in body:
            if not body["title"].strip():
                raise errors.validation_failed("Milestone", "title", "missing_field")
            out["title"] = body["title"]
        if "state" in body:
            if body["state"] not in ("open", "closed"):
                raise errors.validation_failed("Milestone", "state", "invalid", value=body["state"])
            out["state"] = body["state"]
        if "description" in body:
            out["description"] = body["description"]
        if "due_on" in body:
            due = body["due_on"]
            if due is not None:
                try:
                    due = format_timestamp(parse_timestamp(due))
                except ValueError:
                    raise errors.validation_failed(
                        "Milestone", "due_on", "invalid", value=due
                    ) from None
            out["due_on"] = due
        return out

    def create_milestone(self, call: Call) -> Reply:
        self._need(call, "write")
        body = read_object(call, self._MILESTONE, required=("title",))
        fields = self._milestone_fields(body)
        sender = self._sender(call)
        with self._tx(call) as tx:
            if any(m.title == fields["title"] for m in self.state.milestones.values()):
                raise errors.validation_failed("Milestone", "title", "already_exists")
            now = self.state.now()
            milestone = Milestone(id=0, creator=sender, created_at=now, updated_at=now, **fields)
            if milestone.state == "closed":
                milestone.closed_at = now
            self.state.add_milestone(tx, milestone)
            out = self.r.milestone(milestone)
        return Reply(201, out, {"Location": out["url"]})

    def _milestone(self, call: Call) -> Milestone:
        milestone = self.state.milestones.get(int(call.params["milestone_number"]))
        if milestone is None:
            raise errors.not_found()
        return milestone

    def get_milestone(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            return Reply(200, self.r.milestone(self._milestone(call)))

    def update_milestone(self, call: Call) -> Reply:
        self._need(call, "write")
        body = read_object(call, self._MILESTONE, optional_body=True)
        fields = self._milestone_fields(body)
        with self._tx(call) as tx:
            milestone = self._milestone(call)
            if "title" in fields and any(
                m.title == fields["title"] and m.number != milestone.number
                for m in self.state.milestones.values()
            ):
                raise errors.validation_failed("Milestone", "title", "already_exists")
            now = self.state.now()
            if fields.get("state") == "closed" and milestone.state != "closed":
                milestone.closed_at = now
            if fields.get("state") == "open":
                milestone.closed_at = None
            for key, value in fields.items():
                setattr(milestone, key, value)
            milestone.updated_at = now
            tx.touch(milestone)
            return Reply(200, self.r.milestone(milestone))

    def delete_milestone(self, call: Call) -> Reply:
        self._need(call, "write")
        with self._tx(call) as tx:
            self.state.remove_milestone(tx, self._milestone(call))
        return Reply(204)

    # ================================================================================
    # comments
    # ================================================================================

    def list_comments(self, call: Call) -> Reply:
        self._read(call)
        since = self._since(call, "IssueComment")
        with self.state.lock:
            issue = self._issue(call)

            def items() -> list[Comment]:
                found = self.state.comments_of(issue.number)
                return found if since is None else [c for c in found if c.updated_at >= since]

            return self._kept_page(call, items, self.r.comment, self.r.comment_json)

    def list_repo_comments(self, call: Call) -> Reply:
        self._read(call)
        since = self._since(call, "IssueComment")
        sort = call.arg("sort")
        if sort is not None and sort not in ("created", "updated"):
            raise errors.validation_failed("IssueComment", "sort", "invalid", value=sort)
        direction = self._choice(call, "direction", ("asc", "desc"), "asc", "IssueComment")
        with self.state.lock:
            comments = self.state.comments

            def items() -> Sequence[Comment]:
                if since is None and sort is None:
                    return _ById(self.state.comment_ids, comments)
                found: list[Comment] = list(comments.values())  # insertion order is id order
                if since is not None:
                    found = [c for c in found if c.updated_at >= since]
                if sort == "updated":
                    found.sort(key=lambda c: (c.updated_at, c.id))
                elif sort == "created":
                    found.sort(key=lambda c: (c.created_at, c.id))
                if sort is not None and direction == "desc":
                    found.reverse()
                return found

            return self._kept_page(call, items, self.r.comment, self.r.comment_json)

    def _comment(self, call: Call) -> Comment:
        comment = self.state.comments.get(int(call.params["comment_id"]))
        if comment is None:
            raise errors.not_found()
        return comment

    def get_comment(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            return Reply(200, self.r.comment(self._comment(call)))

    def _comment_text(self, call: Call) -> str:
        body = read_object(call, {"body": "string"}, required=("body",))
        text: str = body["body"]
        if not text.strip():
            raise errors.validation_failed(
                "IssueComment", "data", "unprocessable", message="Body cannot be blank"
            )
        if len(text) > BODY_LIMIT:
            raise errors.validation_failed(
                "IssueComment",
                "data",
                "unprocessable",
                message=f"Body is too long (maximum is {BODY_LIMIT} characters)",
            )
        return text

    def create_comment(self, call: Call) -> Reply:
        self._authenticated(call)
        text = self._comment_text(call)
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            if issue.locked and not self._can(call, "write"):
                raise errors.forbidden("Unable to create comment because issue is locked.")
            now = self.state.now()
            comment = self.state.add_comment(
                tx,
                Comment(
                    id=0, issue=issue.number, user=sender, body=text, created_at=now, updated_at=now
                ),
            )
            issue.updated_at = now
            self._emit_comment(tx, "created", issue, comment, sender)
            out = self.r.comment(comment)
        return Reply(201, out, {"Location": out["url"]})

    def _may_edit_comment(self, call: Call, comment: Comment) -> None:
        if comment.user.lower() != self._sender(call).lower() and not self._can(call, "write"):
            raise errors.forbidden()

    def update_comment(self, call: Call) -> Reply:
        self._authenticated(call)
        text = self._comment_text(call)
        sender = self._sender(call)
        with self._tx(call) as tx:
            comment = self._comment(call)
            self._may_edit_comment(call, comment)
            if text != comment.body:
                old = comment.body
                comment.body = text
                comment.updated_at = self.state.now()
                tx.touch(comment)
                issue = self.state.issues[comment.issue]
                self._emit_comment(
                    tx, "edited", issue, comment, sender, changes={"body": {"from": old}}
                )
            return Reply(200, self.r.comment(comment))

    def delete_comment(self, call: Call) -> Reply:
        self._authenticated(call)
        sender = self._sender(call)
        with self._tx(call) as tx:
            comment = self._comment(call)
            self._may_edit_comment(call, comment)
            self.state.remove_comment(tx, comment)
            issue = self.state.issues[comment.issue]
            self._emit_comment(tx, "deleted", issue, comment, sender)
        return Reply(204)

    # ================================================================================
    # locking
    # ================================================================================

    def lock_issue(self, call: Call) -> Reply:
        self._need(call, "triage")
        body = read_object(call, {"lock_reason": "string"}, optional_body=True)
        reason = body.get("lock_reason")
        if reason is not None and reason not in LOCK_REASONS:
            raise errors.validation_failed("Issue", "lock_reason", "invalid", value=reason)
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            if not issue.locked:
                issue.locked = True
                issue.active_lock_reason = reason
                issue.updated_at = self.state.now()
                tx.touch(issue)
                self.state.add_event(tx, issue, sender, "locked", lock_reason=reason)
                self._emit_issue(tx, "locked", issue, sender)
        return Reply(204)

    def unlock_issue(self, call: Call) -> Reply:
        self._need(call, "triage")
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue = self._issue(call)
            if not issue.locked:
                raise errors.not_found()
            issue.locked = False
            issue.active_lock_reason = None
            issue.updated_at = self.state.now()
            tx.touch(issue)
            self.state.add_event(tx, issue, sender, "unlocked")
            self._emit_issue(tx, "unlocked", issue, sender)
        return Reply(204)

    # ================================================================================
    # sub-issues
    # ================================================================================

    def list_sub_issues(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            issue = self._issue(call)
            subs = [self.state.issues[n] for n in issue.sub_issues if n in self.state.issues]
            if issue.foreign_subs:
                # Sub-issues in other repositories, each rendered under its own repository.
                shown = [self.r.issue(s) for s in subs]
                for found in map(self.r.foreign, issue.foreign_subs):
                    if found is not None:
                        shown.append(found[0].issue(found[1]))
                return self._page(call, shown, lambda x: x)
            return self._page(call, subs, self.r.issue)

    def get_parent(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            issue = self._issue(call)
            parent = self.state.issues.get(issue.parent) if issue.parent else None
            if parent is None:
                raise errors.not_found()
            return Reply(200, self.r.issue(parent))

    def _sub_issue_arg(self, body: Mapping[str, Any], key: str = "sub_issue_id") -> Issue:
        sub = self.state.issue_by_id(body[key])
        if sub is None:
            raise errors.not_found()
        return sub

    def add_sub_issue(self, call: Call) -> Reply:
        self._need(call, "triage")
        body = read_object(
            call,
            {"sub_issue_id": "integer", "replace_parent": "boolean"},
            required=("sub_issue_id",),
        )
        sender = self._sender(call)
        if self.state.issue_by_id(body["sub_issue_id"]) is None:
            return self._add_foreign_sub_issue(call, body, sender)
        with self._tx(call) as tx:
            parent = self._issue(call)
            sub = self._sub_issue_arg(body)
            if sub.number == parent.number:
                raise self._sub_issue_error("An issue cannot be a sub-issue of itself")
            if sub.number in parent.sub_issues:
                raise self._sub_issue_error("Issue may not contain duplicate sub-issues")
            if sub.parent is not None and not body.get("replace_parent"):
                raise self._sub_issue_error("Sub issue may only have one parent")
            ancestor = parent.parent
            while ancestor is not None:
                if ancestor == sub.number:
                    raise self._sub_issue_error("Sub issue cannot be an ancestor of its parent")
                ancestor = (
                    self.state.issues[ancestor].parent if ancestor in self.state.issues else None
                )
            if len(parent.sub_issues) >= MAX_SUB_ISSUES:
                raise self._sub_issue_error(
                    f"Parent issue cannot have more than {MAX_SUB_ISSUES} sub-issues"
                )
            now = self.state.now()
            if sub.parent is not None and sub.parent in self.state.issues:
                self._unlink(tx, self.state.issues[sub.parent], sub, sender, now)
            parent.sub_issues.append(sub.number)
            sub.parent = parent.number
            parent.updated_at = sub.updated_at = now
            tx.touch(parent)
            tx.touch(sub)
            self.state.add_event(tx, parent, sender, "sub_issue_added", sub_issue=sub.number)
            self.state.add_event(tx, sub, sender, "parent_issue_added", parent_issue=parent.number)
            out = self.r.issue(parent)
        return Reply(201, out, {"Location": f"{self.r.issue_url(parent.number)}/sub_issues"})

    def _add_foreign_sub_issue(self, call: Call, body: Mapping[str, Any], sender: str) -> Reply:
        """A sub-issue from another repository of the owner (``sandbox.repos``)."""
        found = self.r.foreign(body["sub_issue_id"])
        if found is None:
            raise errors.not_found()
        renderer, sub = found
        with self._tx(call) as tx:
            parent = self._issue(call)
            if sub.id in parent.foreign_subs:
                raise self._sub_issue_error("Issue may not contain duplicate sub-issues")
            if (sub.parent is not None or sub.parent_url) and not body.get("replace_parent"):
                raise self._sub_issue_error("Sub issue may only have one parent")
            if len(parent.sub_issues) + len(parent.foreign_subs) >= MAX_SUB_ISSUES:
                raise self._sub_issue_error(
                    f"Parent issue cannot have more than {MAX_SUB_ISSUES} sub-issues"
                )
            now = self.state.now()
            parent.foreign_subs.append(sub.id)
            parent.updated_at = now
            tx.touch(parent)
            with renderer.state.transaction() as other:
                sub.parent_url = self.r.issue_url(parent.number)
                sub.updated_at = now
                other.touch(sub)
            out = self.r.issue(parent)
        return Reply(201, out, {"Location": f"{self.r.issue_url(parent.number)}/sub_issues"})

    @staticmethod
    def _sub_issue_error(message: str) -> ApiError:
        return errors.validation_failed("Issue", "sub_issue_id", "custom", message=message)

    def _unlink(self, tx: Transaction, parent: Issue, sub: Issue, sender: str, now: str) -> None:
        if sub.number in parent.sub_issues:
            parent.sub_issues.remove(sub.number)
        sub.parent = None
        parent.updated_at = sub.updated_at = now
        tx.touch(parent)
        tx.touch(sub)
        self.state.add_event(tx, parent, sender, "sub_issue_removed", sub_issue=sub.number)
        self.state.add_event(tx, sub, sender, "parent_issue_removed", parent_issue=parent.number)

    def remove_sub_issue(self, call: Call) -> Reply:
        self._need(call, "triage")
        body = read_object(call, {"sub_issue_id": "integer"}, required=("sub_issue_id",))
        sender = self._sender(call)
        if self.state.issue_by_id(body["sub_issue_id"]) is None:
            return self._add_foreign_sub_issue(call, body, sender)
        with self._tx(call) as tx:
            parent = self._issue(call)
            sub = self._sub_issue_arg(body)
            if sub.number not in parent.sub_issues:
                raise errors.not_found()
            self._unlink(tx, parent, sub, sender, self.state.now())
            out = self.r.issue(sub)
        return Reply(200, out, {"Location": f"{self.r.issue_url(parent.number)}/sub_issue"})

    def reprioritize_sub_issue(self, call: Call) -> Reply:
        self._need(call, "triage")
        body = read_object(
            call,
            {"sub_issue_id": "integer", "after_id": "integer|null", "before_id": "integer|null"},
            required=("sub_issue_id",),
        )
        with self._tx(call) as tx:
            parent = self._issue(call)
            sub = self._sub_issue_arg(body)
            if sub.number not in parent.sub_issues:
                raise errors.not_found()
            anchor_key = "after_id" if body.get("after_id") is not None else "before_id"
            if body.get(anchor_key) is None:
                raise errors.validation_failed(
                    "Issue", "after_id", "missing_field", message="Provide after_id or before_id"
                )
            anchor = self._sub_issue_arg(body, anchor_key)
            if anchor.number not in parent.sub_issues or anchor.number == sub.number:
                raise errors.validation_failed(
                    "Issue", anchor_key, "invalid", value=body[anchor_key]
                )
            parent.sub_issues.remove(sub.number)
            index = parent.sub_issues.index(anchor.number)
            parent.sub_issues.insert(index + 1 if anchor_key == "after_id" else index, sub.number)
            parent.updated_at = self.state.now()
            tx.touch(parent)
            return Reply(200, self.r.issue(parent))

    # ================================================================================
    # events and the timeline
    # ================================================================================

    def list_events(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            issue = self._issue(call)
            return self._page(call, self.state.events_of(issue.number), self.r.event)

    def list_repo_events(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            events = [self.state.events[i] for i in reversed(self.state.event_ids)]
            return self._page(call, events, lambda e: self.r.event(e, with_issue=True))

    def get_event(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            event = self.state.events.get(int(call.params["event_id"]))
            if event is None:
                raise errors.not_found()
            return Reply(200, self.r.event(event, with_issue=True))

    def list_timeline(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            issue = self._issue(call)
            entries: list[tuple[str, int, Any]] = []
            for event in self.state.events_of(issue.number):
                entries.append((event.created_at, event.seq, event))
            for comment in self.state.comments_of(issue.number):
                entries.append((comment.created_at, comment.seq, comment))
            entries.sort(key=lambda e: (e[0], e[1]))

            def render(entry: tuple[str, int, Any]) -> dict[str, Any]:
                item = entry[2]
                if isinstance(item, Comment):
                    return self.r.timeline_comment(item)
                return self.r.event(item)

            return self._page(call, entries, render)


class _ById(Sequence[Comment]):
    """Comments in id order, looked up only for the page asked for."""

    def __init__(self, ids: list[int], comments: Mapping[int, Comment]) -> None:
        self._ids = ids
        self._comments = comments

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Comment: ...

    @overload
    def __getitem__(self, index: slice) -> list[Comment]: ...

    def __getitem__(self, index: int | slice) -> Comment | list[Comment]:
        if isinstance(index, slice):
            return [self._comments[i] for i in self._ids[index]]
        return self._comments[self._ids[index]]


def _event_label(label: Label) -> dict[str, str]:
    return {"name": label.name, "color": label.color}


def _matches_assignee(issue: Issue, assignee: str) -> bool:
    if assignee == "none":
        return not issue.assignees
    if assignee == "*":
        return bool(issue.assignees)
    return any(a.lower() == assignee.lower() for a in issue.assignees)


def _matches_milestone(issue: Issue, milestone: str) -> bool:
    if milestone == "none":
        return issue.milestone is None
    if milestone == "*":
        return issue.milestone is not None
    return str(issue.milestone) == milestone


def _role_grants(role: str, permission: str) -> bool:
    wanted = {"pull": "read", "push": "write"}.get(permission, permission)
    try:
        return level_at_least(role, wanted)
    except ValueError:
        return False
