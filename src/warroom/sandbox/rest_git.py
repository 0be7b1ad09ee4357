"""Branches, git refs and commits: ``GET /branches``, ``GET /git/matching-refs/{ref}``
and ``GET /commits/{ref}`` (which PyGithub's ``repo.get_commit(sha)`` reads before
``create_status``).

Recovery branches (``incident/<N>/hotfix``, ``rollback``, ``containment``) are
found by prefix: ``git/matching-refs/heads/incident/12/`` lists every branch
whose ref starts with ``refs/heads/incident/12/``. The sandbox keeps branches
only (no tags, no git objects); the control API creates and moves them
(``POST /_sandbox/branches``) and a pull request's pushes move its head branch.
"""

from __future__ import annotations

from warroom.sandbox.errors import ApiError
from warroom.sandbox.rest_core import Call, Reply, RestBase

ROUTE_TABLE: list[tuple[str, str, str, str]] = [
    ("GET", "/repos/{owner}/{repo}/branches", "repos/list-branches", "list_branches"),
    # A {ref} spans slashes: this route must come after .../commits/{ref}/status(es).
    ("GET", "/repos/{owner}/{repo}/commits/{ref}", "repos/get-commit", "get_commit"),
    (
        "GET",
        "/repos/{owner}/{repo}/git/matching-refs/{ref}",
        "git/list-matching-refs",
        "list_matching_refs",
    ),
]


class GitRoutes(RestBase):
    """The branches and refs room; ``RestApi`` mixes it in."""

    def list_branches(self, call: Call) -> Reply:
        self._read(call)
        protected = call.arg("protected")
        with self.state.lock:
            branches = sorted(self.state.branches.values(), key=lambda b: b.name)
            if protected in ("true", "false"):
                wanted = protected == "true"
                branches = [b for b in branches if self.r.short_branch(b)["protected"] is wanted]
            return self._page(call, branches, self.r.short_branch)

    def list_matching_refs(self, call: Call) -> Reply:
        """Every ref starting with ``refs/<ref>``, by name; GitHub answers all on one page.

        Only branches exist here, so ``tags/...`` (or any prefix no branch has) is ``[]``.
        """
        self._read(call)
        prefix = "refs/" + call.params["ref"].removeprefix("refs/")
        with self.state.lock:
            found = sorted(
                (
                    b
                    for b in self.state.branches.values()
                    if f"refs/heads/{b.name}".startswith(prefix)
                ),
                key=lambda b: b.name,
            )
            return Reply(200, [self.r.git_ref(b) for b in found])

    def get_commit(self, call: Call) -> Reply:
        """A commit the sandbox knows (a branch head or a pushed head): who, parents, files."""
        self._read(call)
        with self.state.lock:
            sha = self.state.resolve_ref(call.params["ref"])
            if sha is None:
                raise ApiError(422, f"No commit found for SHA: {call.params['ref']}")
            return Reply(200, self.r.commit(sha))
