"""The report as one flat table: the columns JSON and CSV share, and how a number reads.

JSON and CSV are written from ``flat`` alone, so they carry the same numbers
by construction (a test checks it from the outside too). Durations are
minutes (one decimal); punctualities are on-time shares from 0 to 1 (three
decimals); a measure without a value is ``null`` in JSON and empty in CSV.
"""

from __future__ import annotations

from typing import Any

from warroom.report.metrics import Punctuality, Row, Stat

DURATIONS = ("time_to_owner", "time_to_first_checkpoint", "time_to_mitigation", "time_to_closure")
"""The four durations, each as count, median and 90th percentile."""

COLUMNS: tuple[str, ...] = (
    "severity",
    "month",
    "incidents",
    "closed",
    "dismissed",
    *(f"{d}_{part}" for d in DURATIONS for part in ("count", "median_minutes", "p90_minutes")),
    "checkpoints_due",
    "checkpoints_on_time",
    "checkpoint_punctuality",
    "updates_due",
    "updates_on_time",
    "update_punctuality",
    "closures_blocked",
    "blocked_by",
    "follow_ups_open",
    "follow_ups_done",
    "follow_ups_overdue",
    "reviews_held",
)


def share(punctuality: Punctuality) -> float | None:
    ratio = punctuality.ratio
    return round(ratio, 3) if ratio is not None else None


def flat(row: Row) -> dict[str, Any]:
    """``row`` under ``COLUMNS``; ``blocked_by`` maps each missing condition to its count."""
    values: dict[str, Any] = {
        "severity": row.severity,
        "month": row.month,
        "incidents": row.incidents,
        "closed": row.closed,
        "dismissed": row.dismissed,
    }
    for name in DURATIONS:
        found: Stat = getattr(row, name)
        values[f"{name}_count"] = found.count
        values[f"{name}_median_minutes"] = found.median
        values[f"{name}_p90_minutes"] = found.p90
    values |= {
        "checkpoints_due": row.checkpoints.due,
        "checkpoints_on_time": row.checkpoints.on_time,
        "checkpoint_punctuality": share(row.checkpoints),
        "updates_due": row.updates.due,
        "updates_on_time": row.updates.on_time,
        "update_punctuality": share(row.updates),
        "closures_blocked": row.closures_blocked,
        "blocked_by": dict(row.blocked_by),
        "follow_ups_open": row.follow_ups.open,
        "follow_ups_done": row.follow_ups.done,
        "follow_ups_overdue": row.follow_ups.overdue,
        "reviews_held": row.reviews_held,
    }
    return values


def duration(minutes: float | None) -> str:
    """``—`` for none, else minutes, hours and minutes, or days and hours, as they fit."""
    if minutes is None:
        return "—"
    whole = round(minutes)
    if whole < 60:
        return f"{whole}m"
    hours, rest = divmod(whole, 60)
    if hours < 48:
        return f"{hours}h {rest:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def percent(punctuality: Punctuality) -> str:
    """``on time/due (NN %)``, or ``—`` when nothing fell due."""
    ratio = punctuality.ratio
    if ratio is None:
        return "—"
    return f"{punctuality.on_time}/{punctuality.due} ({round(100 * ratio)} %)"


HEADERS: tuple[str, ...] = (
    "Severity",
    "Month",
    "Incidents",
    "Closed",
    "Dismissed",
    "Time to owner (median / p90)",
    "Time to first checkpoint",
    "Time to mitigation",
    "Time to closure",
    "Checkpoints on time",
    "Updates on time",
    "Closures blocked",
    "Follow-ups open / done / overdue",
    "Reviews held",
)
"""The human tables' columns (Markdown and HTML), in the order of ``cells``."""


def _pair(found: Stat) -> str:
    if found.count == 0:
        return "—"
    return f"{duration(found.median)} / {duration(found.p90)}"


def cells(row: Row) -> tuple[str, ...]:
    """``row`` as the human tables show it, under ``HEADERS`` (plain text, not yet escaped)."""
    follow = row.follow_ups
    return (
        row.severity,
        row.month,
        str(row.incidents),
        str(row.closed),
        str(row.dismissed),
        *(_pair(getattr(row, name)) for name in DURATIONS),
        percent(row.checkpoints),
        percent(row.updates),
        str(row.closures_blocked),
        f"{follow.open} / {follow.done} / {follow.overdue}",
        str(row.reviews_held),
    )
