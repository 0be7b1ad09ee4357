"""The mitigation diff: what changed between the last known-good revision and the fix.

The closure review package shows the commits and pull requests between two
revisions the records already name, so nobody has to type them twice:

* **the last known-good revision** is the latest Incident Command Snapshot's
  ``Latest stable revision``, else the issue form's ``Last known-good revision``
  (``rules.readiness.known_good``: the revision the rollback path leads to);
* **the fix** is the ``Revision under test`` of the latest *green* Verification
  Rerun Record: the revision whose rerun proved the mitigation.

GitHub's compare API answers ``base...head``; this module only decides the
two refs and holds the answer as frozen data (read by the adapter, rendered by
``warroom.package``). People's text (commit messages, pull request titles) is
kept as written here and quoted where it is rendered.

Pure: no I/O. The answer is also kept in the package comment's state, so a
later run with the same two refs re-renders without reading GitHub again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from warroom.incident import Incident
from warroom.model import RerunResult
from warroom.records.models import Snapshot, VerificationRecord
from warroom.rules.readiness import known_good

MAX_PULL_LOOKUPS = 10
"""Commits whose pull requests are looked up (one GET each), newest first; the rest are named."""
MAX_COMMITS = 100
"""Commits kept from one compare (one page): GitHub's page size."""
MAX_FILES = 100
"""Files kept from one compare."""

NOT_FOUND = (
    "GitHub knows no such revision in this repository (or none in common): check the "
    "snapshot's Latest stable revision and the rerun's Revision under test"
)

_REF_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")
"""A git ref or sha as people write one; anything else (a sentence, a deploy id with
spaces) is not sent to GitHub. One possessive-free, single-class run: linear."""


@dataclass(frozen=True)
class ChangedFile:
    """One file the compare lists, as GitHub's ``diff-entry`` gives it."""

    filename: str
    status: str
    additions: int
    deletions: int


@dataclass(frozen=True)
class DiffPull:
    """A pull request a commit of the range belongs to."""

    number: int
    title: str
    url: str
    state: str


@dataclass(frozen=True)
class DiffCommit:
    """One commit of the range, oldest first; ``pulls`` is ``None`` when not looked up."""

    sha: str
    title: str
    author: str
    url: str
    pulls: tuple[int, ...] | None = None


@dataclass(frozen=True)
class MitigationDiff:
    """GitHub's answer for ``base...head``, or ``problem`` saying why there is none."""

    base: str
    head: str
    url: str = ""
    status: str = ""
    total_commits: int = 0
    commits: tuple[DiffCommit, ...] = ()
    pulls: tuple[DiffPull, ...] = ()
    files: tuple[ChangedFile, ...] = ()
    problem: str = ""
    """Why there is no answer, in warroom's words."""
    retry: bool = False
    """The problem may pass (GitHub failed): the next run asks again instead of keeping it."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for the package comment's state."""
        return {
            "base": self.base,
            "head": self.head,
            "url": self.url,
            "status": self.status,
            "total": self.total_commits,
            "commits": [
                [c.sha, c.title, c.author, c.url, None if c.pulls is None else list(c.pulls)]
                for c in self.commits
            ],
            "pulls": [[p.number, p.title, p.url, p.state] for p in self.pulls],
            "files": [[f.filename, f.status, f.additions, f.deletions] for f in self.files],
            "problem": self.problem,
            "retry": self.retry,
        }

    @classmethod
    def from_json(cls, data: Any) -> MitigationDiff | None:
        """The diff a package comment kept; ``None`` for anything damaged (then read again)."""
        try:
            return cls(
                base=str(data["base"]),
                head=str(data["head"]),
                url=str(data["url"]),
                status=str(data["status"]),
                total_commits=int(data["total"]),
                commits=tuple(
                    DiffCommit(
                        str(sha),
                        str(title),
                        str(author),
                        str(url),
                        None if pulls is None else tuple(int(n) for n in pulls),
                    )
                    for sha, title, author, url, pulls in data["commits"]
                ),
                pulls=tuple(
                    DiffPull(int(n), str(t), str(u), str(s)) for n, t, u, s in data["pulls"]
                ),
                files=tuple(
                    ChangedFile(str(n), str(s), int(a), int(d)) for n, s, a, d in data["files"]
                ),
                problem=str(data["problem"]),
                retry=bool(data.get("retry", False)),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Range:
    """The two revisions, and where each was read from (warroom's words and a URL)."""

    base: str
    head: str
    base_source: str
    head_source: str

    @property
    def readable(self) -> bool:
        """Both look like git refs: only then is GitHub asked."""
        return all(_REF_RE.fullmatch(ref) and ".." not in ref for ref in (self.base, self.head))


def fix_revision(incident: Incident) -> tuple[str, str]:
    """(revision, record URL) of the latest green rerun; ``("", "")`` without one."""
    for applied, record in reversed(incident.records(VerificationRecord)):
        if record.result is RerunResult.GREEN and record.revision.strip():
            return record.revision.strip(), applied.url
    return "", ""


def mitigation_range(incident: Incident) -> Range | None:
    """The last known-good revision and the fix, when the records name both."""
    base = known_good(incident)
    head, head_url = fix_revision(incident)
    if not base or not head:
        return None
    snapshot = incident.latest(Snapshot)
    from_snapshot = snapshot is not None and snapshot.latest_stable_revision.strip() == base
    return Range(
        base=base,
        head=head,
        base_source="the latest Incident Command Snapshot"
        if from_snapshot
        else "the issue form's Last known-good revision",
        head_source=head_url,
    )


def same_revision(span: Range) -> MitigationDiff:
    """The fix is the last known-good revision itself (a rollback to it): nothing to compare."""
    return MitigationDiff(base=span.base, head=span.head, status="identical")


def unreadable(span: Range) -> MitigationDiff:
    """What the package says when a revision is not a git ref GitHub could compare."""
    return MitigationDiff(
        base=span.base,
        head=span.head,
        problem="a revision is not a git ref (a commit sha, tag or branch), so GitHub was not "
        "asked; write the commit sha in the snapshot's Latest stable revision and the "
        "rerun's Revision under test",
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def diff_from_payload(base: str, head: str, data: Any) -> MitigationDiff:
    """GitHub's ``commit-comparison`` as a diff (commits oldest first, as GitHub lists them)."""
    if not isinstance(data, dict):
        return MitigationDiff(base, head, problem="GitHub's compare answer was not an object")
    commits = []
    for item in _list(data.get("commits")):
        if not isinstance(item, dict):
            continue
        inner = _object(item.get("commit"))
        message = str(inner.get("message") or "")
        account = _object(item.get("author"))
        git_author = _object(inner.get("author"))
        commits.append(
            DiffCommit(
                sha=str(item.get("sha") or ""),
                title=message.split("\n", 1)[0],
                author=str(account.get("login") or git_author.get("name") or ""),
                url=str(item.get("html_url") or ""),
            )
        )
    files = [
        ChangedFile(
            filename=str(f.get("filename") or ""),
            status=str(f.get("status") or "modified"),
            additions=_int(f.get("additions")),
            deletions=_int(f.get("deletions")),
        )
        for f in _list(data.get("files"))
        if isinstance(f, dict)
    ]
    return MitigationDiff(
        base=base,
        head=head,
        url=str(data.get("html_url") or ""),
        status=str(data.get("status") or ""),
        total_commits=_int(data.get("total_commits")) or len(commits),
        commits=tuple(commits[:MAX_COMMITS]),
        files=tuple(files[:MAX_FILES]),
    )


def with_pulls(diff: MitigationDiff, found: dict[str, Any]) -> MitigationDiff:
    """``diff`` with each looked-up commit's pull requests (``found``: sha -> GitHub's list)."""
    pulls: dict[int, DiffPull] = {}
    commits = []
    for commit in diff.commits:
        listed = found.get(commit.sha)
        if not isinstance(listed, list):  # not looked up (or GitHub answered nonsense)
            commits.append(commit)
            continue
        numbers = []
        for item in listed:
            number = _int(item.get("number")) if isinstance(item, dict) else 0
            if number <= 0:
                continue
            numbers.append(number)
            merged = bool(item.get("merged_at"))
            pulls.setdefault(
                number,
                DiffPull(
                    number,
                    str(item.get("title") or ""),
                    str(item.get("html_url") or ""),
                    "merged" if merged else str(item.get("state") or ""),
                ),
            )
        commits.append(
            DiffCommit(commit.sha, commit.title, commit.author, commit.url, tuple(numbers))
        )
    return MitigationDiff(
        base=diff.base,
        head=diff.head,
        url=diff.url,
        status=diff.status,
        total_commits=diff.total_commits,
        commits=tuple(commits),
        pulls=tuple(sorted(pulls.values(), key=lambda p: p.number)),
        files=diff.files,
        problem=diff.problem,
        retry=diff.retry,
    )
