"""Pull requests: GitHub's ``pulls`` operations, and the pushes, edits and closes people make.

A pull request is an issue (it takes the next issue number, ``GET /issues``
lists it with a ``pull_request`` key, and comments and labels on it go through
the issues API) plus a ``Pull`` record: head and base branch, every head commit
pushed, and the changed files. Each change emits the ``pull_request`` webhook
GitHub sends for it: ``opened``, ``synchronize`` (with ``before`` and
``after``), ``edited`` (with ``changes``), ``closed`` and ``reopened``.

The ``open_pull``, ``push_pull`` and ``change_pull`` methods are what the
control API (``/_sandbox/pulls``) calls to act as a person with git: GitHub's
REST surface cannot push commits, so a test seeds them here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from warroom.sandbox import errors
from warroom.sandbox.records import Issue, Pull
from warroom.sandbox.rest_core import Call, Reply, RestBase, read_object, show_json
from warroom.sandbox.seed import DEFAULT_BRANCH, OWNER, commit_sha
from warroom.sandbox.state import Transaction

MAX_PULL_FILES = 3000
"""GitHub lists at most 3,000 files of a pull request."""

FILE_STATUSES = ("added", "removed", "modified", "renamed", "copied", "changed", "unchanged")

ROUTE_TABLE: list[tuple[str, str, str, str]] = [
    ("GET", "/repos/{owner}/{repo}/pulls", "pulls/list", "list_pulls"),
    ("POST", "/repos/{owner}/{repo}/pulls", "pulls/create", "create_pull"),
    ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", "pulls/get", "get_pull"),
    ("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}", "pulls/update", "update_pull"),
    (
        "GET",
        "/repos/{owner}/{repo}/pulls/{pull_number}/files",
        "pulls/list-files",
        "list_pull_files",
    ),
]


class FileSpecError(ValueError):
    """A changed file given to the control API in a shape it cannot read."""


def file_entries(specs: Iterable[Any]) -> list[dict[str, Any]]:
    """Diff entries from the control API's ``files``: paths, or objects with a ``filename``.

    A bare path is a modified file with one line added and one removed; an object
    may say ``status`` (``added``, ``removed``, ``renamed`` with
    ``previous_filename`` ...), ``additions`` and ``deletions``.
    """
    out: list[dict[str, Any]] = []
    for index, spec in enumerate(specs):
        if isinstance(spec, str):
            spec = {"filename": spec}
        if not isinstance(spec, dict):
            raise FileSpecError(
                f"files[{index}] is {show_json(spec)}: give a path or "
                '{"filename": ..., "status": ..., "additions": n, "deletions": n}'
            )
        unknown = sorted(
            set(spec) - {"filename", "status", "additions", "deletions"} - {"previous_filename"}
        )
        if unknown:
            raise FileSpecError(
                f"files[{index}] has unknown key(s) {', '.join(unknown)}: use filename, status, "
                "additions, deletions, previous_filename"
            )
        name = spec.get("filename")
        if not isinstance(name, str) or not name.strip() or name.startswith("/"):
            raise FileSpecError(
                f"files[{index}].filename must be a path inside the repository such as 'src/app.py'"
            )
        status = spec.get("status", "modified")
        if status not in FILE_STATUSES:
            raise FileSpecError(
                f"files[{index}].status {show_json(status)} is not one of "
                f"{', '.join(FILE_STATUSES)}"
            )
        entry: dict[str, Any] = {"filename": name, "status": status}
        default_add = 0 if status == "removed" else 1
        default_del = 0 if status == "added" else 1
        for key, default in (("additions", default_add), ("deletions", default_del)):
            value = spec.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise FileSpecError(f"files[{index}].{key} must be a whole number >= 0")
            entry[key] = value
        previous = spec.get("previous_filename")
        if status == "renamed":
            if not isinstance(previous, str) or not previous.strip():
                raise FileSpecError(f"files[{index}] is renamed: give its previous_filename")
            entry["previous_filename"] = previous
        out.append(entry)
    return out


def merge_files(
    old: Sequence[Mapping[str, Any]], pushed: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """A pull request's files after a push: each pushed file replaces the one of its name."""
    merged = {str(f["filename"]): dict(f) for f in old}
    for entry in pushed:
        merged[str(entry["filename"])] = dict(entry)
    return list(merged.values())


class PullsRoutes(RestBase):
    """The ``pulls`` room; ``RestApi`` mixes it in."""

    # -- look-ups -----------------------------------------------------------------------

    def _pull(self, call: Call) -> tuple[Issue, Pull]:
        number = int(call.params["pull_number"])
        pull = self.state.pulls.get(number)
        issue = self.state.issues.get(number)
        if pull is None or issue is None:
            raise errors.not_found()
        return issue, pull

    def pull_of(self, number: int) -> tuple[Issue, Pull]:
        """The issue and pull record of pull request ``number``; ``KeyError`` if none."""
        pull = self.state.pulls.get(number)
        issue = self.state.issues.get(number)
        if pull is None or issue is None:
            raise KeyError(f"#{number} is not a pull request")
        return issue, pull

    # -- reading --------------------------------------------------------------------------

    def list_pulls(self, call: Call) -> Reply:
        self._read(call)
        state = self._choice(call, "state", ("open", "closed", "all"), "open", "PullRequest")
        sort = self._choice(
            call,
            "sort",
            ("created", "updated", "popularity", "long-running"),
            "created",
            "PullRequest",
        )
        direction = self._choice(
            call,
            "direction",
            ("asc", "desc"),
            "desc" if sort == "created" else "asc",
            "PullRequest",
        )
        head = call.arg("head")
        base = call.arg("base")
        with self.state.lock:
            found: list[tuple[Issue, Pull]] = []
            for number, pull in self.state.pulls.items():
                issue = self.state.issues[number]
                if state != "all" and issue.state != state:
                    continue
                if head is not None and f"{OWNER}:{pull.head_ref}".lower() != head.lower():
                    continue
                if base is not None and pull.base_ref != base:
                    continue
                found.append((issue, pull))
            key: Callable[[tuple[Issue, Pull]], Any]
            if sort == "updated":
                key = lambda e: (e[0].updated_at, e[0].number)  # noqa: E731
            elif sort == "popularity":
                key = lambda e: (e[0].comments, e[0].number)  # noqa: E731
            elif sort == "long-running":
                # GitHub: open a long time and still updated; the oldest first when ascending.
                key = lambda e: (e[0].created_at, e[0].number)  # noqa: E731
            else:
                key = lambda e: (e[0].created_at, e[0].number)  # noqa: E731
            found.sort(key=key, reverse=direction == "desc")
            return self._page(call, found, lambda e: self.r.pull_simple(*e))

    def get_pull(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            return Reply(200, self.r.pull(*self._pull(call)))

    def list_pull_files(self, call: Call) -> Reply:
        self._read(call)
        with self.state.lock:
            _, pull = self._pull(call)
            files = pull.files[:MAX_PULL_FILES]
            return self._page(call, files, lambda f: self.r.diff_entry(pull, f))

    # -- opening ---------------------------------------------------------------------------

    _PULL_CREATE: ClassVar[dict[str, str]] = {
        "title": "string",
        "head": "string",
        "head_repo": "string",
        "base": "string",
        "body": "string",
        "maintainer_can_modify": "boolean",
        "draft": "boolean",
        "issue": "integer",
    }

    def create_pull(self, call: Call) -> Reply:
        self._authenticated(call)
        body = read_object(call, self._PULL_CREATE, required=("head", "base"))
        if "issue" in body:
            raise errors.validation_failed(
                "PullRequest",
                "issue",
                "custom",
                message="the sandbox opens pull requests from a title, not from an issue",
            )
        if "title" not in body:
            raise errors.validation_failed("PullRequest", "title", "missing_field")
        text = body.get("body")
        self._check_body(text, "PullRequest", "body")
        sender = self._sender(call)
        head = str(body["head"]).removeprefix(f"{OWNER}:")
        with self._tx(call) as tx:
            branch = self.state.branches.get(head)
            if branch is None:
                raise errors.validation_failed("PullRequest", "head", "invalid")
            if body["base"] not in self.state.branches:
                raise errors.validation_failed("PullRequest", "base", "invalid")
            issue, pull = self.open_pull(
                tx,
                sender,
                title=str(body["title"]),
                body=text,
                head=head,
                base=str(body["base"]),
                files=branch.files,
                draft=bool(body.get("draft", False)),
                maintainer_can_modify=bool(body.get("maintainer_can_modify", False)),
            )
            out = self.r.pull(issue, pull)
        return Reply(201, out, {"Location": out["url"]})

    def _check_pull_title(self, title: str) -> None:
        if not title.strip():
            raise errors.validation_failed("PullRequest", "title", "missing_field")

    def open_pull(
        self,
        tx: Transaction,
        sender: str,
        *,
        title: str,
        body: str | None,
        head: str,
        base: str = DEFAULT_BRANCH,
        files: Sequence[Mapping[str, Any]] = (),
        draft: bool = False,
        maintainer_can_modify: bool = False,
        labels: Sequence[str] = (),
    ) -> tuple[Issue, Pull]:
        """Open a pull request from branch ``head`` into branch ``base``; tell webhooks.

        Refuses as GitHub does: no changed files between the branches, or an open
        pull request for the same head and base already.
        """
        self._check_pull_title(title)
        base_branch = self.state.branches.get(base)
        head_branch = self.state.branches.get(head)
        if base_branch is None:
            raise errors.validation_failed("PullRequest", "base", "invalid")
        if head_branch is None:
            raise errors.validation_failed("PullRequest", "head", "invalid")
        self.check_can_open(head, base, files)
        names = [name.strip() for name in labels]
        self._check_label_names_for_pull(names)
        now = self.state.now()
        issue = self.state.add_issue(
            tx, Issue(id=0, title=title, body=body, user=sender, created_at=now, updated_at=now)
        )
        pull = self.state.add_pull(
            tx,
            issue,
            Pull(
                id=0,
                head_ref=head,
                base_ref=base,
                base_sha=base_branch.sha,
                shas=[head_branch.sha],
                files=[dict(f) for f in files],
                draft=draft,
                maintainer_can_modify=maintainer_can_modify,
            ),
        )
        self._emit_pull(tx, "opened", issue, pull, sender)
        for name in names:
            label = self.state.label_named(name) or self.state.add_label(tx, name, "ededed", None)
            if label.id in issue.labels:
                continue
            issue.labels.append(label.id)
            self.state.add_event(
                tx, issue, sender, "labeled", label=_label_ref(label.name, label.color)
            )
            self._emit_pull(tx, "labeled", issue, pull, sender, label=self.r.label(label))
        return issue, pull

    def check_can_open(self, head: str, base: str, files: Sequence[Mapping[str, Any]]) -> None:
        """422 as GitHub answers: nothing changed between the branches, or an open duplicate."""
        if head == base or not files:
            raise errors.validation_failed(
                "PullRequest", "base", "custom", message=f"No commits between {base} and {head}"
            )
        self._refuse_duplicate(head, base, None)

    def _refuse_duplicate(self, head: str, base: str, number: int | None) -> None:
        for other_number, other in self.state.pulls.items():
            if (
                other_number != number
                and other.head_ref == head
                and other.base_ref == base
                and self.state.issues[other_number].state == "open"
            ):
                raise errors.validation_failed(
                    "PullRequest",
                    "base",
                    "custom",
                    message=f"A pull request already exists for {OWNER}:{head}.",
                )

    def _check_label_names_for_pull(self, names: Sequence[str]) -> None:
        for name in names:
            if not name:
                raise errors.validation_failed("Label", "name", "missing_field")

    # -- pushing -------------------------------------------------------------------------

    def push_pull(
        self, tx: Transaction, number: int, sender: str, files: Sequence[Mapping[str, Any]]
    ) -> tuple[str, str]:
        """Push one commit to a pull request's head branch: new head sha, ``synchronize``.

        Each pushed file replaces the pull request's entry of that name. Returns
        (before, after). ``KeyError`` for no such pull request; ``ValueError`` for a
        closed one (GitHub sends no ``synchronize`` for it).
        """
        issue, pull = self.pull_of(number)
        if issue.state != "open":
            raise ValueError(f"pull request #{number} is closed: reopen it before pushing")
        before = pull.head_sha
        after = commit_sha("pull", number, "push", len(pull.shas), *(f["filename"] for f in files))
        pull.shas.append(after)
        pull.files = merge_files(pull.files, files)
        self.state.set_branch(tx, pull.head_ref, after, pull.files)
        issue.updated_at = self.state.now()
        tx.touch(issue)
        tx.touch(pull)
        self._emit_pull(tx, "synchronize", issue, pull, sender, before=before, after=after)
        return before, after

    # -- editing, closing, reopening ----------------------------------------------------------

    def change_pull(
        self,
        tx: Transaction,
        number: int,
        sender: str,
        *,
        title: str | None = None,
        body: str | None = None,
        body_given: bool = False,
        state: str | None = None,
        base: str | None = None,
    ) -> bool:
        """Apply an edit and/or a state change the way ``PATCH /pulls/{n}`` does.

        Emits ``edited`` (with ``changes``) for a new title, body or base, then
        ``closed`` or ``reopened``; returns whether anything changed. Validate first.
        """
        issue, pull = self.pull_of(number)
        now = self.state.now()
        changes: dict[str, Any] = {}
        if title is not None and title != issue.title:
            changes["title"] = {"from": issue.title}
            self.state.add_event(
                tx, issue, sender, "renamed", rename={"from": issue.title, "to": title}
            )
            issue.title = title
        if body_given and body != issue.body:
            changes["body"] = {"from": issue.body or ""}
            issue.body = body
        if base is not None and base != pull.base_ref:
            changes["base"] = {"ref": {"from": pull.base_ref}, "sha": {"from": pull.base_sha}}
            pull.base_ref = base
            pull.base_sha = self.state.branches[base].sha
            tx.touch(pull)
        touched = bool(changes)
        if changes:
            issue.updated_at = now
            self._emit_pull(tx, "edited", issue, pull, sender, changes=changes)
        if state is not None and state != issue.state:
            touched = True
            issue.updated_at = now
            if state == "closed":
                issue.state = "closed"
                issue.state_reason = None
                issue.closed_at = now
                issue.closed_by = sender
                self.state.add_event(tx, issue, sender, "closed")
                self._emit_pull(tx, "closed", issue, pull, sender)
            else:
                issue.state = "open"
                issue.state_reason = None
                issue.closed_at = None
                self.state.add_event(tx, issue, sender, "reopened")
                self._emit_pull(tx, "reopened", issue, pull, sender)
        if touched:
            tx.touch(issue)
        return touched

    _PULL_UPDATE: ClassVar[dict[str, str]] = {
        "title": "string",
        "body": "string",
        "state": "string",
        "base": "string",
        "maintainer_can_modify": "boolean",
    }

    def update_pull(self, call: Call) -> Reply:
        self._authenticated(call)
        body = read_object(call, self._PULL_UPDATE, optional_body=True)
        sender = self._sender(call)
        with self._tx(call) as tx:
            issue, pull = self._pull(call)
            if not (self._can(call, "write") or issue.user.lower() == sender.lower()):
                raise errors.forbidden()
            new_state = body.get("state")
            if new_state is not None and new_state not in ("open", "closed"):
                raise errors.invalid_request(
                    f"For 'properties/state', {show_json(new_state)} is not one of open, closed."
                )
            title = body.get("title")
            if title is not None:
                self._check_pull_title(title)
            self._check_body(body.get("body"), "PullRequest", "body")
            base = body.get("base")
            if base is not None and base not in self.state.branches:
                raise errors.validation_failed(
                    "PullRequest",
                    "base",
                    "invalid",
                    message=f"Proposed base branch '{base}' was not found",
                )
            if new_state == "open" and issue.state == "closed":
                self._refuse_duplicate(pull.head_ref, pull.base_ref, issue.number)
            self.change_pull(
                tx,
                issue.number,
                sender,
                title=title,
                body=body.get("body"),
                body_given="body" in body,
                state=new_state,
                base=base,
            )
            if "maintainer_can_modify" in body:
                pull.maintainer_can_modify = bool(body["maintainer_can_modify"])
                tx.touch(pull)
            return Reply(200, self.r.pull(issue, pull))


def _label_ref(name: str, color: str) -> dict[str, str]:
    return {"name": name, "color": color}
