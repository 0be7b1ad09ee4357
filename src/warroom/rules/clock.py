"""The playbook's clock: the first 15 minutes, checkpoints, comms cadence, the 24h watch.

Each item says when it is due, who owns it and whether it is overdue at
``now``. Reminders are keyed by what they are about (the checkpoint's time,
the update that is due, the timeline's stage), so a sweep every ten minutes
reminds once per miss, not once per sweep. An overdue item may hold a label
while it is overdue (``checkpoint: overdue``): the sweep that finds the time
passed puts it on, and the run of the record that commits the next checkpoint
takes it off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.config import Config
from warroom.incident import Incident, Lane
from warroom.model import FollowUpKind, Status
from warroom.records.models import StakeholderUpdate
from warroom.rules import publication, readiness, timeline


@dataclass(frozen=True)
class ChecklistItem:
    """One of the first-15-minutes protocol's steps."""

    title: str
    done: bool
    how: str


@dataclass(frozen=True)
class ClockItem:
    """Something due at a time, owned by someone."""

    key: str
    title: str
    due: datetime
    owners: tuple[str, ...]
    overdue: bool
    reminder_key: str
    """Stable for one miss: a new reminder is posted only when this changes."""
    label: str | None = None
    """A label the incident carries while this is overdue."""
    how: str = ""
    """What to post to settle it (warroom's words), when the reminder's kind does not say."""
    playbook: str = ""
    """The playbook's words it enforces, quoted by its reminder."""


def first_fifteen(incident: Incident) -> tuple[ChecklistItem, ...]:
    """The first-15-minutes protocol, ticked from the declaration and the lane tracker."""
    owners = incident.owners
    lanes_ready = all(owners.lanes.get(lane) and owners.next_owner(lane) for lane in Lane)
    return (
        ChecklistItem(
            "assign incident owner and deputy",
            bool(owners.commander and owners.deputy),
            "name the Incident commander and Deputy in the issue form",
        ),
        ChecklistItem(
            "capture baseline evidence (failing commands, logs, blast radius)",
            # The precheck's output, stored in the first checkpoint record, is baseline evidence.
            readiness.baseline_captured(incident) and readiness.blast_radius_stated(incident),
            "fill Baseline evidence and Blast radius in the issue form, or paste the precheck "
            "commands and their output in the first Checkpoint Decision Record",
        ),
        ChecklistItem(
            "open lane tracker with explicit next owner per lane",
            lanes_ready,
            "name every lane's owner in the form and a Deputy (every lane's next owner)",
        ),
    )


def _stamp(when: datetime) -> str:
    return when.strftime("%Y%m%dT%H%M")


def items(incident: Incident, now: datetime, config: Config) -> tuple[ClockItem, ...]:
    """What is due, while the incident is open (and the watch after it closes)."""
    clock = config.clock
    found: list[ClockItem] = []
    created = incident.issue.created_at
    if incident.issue.state == "open":
        deadline = created + timedelta(minutes=clock.first_response_minutes)
        open_steps = [c for c in first_fifteen(incident) if not c.done]
        if open_steps:
            found.append(
                ClockItem(
                    "first-15",
                    f"first {clock.first_response_minutes} minutes: "
                    + "; ".join(c.title for c in open_steps),
                    deadline,
                    incident.owners.commander,
                    now > deadline,
                    f"first-15-{_stamp(deadline)}",
                )
            )
        unready = [c for c in readiness.checks(incident) if not c.done]
        if unready:
            found.append(
                ClockItem(
                    "readiness",
                    "readiness checks before the playbook runs: "
                    + "; ".join(c.title for c in unready),
                    deadline,
                    incident.owners.commander,
                    now > deadline,
                    f"readiness-{_stamp(deadline)}",
                    how="; ".join(c.how for c in unready),
                    playbook=readiness.PLAYBOOK,
                )
            )
        checkpoint = incident.next_checkpoint
        if checkpoint is not None:
            at, owner = checkpoint
            found.append(
                ClockItem(
                    "checkpoint",
                    "next checkpoint",
                    at,
                    owner,
                    now > at,
                    f"checkpoint-{_stamp(at)}",
                    label=config.labels.checkpoint_overdue if now > at else None,
                )
            )
        found.append(_comms(incident, now, config))
        found += _timeline(incident, now, config)
    watch = _watch(incident, now, config)
    if watch is not None:
        found.append(watch)
    hardening = _hardening(incident, now, config)
    if hardening is not None:
        found.append(hardening)
    return tuple(found)


def _timeline(incident: Incident, now: datetime, config: Config) -> list[ClockItem]:
    """The 60-minute command timeline's stages still missing evidence: those due, and the next.

    Each is reminded once, keyed by its stage; only the next stage to come is
    listed ahead, so the sweep wakes for it without the status listing all five.
    """
    found: list[ClockItem] = []
    for stage in timeline.stages(incident, config):
        if stage.done:
            continue
        overdue = now > stage.due
        if not overdue and any(not item.overdue for item in found):
            break
        found.append(
            ClockItem(
                "timeline",
                f"60-minute command timeline, T+{stage.minute}: {stage.title}",
                stage.due,
                incident.owners.commander,
                overdue,
                f"timeline-{stage.key}",
                how=stage.how,
                playbook=stage.playbook,
            )
        )
    return found


def _comms(incident: Incident, now: datetime, config: Config) -> ClockItem:
    """Stakeholders hear on cadence: the committed time, or the severity's cadence, if sooner."""
    severity = incident.severity
    cadence = timedelta(
        minutes=config.clock.comms_cadence_minutes[severity] if severity else 60,
    )
    updates = incident.records(StakeholderUpdate)
    if updates:
        applied, last = updates[-1]
        due = min(last.next_update, applied.at + cadence)
    else:
        due = incident.issue.created_at + cadence
    owner = incident.owners.lanes.get(Lane.COMMS, ())
    return ClockItem(
        "comms", "next stakeholder update", due, owner, now > due, f"comms-{_stamp(due)}"
    )


def recovered_at(incident: Incident) -> datetime | None:
    """When stakeholders were told "recovered" (the start of the watch and the hardening loop)."""
    for applied, update in reversed(incident.records(StakeholderUpdate)):
        if update.status is Status.RECOVERED:
            return applied.at
    return None


def _watch(incident: Incident, now: datetime, config: Config) -> ClockItem | None:
    closed = incident.issue.closed_at
    if incident.issue.state != "closed" or closed is None:
        return None
    until = closed + timedelta(hours=config.clock.watch_hours)
    if now > until:
        return None
    owner: tuple[str, ...] = ()
    for applied in incident.applied:
        watch_owner = getattr(applied.record, "watch_owner", None)
        if isinstance(watch_owner, tuple):
            owner = watch_owner
    return ClockItem(
        "watch", f"{config.clock.watch_hours}h watch window ends", until, owner, False, ""
    )


def _hardening(incident: Incident, now: datetime, config: Config) -> ClockItem | None:
    """Within 24 hours of recovery: timeline, guardrail, regression test, owners and dates."""
    start = recovered_at(incident)
    if start is None:
        return None
    wanted = {FollowUpKind.TIMELINE, FollowUpKind.GUARDRAIL, FollowUpKind.REGRESSION_TEST}
    have = {record.followup_kind for _, record in incident.follow_ups}
    if publication.published(incident, config):
        have.add(FollowUpKind.TIMELINE)  # the closure review package is the timeline
    missing = sorted(k.value for k in wanted - have)
    if not missing:
        return None
    due = start + timedelta(hours=config.clock.hardening_within_hours)
    return ClockItem(
        "hardening",
        "post-incident hardening loop: " + ", ".join(missing),
        due,
        incident.owners.commander,
        now > due,
        f"hardening-{_stamp(due)}",
    )
