"""The report's numbers: per severity and per month, from incidents derived from their records.

Pure: ``build`` takes incidents already derived (``warroom.report.reading``),
the follow-up issues warroom opened, the config and "now", and returns a
``Report`` that every format prints the same way. Each measure is defined
once, in ``MEASURES`` (what it counts and where that comes from); the README's
table and the formats read it from there.

Times are GitHub's: when a comment was posted, when an issue was opened or
closed, never a time a person typed, so nobody's clock or typo moves a number.
Durations are minutes from the issue's creation. The median is the middle
value (the mean of the two middle values for an even count); the 90th
percentile is the nearest rank: the smallest value that at least 90 % of the
values do not exceed. A group without a value has no median (``None``), never 0.
A dismissed incident (closed as a false alarm or a duplicate, with its Incident
Dismissal record) counts among the incidents and the dismissed, and in no
other measure: it never was one to recover from.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from warroom.config import Config
from warroom.incident import Incident, owner_timeline
from warroom.model import Decision, RerunResult
from warroom.records.models import (
    DecisionRecord,
    Dismissal,
    Handoff,
    PostClosureReview,
    Snapshot,
    StakeholderUpdate,
    VerificationRecord,
)
from warroom.report.reading import Blocked, FollowUpIssue, Reported

ALL = "all"
"""The severity or month of a row that totals every severity or every month."""
UNKNOWN = "unknown"
"""The severity of an incident whose form gives none that reads."""
DISMISSED_REASONS = frozenset({"not_planned", "duplicate"})
"""GitHub's close reasons for an issue that was no incident (``plan.DISMISSED``)."""
DEFAULT_CADENCE_MINUTES = 60
"""The stakeholder cadence of an incident without a severity (as the clock has it)."""


@dataclass(frozen=True)
class Measure:
    """One measure: its key in JSON and CSV, its name, and where its numbers come from."""

    key: str
    title: str
    source: str


MEASURES: tuple[Measure, ...] = (
    Measure(
        "incidents",
        "Incidents",
        "issues with the incident label opened in the month (since --since), any state",
    ),
    Measure(
        "closed",
        "Closed",
        "incidents closed now, not as a false alarm or duplicate (a closure the gate "
        "undid is reopened, so it is not among them)",
    ),
    Measure(
        "dismissed",
        "Dismissed",
        "incidents closed as not planned or duplicate with an Incident Dismissal record",
    ),
    Measure(
        "time_to_owner",
        "Time to owner",
        "from the issue's creation to the first moment an incident commander is named: "
        "0 when the form names one, else the first Incident Command Snapshot that does",
    ),
    Measure(
        "time_to_first_checkpoint",
        "Time to first checkpoint",
        "from the issue's creation to the first comment holding a Checkpoint Decision Record",
    ),
    Measure(
        "time_to_mitigation",
        "Time to mitigation",
        "from the issue's creation to the first green Verification Rerun Record posted at or "
        "after the first decision to continue mitigation or roll back (mitigation verified)",
    ),
    Measure(
        "time_to_closure",
        "Time to closure",
        "from the issue's creation to its closure (GitHub's closed_at), closed incidents only",
    ),
    Measure(
        "checkpoints",
        "Checkpoint punctuality",
        "each committed next checkpoint (snapshot, decision record or handoff; the last one "
        "in a comment) is on time when the next comment committing one is posted by then, "
        "late when it is posted after or never while the incident stays open; one that "
        "falls due after the closure is not counted",
    ),
    Measure(
        "updates",
        "Stakeholder-update punctuality",
        "each stakeholder update is due at the time the clock reminds it: the severity's "
        "cadence after the issue's creation, then the earlier of the committed next update "
        "and the cadence after the last update; on time when an update is posted by then",
    ),
    Measure(
        "closures_blocked",
        "Closures blocked by the gate",
        "warroom's reopen notices on the incident (one per closure it undid); why: the "
        "conditions each notice lists as missing",
    ),
    Measure(
        "follow_ups",
        "Follow-ups open, done, overdue",
        "the follow-up issues warroom opened for the incident: done when closed, open "
        "otherwise, overdue when open after its due date",
    ),
    Measure(
        "reviews_held",
        "Post-closure reviews held",
        "incidents with a Post-Closure Review record",
    ),
)


@dataclass(frozen=True)
class Stat:
    """Durations in minutes: how many, their median and 90th percentile (``None``: none)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass(frozen=True)
class Punctuality:
    """How many times something fell due, and how many of those were met on time."""

    due: int = 0
    on_time: int = 0

    @property
    def ratio(self) -> float | None:
        return self.on_time / self.due if self.due else None

    def __add__(self, other: Punctuality) -> Punctuality:
        return Punctuality(self.due + other.due, self.on_time + other.on_time)


@dataclass(frozen=True)
class Measured:
    """One incident's own numbers, before they are grouped."""

    number: int
    severity: str
    month: str
    dismissed: bool
    closed: bool
    to_owner: float | None
    to_first_checkpoint: float | None
    to_mitigation: float | None
    to_closure: float | None
    checkpoints: Punctuality
    updates: Punctuality
    blocked: tuple[Blocked, ...]
    review_held: bool


@dataclass(frozen=True)
class FollowUps:
    """Follow-up issues by state; ``overdue`` are among the ``open``."""

    open: int = 0
    done: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class Row:
    """One severity in one month (either may be ``ALL``)."""

    severity: str
    month: str
    incidents: int = 0
    closed: int = 0
    dismissed: int = 0
    time_to_owner: Stat = Stat()
    time_to_first_checkpoint: Stat = Stat()
    time_to_mitigation: Stat = Stat()
    time_to_closure: Stat = Stat()
    checkpoints: Punctuality = Punctuality()
    updates: Punctuality = Punctuality()
    closures_blocked: int = 0
    blocked_by: tuple[tuple[str, int], ...] = ()
    """Each missing condition the reopen notices named, most often first."""
    follow_ups: FollowUps = FollowUps()
    reviews_held: int = 0


@dataclass(frozen=True)
class Report:
    """Every row, totals included: per severity per month, per severity, per month, overall."""

    generated_at: datetime
    since: date | None
    months: tuple[str, ...]
    severities: tuple[str, ...]
    rows: tuple[Row, ...] = field(default=())

    def row(self, severity: str, month: str) -> Row | None:
        return next((r for r in self.rows if r.severity == severity and r.month == month), None)


# -- statistics ------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """The middle value; the mean of the two middle ones for an even count; ``None`` for none."""
    return float(statistics.median(values)) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The nearest-rank 90th percentile: the smallest value >= 90 % of the values."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[math.ceil(0.9 * len(ordered)) - 1])


def stat(values: Iterable[float | None]) -> Stat:
    found = [v for v in values if v is not None]
    return Stat(len(found), _round(median(found)), _round(p90(found)))


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return (end - start).total_seconds() / 60 if end is not None else None


# -- one incident ------------------------------------------------------------------------


def month_of(when: datetime) -> str:
    """``YYYY-MM`` of ``when`` in UTC."""
    when = when.astimezone(UTC)
    return f"{when.year:04d}-{when.month:02d}"


def is_dismissed(incident: Incident) -> bool:
    issue = incident.issue
    return (
        issue.state == "closed"
        and issue.state_reason in DISMISSED_REASONS
        and incident.latest(Dismissal) is not None
    )


def owner_named_at(incident: Incident) -> datetime | None:
    """When the owner graph first names an incident commander (the form: at creation)."""
    declared, moves = owner_timeline(incident)
    if declared.commander:
        return incident.issue.created_at
    return next((applied.at for applied, owners in moves if owners.commander), None)


def first_checkpoint_at(incident: Incident) -> datetime | None:
    found = incident.records(DecisionRecord)
    return found[0][0].at if found else None


def mitigated_at(incident: Incident) -> datetime | None:
    """The first green rerun posted at or after the first decision to mitigate."""
    decided = next(
        (
            applied.at
            for applied, record in incident.records(DecisionRecord)
            if record.decision in (Decision.CONTINUE, Decision.ROLLBACK)
        ),
        None,
    )
    if decided is None:
        return None
    return next(
        (
            applied.at
            for applied, record in incident.records(VerificationRecord)
            if record.result is RerunResult.GREEN and applied.at >= decided
        ),
        None,
    )


def _end(incident: Incident, now: datetime) -> datetime:
    """Where the clock stops: the closure, or now while the incident is open."""
    closed = incident.issue.closed_at
    return closed if incident.issue.state == "closed" and closed is not None else now


def _settled(dues: Sequence[tuple[datetime, datetime]], end: datetime) -> Punctuality:
    """``dues`` holds (posted, due) in order; each is met by the next one's posting."""
    due = on_time = 0
    for index, (_, when) in enumerate(dues):
        following = dues[index + 1][0] if index + 1 < len(dues) else None
        if following is not None and following <= when:
            due += 1
            on_time += 1
        elif when < end:
            due += 1  # fell due while the incident was open, and nothing came in time
        # else: it falls due after the clock stopped (the closure, or now): not counted
    return Punctuality(due, on_time)


def checkpoint_punctuality(incident: Incident, end: datetime) -> Punctuality:
    """Each committed checkpoint against the next comment committing one."""
    by_comment: dict[int, tuple[datetime, datetime]] = {}
    for applied in incident.applied:
        record = applied.record
        if isinstance(record, (Snapshot, Handoff, DecisionRecord)):
            at = record.next_checkpoint_at
            if at is None:
                continue
            by_comment[applied.comment_id] = (applied.at, at)  # the comment's last one counts
    return _settled(sorted(by_comment.values()), end)


def update_punctuality(incident: Incident, end: datetime, config: Config) -> Punctuality:
    """Each stakeholder update against the due time the clock gave it."""
    severity = incident.severity
    cadence = timedelta(
        minutes=config.clock.comms_cadence_minutes[severity]
        if severity is not None
        else DEFAULT_CADENCE_MINUTES
    )
    dues = [(incident.issue.created_at, incident.issue.created_at + cadence)]
    for applied, update in incident.records(StakeholderUpdate):
        dues.append((applied.at, min(update.next_update, applied.at + cadence)))
    return _settled(dues, end)


def measure(reported: Reported, now: datetime, config: Config) -> Measured:
    """One incident's numbers (a dismissed one's are only its count)."""
    incident = reported.incident
    issue = incident.issue
    created = issue.created_at
    dismissed = is_dismissed(incident)
    severity = str(incident.severity) if incident.severity is not None else UNKNOWN
    month = month_of(created)
    if dismissed:
        return Measured(
            number=issue.number,
            severity=severity,
            month=month,
            dismissed=True,
            closed=False,
            to_owner=None,
            to_first_checkpoint=None,
            to_mitigation=None,
            to_closure=None,
            checkpoints=Punctuality(),
            updates=Punctuality(),
            blocked=reported.blocked,
            review_held=False,
        )
    closed = issue.state == "closed" and issue.closed_at is not None
    end = _end(incident, now)
    return Measured(
        number=issue.number,
        severity=severity,
        month=month,
        dismissed=False,
        closed=closed,
        to_owner=_minutes(created, owner_named_at(incident)),
        to_first_checkpoint=_minutes(created, first_checkpoint_at(incident)),
        to_mitigation=_minutes(created, mitigated_at(incident)),
        to_closure=_minutes(created, issue.closed_at) if closed else None,
        checkpoints=checkpoint_punctuality(incident, end),
        updates=update_punctuality(incident, end, config),
        blocked=reported.blocked,
        review_held=bool(incident.records(PostClosureReview)),
    )


# -- groups ------------------------------------------------------------------------------


def months_between(first: str, last: str) -> tuple[str, ...]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included, empty ones too."""
    year, month = int(first[:4]), int(first[5:])
    found: list[str] = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(found)


def _follow_ups(items: Iterable[FollowUpIssue], today: date) -> FollowUps:
    opened = done = overdue = 0
    for item in items:
        if item.closed:
            done += 1
        else:
            opened += 1
            overdue += item.due is not None and item.due < today
    return FollowUps(opened, done, overdue)


def _row(
    severity: str,
    month: str,
    measured: Sequence[Measured],
    follow_ups: Mapping[int, Sequence[FollowUpIssue]],
    today: date,
) -> Row:
    live = [m for m in measured if not m.dismissed]
    reasons: dict[str, int] = {}
    for m in measured:
        for blocked in m.blocked:
            for reason in blocked.reasons:
                reasons[reason] = reasons.get(reason, 0) + 1
    return Row(
        severity=severity,
        month=month,
        incidents=len(measured),
        closed=sum(m.closed for m in live),
        dismissed=len(measured) - len(live),
        time_to_owner=stat(m.to_owner for m in live),
        time_to_first_checkpoint=stat(m.to_first_checkpoint for m in live),
        time_to_mitigation=stat(m.to_mitigation for m in live),
        time_to_closure=stat(m.to_closure for m in live),
        checkpoints=sum((m.checkpoints for m in live), Punctuality()),
        updates=sum((m.updates for m in live), Punctuality()),
        closures_blocked=sum(len(m.blocked) for m in measured),
        blocked_by=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        follow_ups=_follow_ups((f for m in measured for f in follow_ups.get(m.number, ())), today),
        reviews_held=sum(m.review_held for m in live),
    )


def _severity_order(severity: str) -> tuple[int, str]:
    return (severity == UNKNOWN, severity)


def build(
    incidents: Iterable[Reported],
    follow_ups: Iterable[FollowUpIssue],
    config: Config,
    now: datetime,
    since: date | None = None,
) -> Report:
    """The report: a row per severity per month with incidents, per severity, per month
    (every month from ``since``, or the first incident's, to now's, empty ones too), and
    one overall."""
    measured = [
        measure(r, now, config)
        for r in incidents
        if since is None or r.incident.issue.created_at.astimezone(UTC).date() >= since
    ]
    by_incident: dict[int, list[FollowUpIssue]] = {}
    for item in follow_ups:
        by_incident.setdefault(item.incident, []).append(item)
    today = now.date()
    last = month_of(now)
    first = f"{since.year:04d}-{since.month:02d}" if since is not None else None
    if first is None:
        first = min((m.month for m in measured), default=last)
    months = months_between(first, max(last, max((m.month for m in measured), default=last)))
    severities = tuple(sorted({m.severity for m in measured}, key=_severity_order))
    rows: list[Row] = []
    for severity in severities:
        for month in months:
            group = [m for m in measured if m.severity == severity and m.month == month]
            if group:
                rows.append(_row(severity, month, group, by_incident, today))
        group = [m for m in measured if m.severity == severity]
        rows.append(_row(severity, ALL, group, by_incident, today))
    for month in months:
        group = [m for m in measured if m.month == month]
        rows.append(_row(ALL, month, group, by_incident, today))
    rows.append(_row(ALL, ALL, measured, by_incident, today))
    return Report(now, since, months, severities, tuple(rows))
