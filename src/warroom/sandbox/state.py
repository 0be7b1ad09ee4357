"""The sandbox's repository state: records, their indexes, and write transactions.

One re-entrant lock guards everything. A write happens inside
``transaction()``, which records the touched rows (for the data file) and the
webhook deliveries the change causes; when it ends, the rows are committed and
the deliveries handed on in the order the changes happened, so runs for one
issue see events in the order GitHub would have sent them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from warroom.sandbox.clock import Clock, format_timestamp
from warroom.sandbox.records import (
    Branch,
    Comment,
    CommitStatus,
    GitCommit,
    Issue,
    IssueEvent,
    Label,
    Milestone,
    Pull,
    Record,
    User,
)
from warroom.sandbox.seed import (
    DEFAULT_BRANCH,
    OWNER,
    REPO,
    USERS,
    commit_sha,
    default_labels,
    node_id,
)
from warroom.sandbox.store import Store

_FIRST_IDS = {
    "issue": 2_000_000_001,
    "comment": 1_500_000_001,
    "label": 6_000_000_001,
    "milestone": 9_000_001,
    "event": 15_000_000_001,
    "pull": 1_800_000_001,
    "branch": 1,
    "status": 30_000_000_001,
    "gitcommit": 1,
}
"""Where each kind's ids start: far apart and far from issue numbers, as on GitHub,
so a client that sends a number where GitHub wants an id gets a 404, not a wrong hit."""


@dataclass
class PendingDelivery:
    """A webhook event a write caused; ``by_workflow_token`` suppresses workflow runs."""

    event: str
    payload: dict[str, Any]
    by_workflow_token: bool = False


@dataclass
class Transaction:
    """What one write changed: rows to upsert or delete, deliveries to send."""

    upserts: dict[tuple[str, int], Record] = field(default_factory=dict)
    deletes: set[tuple[str, int]] = field(default_factory=set)
    deliveries: list[PendingDelivery] = field(default_factory=list)
    by_workflow_token: bool = False

    def touch(self, record: Record) -> None:
        key = (record.KIND, record.id)
        self.deletes.discard(key)
        self.upserts[key] = record

    def delete(self, record: Record) -> None:
        key = (record.KIND, record.id)
        self.upserts.pop(key, None)
        self.deletes.add(key)

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        self.deliveries.append(PendingDelivery(event, payload, self.by_workflow_token))


CommitHook = Callable[[list[PendingDelivery]], None]
T = TypeVar("T")


class State:
    """Everything the repository holds, with the indexes the REST surface needs."""

    def __init__(
        self, clock: Clock, store: Store | None = None, extra_users: Sequence[User] = ()
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.store = store
        self.users: dict[str, User] = {u.login.lower(): u for u in (*USERS, *extra_users)}
        self.labels: dict[int, Label] = {}
        self.label_ids: dict[str, int] = {}
        self.milestones: dict[int, Milestone] = {}
        self.issues: dict[int, Issue] = {}
        self.issue_numbers: dict[int, int] = {}
        self.comments: dict[int, Comment] = {}
        self.comment_ids: list[int] = []
        self.issue_comments: dict[int, list[int]] = {}
        self.events: dict[int, IssueEvent] = {}
        self.event_ids: list[int] = []
        self.issue_events: dict[int, list[int]] = {}
        self.pulls: dict[int, Pull] = {}
        """Issue number -> what makes that issue a pull request."""
        self.branches: dict[str, Branch] = {}
        self.statuses: dict[int, CommitStatus] = {}
        self.sha_statuses: dict[str, list[int]] = {}
        self.git_commits: dict[str, GitCommit] = {}
        """The seeded git history by sha (``POST /_sandbox/commits``)."""
        self.counters: dict[str, int] = dict(_FIRST_IDS)
        self.counters["issue_number"] = 1
        self.counters["milestone_number"] = 1
        self.counters["seq"] = 1
        self.meta: dict[str, Any] = {}
        self.version = 0  # bumped by every transaction: what ``Memo`` keys on
        self.writing = 0  # open transactions (only the lock's holder can see one open)
        self.commit_hook: CommitHook | None = None
        self._comments_sorted = True
        self._milestone_counts: tuple[int, dict[int, tuple[int, int]]] = (-1, {})
        if store is not None:
            self._load(store)
        if "repo_created_at" not in self.meta:
            self._seed()
        if DEFAULT_BRANCH not in self.branches:  # also for a data file from before branches
            with self.transaction() as tx:
                self.set_branch(tx, DEFAULT_BRANCH, commit_sha(OWNER, REPO, DEFAULT_BRANCH))

    # -- loading and seeding -------------------------------------------------

    def _load(self, store: Store) -> None:
        meta = store.load_meta()
        self.meta = dict(meta.get("meta", {}))
        self.counters.update(meta.get("counters", {}))
        for record in store.load_records():
            self._index(record)
        self.comment_ids.sort()
        self.event_ids.sort()
        for ids in self.issue_comments.values():
            ids.sort()
        for ids in self.issue_events.values():
            ids.sort()
        for ids in self.sha_statuses.values():
            ids.sort()

    def _seed(self) -> None:
        with self.transaction() as tx:
            self.meta["repo_created_at"] = format_timestamp(self.clock.now())
            first = self.counters["label"]
            for label in default_labels(first):
                self._index(label)
                tx.touch(label)
            self.counters["label"] = first + len(self.labels)

    def _index(self, record: Record) -> None:
        if isinstance(record, Issue):
            self.issues[record.number] = record
            self.issue_numbers[record.id] = record.number
        elif isinstance(record, Comment):
            self.comments[record.id] = record
            self.comment_ids.append(record.id)
            self.issue_comments.setdefault(record.issue, []).append(record.id)
        elif isinstance(record, Label):
            self.labels[record.id] = record
            self.label_ids[record.name.lower()] = record.id
        elif isinstance(record, Milestone):
            self.milestones[record.number] = record
        elif isinstance(record, IssueEvent):
            self.events[record.id] = record
            self.event_ids.append(record.id)
            self.issue_events.setdefault(record.issue, []).append(record.id)
        elif isinstance(record, Pull):
            self.pulls[record.number] = record
        elif isinstance(record, Branch):
            self.branches[record.name] = record
        elif isinstance(record, CommitStatus):
            self.statuses[record.id] = record
            self.sha_statuses.setdefault(record.sha, []).append(record.id)
        elif isinstance(record, GitCommit):
            self.git_commits[record.sha] = record

    # -- transactions ----------------------------------------------------------

    @contextmanager
    def transaction(self, *, by_workflow_token: bool = False) -> Iterator[Transaction]:
        """Hold the lock for one write; commit its rows and pass on its deliveries."""
        with self.lock:
            tx = Transaction(by_workflow_token=by_workflow_token)
            self.writing += 1
            try:
                yield tx
            finally:
                self.writing -= 1
                self.version += 1
                if self.store is not None and (tx.upserts or tx.deletes):
                    self.meta["clock"] = self.clock.snapshot()
                    self.store.commit(
                        tx.upserts.values(),
                        tx.deletes,
                        {"counters": self.counters, "meta": self.meta},
                    )
            if tx.deliveries and self.commit_hook is not None:
                self.commit_hook(tx.deliveries)

    def save_meta(self) -> None:
        """Persist counters and meta (tokens, clock) outside a record change."""
        if self.store is not None:
            with self.lock:
                self.meta["clock"] = self.clock.snapshot()
                self.store.commit((), (), {"counters": self.counters, "meta": self.meta})

    def next_id(self, kind: str) -> int:
        value = self.counters[kind]
        self.counters[kind] = value + 1
        return value

    def now(self) -> str:
        return format_timestamp(self.clock.now())

    # -- users -----------------------------------------------------------------

    def user(self, login: str) -> User | None:
        return self.users.get(login.lower())

    # -- labels ------------------------------------------------------------------

    def label_named(self, name: str) -> Label | None:
        label_id = self.label_ids.get(name.lower())
        return None if label_id is None else self.labels[label_id]

    def add_label(self, tx: Transaction, name: str, color: str, description: str | None) -> Label:
        label_id = self.next_id("label")
        label = Label(
            id=label_id,
            node_id=node_id("LA", "label", label_id),
            name=name,
            color=color.lower(),
            description=description,
        )
        self._index(label)
        tx.touch(label)
        return label

    def rename_label(self, label: Label, new_name: str) -> None:
        self.label_ids.pop(label.name.lower(), None)
        label.name = new_name
        self.label_ids[new_name.lower()] = label.id

    def remove_label(self, tx: Transaction, label: Label) -> list[Issue]:
        """Delete a label everywhere; returns the issues that carried it."""
        self.labels.pop(label.id, None)
        self.label_ids.pop(label.name.lower(), None)
        tx.delete(label)
        touched = [i for i in self.issues.values() if label.id in i.labels]
        for issue in touched:
            issue.labels.remove(label.id)
            tx.touch(issue)
        return touched

    # -- milestones ------------------------------------------------------------

    def add_milestone(self, tx: Transaction, milestone: Milestone) -> Milestone:
        milestone.id = self.next_id("milestone")
        milestone.number = self.next_id("milestone_number")
        milestone.node_id = node_id("MI", "milestone", milestone.id)
        self._index(milestone)
        tx.touch(milestone)
        return milestone

    def remove_milestone(self, tx: Transaction, milestone: Milestone) -> None:
        self.milestones.pop(milestone.number, None)
        tx.delete(milestone)
        for issue in self.issues.values():
            if issue.milestone == milestone.number:
                issue.milestone = None
                tx.touch(issue)

    def milestone_counts(self, number: int) -> tuple[int, int]:
        """(open, closed) issues in a milestone; cached per state version."""
        version, counts = self._milestone_counts
        if version != self.version:
            counts = {}
            for issue in self.issues.values():
                if issue.milestone is not None:
                    o, c = counts.get(issue.milestone, (0, 0))
                    counts[issue.milestone] = (o + 1, c) if issue.state == "open" else (o, c + 1)
            self._milestone_counts = (self.version, counts)
        return counts.get(number, (0, 0))

    # -- issues and comments ---------------------------------------------------

    def issue_by_id(self, issue_id: int) -> Issue | None:
        number = self.issue_numbers.get(issue_id)
        return None if number is None else self.issues.get(number)

    def add_issue(self, tx: Transaction, issue: Issue) -> Issue:
        issue.id = self.next_id("issue")
        issue.number = self.next_id("issue_number")
        issue.node_id = node_id("I", "issue", issue.id)
        self._index(issue)
        tx.touch(issue)
        return issue

    def add_comment(self, tx: Transaction, comment: Comment) -> Comment:
        comment.id = self.next_id("comment")
        comment.node_id = node_id("IC", "comment", comment.id)
        comment.seq = self.next_id("seq")
        self._index(comment)
        issue = self.issues[comment.issue]
        issue.comments += 1
        tx.touch(comment)
        tx.touch(issue)
        return comment

    def remove_comment(self, tx: Transaction, comment: Comment) -> None:
        self.comments.pop(comment.id, None)
        ids = self.issue_comments.get(comment.issue, [])
        if comment.id in ids:
            ids.remove(comment.id)
        if comment.id in self.comment_ids:
            self.comment_ids.remove(comment.id)
        issue = self.issues.get(comment.issue)
        if issue is not None:
            issue.comments = max(0, issue.comments - 1)
            tx.touch(issue)
        tx.delete(comment)

    def comments_of(self, number: int) -> list[Comment]:
        return [self.comments[i] for i in self.issue_comments.get(number, ())]

    def add_event(
        self, tx: Transaction, issue: Issue, actor: str, event: str, **data: Any
    ) -> IssueEvent:
        event_id = self.next_id("event")
        record = IssueEvent(
            id=event_id,
            node_id=node_id("IE", "event", event_id),
            issue=issue.number,
            actor=actor,
            event=event,
            created_at=self.now(),
            data=data,
            seq=self.next_id("seq"),
        )
        self._index(record)
        tx.touch(record)
        return record

    def events_of(self, number: int) -> list[IssueEvent]:
        return [self.events[i] for i in self.issue_events.get(number, ())]

    # -- pull requests, branches and commit statuses ------------------------------

    def add_pull(self, tx: Transaction, issue: Issue, pull: Pull) -> Pull:
        """Make a new issue a pull request (the issue is already added)."""
        pull.id = self.next_id("pull")
        pull.number = issue.number
        pull.node_id = node_id("PR", "pull", pull.id)
        self._index(pull)
        tx.touch(pull)
        return pull

    def set_branch(
        self, tx: Transaction, name: str, sha: str, files: list[dict[str, Any]] | None = None
    ) -> Branch:
        """Create a branch or move it to ``sha`` (a push)."""
        branch = self.branches.get(name)
        if branch is None:
            branch = Branch(id=self.next_id("branch"), name=name, sha=sha, files=list(files or []))
            self._index(branch)
        else:
            branch.sha = sha
            if files is not None:
                branch.files = list(files)
        tx.touch(branch)
        return branch

    def add_status(self, tx: Transaction, status: CommitStatus) -> CommitStatus:
        status.id = self.next_id("status")
        status.node_id = node_id("SC", "status", status.id)
        self._index(status)
        tx.touch(status)
        return status

    def statuses_of(self, sha: str) -> list[CommitStatus]:
        """A commit's statuses, oldest first."""
        return [self.statuses[i] for i in self.sha_statuses.get(sha, ())]

    def add_git_commit(self, tx: Transaction, commit: GitCommit) -> GitCommit:
        """Add a commit to the seeded git history (its branch is moved by the caller)."""
        commit.id = self.next_id("gitcommit")
        self._index(commit)
        tx.touch(commit)
        return commit

    def known_sha(self, sha: str) -> bool:
        """Whether a commit of this id exists: a branch's head or a pull request's push."""
        if sha in self.git_commits or any(b.sha == sha for b in self.branches.values()):
            return True
        return any(sha in p.shas or p.base_sha == sha for p in self.pulls.values())

    def resolve_ref(self, ref: str) -> str | None:
        """The commit a ref names: a full sha, a branch name, or ``heads/<branch>``."""
        name = ref.removeprefix("refs/").removeprefix("heads/")
        branch = self.branches.get(name)
        if branch is not None:
            return branch.sha
        if self.known_sha(ref.lower()):
            return ref.lower()
        return self._seeded_ref(ref.removeprefix("refs/").removeprefix("tags/"))

    def ancestry(self, sha: str, limit: int) -> list[str]:
        """``sha`` and its first-parent ancestors in the seeded history, newest first (at most
        ``limit``): what compare walks, for the REST answer and the web page alike."""
        found = [sha]
        seen = {sha}
        commit = self.git_commits.get(sha)
        while commit is not None and commit.parents and len(found) < limit:
            parent = commit.parents[0]
            if parent in seen:
                break
            found.append(parent)
            seen.add(parent)
            commit = self.git_commits.get(parent)
        return found

    def _seeded_ref(self, ref: str) -> str | None:
        """A tag of the seeded history, or an unambiguous sha prefix (7+ hex digits) of it."""
        for commit in self.git_commits.values():
            if ref in commit.tags:
                return commit.sha
        lowered = ref.lower()
        if len(lowered) < 7 or any(c not in "0123456789abcdef" for c in lowered):
            return None
        found = [sha for sha in self.git_commits if sha.startswith(lowered)]
        return found[0] if len(found) == 1 else None


class Memo(Generic[T]):
    """Values derived from the state (a sorted issue order, an encoded page), kept until it changes.

    Every transaction bumps ``State.version``, and the first look-up after
    that forgets everything, so a derived value can never outlive the records
    it came from; while a transaction is open (the writer reading its own
    half-made change) nothing is kept. The least recently used entries go
    first once ``max_entries`` or ``max_weight`` (in whatever ``weight``
    measures, e.g. bytes) would be exceeded. Call with ``state.lock`` held.
    """

    def __init__(
        self,
        state: State,
        *,
        max_entries: int,
        max_weight: int | None = None,
        weight: Callable[[T], int] | None = None,
    ) -> None:
        self._state = state
        self._max_entries = max_entries
        self._max_weight = max_weight
        self._weigh = weight
        self._entries: OrderedDict[Hashable, tuple[T, int]] = OrderedDict()
        self._version = -1
        self._weight = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value for ``key`` at the state's current version, built once per version."""
        state = self._state
        if state.writing:
            return build()
        if self._version != state.version:
            self._entries.clear()
            self._weight = 0
            self._version = state.version
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found[0]
        value = build()
        cost = self._weigh(value) if self._weigh is not None else 0
        if self._max_weight is not None and cost > self._max_weight:
            return value
        self._entries[key] = (value, cost)
        self._weight += cost
        while len(self._entries) > self._max_entries or (
            self._max_weight is not None and self._weight > self._max_weight
        ):
            _, (_, dropped) = self._entries.popitem(last=False)
            self._weight -= dropped
        return value

    def __len__(self) -> int:
        return len(self._entries)
