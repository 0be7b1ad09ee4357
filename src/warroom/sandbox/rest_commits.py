"""The seeded git history: ``GET /compare/{basehead}`` and ``GET /commits/{sha}/pulls``.

The closure review package's mitigation diff summary reads what changed between
the last known-good revision and the fix: one compare (commits oldest first,
with the files touched) and the pull requests each commit belongs to. The
history is seeded through the control API (``POST /_sandbox/commits``), one
commit at a time on a branch, as a person with git would push it; a commit may
name the pull requests it belongs to and the tags that point at it.

A ref here is a branch, a tag of the seeded history, a full sha or an
unambiguous sha prefix of 7 or more hex digits (``State.resolve_ref``).
"""

from __future__ import annotations

from typing import Any

from warroom.sandbox.errors import ApiError
from warroom.sandbox.records import GitCommit
from warroom.sandbox.render import commit_sha_of
from warroom.sandbox.rest_core import Call, Reply, RestBase
from warroom.sandbox.seed import OWNER, node_id

ROUTE_TABLE: list[tuple[str, str, str, str]] = [
    (
        "GET",
        "/repos/{owner}/{repo}/compare/{basehead}",
        "repos/compare-commits-with-basehead",
        "compare_commits",
    ),
    # Before ``GET /commits/{ref}``, whose {ref} spans slashes and would swallow "/pulls".
    (
        "GET",
        "/repos/{owner}/{repo}/commits/{commit_sha}/pulls",
        "repos/list-pull-requests-associated-with-commit",
        "list_commit_pulls",
    ),
]

HISTORY_LIMIT = 10_000
"""Commits walked back from a head at most: the seeded history is small, a cycle is a bug."""


class CommitsRoutes(RestBase):
    """The git history room; ``RestApi`` mixes it in."""

    def compare_commits(self, call: Call) -> Reply:
        """``base...head``: the commits reachable from head and not from base, oldest first."""
        self._read(call)
        base_ref, dots, head_ref = call.params["basehead"].partition("...")
        if not dots or not base_ref or not head_ref:
            raise ApiError(404, "Not Found")
        with self.state.lock:
            base = self.state.resolve_ref(base_ref)
            head = self.state.resolve_ref(head_ref)
            if base is None or head is None:
                raise ApiError(404, f"No commit found for the ref {head_ref if base else base_ref}")
            from_head = self._ancestry(head)
            from_base = self._ancestry(base)
            merge_base = next((sha for sha in from_head if sha in set(from_base)), None)
            if merge_base is None:
                raise ApiError(404, f"No common ancestor between {base_ref} and {head_ref}.")
            ahead = from_head[: from_head.index(merge_base)]
            behind = from_base[: from_base.index(merge_base)]
            status = (
                "identical"
                if not ahead and not behind
                else "ahead"
                if not behind
                else "behind"
                if not ahead
                else "diverged"
            )
            commits = list(reversed(ahead))
            chunk, headers = self._slice(call, commits)
            files: dict[str, dict[str, Any]] = {}
            for sha in commits:
                for entry in self._files(sha):
                    files[entry["filename"]] = entry  # the last change to a path wins
            html = self.r.repo_html
            return Reply(
                200,
                {
                    "url": f"{self.r.repo_url}/compare/{base_ref}...{head_ref}",
                    "html_url": f"{html}/compare/{base_ref}...{head_ref}",
                    "permalink_url": f"{html}/compare/{OWNER}:{base}...{OWNER}:{head}",
                    "diff_url": f"{html}/compare/{base_ref}...{head_ref}.diff",
                    "patch_url": f"{html}/compare/{base_ref}...{head_ref}.patch",
                    "base_commit": self._commit(base),
                    "merge_base_commit": self._commit(merge_base),
                    "status": status,
                    "ahead_by": len(ahead),
                    "behind_by": len(behind),
                    "total_commits": len(ahead),
                    "commits": [self._commit(sha) for sha in chunk],
                    "files": list(files.values())[:300],  # GitHub lists 300 files at most
                },
                headers,
            )

    def list_commit_pulls(self, call: Call) -> Reply:
        """The pull requests a commit belongs to: those it names, and those that pushed it."""
        self._read(call)
        with self.state.lock:
            sha = self.state.resolve_ref(call.params["commit_sha"])
            if sha is None:
                raise ApiError(
                    422, f"No commit found for SHA: {call.params['commit_sha']}"
                )  # GitHub's answer for an unknown sha
            seeded = self.state.git_commits.get(sha)
            numbers = set(seeded.pulls if seeded is not None else ())
            numbers |= {n for n, p in self.state.pulls.items() if sha in p.shas}
            found = [
                (self.state.issues[n], self.state.pulls[n])
                for n in sorted(numbers)
                if n in self.state.pulls
            ]
            return self._page(call, found, lambda pair: self.r.pull_simple(*pair))

    # -- helpers --------------------------------------------------------------------------

    def _ancestry(self, sha: str) -> list[str]:
        return self.state.ancestry(sha, HISTORY_LIMIT)

    def _files(self, sha: str) -> list[dict[str, Any]]:
        commit = self.state.git_commits.get(sha)
        return [self._diff_entry(sha, f) for f in commit.files] if commit is not None else []

    def _diff_entry(self, sha: str, entry: dict[str, Any]) -> dict[str, Any]:
        name = str(entry["filename"])
        additions = int(entry.get("additions", 0))
        deletions = int(entry.get("deletions", 0))
        html, api = self.r.repo_html, self.r.repo_url
        out: dict[str, Any] = {
            "sha": None if entry.get("status") == "removed" else commit_sha_of(sha, name),
            "filename": name,
            "status": entry.get("status", "modified"),
            "additions": additions,
            "deletions": deletions,
            "changes": additions + deletions,
            "blob_url": f"{html}/blob/{sha}/{name}",
            "raw_url": f"{html}/raw/{sha}/{name}",
            "contents_url": f"{api}/contents/{name}?ref={sha}",
            "patch": f"@@ -1,{deletions} +1,{additions} @@",
        }
        if entry.get("previous_filename"):
            out["previous_filename"] = entry["previous_filename"]
        return out

    def _commit(self, sha: str) -> dict[str, Any]:
        """A seeded commit as GitHub's ``commit`` shape; any other commit as ``GET /commits``."""
        seeded = self.state.git_commits.get(sha)
        if seeded is None:
            return self.r.commit(sha)
        return self._seeded(seeded)

    def _seeded(self, commit: GitCommit) -> dict[str, Any]:
        sha, api, html = commit.sha, self.r.repo_url, self.r.repo_html
        account = self.r.user(commit.author) if commit.author != OWNER else self.r.owner()
        git_user = {
            "name": commit.author,
            "email": f"{commit.author}@users.noreply.invalid",
            "date": commit.date,
        }
        files = [self._diff_entry(sha, f) for f in commit.files]
        return {
            "url": f"{api}/commits/{sha}",
            "sha": sha,
            "node_id": node_id("C", "commit", int(sha[:12], 16)),
            "html_url": f"{html}/commit/{sha}",
            "comments_url": f"{api}/commits/{sha}/comments",
            "commit": {
                "url": f"{api}/git/commits/{sha}",
                "author": git_user,
                "committer": git_user,
                "message": commit.message,
                "comment_count": 0,
                "tree": {"sha": sha, "url": f"{api}/git/trees/{sha}"},
            },
            "author": account,
            "committer": account,
            "parents": [
                {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{html}/commit/{p}"}
                for p in commit.parents
            ],
            "stats": {
                "additions": sum(f["additions"] for f in files),
                "deletions": sum(f["deletions"] for f in files),
                "total": sum(f["changes"] for f in files),
            },
            "files": files,
        }
