"""What the sandbox stores: users, labels, milestones, issues, comments, issue events,
pull requests, branches, commit statuses and a small seeded git history.

Records hold only facts (logins, label ids, numbers, timestamps as GitHub
writes them); URLs and nested objects are built when a record is rendered, so
a data file stays valid when the sandbox restarts on another port.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Self

LEVELS = ("none", "read", "triage", "write", "maintain", "admin")
"""Repository permission levels, weakest first; a level includes those before it."""


def level_at_least(level: str, needed: str) -> bool:
    """Whether ``level`` grants what ``needed`` grants."""
    return LEVELS.index(level) >= LEVELS.index(needed)


@dataclass(slots=True)
class User:
    """A seeded account: its repository permission and how it relates to the owner."""

    login: str
    id: int
    node_id: str
    type: str = "User"
    permission: str = "none"
    member: bool = False
    name: str | None = None


@dataclass(slots=True)
class Record:
    """Base of stored records: each kind round-trips through JSON for the data file."""

    KIND: ClassVar[str] = ""

    id: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class Label(Record):
    KIND: ClassVar[str] = "label"

    node_id: str = ""
    name: str = ""
    color: str = "ededed"
    description: str | None = None
    default: bool = False


@dataclass(slots=True)
class Milestone(Record):
    KIND: ClassVar[str] = "milestone"

    node_id: str = ""
    number: int = 0
    title: str = ""
    description: str | None = None
    state: str = "open"
    due_on: str | None = None
    creator: str = ""
    created_at: str = ""
    updated_at: str = ""
    closed_at: str | None = None


@dataclass(slots=True)
class Issue(Record):
    KIND: ClassVar[str] = "issue"

    node_id: str = ""
    number: int = 0
    title: str = ""
    body: str | None = None
    user: str = ""
    state: str = "open"
    state_reason: str | None = None
    labels: list[int] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    milestone: int | None = None
    locked: bool = False
    active_lock_reason: str | None = None
    created_at: str = ""
    updated_at: str = ""
    closed_at: str | None = None
    closed_by: str | None = None
    parent: int | None = None
    sub_issues: list[int] = field(default_factory=list)
    comments: int = 0
    parent_url: str | None = None
    """The API URL of a parent in another repository (``sandbox.repos``)."""
    foreign_subs: list[int] = field(default_factory=list)
    """Ids of sub-issues that live in another repository of the sandbox."""


@dataclass(slots=True)
class Comment(Record):
    KIND: ClassVar[str] = "comment"

    node_id: str = ""
    issue: int = 0
    user: str = ""
    body: str = ""
    created_at: str = ""
    updated_at: str = ""
    seq: int = 0


@dataclass(slots=True)
class IssueEvent(Record):
    """One entry of an issue's event history (labeled, closed, renamed, ...)."""

    KIND: ClassVar[str] = "event"

    node_id: str = ""
    issue: int = 0
    actor: str = ""
    event: str = ""
    created_at: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0


@dataclass(slots=True)
class Pull(Record):
    """What makes issue ``number`` a pull request: its branches, head commits and changed files.

    The issue record keeps what a pull request shares with an issue (title, body,
    author, state, labels, comments); ``shas`` lists every head commit pushed,
    oldest first, so statuses set on an earlier head still resolve. ``files``
    holds diff entries as the control API seeded them: ``filename``, ``status``,
    ``additions``, ``deletions`` and, for a rename, ``previous_filename``.
    """

    KIND: ClassVar[str] = "pull"

    node_id: str = ""
    number: int = 0
    head_ref: str = ""
    base_ref: str = "main"
    base_sha: str = ""
    shas: list[str] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    draft: bool = False
    maintainer_can_modify: bool = False

    @property
    def head_sha(self) -> str:
        return self.shas[-1] if self.shas else ""


@dataclass(slots=True)
class Branch(Record):
    """A branch: its name and the commit it points at (``refs/heads/<name>``)."""

    KIND: ClassVar[str] = "branch"

    name: str = ""
    sha: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class CommitStatus(Record):
    """One commit status as created; the newest per ``context`` is the commit's state there."""

    KIND: ClassVar[str] = "status"

    node_id: str = ""
    sha: str = ""
    state: str = "pending"
    context: str = "default"
    description: str | None = None
    target_url: str | None = None
    creator: str = ""
    created_at: str = ""
    updated_at: str = ""


@dataclass(slots=True)
class GitCommit(Record):
    """A commit of the seeded git history (``POST /_sandbox/commits``): what compare walks.

    ``parents`` are shas, first parent first; ``pulls`` the pull request numbers the
    commit belongs to (``GET /commits/{sha}/pulls``); ``tags`` names that resolve to it.
    """

    KIND: ClassVar[str] = "gitcommit"

    sha: str = ""
    parents: list[str] = field(default_factory=list)
    message: str = ""
    author: str = ""
    date: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    pulls: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


RECORD_KINDS: dict[str, type[Record]] = {
    cls.KIND: cls
    for cls in (
        Label,
        Milestone,
        Issue,
        Comment,
        IssueEvent,
        Pull,
        Branch,
        CommitStatus,
        GitCommit,
    )
}
