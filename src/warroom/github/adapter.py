"""The only module that talks to GitHub (through PyGithub).

It reads what the core needs as plain snapshots and applies a plan of effects,
writing only what differs from what it read. It owns retries: PyGithub's own
retry is switched off because a blind retry of a POST is how a comment gets
posted twice; here a failed create is first checked for having happened.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, urlsplit

import requests
from github import Auth, Github, GithubException
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.Repository import Repository

from warroom.config import Api
from warroom.effects import (
    AddLabels,
    Assign,
    BoardStatusInStep,
    DeleteComment,
    Effect,
    EnsureLabel,
    Fail,
    OpenFollowUp,
    PlaceOnBoard,
    RemoveLabel,
    Reopen,
    SetCommitStatus,
    UpsertComment,
)
from warroom.errors import GitHubError
from warroom.events import pull_from_payload
from warroom.github import projects
from warroom.markers import describe_marker
from warroom.mitigation import (
    MAX_COMMITS,
    MAX_PULL_LOOKUPS,
    NOT_FOUND,
    MitigationDiff,
    diff_from_payload,
    with_pulls,
)
from warroom.model import CommentSnapshot, IssueSnapshot, PullSnapshot, is_bot_account

log = logging.getLogger(__name__)

T = TypeVar("T")

_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_ROLES = frozenset({"admin", "maintain", "write", "triage", "read"})


class _Transient(Exception):
    """A failure worth retrying, with how long GitHub asked us to wait."""

    def __init__(self, what: str, wait: float | None) -> None:
        super().__init__(what)
        self.wait = wait


def _seconds(value: str | None, now: float) -> float | None:
    """``Retry-After`` in seconds or as an HTTP date; ``None`` when absent or unreadable."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def _classify(exc: Exception, now: float) -> _Transient | None:
    """Decide whether GitHub's answer means "try again later" and for how long."""
    if isinstance(exc, requests.exceptions.RequestException):
        # Refused, reset, timed out or cut off mid-body: the network, not the request.
        return _Transient(f"connection failed ({exc.__class__.__name__})", None)
    if not isinstance(exc, GithubException):
        return None
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    retry_after = _seconds(headers.get("retry-after"), now)
    if exc.status in _RETRY_STATUSES:
        return _Transient(f"HTTP {exc.status}", retry_after)
    if exc.status == 429 or (exc.status == 403 and _is_rate_limit(exc, headers)):
        if retry_after is not None:
            return _Transient(f"rate limited (HTTP {exc.status})", retry_after)
        reset = _seconds(headers.get("x-ratelimit-reset"), 0.0)
        if headers.get("x-ratelimit-remaining") == "0" and reset is not None:
            return _Transient(
                f"rate limit exhausted (HTTP {exc.status})",
                max(0.0, reset - _server_now(headers, now)),
            )
        return _Transient(f"rate limited (HTTP {exc.status})", None)
    return None


def _server_now(headers: dict[str, str], fallback: float) -> float:
    """The server's time from its ``Date`` header, else ours.

    ``X-RateLimit-Reset`` is an instant on GitHub's clock; measuring the wait
    against the answer's own ``Date`` keeps a runner whose clock is off (or a
    sandbox whose clock is set elsewhere) from waiting too long or not at all.
    """
    try:
        return parsedate_to_datetime(headers["date"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return fallback


def _already_exists(exc: GithubException) -> bool:
    """GitHub's 422 for a name taken: another run created the same label first."""
    return exc.status == 422 and "already_exists" in str(exc.data)


def _is_rate_limit(exc: GithubException, headers: dict[str, str]) -> bool:
    if headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers:
        return True
    message = str(exc.data.get("message", "")) if isinstance(exc.data, dict) else ""
    return "rate limit" in message.lower()


@dataclass
class Budget:
    """How much waiting and writing a run may still do."""

    seconds: float
    writes: int
    writes_made: int = 0


@dataclass
class _View:
    """What the adapter knows of GitHub's state while applying one plan."""

    labels: set[str]
    assignees: set[str]
    state: str | None
    repo_labels: dict[str, tuple[str, str]] | None = None
    follow_ups: dict[str, int] | None = None
    unlinked: dict[str, int] = field(default_factory=dict)
    """Follow-ups (by marker) that exist but are no sub-issue yet, with their ids."""


@dataclass
class ApplyReport:
    """What applying a plan did, for outputs, the step summary and tests."""

    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    follow_ups: dict[str, int] = field(default_factory=dict)
    unlinked: set[str] = field(default_factory=set)
    """Keys of follow-ups opened but not linked as sub-issues: the next run links them."""
    failures: list[str] = field(default_factory=list)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _login(user: Any) -> str:
    return str(getattr(user, "login", "") or "")


def _is_pull_request(issue: Issue) -> bool:
    """Read from what GitHub sent, for an issue listed or already read.

    A plain issue comes without a ``pull_request`` key, and PyGithub answers
    a question about an absent field by fetching the whole issue again: one
    GET per open incident on every sweep.
    """
    return bool(issue._rawData.get("pull_request"))


def issue_snapshot(issue: Issue) -> IssueSnapshot:
    """Read a PyGithub issue into plain data (completing it costs one GET if lazy)."""
    created = _utc(issue.created_at)
    assert created is not None
    return IssueSnapshot(
        number=issue.number,
        id=issue.id,
        title=issue.title or "",
        body=issue.body or "",
        state=issue.state,
        state_reason=issue.state_reason,
        labels=tuple(label.name for label in issue.labels),
        assignees=tuple(_login(user) for user in issue.assignees),
        author=_login(issue.user),
        created_at=created,
        closed_at=_utc(issue.closed_at),
        html_url=issue.html_url,
        is_pull_request=_is_pull_request(issue),
        updated_at=_utc(issue.updated_at),
        comment_count=issue.comments,
        author_is_bot=_is_bot(issue.user),
    )


def _is_bot(user: Any) -> bool:
    return is_bot_account(_login(user), getattr(user, "type", None))


def comment_snapshot(comment: IssueComment) -> CommentSnapshot:
    """Read a PyGithub comment into plain data (no request: list pages carry it all)."""
    user = comment.user
    created = _utc(comment.created_at)
    updated = _utc(comment.updated_at) or created
    assert created is not None
    assert updated is not None
    return CommentSnapshot(
        id=comment.id,
        author=_login(user),
        author_is_bot=_is_bot(user),
        body=comment.body or "",
        created_at=created,
        updated_at=updated,
        html_url=comment.html_url,
        association=str(comment._rawData.get("author_association") or ""),
    )


def _client(api_url: str, token: str, api: Api) -> Github:
    """A PyGithub client as warroom uses it: listings of 100, lazy objects, and no retries of
    its own (every request is retried by ``GitHubAdapter._call``, the one retrying path)."""
    return Github(
        base_url=api_url.rstrip("/"),
        auth=Auth.Token(token),
        per_page=100,
        retry=None,
        timeout=30,
        seconds_between_requests=None,
        seconds_between_writes=api.seconds_between_writes or None,
        lazy=True,
    )


class GitHubAdapter:
    """Reads snapshots and applies plans for one repository."""

    def __init__(
        self,
        *,
        api_url: str,
        token: str,
        repository: str,
        api: Api,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        seed: int | None = None,
        follow_up_repository: str | None = None,
        backlog_token: str = "",
    ) -> None:
        self._github = _client(api_url, token, api)
        self._repo: Repository = self._github.get_repo(repository)
        # Follow-ups in a backlog repository and the GitHub Project need a token that reaches
        # beyond this repository (the workflow's cannot): ``backlog_token`` when given.
        self._backlog = _client(api_url, backlog_token, api) if backlog_token else self._github
        self._follow_up_name = (
            _same_owner(repository, follow_up_repository) if follow_up_repository else repository
        )
        self._backlog_repo: Repository | None = (
            self._backlog.get_repo(self._follow_up_name) if follow_up_repository else None
        )
        self._projects: dict[tuple[str, str, int], projects.Project] = {}
        self._filer: str | None = None
        self._repo_name = repository
        self._api_url = api_url.rstrip("/")
        self._api = api
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._random = random.Random(seed)  # noqa: S311 -- jitter, not secrets
        self.budget = Budget(seconds=api.retry_seconds, writes=api.max_writes)
        self._comments: dict[int, list[IssueComment]] = {}
        self._owner = repository.split("/")[0]
        # A sweep derives many incidents in one run; one answer per person is enough.
        self._permissions: dict[str, str] = {}
        self._memberships: dict[tuple[str, str], bool] = {}

    def _backlog_login(self) -> str:
        """Who files follow-ups in the backlog repository: the backlog token's account (a
        person's token files them as that person), read once; empty without one."""
        if self._backlog_repo is None or self._backlog is self._github:
            return ""
        if self._filer is None:

            def read() -> str:
                _, data = self._backlog.requester.requestJsonAndCheck(
                    "GET", f"{self._api_url}/user"
                )
                return str(data.get("login", "")).lower() if isinstance(data, dict) else ""

            self._filer = self._call("read who the backlog token belongs to", read)
        return self._filer

    @property
    def _follow_up_repo(self) -> Repository:
        """Where follow-ups are filed: the backlog repository, else this one."""
        return self._backlog_repo if self._backlog_repo is not None else self._repo

    # -- retries -----------------------------------------------------------------

    def _call(
        self,
        what: str,
        fn: Callable[[], T],
        *,
        write: bool = False,
        happened: Callable[[], T | None] | None = None,
    ) -> T:
        """Run ``fn`` with retries; before retrying a write, ask ``happened`` first.

        ``happened`` returns the result if the write took effect despite the
        error (GitHub answered 502 after storing the comment, say), so the
        write is not repeated.
        """
        if write:
            if self.budget.writes_made >= self.budget.writes:
                raise GitHubError(
                    f"{what}: refused, this run already made {self.budget.writes_made} writes "
                    "(api.max_writes in .github/warroom.yml)"
                )
            self.budget.writes_made += 1
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except GitHubError:
                raise  # already says what to do
            except Exception as exc:
                transient = _classify(exc, self._wall_clock())
                if transient is None:
                    status = getattr(exc, "status", None)
                    raise GitHubError(
                        f"{what}: {_describe(exc)}",
                        status=status if isinstance(status, int) else None,
                    ) from exc
                if attempt >= self._api.max_attempts:
                    raise GitHubError(
                        f"{what}: gave up after {attempt} attempts ({transient})"
                    ) from exc
                wait = transient.wait
                if wait is None:
                    wait = min(30.0, 0.5 * 2 ** (attempt - 1)) * (0.5 + self._random.random())
                if wait > self.budget.seconds:
                    raise GitHubError(
                        f"{what}: {transient}; waiting {wait:.0f}s more would exceed "
                        f"api.retry_seconds ({self._api.retry_seconds:.0f}s)"
                    ) from exc
                log.warning("%s: %s; retrying in %.1fs", what, transient, wait)
                self.budget.seconds -= wait
                self._sleep(wait)
                if happened is not None:
                    # The look-up is a request like any other: retried, never bare.
                    done = self._call(f"{what}: check whether it was done", happened)
                    if done is not None:
                        return done

    # -- reads -------------------------------------------------------------------

    def issue(self, number: int) -> IssueSnapshot:
        """One GET."""
        return self._call(f"read issue #{number}", lambda: issue_snapshot(self._issue(number)))

    def comments(self, number: int) -> list[CommentSnapshot]:
        """ceil(C/100) GETs; kept so ``apply`` can find warroom's own comments for free."""

        def read() -> list[IssueComment]:
            return list(self._issue(number).get_comments())

        found = self._call(f"list comments of #{number}", read)
        self._comments[number] = found
        return [comment_snapshot(c) for c in found]

    def permission(self, login: str) -> str:
        """The login's permission: admin, maintain, write, triage, read or none.

        The endpoint's ``permission`` is the legacy one (maintain reads as
        write, triage as read), so ``responders.permissions: [triage]`` could
        never match; ``role_name`` is the real role, unless it is a custom
        role's name, when the legacy level it builds on is what counts.
        """

        def read() -> str:
            url = f"{self._repo.url}/collaborators/{quote(login, safe='')}/permission"
            try:
                _, data = self._github.requester.requestJsonAndCheck("GET", url)
            except GithubException as exc:
                if exc.status == 404:
                    return "none"
                raise
            role, legacy = data.get("role_name"), data.get("permission")
            return str(role if role in _ROLES else legacy or "none")

        key = login.lower()
        if key not in self._permissions:
            self._permissions[key] = self._call(f"read the permission of @{login}", read)
        return self._permissions[key]

    def collaborators(self, at_least: str) -> dict[str, str] | None:
        """Everyone with ``at_least`` the given role, by login, from one page: one GET.

        ``None`` when there are more than fit one page (a large organisation: one
        question per author is cheaper) or the token may not list collaborators.
        """
        wanted = {"read": "pull", "write": "push"}.get(at_least, at_least)

        def read() -> dict[str, str] | None:
            url = f"{self._repo.url}/collaborators"
            parameters = {"permission": wanted, "per_page": 100}
            try:
                headers, data = self._github.requester.requestJsonAndCheck(
                    "GET", url, parameters=parameters
                )
            except GithubException as exc:
                if exc.status in {403, 404} and _classify(exc, self._wall_clock()) is None:
                    return None
                raise
            if 'rel="next"' in str(headers.get("link", "")) or not isinstance(data, list):
                return None
            return {
                str(item.get("login", "")).lower(): _role(item)
                for item in data
                if isinstance(item, dict)
            }

        found = self._call(f"list collaborators with {at_least} permission", read)
        if found is not None:
            for login, role in found.items():
                self._permissions.setdefault(login, role)
        return found

    def team_member(self, team: str, login: str) -> bool:
        """Whether ``login`` is an active member of ``team`` (``org/slug``, or a slug in the
        repository owner's organisation): one GET.

        A workflow token cannot read teams; GitHub answers 403, which fails the run with
        what to do rather than silently refusing every team member's record.
        """
        org, _, slug = team.rpartition("/")
        org = org or self._owner

        def read() -> bool:
            try:
                membership = self._github.get_organization(org).get_team_by_slug(slug)
                state = membership.get_team_membership(login).state
            except GithubException as exc:
                if exc.status == 404:
                    return False
                if exc.status == 403 and _classify(exc, self._wall_clock()) is None:
                    raise GitHubError(
                        f"the token cannot read the members of team {org}/{slug} "
                        "(responders.teams): give the Action a token with read:org as its "
                        "github-token input, or name the people in responders.logins"
                    ) from exc
                raise
            return state == "active"

        key = (f"{org}/{slug}".lower(), login.lower())
        if key not in self._memberships:
            self._memberships[key] = self._call(f"read @{login}'s membership of {org}/{slug}", read)
        return self._memberships[key]

    def open_issues(self, label: str) -> list[IssueSnapshot]:
        """Every open issue with ``label``: ceil(N/100) GETs."""

        def read() -> list[IssueSnapshot]:
            issues = self._repo.get_issues(state="open", labels=[label])
            return [issue_snapshot(i) for i in issues if not _is_pull_request(i)]

        return self._call(f"list open issues labelled {label!r}", read)

    def closed_issues(self, label: str, since: datetime) -> list[IssueSnapshot]:
        """Closed issues with ``label`` updated since ``since``: ceil(N/100) GETs."""

        def read() -> list[IssueSnapshot]:
            issues = self._repo.get_issues(state="closed", labels=[label], since=since)
            return [issue_snapshot(i) for i in issues if not _is_pull_request(i)]

        return self._call(f"list recently closed issues labelled {label!r}", read)

    def open_pulls(self) -> list[PullSnapshot]:
        """Every open pull request, without files: ceil(P/100) GETs (at most 30 pages)."""

        def read() -> list[PullSnapshot]:
            url = f"{self._repo.url}/pulls"
            found: list[PullSnapshot] = []
            for page in range(1, 31):
                parameters = {"state": "open", "per_page": 100, "page": page}
                headers, data = self._github.requester.requestJsonAndCheck(
                    "GET", url, parameters=parameters
                )
                found += [pull_from_payload(item) for item in data if isinstance(data, list)]
                if 'rel="next"' not in str(headers.get("link", "")):
                    break
            return [p for p in found if p.number > 0 and p.head_sha]

        return self._call("list open pull requests", read)

    def pull(self, number: int) -> PullSnapshot:
        """One pull request as GitHub has it now, without its files: one GET."""

        def read() -> PullSnapshot:
            url = f"{self._repo.url}/pulls/{number}"
            _, data = self._github.requester.requestJsonAndCheck("GET", url)
            return pull_from_payload(data)

        return self._call(f"read pull request #{number}", read)

    def pull_files(self, number: int) -> tuple[str, ...]:
        """The paths a pull request changes (renamed ones under both names): ceil(F/100) GETs,
        at most 30 (GitHub lists the first 3,000 files)."""

        def read() -> tuple[str, ...]:
            url = f"{self._repo.url}/pulls/{number}/files"
            found: list[str] = []
            for page in range(1, 31):
                parameters = {"per_page": 100, "page": page}
                headers, data = self._github.requester.requestJsonAndCheck(
                    "GET", url, parameters=parameters
                )
                for item in data if isinstance(data, list) else []:
                    if isinstance(item, dict):
                        found += [
                            str(item[k]) for k in ("filename", "previous_filename") if item.get(k)
                        ]
                if 'rel="next"' not in str(headers.get("link", "")):
                    break
            return tuple(dict.fromkeys(found))

        return self._call(f"list the files of pull request #{number}", read)

    def _status(self, sha: str, context: str) -> tuple[str, str] | None:
        """(state, description) of the latest status ``context`` on ``sha``: one GET."""

        def read() -> tuple[str, str] | None:
            url = f"{self._repo.url}/commits/{quote(sha, safe='')}/status"
            _, data = self._github.requester.requestJsonAndCheck(
                "GET", url, parameters={"per_page": 100}
            )
            for item in data.get("statuses") or [] if isinstance(data, dict) else []:
                if isinstance(item, dict) and item.get("context") == context:
                    return (str(item.get("state", "")), str(item.get("description") or ""))
            return None

        return self._call(f"read the {context} status of {sha[:12]}", read)

    def comments_since(self, since: datetime) -> list[tuple[int, CommentSnapshot]]:
        """Comments anywhere in the repository written or edited since ``since``, each with its
        issue's number: ceil(N/100) GETs (one when nothing changed). The sweep's memory."""

        def read() -> list[tuple[int, CommentSnapshot]]:
            found = self._repo.get_issues_comments(
                sort="updated", direction="asc", since=since.astimezone(UTC)
            )
            return [(int(c.issue_url.rsplit("/", 1)[1]), comment_snapshot(c)) for c in found]

        return self._call(f"list comments edited since {since.isoformat()}", read)

    def comment_count_since(self, since: datetime) -> int:
        """How many comments the repository-wide listing since ``since`` holds: one GET of one
        comment a page, read from its last page's number. The report's choice of listing."""

        def read() -> int:
            url = f"{self._repo.url}/issues/comments"
            parameters = {"since": _iso(since), "per_page": 1}
            headers, data = self._github.requester.requestJsonAndCheck(
                "GET", url, parameters=parameters
            )
            return _last_page(str(headers.get("link", ""))) or len(data or [])

        return self._call(f"count comments edited since {since.isoformat()}", read)

    def _marked_issues(self, label: str, wanted: Mapping[str, str]) -> dict[str, Issue]:
        """Issues (any state) with ``label`` that warroom opened under each marker in ``wanted``.

        ``wanted`` maps a marker to its proof line (empty without a state key): a
        person's issue never counts, nor, with a key, one without the proof, which
        another workflow writing as the same bot cannot make.
        """
        if not wanted:
            return {}

        def read() -> dict[str, Issue]:
            found: dict[str, Issue] = {}
            filer = self._backlog_login()
            for issue in self._follow_up_repo.get_issues(state="all", labels=[label]):
                mine = _is_bot(issue.user) or (filer and _login(issue.user).lower() == filer)
                if not mine or _is_pull_request(issue):
                    continue  # a person's issue or a pull request is never a follow-up
                body = issue.body or ""
                for marker, proof in wanted.items():
                    if marker in body and proof in body and marker not in found:
                        found[marker] = issue
            return found

        return self._call(f"look for existing {label!r} issues", read)

    def branches(self, prefix: str) -> list[str]:
        """Branch names starting with ``prefix`` (``incident/12/``): one GET.

        GitHub answers matching refs in one list and documents no paging for
        them, so the request carries no ``per_page`` (PyGithub's paged
        ``get_git_matching_refs`` would add it).
        """

        def read() -> list[str]:
            url = f"{self._repo.url}/git/matching-refs/heads/{quote(prefix, safe='/')}"
            _, data = self._github.requester.requestJsonAndCheck("GET", url)
            refs = data if isinstance(data, list) else []
            return [
                str(ref.get("ref", "")).removeprefix("refs/heads/")
                for ref in refs
                if isinstance(ref, dict)
            ]

        return self._call(f"list branches under {prefix!r}", read)

    def compare(self, base: str, head: str) -> MitigationDiff:
        """The commits and files from ``base`` to ``head``: one GET (a page of 100 commits),
        then one GET per commit, newest first and at most ``MAX_PULL_LOOKUPS``, for the
        pull requests it belongs to."""

        def read() -> Any:
            refs = f"{quote(base, safe='')}...{quote(head, safe='')}"
            try:
                _, data = self._github.requester.requestJsonAndCheck(
                    "GET", f"{self._repo.url}/compare/{refs}", parameters={"per_page": MAX_COMMITS}
                )
            except GithubException as exc:
                if exc.status in (404, 422):  # GitHub's answer: no such revision here
                    return None
                raise
            return data

        data = self._call(f"compare {base}...{head}", read)
        if data is None:
            return MitigationDiff(base, head, problem=NOT_FOUND)
        diff = diff_from_payload(base, head, data)
        found: dict[str, Any] = {}
        for commit in list(reversed(diff.commits))[:MAX_PULL_LOOKUPS]:

            def pulls(sha: str = commit.sha) -> Any:
                _, data = self._github.requester.requestJsonAndCheck(
                    "GET",
                    f"{self._repo.url}/commits/{quote(sha, safe='')}/pulls",
                    parameters={"per_page": 100},
                )
                return data

            found[commit.sha] = self._call(f"list the pull requests of {commit.sha[:12]}", pulls)
        return with_pulls(diff, found)

    def label_names(self) -> dict[str, tuple[str, str]]:
        """Repository labels: name -> (colour, description)."""

        def read() -> dict[str, tuple[str, str]]:
            return {
                label.name: (label.color, label.description or "")
                for label in self._repo.get_labels()
            }

        return self._call("list labels", read)

    # -- writes ------------------------------------------------------------------

    def apply(self, plan: Sequence[Effect], *, issue: IssueSnapshot | None = None) -> ApplyReport:
        """Apply effects in order; skip those whose outcome already holds.

        A failure raises ``GitHubError`` and stops the run: every effect states
        an outcome, so the next run converges from whatever is on GitHub.
        """
        view = _View(
            labels={lbl.lower() for lbl in issue.labels} if issue else set(),
            assignees={a.lower() for a in issue.assignees} if issue else set(),
            state=issue.state if issue else None,
        )
        report = ApplyReport()
        on_board = [e for e in plan if isinstance(e, PlaceOnBoard)]
        for effect in plan:
            match effect:
                case EnsureLabel():
                    self._ensure_label(effect, view, report)
                case AddLabels():
                    self._add_labels(effect, view, report)
                case RemoveLabel():
                    self._remove_label(effect, view, report)
                case Assign():
                    self._assign(effect, view, report)
                case Reopen():
                    self._reopen(effect, view, report)
                case UpsertComment():
                    self._upsert_comment(effect, report)
                case DeleteComment():
                    self._delete_comment(effect, report)
                case OpenFollowUp():
                    self._follow_up(effect, plan, view, report)
                case SetCommitStatus():
                    self._set_status(effect, report)
                case PlaceOnBoard():
                    if effect is on_board[0]:
                        self._place_on_board(on_board, report)
                case BoardStatusInStep():
                    self._board_status(effect, report)
                case Fail(message=message):
                    report.failures.append(message)
        return report

    def _ensure_label(self, effect: EnsureLabel, view: _View, report: ApplyReport) -> None:
        if view.repo_labels is None:
            view.repo_labels = {k.lower(): v for k, v in self.label_names().items()}
        name, wanted = effect.name, (effect.color, effect.description)
        have = view.repo_labels.get(name.lower())
        if have == wanted:
            return
        if have is None:

            def create() -> tuple[str, str] | None:
                try:
                    self._repo.create_label(name, *wanted)
                except GithubException as exc:
                    if _already_exists(exc):
                        return None  # another run (another incident's) was first
                    raise
                return wanted

            have = self._call(
                f"create label {name!r}",
                create,
                write=True,
                happened=lambda: self._read_label(name),
            )
            if have is None:
                have = self._read_label(name)
        if have != wanted:
            self._call(
                f"update label {name!r}",
                lambda: self._repo.get_label(name).edit(name, *wanted),
                write=True,
            )
        view.repo_labels[name.lower()] = wanted
        report.applied.append(f"label {name!r} ready")

    def _add_labels(self, effect: AddLabels, view: _View, report: ApplyReport) -> None:
        missing = [lbl for lbl in effect.labels if lbl.lower() not in view.labels]
        if not missing:
            return
        issue = self._issue(effect.issue)
        self._call(f"label #{effect.issue}", lambda: issue.add_to_labels(*missing), write=True)
        view.labels.update(m.lower() for m in missing)
        report.applied.append(f"#{effect.issue}: +{', '.join(missing)}")

    def _remove_label(self, effect: RemoveLabel, view: _View, report: ApplyReport) -> None:
        if effect.label.lower() not in view.labels:
            return
        issue = self._issue(effect.issue)

        def remove() -> None:
            try:
                issue.remove_from_labels(effect.label)
            except GithubException as exc:
                if exc.status != 404:  # already gone: the outcome holds
                    raise

        self._call(f"unlabel #{effect.issue}", remove, write=True)
        view.labels.discard(effect.label.lower())
        report.applied.append(f"#{effect.issue}: -{effect.label}")

    def _assign(self, effect: Assign, view: _View, report: ApplyReport) -> None:
        missing = [x for x in effect.logins if x.lower() not in view.assignees]
        if not missing:
            return
        issue = self._issue(effect.issue)
        self._call(f"assign #{effect.issue}", lambda: issue.add_to_assignees(*missing), write=True)
        view.assignees.update(m.lower() for m in missing)
        report.applied.append(f"#{effect.issue}: assigned {', '.join(missing)}")

    def _reopen(self, effect: Reopen, view: _View, report: ApplyReport) -> None:
        if view.state == "open":
            return
        issue = self._issue(effect.issue)
        self._call(f"reopen #{effect.issue}", lambda: issue.edit(state="open"), write=True)
        view.state = "open"
        report.applied.append(f"#{effect.issue}: reopened")

    def _set_status(self, effect: SetCommitStatus, report: ApplyReport) -> None:
        wanted = (effect.state, effect.description)
        if self._status(effect.sha, effect.context) == wanted:
            return
        url = f"{self._repo.url}/statuses/{quote(effect.sha, safe='')}"
        payload = {
            "state": effect.state,
            "context": effect.context,
            "description": effect.description[:140],
            **({"target_url": effect.target_url} if effect.target_url else {}),
        }

        def post() -> bool:
            self._github.requester.requestJsonAndCheck("POST", url, input=payload)
            return True

        def happened() -> bool | None:
            return True if self._status(effect.sha, effect.context) == wanted else None

        self._call(
            f"set the {effect.context} status of {effect.sha[:12]}",
            post,
            write=True,
            happened=happened,
        )
        report.applied.append(f"{effect.sha[:12]}: {effect.context} {effect.state}")

    def _delete_comment(self, effect: DeleteComment, report: ApplyReport) -> None:
        existing = self._own_comment(effect.issue, effect.marker)
        if existing is None:
            return

        def delete() -> None:
            try:
                existing.delete()
            except GithubException as exc:
                if exc.status != 404:  # gone already (a retry after the first delete landed)
                    raise

        self._call(f"delete warroom comment on #{effect.issue}", delete, write=True)
        self._comments[effect.issue].remove(existing)
        report.applied.append(f"#{effect.issue}: removed {describe_marker(effect.marker)}")

    def _follow_up(
        self, effect: OpenFollowUp, plan: Sequence[Effect], view: _View, report: ApplyReport
    ) -> None:
        if view.follow_ups is None:
            markers = {e.marker: e.proof for e in plan if isinstance(e, OpenFollowUp)}
            found = self._marked_issues(effect.labels[0], markers)
            view.follow_ups = {m: issue.number for m, issue in found.items()}
            # The listing says which are sub-issues already (GitHub Enterprise servers
            # without sub-issues say nothing: those are left alone).
            view.unlinked = {
                m: issue.id
                for m, issue in found.items()
                if "parent_issue_url" in issue._rawData and not issue._rawData["parent_issue_url"]
            }
        known = view.follow_ups.get(effect.marker)
        if known is None:
            known, linked = self._open_follow_up(effect)
            view.follow_ups[effect.marker] = known
            report.applied.append(f"#{effect.incident}: opened follow-up #{known}")
        elif effect.marker in view.unlinked:
            # Opened by a run whose link failed: link it now, or the incident never lists it.
            linked = self._link(effect.incident, known, view.unlinked.pop(effect.marker))
            if linked:
                report.applied.append(f"#{effect.incident}: linked follow-up #{known}")
        else:
            linked = True
        report.follow_ups[effect.key] = known
        if not linked:
            report.unlinked.add(effect.key)

    # -- the GitHub Project (GraphQL; see warroom.github.projects) -------------------

    def _graphql(self, what: str, query: str, variables: dict[str, Any], *, write: bool) -> Any:
        """One GraphQL request through the retrying path; GitHub's errors become one message.

        A read whose only errors are ``NOT_FOUND`` (a follow-up deleted or moved, a project
        that is not there) answers with what GitHub did find: those parts are ``null``.
        Retrying a mutation is safe: adding an item answers with the existing one, and
        setting a field to a value twice leaves it as once.
        """

        def send() -> Any:
            try:
                _, data = self._backlog.requester.graphql_query(query, variables)
            except GithubException as exc:
                if not write and projects.only_not_found(exc.data):
                    return exc.data
                if exc.status in {400, 404} and isinstance(exc.data, dict) and "errors" in exc.data:
                    forbidden = "not accessible" in projects.graphql_errors(exc.data)
                    raise GitHubError(
                        f"{what}: GitHub answered: {projects.graphql_errors(exc.data)}"
                        + (
                            ". The workflow's GITHUB_TOKEN cannot reach a project: give the "
                            "Action a token with Projects read/write as its backlog-token input"
                            if forbidden
                            else ""
                        )
                    ) from exc
                raise
            return data

        return self._call(what, send, write=write)

    def _project(self, effect: PlaceOnBoard | BoardStatusInStep) -> projects.Project:
        """The project's id and fields: one query per run."""
        owner = effect.owner or self._owner
        key = (owner.lower(), effect.owner_type, effect.project)
        if key not in self._projects:
            data = self._graphql(
                f"find project {effect.project} of {effect.owner_type} {owner}",
                projects.PROJECT_QUERIES[effect.owner_type],
                {"login": owner, "number": effect.project},
                write=False,
            )
            found = projects.read_project(data, effect.owner_type)
            if found is None:
                raise GitHubError(
                    f"follow_ups.project: GitHub shows no project {effect.project} of "
                    f"{effect.owner_type} {owner} to this token; check follow_ups.project.number "
                    "and owner, and give the Action a token that may read and write it "
                    "(backlog-token)"
                )
            self._projects[key] = found
        return self._projects[key]

    def _place_on_board(self, effects: Sequence[PlaceOnBoard], report: ApplyReport) -> None:
        """Each follow-up on the project with its fields in step: one read per ``BATCH``
        follow-ups, then a write only for what differs."""
        project = self._project(effects[0])
        owner, name = self._follow_up_name.split("/", 1)
        for start in range(0, len(effects), projects.BATCH):
            batch = effects[start : start + projects.BATCH]
            numbers = [e.number for e in batch]
            query, variables = projects.follow_ups_query(numbers)
            data = self._graphql(
                f"read follow-ups {', '.join(f'#{n}' for n in numbers)} on the project",
                query,
                {"owner": owner, "name": name, **variables},
                write=False,
            )
            found = projects.read_follow_ups(data, numbers, project.id)
            for effect in batch:
                seen = found.get(effect.number)
                if seen is not None:
                    self._in_step(effect, seen, project, report)

    def _board_status(self, effect: BoardStatusInStep, report: ApplyReport) -> None:
        """Every follow-up of this repository's incidents at the Status its issue's state says:
        ceil(items/100) reads of the project (at most ``MAX_PAGES``), a write per item off."""
        project = self._project(effect)
        owner = effect.owner or self._owner
        items: list[projects.BoardItem] = []
        after: str | None = None
        for _ in range(projects.MAX_PAGES):
            data = self._graphql(
                f"read the items of project {effect.project}",
                projects.ITEMS_QUERIES[effect.owner_type],
                {
                    "login": owner,
                    "number": effect.project,
                    "after": after,
                    "incident": effect.incident_field,
                    "status": effect.status_field,
                },
                write=False,
            )
            page, after = projects.read_items(data, effect.owner_type)
            items += page
            if after is None:
                break
        for item, field_id, option in projects.status_writes(
            items, self._repo_name, project, effect
        ):
            self._graphql(
                f"set {effect.status_field} of a follow-up on the project",
                projects.SET_VALUE,
                {
                    "project": project.id,
                    "item": item,
                    "field": field_id,
                    "value": {"singleSelectOptionId": option},
                },
                write=True,
            )
            report.applied.append(f"project {effect.project}: {effect.status_field} set")

    def _in_step(
        self,
        effect: PlaceOnBoard,
        seen: projects.FollowUpOnBoard,
        project: projects.Project,
        report: ApplyReport,
    ) -> None:
        wanted = projects.wanted_values(effect, project, seen.state)
        item, values = seen.item, dict(seen.values)
        if item is None:
            data = self._graphql(
                f"add follow-up #{effect.number} to the project",
                projects.ADD_ITEM,
                {"project": project.id, "content": seen.content},
                write=True,
            )
            item = str(data["data"]["addProjectV2ItemById"]["item"]["id"])
            values = {}
            report.applied.append(f"#{effect.incident}: follow-up #{effect.number} on the project")
        for field_, value, plain in wanted:
            if values.get(field_.id) == plain:
                continue
            self._graphql(
                f"set {field_.name} of follow-up #{effect.number} on the project",
                projects.SET_VALUE,
                {"project": project.id, "item": item, "field": field_.id, "value": value},
                write=True,
            )
            report.applied.append(f"#{effect.number}: project {field_.name} set")

    # -- helpers -----------------------------------------------------------------

    def _issue(self, number: int) -> Issue:
        return self._repo.get_issue(number)

    def _read_label(self, name: str) -> tuple[str, str] | None:
        """(colour, description) of a repository label, ``None`` if there is none: one GET.

        A raw request, because PyGithub's lazy ``get_label`` sends nothing until
        an attribute is read, and then outside the retrying path.
        """

        def read() -> tuple[str, str] | None:
            url = f"{self._repo.url}/labels/{quote(name, safe='')}"
            try:
                _, data = self._github.requester.requestJsonAndCheck("GET", url)
            except GithubException as exc:
                if exc.status == 404:
                    return None
                raise
            return (str(data.get("color", "")), str(data.get("description") or ""))

        return self._call(f"read label {name!r}", read)

    def _own_comment(self, number: int, marker: str) -> IssueComment | None:
        if number not in self._comments:
            self.comments(number)
        for comment in self._comments[number]:
            # A person's comment that starts with a marker is still theirs: never edit it.
            if (comment.body or "").startswith(marker) and _is_bot(comment.user):
                return comment
        return None

    def _upsert_comment(self, effect: UpsertComment, report: ApplyReport) -> None:
        number, marker, body = effect.issue, effect.marker, effect.body
        existing = self._own_comment(number, marker)
        if existing is not None:
            if (existing.body or "") == body:
                return
            self._call(
                f"edit warroom comment on #{number}", lambda: existing.edit(body), write=True
            )
            report.applied.append(f"#{number}: updated {describe_marker(marker)}")
            return

        def find_after_failure() -> IssueComment | None:
            # A 502 after the write happened: re-read before posting again.
            self._comments.pop(number, None)
            return self._own_comment(number, marker)

        created = self._call(
            f"comment on #{number}",
            lambda: self._issue(number).create_comment(body),
            write=True,
            happened=find_after_failure,
        )
        comments = self._comments.setdefault(number, [])
        if created not in comments:
            comments.append(created)
        report.applied.append(f"#{number}: posted {describe_marker(marker)}")

    def _open_follow_up(self, effect: OpenFollowUp) -> tuple[int, bool]:
        """The new follow-up's number, and whether it is linked as a sub-issue."""

        def find_after_failure() -> Issue | None:
            wanted = {effect.marker: effect.proof}
            return self._marked_issues(effect.labels[0], wanted).get(effect.marker)

        milestone = self._milestone(effect.milestone, effect.due) if effect.milestone else None

        def create() -> Issue:
            kwargs: dict[str, Any] = {
                "title": effect.title,
                "body": effect.body,
                "labels": list(effect.labels),
                "assignees": list(effect.assignees),
            }
            if milestone is not None:
                kwargs["milestone"] = milestone
            try:
                return self._follow_up_repo.create_issue(**kwargs)
            except GithubException as exc:
                if exc.status != 422 or "assignees" not in str(exc.data) or not effect.assignees:
                    raise
            # GitHub refuses an owner it cannot assign (no access to the repository, a typo):
            # open the follow-up anyway, unassigned; its body still names the owner.
            log.warning(
                "follow-up %r: GitHub cannot assign %s; opened unassigned",
                effect.title,
                ", ".join(f"@{x}" for x in effect.assignees),
            )
            del kwargs["assignees"]
            return self._follow_up_repo.create_issue(**kwargs)

        issue = self._call(
            f"open follow-up {effect.title!r}", create, write=True, happened=find_after_failure
        )
        return issue.number, self._link(effect.incident, issue.number, issue.id)

    def _link(self, incident: int, number: int, child_id: int) -> bool:
        """Make the follow-up a sub-issue of the incident; ``False`` if GitHub would not.

        The body's back-link already ties them, so a failure does not fail the
        run; the next run sees the follow-up has no parent and tries again.
        """
        parent = self._issue(incident)

        def linked() -> bool | None:
            subs = parent.get_sub_issues()
            return True if any(s.id == child_id for s in subs) else None

        try:
            self._call(
                f"link follow-up #{number} to #{incident}",
                lambda: parent.add_sub_issue(child_id),
                write=True,
                happened=linked,
            )
        except GitHubError as exc:
            log.warning("%s", exc)
            return False
        return True

    def _milestone(self, title: str, due: date | None) -> Any:
        def find_or_create() -> Any:
            for milestone in self._follow_up_repo.get_milestones(state="all"):
                if milestone.title == title:
                    return milestone
            return None

        existing = self._call(f"find milestone {title!r}", find_or_create)
        if existing is not None:
            return existing
        return self._call(
            f"create milestone {title!r}",
            lambda: (
                self._follow_up_repo.create_milestone(title, due_on=due)
                if due
                else self._follow_up_repo.create_milestone(title)
            ),
            write=True,
            happened=find_or_create,
        )


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _last_page(link: str) -> int:
    """The ``page`` of a Link header's ``rel="last"`` URL; 0 without one."""
    for part in link.split(","):
        target, _, rel = part.partition(";")
        if rel.strip() != 'rel="last"':
            continue
        query = parse_qs(urlsplit(target.strip().strip("<>")).query)
        pages = query.get("page", [])
        return int(pages[0]) if pages and pages[0].isdigit() else 0
    return 0


def _same_owner(repository: str, follow_ups: str) -> str:
    """``owner/name`` of the backlog repository, which must be the incident repository's owner's."""
    owner = repository.split("/")[0]
    given_owner, _, name = follow_ups.rpartition("/")
    if given_owner and given_owner.lower() != owner.lower():
        raise GitHubError(
            f"follow_ups.repository: {follow_ups!r} belongs to {given_owner}, not to {owner}; "
            f"name a repository of {owner} (sub-issues link within one owner)"
        )
    return f"{owner}/{name}"


def _role(collaborator: dict[str, Any]) -> str:
    """A listed collaborator's role: ``role_name``, or the highest of its ``permissions``."""
    role = collaborator.get("role_name")
    if role in _ROLES:
        return str(role)
    granted = collaborator.get("permissions") or {}
    for name, flag in (
        ("admin", "admin"),
        ("maintain", "maintain"),
        ("write", "push"),
        ("triage", "triage"),
        ("read", "pull"),
    ):
        if granted.get(flag):
            return name
    return "none"


def _describe(exc: Exception) -> str:
    if isinstance(exc, GithubException):
        message = exc.data.get("message") if isinstance(exc.data, dict) else None
        return f"GitHub answered {exc.status}" + (f": {message}" if message else "")
    return f"{exc.__class__.__name__}: {exc}"
