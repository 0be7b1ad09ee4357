"""Webhook payloads, read into what the core needs, or a reason to ignore them.

Any payload GitHub (or the sandbox, or ``@octokit/webhooks-examples``) sends
ends up either as an ``Event`` or as an ``Ignored`` with a sentence for the
run log; nothing here raises on an unexpected shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from warroom.model import CommentSnapshot, IssueSnapshot, PullSnapshot, is_bot_account

ISSUE_ACTIONS = frozenset({"opened", "edited", "closed", "reopened", "labeled", "unlabeled"})
COMMENT_ACTIONS = frozenset({"created", "edited", "deleted"})
SWEEP_EVENTS = frozenset({"schedule", "workflow_dispatch"})
PULL_EVENTS = frozenset({"pull_request", "pull_request_target"})
"""The merge freeze's check: ``pull_request_target`` is what the shipped workflow uses."""
PULL_ACTIONS = frozenset({"opened", "synchronize", "edited", "reopened", "labeled", "unlabeled"})
"""Labelling matters only for ``freeze.exempt_labels``: triage ignores other labels."""


@dataclass(frozen=True)
class Event:
    """One event warroom acts on."""

    name: str
    action: str | None
    sender: str
    sender_is_bot: bool
    issue: IssueSnapshot | None = None
    comment: CommentSnapshot | None = None
    label: str | None = None
    """The label added or removed, for ``labeled``/``unlabeled``."""
    follow_up: FollowUpChange | None = None
    """Set when the issue is a hardening follow-up warroom opened that was closed or reopened."""
    pull: PullSnapshot | None = None
    """The pull request of a ``pull_request`` event: the merge freeze's check."""

    @property
    def is_sweep(self) -> bool:
        return self.name in SWEEP_EVENTS


@dataclass(frozen=True)
class FollowUpChange:
    """A follow-up of incident ``incident`` (under ``marker``) now ``state``, from its own event."""

    incident: int
    key: str
    marker: str
    state: str


@dataclass(frozen=True)
class Ignored:
    """An event warroom deliberately does nothing for, and why."""

    reason: str


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _login(user: Any) -> str:
    return str(user.get("login", "")) if isinstance(user, Mapping) else ""


def _is_bot(user: Any) -> bool:
    if not isinstance(user, Mapping):
        return False
    return is_bot_account(_login(user), user.get("type"))


def issue_from_payload(data: Any) -> IssueSnapshot | None:
    """The issue object of a payload; ``None`` if it lacks what an issue must have."""
    if not isinstance(data, Mapping):
        return None
    number, ident, created = data.get("number"), data.get("id"), _time(data.get("created_at"))
    if not isinstance(number, int) or not isinstance(ident, int) or created is None:
        return None
    labels = data.get("labels") or []
    assignees = data.get("assignees") or []
    return IssueSnapshot(
        number=number,
        id=ident,
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        state=str(data.get("state") or "open"),
        state_reason=data.get("state_reason")
        if isinstance(data.get("state_reason"), str)
        else None,
        labels=tuple(str(x.get("name", "")) for x in labels if isinstance(x, Mapping)),
        assignees=tuple(_login(x) for x in assignees if isinstance(x, Mapping)),
        author=_login(data.get("user")),
        created_at=created,
        closed_at=_time(data.get("closed_at")),
        html_url=str(data.get("html_url") or ""),
        is_pull_request=data.get("pull_request") is not None,
        updated_at=_time(data.get("updated_at")),
        comment_count=data["comments"] if isinstance(data.get("comments"), int) else None,
        author_is_bot=_is_bot(data.get("user")),
    )


def comment_from_payload(data: Any) -> CommentSnapshot | None:
    if not isinstance(data, Mapping):
        return None
    ident, created = data.get("id"), _time(data.get("created_at"))
    if not isinstance(ident, int) or created is None:
        return None
    return CommentSnapshot(
        id=ident,
        author=_login(data.get("user")),
        author_is_bot=_is_bot(data.get("user")),
        body=str(data.get("body") or ""),
        created_at=created,
        updated_at=_time(data.get("updated_at")) or created,
        html_url=str(data.get("html_url") or ""),
        association=str(data.get("author_association") or ""),
    )


def pull_from_payload(data: Any) -> PullSnapshot:
    """A pull request object (an API answer or a webhook's ``pull_request``); missing
    parts read as empty."""
    item: Mapping[str, Any] = data if isinstance(data, Mapping) else {}

    def part(key: str) -> Mapping[str, Any]:
        value = item.get(key)
        return value if isinstance(value, Mapping) else {}

    listed = item.get("labels")
    labels: list[Any] = listed if isinstance(listed, list) else []
    number = item.get("number")
    return PullSnapshot(
        number=number if isinstance(number, int) else 0,
        title=str(item.get("title") or ""),
        author=_login(part("user")),
        body=str(item.get("body") or ""),
        labels=tuple(str(x.get("name", "")) for x in labels if isinstance(x, Mapping)),
        head_sha=str(part("head").get("sha") or ""),
        state=str(item.get("state") or "open"),
    )


def _pull_event(name: str, action: str | None, payload: Mapping[str, Any]) -> Event | Ignored:
    """A pull request opened, pushed to, edited or reopened: the freeze checks it."""
    if action not in PULL_ACTIONS:
        return Ignored(
            f"warroom's merge freeze does not check {name}.{action}: it checks "
            f"{', '.join(sorted(PULL_ACTIONS))}"
        )
    data = payload.get("pull_request")
    pull = pull_from_payload(data)
    if pull.number <= 0 or not pull.head_sha:
        return Ignored(f"the {name}.{action} payload has no usable pull request")
    if isinstance(data, Mapping) and data.get("state") not in (None, "open"):
        return Ignored(f"pull request #{pull.number} is not open")
    sender = payload.get("sender")
    label = payload.get("label")
    return Event(
        name=name,
        action=action,
        sender=_login(sender),
        sender_is_bot=_is_bot(sender),
        pull=pull,
        label=str(label.get("name")) if isinstance(label, Mapping) else None,
    )


def read_event(name: str, payload: Mapping[str, Any]) -> Event | Ignored:
    """Turn a payload into an ``Event`` or say why warroom leaves it alone."""
    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    sender = payload.get("sender")
    who, bot = _login(sender), _is_bot(sender)
    if name in SWEEP_EVENTS:
        return Event(name=name, action=action, sender=who, sender_is_bot=bot)
    if name in PULL_EVENTS:
        return _pull_event(name, action, payload)
    if name not in {"issues", "issue_comment"}:
        return Ignored(f"warroom does not handle {name!r} events")
    allowed = ISSUE_ACTIONS if name == "issues" else COMMENT_ACTIONS
    if action is None:
        return Ignored(
            f"the {name} event payload has no `action`; GitHub sends one with every {name} "
            f"event, and warroom acts on {', '.join(sorted(allowed))}: check the file "
            "GITHUB_EVENT_PATH names"
        )
    if action not in allowed:
        return Ignored(f"warroom does not handle {name}.{action}")
    issue = issue_from_payload(payload.get("issue"))
    if issue is None:
        return Ignored(f"the {name}.{action} payload has no usable issue")
    if issue.is_pull_request:
        return Ignored("comments on pull requests are not incidents")
    comment = None
    if name == "issue_comment":
        comment = comment_from_payload(payload.get("comment"))
        if comment is None:
            return Ignored(f"the {name}.{action} payload has no usable comment")
    label = payload.get("label")
    return Event(
        name=name,
        action=action,
        sender=who,
        sender_is_bot=bot,
        issue=issue,
        comment=comment,
        label=str(label.get("name")) if isinstance(label, Mapping) else None,
    )
