"""What the scheduled sweep remembers between runs, so a quiet sweep reads almost nothing.

Without a memory every sweep reads every incident's comments: about I + 2
requests for I incidents, every ten minutes. Yet an incident needs its comments
read again only when something about it changed or something on its clock fell
due. The sweep's listing already shows most changes (state, labels, title,
body, ``updated_at``, the comment count); one repository-wide listing of
comments edited since the last sweep shows the rest. So the sweep remembers,
per incident:

- the issue as the listing showed it (a fingerprint),
- the comment versions it read that the next sweep's listing can still show,
- the next time on the incident's clock (a checkpoint, a stakeholder update,
  the end of the watch window ...), and
- whether the run wrote anything (then GitHub's copy moved on since the
  listing, and the next sweep reads the incident once more).

An incident is read fully when it is new to the memory, its fingerprint
changed, a comment on it was written or edited that the memory does not hold,
its next time has come, or the last run wrote to it. Otherwise it is skipped,
which costs nothing. A missing, unreadable, stale or foreign memory, or one
made under another config or warroom version, counts as no memory: the sweep
reads everything, as without one. Keeping the memory can only ever cost reads,
never skip work that is due.

Pure: the shell reads and writes the file (``warroom.run``); this module turns
its text into decisions and back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from warroom import __version__
from warroom.config import Config
from warroom.model import IssueSnapshot

VERSION = 1
"""The memory's format; another version is read as no memory."""

MAX_AGE = timedelta(hours=6)
"""A memory older than this is no memory. The schedule keeps it minutes old; one this old
comes from before a pause (see the README's schedule section), and listing every comment
edited since would cost more than reading the few incidents that woke the schedule."""

MARGIN = timedelta(minutes=2)
"""How far back the next comment listing starts before this sweep's time: the runner's
clock and GitHub's may differ a little, and a comment must never fall between two sweeps."""


@dataclass(frozen=True)
class CommentVersion:
    """One comment as some listing showed it: which issue, which comment, edited when."""

    issue: int
    id: int
    updated_at: datetime


@dataclass(frozen=True)
class Seen:
    """What the sweep knows of one incident."""

    fingerprint: str
    due: datetime | None
    """The next time on its clock; ``None`` when nothing will fall due."""
    comments: frozenset[tuple[int, str]] = frozenset()
    """(id, updated_at) of comments read whose version the next listing may show again."""
    settled: bool = True
    """``False`` when the run wrote to the incident: read it once more next time."""


@dataclass(frozen=True)
class Memory:
    """The whole memory: when the last sweep looked, under which config, and each incident."""

    config: str
    checked_at: datetime
    incidents: Mapping[int, Seen] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What fully processing one incident left behind, for the memory."""

    due: datetime | None
    comments: Sequence[CommentVersion]
    wrote: bool


def config_digest(config: Config) -> str:
    """The config and warroom's version, hashed: a change to either makes a full sweep."""
    text = f"{__version__}\n{config.model_dump_json()}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(issue: IssueSnapshot) -> str:
    """Everything the listing shows of an issue that warroom reads, hashed."""
    data = [
        issue.number,
        issue.state,
        issue.state_reason,
        issue.title,
        issue.body,
        sorted(x.lower() for x in issue.labels),
        sorted(x.lower() for x in issue.assignees),
        _iso(issue.updated_at),
        _iso(issue.closed_at),
        issue.comment_count,
    ]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def loads(text: str, config: Config) -> Memory | None:
    """The memory in ``text``; ``None`` when there is none to trust (then sweep fully)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") != VERSION:
        return None
    if data.get("config") != config_digest(config):
        return None
    checked = _time(data.get("checked_at"))
    incidents = data.get("incidents")
    if checked is None or not isinstance(incidents, dict):
        return None
    found: dict[int, Seen] = {}
    for key, entry in incidents.items():
        seen = _seen(entry)
        if not key.isdigit() or seen is None:
            return None
        found[int(key)] = seen
    return Memory(config=data["config"], checked_at=checked, incidents=found)


def dumps(memory: Memory) -> str:
    """The memory as JSON text, keys sorted, so an unchanged memory is the same bytes."""
    incidents = {
        str(number): {
            "fingerprint": seen.fingerprint,
            "due": _iso(seen.due),
            "comments": sorted([cid, at] for cid, at in seen.comments),
            "settled": seen.settled,
        }
        for number, seen in sorted(memory.incidents.items())
    }
    data = {
        "v": VERSION,
        "config": memory.config,
        "checked_at": _iso(memory.checked_at),
        "incidents": incidents,
    }
    return json.dumps(data, sort_keys=True, indent=1) + "\n"


def comments_since(memory: Memory | None, now: datetime) -> datetime | None:
    """Where this sweep's comment listing starts: the last sweep's time, less the margin.

    ``None`` when the memory cannot be used at ``now`` (none, from the future, too old):
    then ``why_read`` reads every incident and no listing is needed.
    """
    if memory is None or not memory.checked_at <= now <= memory.checked_at + MAX_AGE:
        return None
    return memory.checked_at - MARGIN


def why_read(
    memory: Memory | None,
    issue: IssueSnapshot,
    touched: Iterable[CommentVersion],
    now: datetime,
) -> str | None:
    """Why the sweep must read this incident fully, or ``None`` when it may skip it."""
    if memory is None:
        return "no memory of earlier sweeps"
    if now < memory.checked_at:
        return "the clock is earlier than the last sweep's"
    if now - memory.checked_at > MAX_AGE:
        return "the memory is too old"
    seen = memory.incidents.get(issue.number)
    if seen is None:
        return "new to the sweep"
    if not seen.settled:
        return "the last run wrote to it"
    if seen.fingerprint != fingerprint(issue):
        return "the issue changed"
    if any((c.id, _stamp(c.updated_at)) not in seen.comments for c in touched):
        return "a comment was written or edited"
    if seen.due is not None and now >= seen.due:
        return "something on its clock fell due"
    return None


def touches(versions: Iterable[CommentVersion]) -> dict[int, list[CommentVersion]]:
    """The listing's comment versions, by issue."""
    found: dict[int, list[CommentVersion]] = {}
    for version in versions:
        found.setdefault(version.issue, []).append(version)
    return found


def remember(
    memory: Memory | None,
    listed: Sequence[IssueSnapshot],
    processed: Mapping[int, Outcome],
    now: datetime,
    config: Config,
) -> Memory:
    """The memory after this sweep.

    Incidents processed in full get a fresh entry; skipped ones keep theirs; an
    incident that was due but not processed (its run failed) keeps its old
    entry or gets none, so the next sweep reads it again. Incidents no longer
    listed (closed and out of the watch window) are forgotten.
    """
    horizon = now - MARGIN
    old = memory.incidents if memory is not None else {}
    kept: dict[int, Seen] = {}
    for issue in listed:
        outcome = processed.get(issue.number)
        if outcome is not None:
            kept[issue.number] = Seen(
                fingerprint=fingerprint(issue),
                due=outcome.due,
                comments=frozenset(
                    (c.id, _stamp(c.updated_at))
                    for c in outcome.comments
                    if c.updated_at >= horizon
                ),
                settled=not outcome.wrote,
            )
        elif issue.number in old:
            seen = old[issue.number]
            recent = frozenset(
                (cid, at) for cid, at in seen.comments if (_time(at) or horizon) >= horizon
            )
            kept[issue.number] = Seen(seen.fingerprint, seen.due, recent, seen.settled)
    return Memory(config=config_digest(config), checked_at=now, incidents=kept)


def next_due(dues: Iterable[datetime], now: datetime) -> datetime | None:
    """The earliest of ``dues`` that has not passed yet (one that has was dealt with)."""
    ahead = [due for due in dues if due >= now]
    return min(ahead) if ahead else None


# --- encoding ------------------------------------------------------------------------------


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else _stamp(value)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _seen(entry: Any) -> Seen | None:
    if not isinstance(entry, dict):
        return None
    print_, due, comments, settled = (
        entry.get("fingerprint"),
        entry.get("due"),
        entry.get("comments"),
        entry.get("settled"),
    )
    if not isinstance(print_, str) or not isinstance(settled, bool):
        return None
    if not isinstance(comments, list):
        return None
    versions: set[tuple[int, str]] = set()
    for item in comments:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not isinstance(item[0], int)
            or _time(item[1]) is None
        ):
            return None
        versions.add((item[0], str(item[1])))
    due_at = _time(due)
    if due is not None and due_at is None:
        return None
    return Seen(print_, due_at, frozenset(versions), settled)
