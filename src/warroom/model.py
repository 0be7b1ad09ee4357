"""The playbook's vocabulary as types.

Everything that decides (parsers, rules, the planner) speaks these types, so a
value is canonicalised once, where it is read, and compared exactly after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """The playbook's severity matrix."""

    SEV1 = "SEV-1"
    SEV2 = "SEV-2"
    SEV3 = "SEV-3"


class Phase(StrEnum):
    """The snapshot's ``Current phase``."""

    DETECTION = "detection"
    CONTAINMENT = "containment"
    RECOVERY = "recovery"
    HARDENING = "hardening"


class Decision(StrEnum):
    """The checkpoint decision record's ``Decision``."""

    CONTINUE = "continue mitigation"
    ROLLBACK = "rollback"
    ESCALATE = "escalate+pause"


class Rung(StrEnum):
    """The reversible decision ladder, safest first: a decision's ``Ladder rung``."""

    FLAG = "flag/config"
    PATCH = "targeted patch"
    ROLLBACK = "full rollback"


class Confidence(StrEnum):
    """The decision confidence ladder; never close on L1."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"


class Status(StrEnum):
    """The stakeholder update's ``Status``."""

    INVESTIGATING = "investigating"
    MITIGATING = "mitigating"
    RECOVERED = "recovered"


class RerunResult(StrEnum):
    """The verification rerun record's ``Result``: closure needs fresh green evidence."""

    GREEN = "green"
    RED = "red"


class FollowUpKind(StrEnum):
    """What a hardening follow-up delivers; the post-incident loop names the first three."""

    GUARDRAIL = "guardrail automation"
    REGRESSION_TEST = "regression test"
    TIMELINE = "timeline publication"
    OTHER = "other"


class DependencyClass(StrEnum):
    """The dependency risk matrix: classify affected dependencies before choosing mitigation."""

    AUTH = "auth/identity"
    BILLING = "billing/ledger"
    MESSAGING = "messaging/queue"
    OBSERVABILITY = "observability"
    OTHER = "other"


class Scenario(StrEnum):
    """The scenario library's pressure patterns, each with its own evidence minimum."""

    RELEASE_AUTH_FAILURE = "auth token failure after release"
    BILLING_STATE_MISMATCH = "billing state mismatch"
    PERMISSION_LEAK = "permission leak in edge flow"
    OTHER = "other"


class DismissalReason(StrEnum):
    """Why an incident is closed without the recovery gate: it never was one."""

    FALSE_ALARM = "false alarm"
    DUPLICATE = "duplicate"


class Level(StrEnum):
    """Errors make a record invalid; warnings only inform."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem, tied to the field as the playbook (or the form) names it.

    ``line`` is 1-based in the text that was checked, when known, so the CLI can
    print ``FILE:LINE:`` like a linter.
    """

    field: str
    message: str
    level: Level = Level.ERROR
    line: int | None = None


class HasFindings:
    """Errors make an input invalid; warnings only inform. Shared by every checked thing."""

    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level is Level.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level is Level.WARNING)

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class CheckResult(HasFindings):
    """What checking one input produced: findings plus whatever was parsed.

    ``record`` holds the parsed values even when the input is invalid, as plain
    JSON-able data, so ``warroom check --format json`` can show it.
    """

    kind: str
    findings: tuple[Finding, ...] = ()
    record: Mapping[str, Any] = field(default_factory=dict)


def is_bot_account(login: str, account_type: object) -> bool:
    """Bots' comments are never records: GitHub marks them ``type: Bot`` and ``name[bot]``."""
    return account_type == "Bot" or login.endswith("[bot]")


@dataclass(frozen=True)
class PullSnapshot:
    """A pull request as the merge freeze sees it (``files`` read only when needed)."""

    number: int
    title: str
    author: str
    body: str
    labels: tuple[str, ...]
    head_sha: str
    files: tuple[str, ...] = ()
    state: str = "open"


@dataclass(frozen=True)
class IssueSnapshot:
    """An issue as the core sees it: plain data read once by the adapter."""

    number: int
    id: int
    title: str
    body: str
    state: str
    state_reason: str | None
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    author: str
    created_at: datetime
    closed_at: datetime | None
    html_url: str
    is_pull_request: bool = False
    updated_at: datetime | None = None
    """When GitHub last changed the issue (a comment counts): how a run tells a stale payload."""
    comment_count: int | None = None
    """How many comments the issue had when it was read (``None``: not known)."""
    author_is_bot: bool = False
    """Opened by an app or workflow: what a follow-up warroom opened must be."""


@dataclass(frozen=True)
class CommentSnapshot:
    """A comment as the core sees it; ``author_is_bot`` keeps bots out of the records."""

    id: int
    author: str
    author_is_bot: bool
    body: str
    created_at: datetime
    updated_at: datetime
    html_url: str
    association: str = ""
    """GitHub's ``author_association`` as of the read (OWNER, MEMBER, COLLABORATOR,
    CONTRIBUTOR, NONE ...): someone removed from the repository stops being a collaborator
    at once, so a remembered permission is reused only while this still says they are one."""
