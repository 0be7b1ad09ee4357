"""The playbook's readiness checks: what must hold before the playbook runs.

"Provider-specific readiness checks": the owner graph is complete, the last
known-good revision is named and the rollback path is confirmed executable
now. The form asks for all three; a later record can complete them (a
snapshot naming the latest stable revision, a decision record confirming the
rollback path). They are shown in the status comment and, while one is open
past the first-response deadline, reminded once (``warroom.rules.clock``).

The minimal precheck command set is offered as a fillable block; its output,
pasted into the first Checkpoint Decision Record (``Commands executed`` and
``Outputs``), is baseline evidence (``baseline_from_precheck``).

Pure: reads the incident, never the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from warroom.incident import Incident, Lane
from warroom.records.models import DecisionRecord, Snapshot

PLAYBOOK = (
    "Before running this playbook, enforce these prechecks: Repository state: identify last "
    "known-good revision and confirm rollback path is executable now. Owner graph: commander, "
    "mitigation owner, verifier owner, and communications owner are all named."
)
"""The playbook's words, as the README's rule table and the reminder quote them."""

PRECHECK_COMMANDS = (
    "git rev-parse --short HEAD",
    "git log --oneline -n 5",
    "# add your service health check here",
)
"""The playbook's minimal precheck command set, shown as a fillable block."""

CONFIRMING = re.compile(r"(?:confirmed|yes)\b", re.IGNORECASE)
"""How a ``Rollback readiness`` statement begins when it confirms the path is executable
(anchored, no quantifier: linear)."""

ROLES = (
    ("commander", Lane.TRIAGE),
    ("mitigation owner", Lane.MITIGATION),
    ("verifier owner", Lane.VERIFICATION),
    ("communications owner", Lane.COMMS),
)
"""The owner graph the playbook names, with the lane each role owns."""


@dataclass(frozen=True)
class Check:
    """One readiness check: its title, whether it holds, and how to make it hold."""

    title: str
    done: bool
    how: str


def confirms_rollback(statement: str | None) -> bool:
    """Whether a record's ``Rollback readiness`` confirms the path ("confirmed: dry run ...")."""
    return statement is not None and CONFIRMING.match(statement.strip()) is not None


def rollback_confirmed(incident: Incident) -> bool:
    """The form's Rollback readiness box is ticked, or a later decision record confirms it."""
    declaration = incident.declaration
    if declaration is not None and declaration.rollback_ready:
        return True
    return any(confirms_rollback(d.rollback_ready) for _, d in incident.records(DecisionRecord))


def known_good(incident: Incident) -> str:
    """The last known-good revision: the latest snapshot's, else the form's, else ``""``."""
    snapshot = incident.latest(Snapshot)
    if snapshot is not None and snapshot.latest_stable_revision.strip():
        return snapshot.latest_stable_revision.strip()
    declaration = incident.declaration
    return declaration.last_known_good.strip() if declaration is not None else ""


def missing_owners(incident: Incident) -> tuple[str, ...]:
    """The roles of the owner graph nobody is named for."""
    owners = incident.owners
    return tuple(
        role
        for role, lane in ROLES
        if not (owners.commander if lane is Lane.TRIAGE else owners.lanes.get(lane))
    )


def checks(incident: Incident) -> tuple[Check, ...]:
    """The three readiness checks, in the playbook's order."""
    missing = missing_owners(incident)
    return (
        Check(
            "owner graph complete (commander, mitigation, verifier and communications owners)",
            not missing,
            "name the " + ", ".join(missing) + " in the issue form (GitHub @logins)"
            if missing
            else "",
        ),
        Check(
            "last known-good revision named",
            bool(known_good(incident)),
            "fill Last known-good revision in the issue form "
            "(the output of `git rev-parse --short HEAD` on it)",
        ),
        Check(
            "rollback path confirmed executable now",
            rollback_confirmed(incident),
            "tick Rollback readiness in the issue form, or write `Rollback readiness: "
            "confirmed: ...` (how you checked) in a Checkpoint Decision Record",
        ),
    )


def baseline_from_precheck(incident: Incident) -> bool:
    """The first Checkpoint Decision Record stores command output (the precheck's, say).

    The playbook: "Store command output in the first checkpoint record." Such a
    record counts as the baseline evidence of the first-15-minutes protocol.
    """
    decisions = incident.records(DecisionRecord)
    if not decisions:
        return False
    first = decisions[0][1]
    return all(value and value.strip() for value in (first.commands, first.outputs))


def baseline_captured(incident: Incident) -> bool:
    """Baseline evidence in the form, or the precheck's output in the first checkpoint record."""
    declaration = incident.declaration
    if declaration is not None and declaration.baseline_evidence.strip():
        return True
    return baseline_from_precheck(incident)


def blast_radius_stated(incident: Incident) -> bool:
    """The blast radius is stated: in the form, or by the first Checkpoint Decision Record."""
    declaration = incident.declaration
    if declaration is not None and declaration.blast_radius.strip():
        return True
    decisions = incident.records(DecisionRecord)
    radius = decisions[0][1].blast_radius if decisions else None
    return bool(radius and radius.strip())
