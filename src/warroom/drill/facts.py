"""What the drill itself knows about a played drill, beyond the incident's issue and comments.

The debrief (``debrief.py``) reads the incident the way the Action does
(``incident.from_issue``) and adds these facts, which only the drill has:
when the signal went out, when it ended and why, and what the script did.
Frozen data, so the debrief stays pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

EndedBy = Literal["gate", "time"]


@dataclass(frozen=True)
class EvidenceRun:
    """One ``/drill run <command>`` the drill answered."""

    command: str
    by: str
    at: datetime
    reveals: str
    """The evidence item it reveals (the scenario minimum's label), or ``""``."""


@dataclass(frozen=True)
class Beat:
    """One thing the script did: a monitoring comment, a stakeholder's ask, a red rerun ..."""

    key: str
    """Stable id of the beat: ``monitor-3``, ``stakeholder-1``, ``contradiction`` ..."""
    kind: str
    """``signal``, ``monitor``, ``stakeholder``, ``contradiction``, ``red-rerun``, ``evidence``."""
    at: datetime
    by: str
    issue: int
    comment_id: int | None
    summary: str
    """One line in warroom's words (no people's text), for the drill log and the debrief."""


@dataclass(frozen=True)
class DrillFacts:
    """The drill's own record of one play of a scenario."""

    scenario: str
    """The scenario's name (``auth-token-failure``)."""
    title: str
    started_at: datetime
    """T+0: the opening signal went out (sandbox time)."""
    ended_at: datetime
    ended_by: EndedBy
    """``gate``: the incident closed with the gate met; ``time``: the time limit passed."""
    speed: float
    timeline_minutes: int
    """The playbook's command timeline the times are held against (60)."""
    time_limit_minutes: int
    signal_issue: int
    """The alert issue the signal opened."""
    incident: int | None
    """The incident issue the players filed, or ``None`` when they never did."""
    players: tuple[str, ...]
    """The logins the players post as."""
    scripted: tuple[str, ...]
    """The logins of the scripted characters (monitoring, stakeholder, second owner ...)."""
    beats: tuple[Beat, ...] = ()
    evidence_runs: tuple[EvidenceRun, ...] = ()
