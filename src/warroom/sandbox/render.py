"""Records as GitHub returns them: REST objects and webhook payload objects.

Pull requests render from two records: the issue (what a pull request shares
with an issue) and the ``Pull`` beside it (branches, commits, files); an issue
that is a pull request carries a ``pull_request`` key, as on GitHub.

REST objects carry the fields GitHub's OpenAPI description lists for them;
webhook objects carry exactly the fields the webhook schemas allow (those
schemas forbid extras), which is why an issue renders two ways. URLs are built
from the sandbox's current base URL, so they follow the port it runs on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any
from urllib.parse import quote

from warroom.sandbox.records import (
    Branch,
    Comment,
    CommitStatus,
    Issue,
    IssueEvent,
    Label,
    Milestone,
    Pull,
    User,
)
from warroom.sandbox.seed import BOT_LOGIN, DEFAULT_BRANCH, OWNER, OWNER_ID, REPO, REPO_ID, node_id
from warroom.sandbox.state import State

_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)
"""Rendered records never refer to themselves, so the encoder need not look for cycles."""


def encode_json(body: Any) -> bytes:
    """The bytes the sandbox sends for a JSON body (UTF-8, characters as they are)."""
    return _ENCODER.encode(body).encode("utf-8")


_ZERO_REACTIONS = {
    "total_count": 0,
    "+1": 0,
    "-1": 0,
    "laugh": 0,
    "hooray": 0,
    "confused": 0,
    "heart": 0,
    "rocket": 0,
    "eyes": 0,
}
_ZERO_REACTIONS_JSON = _ENCODER.encode(_ZERO_REACTIONS)[1:-1]

_KEPT_USERS = 1024
"""How many rendered accounts a renderer keeps (the seeded users, plus any ghosts)."""

WEBHOOK_ISSUE_KEYS = (
    "url",
    "repository_url",
    "labels_url",
    "comments_url",
    "events_url",
    "html_url",
    "id",
    "node_id",
    "number",
    "title",
    "user",
    "labels",
    "state",
    "locked",
    "assignee",
    "assignees",
    "milestone",
    "comments",
    "created_at",
    "updated_at",
    "closed_at",
    "author_association",
    "active_lock_reason",
    "performed_via_github_app",
    "body",
    "reactions",
    "timeline_url",
    "state_reason",
)
"""The issue fields the webhook schema allows, in GitHub's order."""


_SIMPLE_REPOSITORY_KEYS = frozenset(
    """
    id node_id name full_name owner private html_url description fork url archive_url
    assignees_url blobs_url branches_url collaborators_url comments_url commits_url
    compare_url contents_url contributors_url deployments_url downloads_url events_url
    forks_url git_commits_url git_refs_url git_tags_url issue_comment_url issue_events_url
    issues_url keys_url labels_url languages_url merges_url milestones_url
    notifications_url pulls_url releases_url stargazers_url statuses_url subscribers_url
    subscription_url tags_url teams_url trees_url hooks_url
    """.split()  # noqa: SIM905 - a word list reads better than 46 quoted strings
)


def author_association(user: User | None) -> str:
    """How a login relates to the repository, as GitHub reports it on what they write."""
    if user is None or user.type != "User":
        return "NONE"
    if user.login.lower() == OWNER.lower():
        return "OWNER"
    if user.member:
        return "MEMBER"
    if user.permission != "none":
        return "COLLABORATOR"
    return "NONE"


class Renderer:
    """Builds GitHub's JSON for the sandbox's records under one base URL."""

    def __init__(self, state: State, base_url: str, *, private: bool = False) -> None:
        self.state = state
        self.private = private
        self.web = base_url.rstrip("/")
        self.api = f"{self.web}/api/v3"
        self.full_name = f"{OWNER}/{REPO}"
        self.repo_url = f"{self.api}/repos/{self.full_name}"
        self.repo_html = f"{self.web}/{self.full_name}"
        self._users: dict[str, _KeptUser] = {}
        self.foreign: Callable[[int], tuple[Renderer, Issue] | None] = lambda _: None
        """Finds a sub-issue living in another repository, by id (``sandbox.repos``)."""

    # -- accounts ----------------------------------------------------------------

    def user(self, login: str | None) -> dict[str, Any] | None:
        """A ``simple-user``; ``None`` for no login."""
        if login is None:
            return None
        return dict(self._kept_user(login).rendered)

    def _kept_user(self, login: str) -> _KeptUser:
        """Every issue and comment carries its author: build each account once.

        Building one takes 18 URLs and some quoting; ``user`` hands out copies
        (callers add to them), ``comment_json`` the encoded text.
        """
        record = self.state.user(login)
        kept = self._users.get(login)
        if kept is None or kept.record is not record:
            if record is None:
                out = self._account(login, 0, node_id("U", "ghost", 0), "User")
            else:
                out = self._account(record.login, record.id, record.node_id, record.type)
            if len(self._users) >= _KEPT_USERS:
                self._users.clear()
            kept = _KeptUser(record, out, _ENCODER.encode(out), author_association(record))
            self._users[login] = kept
        return kept

    def _account(self, login: str, number: int, node: str, kind: str) -> dict[str, Any]:
        url = f"{self.api}/users/{quote(login)}"
        html = (
            f"{self.web}/apps/{login.removesuffix('[bot]')}"
            if kind == "Bot"
            else f"{self.web}/{quote(login)}"
        )
        return {
            "login": login,
            "id": number,
            "node_id": node,
            "avatar_url": f"{self.web}/avatars/{quote(login)}",
            "gravatar_id": "",
            "url": url,
            "html_url": html,
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": kind,
            "site_admin": False,
        }

    def owner(self) -> dict[str, Any]:
        return self._account(OWNER, OWNER_ID, node_id("O", "org", OWNER_ID), "Organization")

    def public_user(self, user: User) -> dict[str, Any]:
        """``GET /users/{username}``: the ``public-user`` shape."""
        out = self._account(user.login, user.id, user.node_id, user.type)
        created = self.state.meta.get("repo_created_at", "2020-01-01T00:00:00Z")
        out.update(
            {
                "user_view_type": "public",
                "name": user.name,
                "company": f"@{OWNER}" if user.member else None,
                "blog": "",
                "location": None,
                "email": None,
                "hireable": None,
                "bio": None,
                "twitter_username": None,
                "public_repos": 0,
                "public_gists": 0,
                "followers": 0,
                "following": 0,
                "created_at": created,
                "updated_at": created,
            }
        )
        return out

    def collaborator(self, user: User) -> dict[str, Any]:
        out = self.user(user.login) or {}
        perm = user.permission
        out["permissions"] = {
            "admin": perm == "admin",
            "maintain": perm in ("admin", "maintain"),
            "push": perm in ("admin", "maintain", "write"),
            "triage": perm in ("admin", "maintain", "write", "triage"),
            "pull": perm != "none",
        }
        out["role_name"] = perm
        return out

    def organization(self) -> dict[str, Any]:
        url = f"{self.api}/orgs/{OWNER}"
        return {
            "login": OWNER,
            "id": OWNER_ID,
            "node_id": node_id("O", "org", OWNER_ID),
            "url": url,
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events",
            "hooks_url": f"{url}/hooks",
            "issues_url": f"{url}/issues",
            "members_url": f"{url}/members{{/member}}",
            "public_members_url": f"{url}/public_members{{/member}}",
            "avatar_url": f"{self.web}/avatars/{OWNER}",
            "description": "The sandbox organisation",
        }

    # -- repository ----------------------------------------------------------------

    def repository(self, *, private: bool) -> dict[str, Any]:
        """The repository as webhook payloads carry it."""
        u = self.repo_url
        created = self.state.meta.get("repo_created_at", "2020-01-01T00:00:00Z")
        open_issues = sum(1 for i in self.state.issues.values() if i.state == "open")
        host = self.web.split("://", 1)[-1]
        return {
            "id": REPO_ID,
            "node_id": node_id("R", "repo", REPO_ID),
            "name": REPO,
            "full_name": self.full_name,
            "private": private,
            "owner": self.owner(),
            "html_url": self.repo_html,
            "description": "Sandbox repository for warroom",
            "fork": False,
            "url": u,
            "forks_url": f"{u}/forks",
            "keys_url": f"{u}/keys{{/key_id}}",
            "collaborators_url": f"{u}/collaborators{{/collaborator}}",
            "teams_url": f"{u}/teams",
            "hooks_url": f"{u}/hooks",
            "issue_events_url": f"{u}/issues/events{{/number}}",
            "events_url": f"{u}/events",
            "assignees_url": f"{u}/assignees{{/user}}",
            "branches_url": f"{u}/branches{{/branch}}",
            "tags_url": f"{u}/tags",
            "blobs_url": f"{u}/git/blobs{{/sha}}",
            "git_tags_url": f"{u}/git/tags{{/sha}}",
            "git_refs_url": f"{u}/git/refs{{/sha}}",
            "trees_url": f"{u}/git/trees{{/sha}}",
            "statuses_url": f"{u}/statuses/{{sha}}",
            "languages_url": f"{u}/languages",
            "stargazers_url": f"{u}/stargazers",
            "contributors_url": f"{u}/contributors",
            "subscribers_url": f"{u}/subscribers",
            "subscription_url": f"{u}/subscription",
            "commits_url": f"{u}/commits{{/sha}}",
            "git_commits_url": f"{u}/git/commits{{/sha}}",
            "comments_url": f"{u}/comments{{/number}}",
            "issue_comment_url": f"{u}/issues/comments{{/number}}",
            "contents_url": f"{u}/contents/{{+path}}",
            "compare_url": f"{u}/compare/{{base}}...{{head}}",
            "merges_url": f"{u}/merges",
            "archive_url": f"{u}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{u}/downloads",
            "issues_url": f"{u}/issues{{/number}}",
            "pulls_url": f"{u}/pulls{{/number}}",
            "milestones_url": f"{u}/milestones{{/number}}",
            "notifications_url": f"{u}/notifications{{?since,all,participating}}",
            "labels_url": f"{u}/labels{{/name}}",
            "releases_url": f"{u}/releases{{/id}}",
            "deployments_url": f"{u}/deployments",
            "created_at": created,
            "updated_at": created,
            "pushed_at": created,
            "git_url": f"git://{host}/{self.full_name}.git",
            "ssh_url": f"git@{host.split(':', 1)[0]}:{self.full_name}.git",
            "clone_url": f"{self.repo_html}.git",
            "svn_url": self.repo_html,
            "homepage": None,
            "size": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": "Python",
            "has_issues": True,
            "has_projects": False,
            "has_downloads": True,
            "has_wiki": False,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": 0,
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": open_issues,
            "license": None,
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": [],
            "visibility": "private" if private else "public",
            "forks": 0,
            "open_issues": open_issues,
            "watchers": 0,
            "default_branch": "main",
            "custom_properties": {},
        }

    def simple_repository(self) -> dict[str, Any]:
        """The ``simple-repository`` shape that issue references carry."""
        full = self.repository(private=self.private)
        return {k: v for k, v in full.items() if k in _SIMPLE_REPOSITORY_KEYS}

    def full_repository(self, *, private: bool, viewer: User | None) -> dict[str, Any]:
        """``GET /repos/{owner}/{repo}``: the webhook shape plus the REST-only fields."""
        out = self.repository(private=private)
        if viewer is not None:
            out["permissions"] = self.collaborator(viewer)["permissions"]
        out.update(
            {
                "organization": self.owner(),
                "network_count": 0,
                "subscribers_count": 0,
                "allow_squash_merge": True,
                "allow_merge_commit": True,
                "allow_rebase_merge": True,
                "allow_auto_merge": False,
                "delete_branch_on_merge": False,
                "allow_update_branch": False,
                "use_squash_pr_title_as_default": False,
                "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
                "squash_merge_commit_message": "COMMIT_MESSAGES",
                "merge_commit_title": "MERGE_MESSAGE",
                "merge_commit_message": "PR_TITLE",
                "temp_clone_token": None,
            }
        )
        return out

    # -- labels and milestones -----------------------------------------------------

    def label(self, label: Label) -> dict[str, Any]:
        return {
            "id": label.id,
            "node_id": label.node_id,
            "url": f"{self.repo_url}/labels/{quote(label.name)}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    def milestone(self, milestone: Milestone) -> dict[str, Any]:
        url = f"{self.repo_url}/milestones/{milestone.number}"
        open_count, closed_count = self.state.milestone_counts(milestone.number)
        return {
            "url": url,
            "html_url": f"{self.repo_html}/milestone/{milestone.number}",
            "labels_url": f"{url}/labels",
            "id": milestone.id,
            "node_id": milestone.node_id,
            "number": milestone.number,
            "title": milestone.title,
            "description": milestone.description,
            "creator": self.user(milestone.creator),
            "open_issues": open_count,
            "closed_issues": closed_count,
            "state": milestone.state,
            "created_at": milestone.created_at,
            "updated_at": milestone.updated_at,
            "due_on": milestone.due_on,
            "closed_at": milestone.closed_at,
        }

    # -- issues ----------------------------------------------------------------------

    def issue_url(self, number: int) -> str:
        return f"{self.repo_url}/issues/{number}"

    def sub_issues_summary(self, issue: Issue) -> dict[str, int]:
        total = len(issue.sub_issues) + len(issue.foreign_subs)
        done = sum(
            1
            for n in issue.sub_issues
            if (sub := self.state.issues.get(n)) is not None and sub.state == "closed"
        ) + sum(
            1
            for i in issue.foreign_subs
            if (found := self.foreign(i)) is not None and found[1].state == "closed"
        )
        percent = (done * 100) // total if total else 0
        return {"total": total, "completed": done, "percent_completed": percent}

    def issue(self, issue: Issue) -> dict[str, Any]:
        """The REST ``issue`` object."""
        url = self.issue_url(issue.number)
        labels = [self.label(self.state.labels[i]) for i in issue.labels if i in self.state.labels]
        assignees = [self.user(login) for login in issue.assignees]
        milestone = self.state.milestones.get(issue.milestone) if issue.milestone else None
        return {
            "url": url,
            "repository_url": self.repo_url,
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{self.repo_html}/issues/{issue.number}",
            "id": issue.id,
            "node_id": issue.node_id,
            "number": issue.number,
            "title": issue.title,
            "user": self.user(issue.user),
            "labels": labels,
            "state": issue.state,
            "locked": issue.locked,
            "assignee": assignees[0] if assignees else None,
            "assignees": assignees,
            "milestone": self.milestone(milestone) if milestone else None,
            "comments": issue.comments,
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "closed_at": issue.closed_at,
            "author_association": author_association(self.state.user(issue.user)),
            "active_lock_reason": issue.active_lock_reason,
            "sub_issues_summary": self.sub_issues_summary(issue),
            "issue_dependencies_summary": {
                "blocked_by": 0,
                "blocking": 0,
                "total_blocked_by": 0,
                "total_blocking": 0,
            },
            "parent_issue_url": self.issue_url(issue.parent) if issue.parent else issue.parent_url,
            **self._pull_reference(issue.number),
            "body": issue.body,
            "closed_by": self.user(issue.closed_by) if issue.state == "closed" else None,
            "reactions": {"url": f"{url}/reactions", **_ZERO_REACTIONS},
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }

    def webhook_issue(self, issue: Issue) -> dict[str, Any]:
        """The issue as a webhook payload carries it (no REST-only fields)."""
        full = self.issue(issue)
        out = {key: full[key] for key in WEBHOOK_ISSUE_KEYS}
        if "pull_request" in full:
            out["pull_request"] = full["pull_request"]
        return out

    # -- comments ------------------------------------------------------------------

    def comment(self, comment: Comment) -> dict[str, Any]:
        url = f"{self.repo_url}/issues/comments/{comment.id}"
        return {
            "url": url,
            "html_url": f"{self.repo_html}/issues/{comment.issue}#issuecomment-{comment.id}",
            "issue_url": self.issue_url(comment.issue),
            "id": comment.id,
            "node_id": comment.node_id,
            "user": self.user(comment.user),
            "created_at": comment.created_at,
            "updated_at": comment.updated_at,
            "author_association": author_association(self.state.user(comment.user)),
            "body": comment.body,
            "reactions": {"url": f"{url}/reactions", **_ZERO_REACTIONS},
            "performed_via_github_app": None,
        }

    def comment_json(self, comment: Comment) -> str:
        """``comment`` encoded as the sandbox sends it, for pages of comments.

        A thread is what runs read most, and a page of them rendered as dicts
        and then encoded costs several times this: here only the comment's own
        fields are encoded, the author and the empty reactions come encoded
        already. Keep it in step with ``comment``: a test holds the two to the
        same bytes.
        """
        url = f"{self.repo_url}/issues/comments/{comment.id}"
        html = f"{self.repo_html}/issues/{comment.issue}#issuecomment-{comment.id}"
        author = self._kept_user(comment.user)
        return (
            f'{{"url": {encode_basestring(url)}, "html_url": {encode_basestring(html)}, '
            f'"issue_url": {encode_basestring(self.issue_url(comment.issue))}, '
            f'"id": {comment.id:d}, "node_id": {encode_basestring(comment.node_id)}, '
            f'"user": {author.encoded}, '
            f'"created_at": {encode_basestring(comment.created_at)}, '
            f'"updated_at": {encode_basestring(comment.updated_at)}, '
            f'"author_association": {encode_basestring(author.association)}, '
            f'"body": {encode_basestring(comment.body)}, '
            f'"reactions": {{"url": {encode_basestring(url + "/reactions")}, '
            f"{_ZERO_REACTIONS_JSON}}}, "
            '"performed_via_github_app": null}'
        )

    # -- issue events and the timeline ---------------------------------------------------

    def _issue_reference(self, number: int) -> dict[str, Any] | None:
        issue = self.state.issues.get(number)
        if issue is None:
            return None
        return {
            "number": issue.number,
            "title": issue.title,
            "state": issue.state,
            "state_reason": issue.state_reason,
            "repository": self.simple_repository(),
            "issue_type": None,
        }

    def event(self, event: IssueEvent, *, with_issue: bool = False) -> dict[str, Any]:
        """An issue event (``/issues/{n}/events``, ``/issues/events``, the timeline)."""
        out: dict[str, Any] = {
            "id": event.id,
            "node_id": event.node_id,
            "url": f"{self.repo_url}/issues/events/{event.id}",
            "actor": self.user(event.actor),
            "event": event.event,
            "commit_id": None,
            "commit_url": None,
            "created_at": event.created_at,
            "performed_via_github_app": None,
        }
        data = event.data
        if "label" in data:
            out["label"] = dict(data["label"])
        if "assignee" in data:
            out["assignee"] = self.user(data["assignee"])
            out["assigner"] = self.user(event.actor)
        if "milestone" in data:
            out["milestone"] = {"title": data["milestone"]}
        if "rename" in data:
            out["rename"] = dict(data["rename"])
        if "state_reason" in data:
            out["state_reason"] = data["state_reason"]
        if "lock_reason" in data:
            out["lock_reason"] = data["lock_reason"]
        for key in ("sub_issue", "parent_issue"):
            if key in data:
                out[key] = self._issue_reference(int(data[key]))
        if with_issue:
            issue = self.state.issues.get(event.issue)
            out["issue"] = self.issue(issue) if issue is not None else None
        return out

    def timeline_comment(self, comment: Comment) -> dict[str, Any]:
        out = self.comment(comment)
        out["event"] = "commented"
        out["actor"] = self.user(comment.user)
        return out

    # -- pull requests -----------------------------------------------------------------

    def pull_url(self, number: int) -> str:
        return f"{self.repo_url}/pulls/{number}"

    def _pull_reference(self, number: int) -> dict[str, Any]:
        """``{"pull_request": {...}}`` for an issue that is a pull request, else nothing."""
        if number not in self.state.pulls:
            return {}
        html = f"{self.repo_html}/pull/{number}"
        return {
            "pull_request": {
                "url": self.pull_url(number),
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": None,
            }
        }

    def _pull_end(self, ref: str, sha: str) -> dict[str, Any]:
        """A pull request's ``head`` or ``base``: a branch of this repository and its commit."""
        return {
            "label": f"{OWNER}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.owner(),
            "repo": self.repository(private=self.private),
        }

    def pull(self, issue: Issue, pull: Pull) -> dict[str, Any]:
        """The REST ``pull-request`` object (``GET /pulls/{n}``); webhooks carry the same."""
        number = issue.number
        url = self.pull_url(number)
        html = f"{self.repo_html}/pull/{number}"
        issue_url = self.issue_url(number)
        statuses = f"{self.repo_url}/statuses/{pull.head_sha}"
        labels = [self.label(self.state.labels[i]) for i in issue.labels if i in self.state.labels]
        assignees = [self.user(login) for login in issue.assignees]
        milestone = self.state.milestones.get(issue.milestone) if issue.milestone else None
        is_open = issue.state == "open"
        links = {
            "self": url,
            "html": html,
            "issue": issue_url,
            "comments": f"{issue_url}/comments",
            "review_comments": f"{url}/comments",
            "review_comment": f"{self.repo_url}/pulls/comments{{/number}}",
            "commits": f"{url}/commits",
            "statuses": statuses,
        }
        return {
            "url": url,
            "id": pull.id,
            "node_id": pull.node_id,
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue_url,
            "number": number,
            "state": issue.state,
            "locked": issue.locked,
            "title": issue.title,
            "user": self.user(issue.user),
            "body": issue.body,
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "closed_at": issue.closed_at,
            "merged_at": None,
            "merge_commit_sha": None,
            "assignee": assignees[0] if assignees else None,
            "assignees": assignees,
            "requested_reviewers": [],
            "requested_teams": [],
            "labels": labels,
            "milestone": self.milestone(milestone) if milestone else None,
            "draft": pull.draft,
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{self.repo_url}/pulls/comments{{/number}}",
            "comments_url": f"{issue_url}/comments",
            "statuses_url": statuses,
            "head": self._pull_end(pull.head_ref, pull.head_sha),
            "base": self._pull_end(pull.base_ref, pull.base_sha),
            "_links": {name: {"href": href} for name, href in links.items()},
            "author_association": author_association(self.state.user(issue.user)),
            "auto_merge": None,
            "active_lock_reason": issue.active_lock_reason,
            "merged": False,
            "mergeable": True if is_open else None,
            "rebaseable": True if is_open else None,
            "mergeable_state": self._mergeable_state(pull) if is_open else "unknown",
            "merged_by": None,
            "comments": issue.comments,
            "review_comments": 0,
            "maintainer_can_modify": pull.maintainer_can_modify,
            "commits": len(pull.shas),
            "additions": sum(int(f.get("additions", 0)) for f in pull.files),
            "deletions": sum(int(f.get("deletions", 0)) for f in pull.files),
            "changed_files": len(pull.files),
        }

    _SIMPLE_PULL_DROPS = frozenset(
        """merged mergeable rebaseable mergeable_state merged_by comments review_comments
        maintainer_can_modify commits additions deletions changed_files""".split()  # noqa: SIM905
    )

    def pull_simple(self, issue: Issue, pull: Pull) -> dict[str, Any]:
        """The ``pull-request-simple`` shape ``GET /pulls`` lists."""
        out = {k: v for k, v in self.pull(issue, pull).items() if k not in self._SIMPLE_PULL_DROPS}
        # GitHub sends a label's missing description as null here too, but its description
        # of this shape (unlike ``pull-request``) admits only a string: send "" for none.
        out["labels"] = [{**lb, "description": lb["description"] or ""} for lb in out["labels"]]
        return out

    def _mergeable_state(self, pull: Pull) -> str:
        """``clean`` when every status of the head passed (or none is set), else ``unstable``."""
        state = self.combined_state(pull.head_sha)
        return "clean" if state in ("success", None) else "unstable"

    def diff_entry(self, pull: Pull, entry: dict[str, Any]) -> dict[str, Any]:
        """One changed file of a pull request (``GET /pulls/{n}/files``)."""
        name = str(entry["filename"])
        head = pull.head_sha
        quoted = quote(name)
        additions = int(entry.get("additions", 0))
        deletions = int(entry.get("deletions", 0))
        out: dict[str, Any] = {
            "sha": None if entry.get("status") == "removed" else commit_sha_of(head, name),
            "filename": name,
            "status": entry.get("status", "modified"),
            "additions": additions,
            "deletions": deletions,
            "changes": additions + deletions,
            "blob_url": f"{self.repo_html}/blob/{head}/{quoted}",
            "raw_url": f"{self.repo_html}/raw/{head}/{quoted}",
            "contents_url": f"{self.repo_url}/contents/{quoted}?ref={head}",
            "patch": f"@@ -1,{deletions} +1,{additions} @@",
        }
        if entry.get("previous_filename"):
            out["previous_filename"] = entry["previous_filename"]
        return out

    # -- commit statuses, branches and refs ----------------------------------------------------

    def latest_statuses(self, sha: str) -> list[CommitStatus]:
        """The newest status per context (case-insensitive), newest first."""
        seen: set[str] = set()
        out: list[CommitStatus] = []
        for status in reversed(self.state.statuses_of(sha)):
            key = status.context.lower()
            if key not in seen:
                seen.add(key)
                out.append(status)
        return out

    def combined_state(self, sha: str) -> str | None:
        """GitHub's combined state: failure if any context failed or errored, pending if
        any is pending, success if all passed; ``None`` when the commit has no status."""
        states = {s.state for s in self.latest_statuses(sha)}
        if not states:
            return None
        if states & {"failure", "error"}:
            return "failure"
        return "pending" if "pending" in states else "success"

    def status(self, status: CommitStatus) -> dict[str, Any]:
        """The REST ``status`` object (creating and listing statuses)."""
        creator = self.user(status.creator)
        return {
            "url": f"{self.repo_url}/statuses/{status.sha}",
            "avatar_url": creator["avatar_url"] if creator else None,
            "id": status.id,
            "node_id": status.node_id,
            "state": status.state,
            "description": status.description,
            "target_url": status.target_url,
            "context": status.context,
            "created_at": status.created_at,
            "updated_at": status.updated_at,
            "creator": creator,
        }

    def combined_status(self, sha: str, statuses: list[CommitStatus]) -> dict[str, Any]:
        """``GET /commits/{ref}/status``; ``statuses`` is the page asked for."""
        simple = []
        for status in statuses:
            out = self.status(status)
            del out["creator"]
            out["required"] = False
            simple.append(out)
        return {
            "state": self.combined_state(sha) or "pending",
            "statuses": simple,
            "sha": sha,
            "total_count": len(self.latest_statuses(sha)),
            "repository": self.simple_repository(),
            "commit_url": f"{self.repo_url}/commits/{sha}",
            "url": f"{self.repo_url}/commits/{sha}/status",
        }

    def commit(self, sha: str) -> dict[str, Any]:
        """``GET /commits/{ref}``: a pull request's push carries its author, parent and files;
        any other commit (a branch seeded by the control API) is the organisation's."""
        parent = None
        author = OWNER
        when = self.state.meta.get("repo_created_at", "2020-01-01T00:00:00Z")
        files: list[dict[str, Any]] = []
        message = "Commit"
        for number, pull in self.state.pulls.items():
            if sha in pull.shas:
                issue = self.state.issues[number]
                index = pull.shas.index(sha)
                parent = pull.shas[index - 1] if index else pull.base_sha
                author, when = issue.user, issue.updated_at
                files = [self.diff_entry(pull, f) for f in pull.files]
                message = f"Push {index + 1} to {pull.head_ref}"
                break
        account = self.user(author) if author != OWNER else self.owner()
        git_user = {"name": author, "email": f"{author}@users.noreply.invalid", "date": when}
        url = f"{self.repo_url}/commits/{sha}"
        return {
            "url": url,
            "sha": sha,
            "node_id": node_id("C", "commit", int(sha[:12], 16)),
            "html_url": f"{self.repo_html}/commit/{sha}",
            "comments_url": f"{url}/comments",
            "commit": {
                "url": f"{self.repo_url}/git/commits/{sha}",
                "author": git_user,
                "committer": git_user,
                "message": message,
                "comment_count": 0,
                "tree": {"sha": sha, "url": f"{self.repo_url}/git/trees/{sha}"},
            },
            "author": account,
            "committer": account,
            "parents": (
                []
                if parent is None
                else [
                    {
                        "sha": parent,
                        "url": f"{self.repo_url}/commits/{parent}",
                        "html_url": f"{self.repo_html}/commit/{parent}",
                    }
                ]
            ),
            "stats": {
                "additions": sum(f["additions"] for f in files),
                "deletions": sum(f["deletions"] for f in files),
                "total": sum(f["changes"] for f in files),
            },
            "files": files,
        }

    def short_branch(self, branch: Branch) -> dict[str, Any]:
        """``GET /branches``: a branch's name, head commit and protection."""
        return {
            "name": branch.name,
            "commit": {"sha": branch.sha, "url": f"{self.repo_url}/commits/{branch.sha}"},
            "protected": branch.name == DEFAULT_BRANCH,
        }

    def git_ref(self, branch: Branch) -> dict[str, Any]:
        """``GET /git/matching-refs/...``: ``refs/heads/<name>`` and its commit."""
        ref = f"refs/heads/{branch.name}"
        return {
            "ref": ref,
            "node_id": node_id("REF", "ref", branch.id),
            "url": f"{self.repo_url}/git/{quote(ref)}",
            "object": {
                "type": "commit",
                "sha": branch.sha,
                "url": f"{self.repo_url}/git/commits/{branch.sha}",
            },
        }


@dataclass(frozen=True)
class _KeptUser:
    """One account as rendered, kept while its record is the same object."""

    record: User | None
    rendered: dict[str, Any]
    encoded: str
    association: str


def is_bot(login: str) -> bool:
    """Whether a login is the workflow token's identity."""
    return login.lower() == BOT_LOGIN.lower()


def commit_sha_of(head: str, filename: str) -> str:
    """A file's blob sha at a head commit (deterministic, as the sandbox keeps no objects)."""
    return hashlib.sha1(f"{head}\0{filename}".encode(), usedforsecurity=False).hexdigest()
