"""Commit statuses: create one, list a ref's, and the combined state GitHub shows on a commit.

A required check can be a commit status: the merge freeze sets ``warroom/freeze``
on a pull request's head commit, ``failure`` while it is held and ``success`` when
released, so a later run can release it by writing a newer status. Statuses
belong to commits (a full sha); reads also take a branch name. The newest
status per context (case-insensitive) is the commit's state in that context,
and the combined state is ``failure`` if any context failed or errored,
``pending`` if any is pending or none is set, else ``success``.
"""

from __future__ import annotations

import re
from typing import ClassVar

from warroom.sandbox import errors
from warroom.sandbox.errors import ApiError
from warroom.sandbox.records import CommitStatus
from warroom.sandbox.rest_core import Call, Reply, RestBase, read_object

STATUS_STATES = ("error", "failure", "pending", "success")
DESCRIPTION_LIMIT = 140
MAX_STATUSES_PER_CONTEXT = 1000
"""GitHub keeps at most 1,000 statuses per commit and context."""

_SHA = re.compile(r"^[0-9a-f]{40}$")

ROUTE_TABLE: list[tuple[str, str, str, str]] = [
    (
        "POST",
        "/repos/{owner}/{repo}/statuses/{sha}",
        "repos/create-commit-status",
        "create_commit_status",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/commits/{ref}/statuses",
        "repos/list-commit-statuses-for-ref",
        "list_commit_statuses",
    ),
    (
        "GET",
        "/repos/{owner}/{repo}/commits/{ref}/status",
        "repos/get-combined-status-for-ref",
        "combined_status",
    ),
]


class StatusesRoutes(RestBase):
    """The commit statuses room; ``RestApi`` mixes it in."""

    _STATUS_CREATE: ClassVar[dict[str, str]] = {
        "state": "string",
        "target_url": "string|null",
        "description": "string|null",
        "context": "string",
    }

    def create_commit_status(self, call: Call) -> Reply:
        self._authenticated(call)
        if not self._can(call, "write"):
            raise errors.not_found()
        body = read_object(call, self._STATUS_CREATE, required=("state",))
        state = body["state"]
        if state not in STATUS_STATES:
            raise errors.validation_failed(
                "Status", "state", "custom", message="state is not included in the list"
            )
        description = body.get("description")
        if description is not None and len(description) > DESCRIPTION_LIMIT:
            raise errors.validation_failed(
                "Status",
                "description",
                "custom",
                message=f"description is too long (maximum is {DESCRIPTION_LIMIT} characters)",
            )
        target_url = body.get("target_url")
        if target_url and not target_url.startswith(("http://", "https://")):
            raise errors.validation_failed(
                "Status", "target_url", "custom", message="target_url must use http(s) scheme"
            )
        context = body.get("context", "default")
        if not context.strip():
            raise errors.validation_failed("Status", "context", "missing_field")
        sha = call.params["sha"].lower()
        with self._tx(call) as tx:
            if not _SHA.match(sha) or not self.state.known_sha(sha):
                raise ApiError(422, f"No commit found for SHA: {call.params['sha']}")
            same = [s for s in self.state.statuses_of(sha) if s.context.lower() == context.lower()]
            if len(same) >= MAX_STATUSES_PER_CONTEXT:
                raise errors.validation_failed(
                    "Status",
                    "context",
                    "custom",
                    message="This SHA and context has reached the maximum number of statuses.",
                )
            now = self.state.now()
            status = self.state.add_status(
                tx,
                CommitStatus(
                    id=0,
                    sha=sha,
                    state=state,
                    context=context,
                    description=description,
                    target_url=target_url,
                    creator=self._sender(call),
                    created_at=now,
                    updated_at=now,
                ),
            )
            out = self.r.status(status)
        return Reply(201, out, {"Location": out["url"]})

    def _ref_sha(self, call: Call) -> str:
        sha = self.state.resolve_ref(call.params["ref"])
        if sha is None:
            raise ApiError(422, f"No commit found for SHA: {call.params['ref']}")
        return sha

    def list_commit_statuses(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            sha = self._ref_sha(call)
            newest_first = list(reversed(self.state.statuses_of(sha)))
            return self._page(call, newest_first, self.r.status)

    def combined_status(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            sha = self._ref_sha(call)
            chunk, headers = self._slice(call, self.r.latest_statuses(sha))
            return Reply(200, self.r.combined_status(sha, list(chunk)), headers)
