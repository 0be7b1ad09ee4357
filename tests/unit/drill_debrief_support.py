"""Plays of the auth drill for the debrief's tests: an issue, people's and bots' comments, facts.

Records are the ones the story writes (``warroom.story``), read by the real
parsers; times are minutes after the signal (``START``, T+00:00). ``good``
is a play that meets every target; each test changes it a little.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from tests.unit.fake_github import START, make_comment, make_issue
from warroom import story
from warroom.config import Config
from warroom.drill import debrief
from warroom.drill.facts import Beat, DrillFacts, EvidenceRun
from warroom.markers import marker
from warroom.model import CommentSnapshot, IssueSnapshot

C, D, M, V, S = story.COMMANDER, story.DEPUTY, story.MITIGATION, story.VERIFICATION, story.COMMS
BOT = "warroom[bot]"
MONITOR = "drill-monitor"
STAKEHOLDER = "drill-stakeholder"
INCIDENT = 7
SIGNAL = 6


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def with_checkpoint(record: str, minutes: int, owner: str = D) -> str:
    """A decision record that also commits the next checkpoint."""
    return (
        record.rstrip("\n")
        + f"\n- Next checkpoint at: {story.at(START, minutes)}\n- Next owner: @{owner}\n"
    )


def reopen_notice(missing: Sequence[str]) -> str:
    """warroom's reopen notice, as ``templates/reopened.md.j2`` writes it."""
    lines = "\n".join(f"- **{title}** (none on record): post it" for title in missing)
    return (
        f"{marker('reopened', f'{INCIDENT}.1')}\nThis incident was reopened: it was closed "
        f'before the closure gate was met.\n\n"Looks stable" is not closure criteria. Still '
        f"missing:\n\n{lines}\n"
    )


Post = tuple[str, float, str]
"""(author, minutes after the signal, body); a bot author posts as a bot."""

GOOD: tuple[Post, ...] = (
    (C, 5, story.snapshot(START, next_in=20)),
    (V, 12, story.auth_evidence(START)),
    (C, 15, with_checkpoint(story.decision(START, minute=15), 40)),
    (S, 18, story.stakeholder(START, status="mitigating", next_in=45)),
    (V, 30, story.verification(START, minute=30)),
    *((who, 34, text) for who, text in story.follow_ups()),
    (C, 36, story.snapshot(START, phase="recovery", next_in=90)),
    (C, 38, story.leadership()),
    (S, 40, story.stakeholder(START, status="recovered", next_in=120)),
    (C, 42, story.closure()),
)
"""A play that meets every target: filed at T+02, closed at T+45 with the gate met."""


@dataclass(frozen=True)
class Play:
    """One play of the drill: what the runner would hand to ``debrief.build``."""

    posts: tuple[Post, ...] = GOOD
    filed: float | None = 2
    """When the incident was filed; ``None``: never."""
    closed: float | None = 45
    ended: float = 45
    ended_by: str = "gate"
    body: str = field(default_factory=story.incident_body)
    beats: tuple[Beat, ...] = ()
    runs: tuple[EvidenceRun, ...] = ()

    def issue(self) -> IssueSnapshot | None:
        if self.filed is None:
            return None
        extra: dict[str, object] = {}
        if self.closed is not None:
            extra = {"state": "closed", "closed_at": at(self.closed), "state_reason": "completed"}
        return make_issue(
            self.body,
            number=INCIDENT,
            created_at=at(self.filed),
            title="401s after the auth-gateway deploy",
            html_url=f"https://github.test/o/r/issues/{INCIDENT}",
            **extra,
        )

    def comments(self) -> list[CommentSnapshot]:
        found = []
        for ident, (author, minutes, text) in enumerate(self.posts, start=1):
            comment = make_comment(text, author=author, minutes=0, bot=author == BOT, ident=ident)
            when = at(minutes)
            url = f"https://github.test/o/r/issues/{INCIDENT}#issuecomment-{ident}"
            found.append(replace(comment, created_at=when, updated_at=when, html_url=url))
        return found

    def facts(self) -> DrillFacts:
        return DrillFacts(
            scenario="auth-token-failure",
            title="Auth token failure after release",
            started_at=START,
            ended_at=at(self.ended),
            ended_by="gate" if self.ended_by == "gate" else "time",
            speed=10.0,
            timeline_minutes=60,
            time_limit_minutes=90,
            signal_issue=SIGNAL,
            incident=INCIDENT if self.filed is not None else None,
            players=(C, D, M, V, S),
            scripted=(MONITOR, STAKEHOLDER),
            beats=self.beats,
            evidence_runs=self.runs,
        )

    def permissions(self) -> dict[str, str]:
        return {who.lower(): "write" for who in (C, D, M, V, S)}

    def build(self, config: Config | None = None) -> debrief.Debrief:
        return debrief.build(
            self.issue(),
            self.comments(),
            permissions=self.permissions(),
            config=config or Config(),
            facts=self.facts(),
        )


def beat(key: str, kind: str, minutes: float, summary: str, by: str = MONITOR) -> Beat:
    return Beat(key, kind, at(minutes), by, SIGNAL, None, summary)


BEATS: tuple[Beat, ...] = (
    beat("signal", "signal", 0, "alert AUTH-401-RATE opened the signal issue: 401 rate 38%"),
    beat("monitor-1", "monitor", 1, "401 rate 41% on auth-gateway"),
    beat("monitor-2", "monitor", 10, "401 rate 44%; support tickets doubling"),
    beat("monitor-3", "monitor", 33, "401 rate 0.3% after the rollback"),
)
RUNS: tuple[EvidenceRun, ...] = (
    EvidenceRun("deployctl rollback --dry-run 4f2c1a9", M, at(11), "rollback safety check output"),
)
