"""The 30-minute post-closure review: when it is due, whether it was held, what it opens.

The playbook: "Run a short review immediately after closure" with five
questions, and "turn answers into backlog items before context fades". A
closure stands when the gate is met on a closed issue; from then the review
is due within ``clock.review_minutes``. It is held once an authorized
responder posts a Post-Closure Review record (any one counts: a closure that
is reopened and closed again needs no second review). Each action an answer
names is one hardening follow-up, keyed by its comment and place, so reruns
and sweeps never open it twice.

Pure: the planner asks this module and turns the answers into effects.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.config import Config
from warroom.incident import Applied, Incident
from warroom.model import FollowUpKind
from warroom.records.actions import action_text
from warroom.records.models import PostClosureReview, ReviewAction
from warroom.rules.clock import ClockItem

KEY = "review"
"""The clock item's key, which the reminder template reads."""

KINDS = {"guardrail": FollowUpKind.GUARDRAIL}
"""The follow-up kind of an action by the question it answers; others are "other"."""


@dataclass(frozen=True)
class Review:
    """The review of one standing closure, as this run sees it."""

    closed_at: datetime
    due: datetime
    held: tuple[tuple[Applied, PostClosureReview], ...]

    @property
    def stamp(self) -> str:
        """The closure's moment, seconds since the epoch: one notice per closure."""
        return str(int(self.closed_at.timestamp()))

    def overdue(self, now: datetime) -> bool:
        return not self.held and now > self.due


def review(incident: Incident, gate_state: str, config: Config) -> Review | None:
    """The review due for a closure that stands (gate met), else ``None``."""
    closed_at = incident.issue.closed_at
    if gate_state != "met" or incident.issue.state != "closed" or closed_at is None:
        return None
    return Review(
        closed_at=closed_at,
        due=closed_at + timedelta(minutes=config.clock.review_minutes),
        held=tuple(incident.records(PostClosureReview)),
    )


def item(incident: Incident, gate_state: str, now: datetime, config: Config) -> ClockItem | None:
    """The review on the clock while it is not held: due, then overdue (reminded once)."""
    found = review(incident, gate_state, config)
    if found is None or found.held:
        return None
    return ClockItem(
        KEY,
        f"{config.clock.review_minutes}-minute post-closure review",
        found.due,
        incident.owners.commander,
        found.overdue(now),
        f"{KEY}-{found.stamp}",
    )


def follow_up_key(incident: int, comment_id: int, title: str, repeat: int = 0) -> str:
    """Stable for an action: its review's comment and its title (folded), so an edit that adds
    or moves actions files each once; ``repeat`` tells apart actions with the same title.

    The ``r`` keeps it apart from a Hardening Follow-up record's key in the same comment.
    """
    folded = " ".join(title.lower().split())
    digest = hashlib.sha256(folded.encode()).hexdigest()[:12]
    return f"{incident}.{comment_id}.r{digest}" + (f"-{repeat}" if repeat else "")


@dataclass(frozen=True)
class Filed:
    """One action of an applied review, with the key its follow-up is filed under."""

    key: str
    applied: Applied
    record: PostClosureReview
    action: ReviewAction


def actions(incident: Incident) -> list[Filed]:
    """Every action of every applied review, with its follow-up key, in order."""
    found: list[Filed] = []
    seen: dict[str, int] = {}
    for applied, record in incident.records(PostClosureReview):
        for action in record.actions:
            first = follow_up_key(incident.number, applied.comment_id, action.title)
            repeat = seen.get(first, 0)
            seen[first] = repeat + 1
            key = follow_up_key(incident.number, applied.comment_id, action.title, repeat)
            found.append(Filed(key, applied, record, action))
    return found


def kind(action: ReviewAction) -> FollowUpKind:
    return KINDS.get(action.question, FollowUpKind.OTHER)


def answer(record: PostClosureReview, action: ReviewAction) -> str:
    """The answer an action was written under, without its action lines, on one line.

    People's text: the caller quotes it.
    """
    text = str(getattr(record, action.question, ""))
    kept = (line for line in text.split("\n") if action_text(line) is None)
    return " ".join(" ".join(kept).split())
