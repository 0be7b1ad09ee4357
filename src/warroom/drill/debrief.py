"""The drill's debrief: how the team played the scenario, judged against the playbook.

A drill ends when the closure gate is met or its time runs out; the runner
then reads the incident (its issue and every comment, bots' too) and hands it
here with the drill's own facts (``warroom.drill.facts``). The debrief says:

* the times to owner, first checkpoint, one branch executed, mitigation
  verified and closure, each against its stage of the playbook's 60-minute
  command timeline (``TARGETS``, one table);
* each committed checkpoint and each stakeholder update that fell due, kept
  or missed (the report's punctuality rules, ``report.metrics``);
* the anti-patterns hit (``ANTI_PATTERNS``) at any moment of the drill, not
  only at its end: the incident is derived again as of each comment holding
  records (a prefix of the record), and warroom's own rules are asked of each
  prefix (``rules.guardrails``, ``rules.closure_gate``);
* every closure-gate condition and the drill time it was first met and stayed
  met, or its fix;
* the five post-closure review questions (``records.spec.REVIEW_QUESTIONS``)
  answered from those facts, saying so when the record cannot answer.

Promises: pure (no I/O beyond reading the bundled template, no ``github``,
``click`` or ``warroom.sandbox``), so the runner calls ``build`` with what it
read and the same record always gives the same debrief. Every time is a drill
time, ``T+MM:SS`` after ``DrillFacts.started_at`` (the signal), and minutes in
JSON. People's text and logins never ping: the Markdown quotes what people
wrote (``markers.quote``) and shows logins as code; it fits GitHub's 65,536
characters, cut with a note (``limits.fit_body``).

The JSON (``render_json``) is one object with sorted keys, version 1::

    version, scenario, title, started_at, ended_at (ISO 8601), ended_by ("gate" | "time"),
    ended_minutes, speed, timeline_minutes, time_limit_minutes, signal_issue,
    incident (number | null), incident_url, players, scripted,
    beats: [{key, kind, minutes, by, issue, comment_id, summary}],
    evidence_runs: [{command, by, minutes, reveals}],
    times: [{key, title, stage, playbook, source, target_minutes,
             minutes | null, late_minutes | null, verdict}],
    checkpoints: {due, kept, items: [{by, committed_minutes, due_minutes,
                  kept_minutes | null, next_minutes | null, status, url}]},
    updates: {cadence_minutes, due, on_time, items: [{due_minutes, basis,
              met_minutes | null, by, status}]},
    anti_patterns: [{key, title, playbook, guardrail, hit, judged, minutes | null,
                     stood_minutes, detail}],
    guardrails: [{rule, key, title, first_minutes, cleared_minutes | null, detail}],
    closures_blocked: [{minutes, reasons}],
    gate: {met, conditions: [{key, group, title, met, met_minutes | null, detail, fix}]},
    review: [{key, question, answer, answered}]

``status`` is ``kept``, ``missed`` or ``not due`` (it fell due after the drill
or the closure); ``verdict`` is ``on time``, ``N min late`` or ``not reached``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from warroom.config import Config
from warroom.declaration import read_declaration
from warroom.drill.facts import Beat, DrillFacts, EvidenceRun
from warroom.incident import Incident, derive, people_records
from warroom.limits import COMMENT_LIMIT, fit_body
from warroom.markers import marker, quote
from warroom.model import CommentSnapshot, IssueSnapshot, RerunResult
from warroom.parsing.forms import bundled_form, parse_form
from warroom.records.models import (
    DecisionRecord,
    Handoff,
    Snapshot,
    StakeholderUpdate,
    VerificationRecord,
)
from warroom.records.spec import REVIEW_QUESTIONS, SPECS
from warroom.render import render as default_render
from warroom.report import metrics
from warroom.report.reading import Blocked, blocked_closure
from warroom.rules import closure_gate, contradiction, guardrails, hero_mode, timeline
from warroom.rules.guardrail import Facts, Guardrail

KIND = "drill-debrief"
"""The marker kind: ``<!-- warroom:drill-debrief:N -->``, N the incident (or the signal)."""
VERSION = 1
"""The JSON's shape; raised when a key changes meaning or goes away."""
TEXT_LIMIT = 300
"""Characters of one piece of people's text shown in the Markdown (the JSON keeps it whole)."""

Status = Literal["kept", "missed", "not due"]
Render = Callable[[str, Mapping[str, Any]], str]


# -- the tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One measured time and the stage of the 60-minute command timeline it is held to."""

    key: str
    title: str
    minute: int
    """The stage's end: the time is on time when reached by T+minute."""
    stage: str
    playbook: str
    """The stage as the playbook writes it."""
    source: str
    """What reaches it, in warroom's words."""


TARGETS: tuple[Target, ...] = (
    Target(
        "owner",
        "Time to owner",
        10,
        "owner and deputy assigned",
        timeline.STAGES[0][2],
        "the first moment an incident commander is named: the form, or an Incident Command "
        "Snapshot",
    ),
    Target(
        "first_checkpoint",
        "Time to first checkpoint",
        20,
        "first decision checkpoint",
        timeline.STAGES[1][2],
        "the first Checkpoint Decision Record",
    ),
    Target(
        "branch",
        "Time to one branch executed",
        35,
        "one branch executed",
        timeline.STAGES[2][2],
        'the first Checkpoint Decision Record deciding "continue mitigation" or "rollback"',
    ),
    Target(
        "mitigation",
        "Time to mitigation",
        50,
        "mitigation verified",
        timeline.STAGES[3][2],
        "the first green Verification Rerun Record posted at or after the first decision to "
        "mitigate",
    ),
    Target(
        "closure",
        "Time to closure",
        60,
        "decision note, next checkpoint schedule, closure",
        timeline.STAGES[4][2],
        "the closure that stood (the incident closed at the end of the drill)",
    ),
)
"""The playbook's 60-minute command timeline as targets, in its order."""


@dataclass(frozen=True)
class Pattern:
    """One anti-pattern the debrief looks for: the playbook's words and warroom's guardrail."""

    key: str
    title: str
    playbook: str
    guardrail: str
    """What would have prevented it, in warroom's words."""


ANTI_PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "hero-mode",
        "Hero mode",
        hero_mode.PLAYBOOK,
        "spread the roles: nobody holds more than two of commander, deputy, mitigation, "
        "verification and comms",
    ),
    Pattern(
        "no-comms-cadence",
        "No comms cadence",
        "Mitigation without communication cadence — Code changes ship, but teams operate on "
        "stale assumptions.",
        "a Stakeholder Update on the severity's cadence, each committing the next update time",
    ),
    Pattern(
        "closure-without-rerun",
        "Closure without rerun proof",
        "Closure without rerun proof — Confidence language cannot replace command evidence.",
        "a green Verification Rerun Record after the mitigation decision, before closing",
    ),
    Pattern(
        "contradictory-mitigations",
        "Contradictory mitigations",
        "T+20–35: execute one branch decisively; avoid parallel contradictory mitigations.",
        "one Checkpoint Decision Record holding both recommendations, each scored for "
        "reversibility and blast radius, with a reassessment within 10 minutes",
    ),
)
"""The anti-patterns the drill's script provokes, in the order the debrief lists them."""


# -- the debrief ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """One time against its target."""

    target: Target
    at: datetime | None
    minutes: float | None
    late_minutes: float | None
    """Minutes past the target (``None``: on time, or not reached)."""
    verdict: str


@dataclass(frozen=True)
class Checkpoint:
    """One committed next checkpoint and whether the next one came by its time."""

    by: str
    committed_at: datetime
    due: datetime
    next_at: datetime | None
    """When the next comment committing a checkpoint was posted (``None``: none was)."""
    status: Status
    url: str

    @property
    def kept_at(self) -> datetime | None:
        return self.next_at if self.status == "kept" else None


@dataclass(frozen=True)
class UpdateDue:
    """One stakeholder update due, as the clock reminds it, and the update that met it."""

    due: datetime
    basis: str
    """Why it was due then, in warroom's words."""
    met_at: datetime | None
    by: str
    status: Status


@dataclass(frozen=True)
class AntiPattern:
    """One anti-pattern: whether it stood at any moment of the drill, from when, for how long."""

    pattern: Pattern
    hit: bool
    at: datetime | None
    stood_minutes: float
    detail: str
    """One line: what warroom saw (may name logins and quote people's words)."""
    judged: bool = True
    """``False`` when there was no incident to judge (never filed)."""


@dataclass(frozen=True)
class Raised:
    """One guardrail occurrence warroom's rules raised during the drill."""

    rule: str
    key: str
    title: str
    first_at: datetime
    cleared_at: datetime | None
    detail: str


@dataclass(frozen=True)
class GateRow:
    """One closure-gate condition and when it was first met and stayed met."""

    key: str
    group: str
    title: str
    met: bool
    met_at: datetime | None
    detail: str
    fix: str


@dataclass(frozen=True)
class Answer:
    """One post-closure review question, answered from the record (or saying it cannot)."""

    key: str
    question: str
    answer: str
    answered: bool


@dataclass(frozen=True)
class Debrief:
    """Everything the debrief says; rendered as Markdown and JSON."""

    facts: DrillFacts
    incident_url: str
    cadence_minutes: int
    times: tuple[Timing, ...]
    checkpoints: tuple[Checkpoint, ...]
    checkpoint_punctuality: metrics.Punctuality
    updates: tuple[UpdateDue, ...]
    update_punctuality: metrics.Punctuality
    anti_patterns: tuple[AntiPattern, ...]
    raised: tuple[Raised, ...]
    blocked: tuple[Blocked, ...]
    gate: tuple[GateRow, ...]
    answers: tuple[Answer, ...]

    @property
    def gate_met(self) -> bool:
        return bool(self.gate) and all(row.met for row in self.gate)

    @property
    def number(self) -> int:
        """The issue the debrief is posted on: the incident, else the signal."""
        return self.facts.incident if self.facts.incident is not None else self.facts.signal_issue


# -- time ------------------------------------------------------------------------------------


def minutes_since(start: datetime, at: datetime) -> float:
    return (at - start).total_seconds() / 60


def drill_time(start: datetime, at: datetime) -> str:
    """``T+MM:SS`` after ``start`` (``T-MM:SS`` before it); minutes may pass 99."""
    seconds = int((at - start).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    whole, rest = divmod(abs(seconds), 60)
    return f"T{sign}{whole:02d}:{rest:02d}"


def _late(minutes: float, target: int) -> float | None:
    return minutes - target if minutes > target else None


def _verdict(minutes: float | None, target: int) -> str:
    if minutes is None:
        return "not reached"
    late = _late(minutes, target)
    return "on time" if late is None else f"{math.ceil(late)} min late"


# -- the prefixes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Moment:
    """The incident as of one comment holding records (the first: as filed)."""

    at: datetime
    incident: Incident
    raised: tuple[Guardrail, ...]
    conditions: tuple[closure_gate.Condition, ...]


def _moments(
    issue: IssueSnapshot,
    comments: Sequence[CommentSnapshot],
    permissions: Mapping[str, str],
    config: Config,
) -> list[_Moment]:
    """The incident as filed, then as of each comment holding records, oldest first."""
    reading = read_declaration(parse_form(issue.body, bundled_form("incident")), config)
    people = sorted(people_records(comments, config), key=lambda p: (p[0].created_at, p[0].id))
    found: list[_Moment] = []
    for count in range(len(people) + 1):
        at = people[count - 1][0].created_at if count else issue.created_at
        incident = derive(
            issue,
            declaration=reading.value,
            declaration_findings=reading.findings,
            comments=people[:count],
            permissions=permissions,
            config=config,
        )
        found.append(
            _Moment(
                at,
                incident,
                guardrails.evaluate(incident, config, Facts(now=at)),
                closure_gate.evaluate(incident, config),
            )
        )
    return found


def _stood(spans: Sequence[tuple[datetime, bool]], end: datetime) -> float:
    """Minutes something stood, given (from when, whether it stood) in order, up to ``end``."""
    total = 0.0
    for index, (at, stands) in enumerate(spans):
        until = spans[index + 1][0] if index + 1 < len(spans) else end
        if stands and at < min(until, end):
            total += minutes_since(at, min(until, end))
    return total


# -- the parts -------------------------------------------------------------------------------


def _team_only(incident: Incident | None, scripted: Sequence[str]) -> Incident | None:
    """The incident with only the players' records: the times measure the team, so the
    scripted second owner's contradictory decision never counts as the team's branch."""
    if incident is None:
        return None
    cast = {login.lower() for login in scripted}
    return replace(
        incident, applied=tuple(a for a in incident.applied if a.author.lower() not in cast)
    )


def _times(incident: Incident | None, start: datetime) -> tuple[Timing, ...]:
    reached: dict[str, datetime | None] = dict.fromkeys((t.key for t in TARGETS), None)
    if incident is not None:
        issue = incident.issue
        reached["owner"] = metrics.owner_named_at(incident)
        reached["first_checkpoint"] = metrics.first_checkpoint_at(incident)
        reached["branch"] = next(
            (
                applied.at
                for applied, record in incident.records(DecisionRecord)
                if record.decision in timeline.EXECUTING
            ),
            None,
        )
        reached["mitigation"] = metrics.mitigated_at(incident)
        if issue.state == "closed" and issue.closed_at is not None:
            reached["closure"] = issue.closed_at
    found = []
    for target in TARGETS:
        at = reached[target.key]
        minutes = minutes_since(start, at) if at is not None else None
        late = _late(minutes, target.minute) if minutes is not None else None
        found.append(Timing(target, at, minutes, late, _verdict(minutes, target.minute)))
    return tuple(found)


def _status(next_at: datetime | None, due: datetime, end: datetime) -> Status:
    """The report's rule (``metrics._settled``): kept when the next one came by the due time,
    missed when it fell due before the clock stopped, else not due."""
    if next_at is not None and next_at <= due:
        return "kept"
    return "missed" if due < end else "not due"


def _checkpoints(incident: Incident, end: datetime) -> tuple[Checkpoint, ...]:
    """Each committed checkpoint (a comment's last one counts), as the report counts them."""
    by_comment: dict[int, tuple[datetime, datetime, str, str]] = {}
    for applied in incident.applied:
        record = applied.record
        if isinstance(record, Snapshot | Handoff | DecisionRecord):
            due = record.next_checkpoint_at
            if due is not None:
                by_comment[applied.comment_id] = (applied.at, due, applied.author, applied.url)
    ordered = sorted(by_comment.values())
    found = []
    for index, (at, due, by, url) in enumerate(ordered):
        next_at = ordered[index + 1][0] if index + 1 < len(ordered) else None
        found.append(Checkpoint(by, at, due, next_at, _status(next_at, due, end), url))
    return tuple(found)


def _cadence(incident: Incident, config: Config) -> int:
    severity = incident.severity
    if severity is None:
        return metrics.DEFAULT_CADENCE_MINUTES
    return config.clock.comms_cadence_minutes[severity]


def _updates(
    incident: Incident, end: datetime, cadence: int, start: datetime
) -> tuple[UpdateDue, ...]:
    """Each stakeholder update due as the clock reminds it (``metrics.update_punctuality``)."""
    step = timedelta(minutes=cadence)
    opened = incident.issue.created_at
    dues: list[tuple[datetime, datetime, str]] = [
        (opened, opened + step, f"{cadence} min after the incident was filed")
    ]
    posted: list[tuple[datetime, str]] = []
    for applied, update in incident.records(StakeholderUpdate):
        committed = update.next_update
        if committed < applied.at + step:
            basis = f"committed by the update at {drill_time(start, applied.at)}"
        else:
            basis = f"{cadence} min after the update at {drill_time(start, applied.at)}"
        dues.append((applied.at, min(committed, applied.at + step), basis))
        posted.append((applied.at, applied.author))
    found = []
    for index, (_, due, basis) in enumerate(dues):
        met_at, by = posted[index] if index < len(posted) else (None, "")
        found.append(UpdateDue(due, basis, met_at, by, _status(met_at, due, end)))
    return tuple(found)


def _guardrail_spans(
    moments: Sequence[_Moment], rule: str
) -> tuple[list[tuple[datetime, bool]], Guardrail | None, datetime | None]:
    """Whether ``rule`` stood at each moment, its first occurrence and when that was."""
    spans = []
    first: Guardrail | None = None
    first_at: datetime | None = None
    for moment in moments:
        standing = [g for g in moment.raised if g.rule == rule]
        if standing and first is None:
            first, first_at = standing[0], moment.at
        spans.append((moment.at, bool(standing)))
    return spans, first, first_at


def _from_rule(
    pattern: Pattern, moments: Sequence[_Moment], rule: str, end: datetime
) -> AntiPattern:
    spans, first, first_at = _guardrail_spans(moments, rule)
    if first is None:
        return AntiPattern(pattern, False, None, 0.0, "warroom's rule never fired")
    return AntiPattern(pattern, True, first_at, _stood(spans, end), first.detail)


def _no_cadence(
    pattern: Pattern, updates: Sequence[UpdateDue], end: datetime, start: datetime
) -> AntiPattern:
    missed = [u for u in updates if u.status == "missed"]
    if not missed:
        return AntiPattern(pattern, False, None, 0.0, "every stakeholder update came by its time")
    stood = sum(minutes_since(u.due, min(u.met_at or end, end)) for u in missed)
    first = missed[0]
    came = (
        f"came at {drill_time(start, first.met_at)}" if first.met_at is not None else "never came"
    )
    more = f"; {len(missed)} updates missed in all" if len(missed) > 1 else ""
    return AntiPattern(
        pattern,
        True,
        first.due,
        stood,
        f"the stakeholder update due at {drill_time(start, first.due)} {came}{more}",
    )


def _green_reruns(incident: Incident) -> list[datetime]:
    return [
        applied.at
        for applied, record in incident.records(VerificationRecord)
        if record.result is RerunResult.GREEN
    ]


def _no_rerun_proof(
    pattern: Pattern,
    incident: Incident,
    blocked: Sequence[Blocked],
    rerun_title: str,
    end: datetime,
    start: datetime,
) -> AntiPattern:
    """A closure warroom undid for want of a rerun, or any closure before a green rerun."""
    greens = _green_reruns(incident)
    closes = [(b.at, rerun_title in b.reasons) for b in blocked]
    issue = incident.issue
    if issue.state == "closed" and issue.closed_at is not None:
        closes.append((issue.closed_at, False))
    for at, for_rerun in sorted(closes):
        if for_rerun or not any(green <= at for green in greens):
            proof = next((green for green in greens if green > at), None)
            stood = minutes_since(at, min(proof or end, end)) if at < end else 0.0
            why = (
                "warroom reopened it: no fresh green rerun after the mitigation decision"
                if for_rerun
                else "no green Verification Rerun Record had been posted"
            )
            return AntiPattern(
                pattern, True, at, stood, f"closed at {drill_time(start, at)}; {why}"
            )
    return AntiPattern(pattern, False, None, 0.0, "no closure came before green rerun proof")


def _raised(moments: Sequence[_Moment]) -> tuple[Raised, ...]:
    """Every guardrail occurrence, from the moment it first stood to the one it no longer did."""
    seen: dict[tuple[str, str], tuple[Guardrail, datetime, datetime | None]] = {}
    for moment in moments:
        standing = {(g.rule, g.key) for g in moment.raised}
        for guardrail in moment.raised:
            seen.setdefault((guardrail.rule, guardrail.key), (guardrail, moment.at, None))
        for key, (guardrail, first, cleared) in list(seen.items()):
            if cleared is None and key not in standing:
                seen[key] = (guardrail, first, moment.at)
    return tuple(
        Raised(g.rule, g.key, g.title, first, cleared, g.detail)
        for g, first, cleared in sorted(seen.values(), key=lambda v: (v[1], v[0].rule, v[0].key))
    )


def _gate(moments: Sequence[_Moment]) -> tuple[GateRow, ...]:
    """Each condition at the end, and the first moment from which it stayed met."""
    final = moments[-1].conditions
    found = []
    for condition in final:
        ident = (condition.group, condition.key, condition.title)
        met_at: datetime | None = None
        if condition.met:
            for moment in reversed(moments):
                match = next(
                    (c for c in moment.conditions if (c.group, c.key, c.title) == ident), None
                )
                if match is None or not match.met:
                    break
                met_at = moment.at
        found.append(
            GateRow(
                condition.key,
                condition.group,
                condition.title,
                condition.met,
                met_at,
                condition.detail,
                condition.fix,
            )
        )
    return tuple(found)


# -- the review's answers ----------------------------------------------------------------------


def _record_name(kind: str) -> str:
    spec = SPECS.get(kind)
    return spec.title if spec is not None else f"{kind} record"


def _signal_answer(facts: DrillFacts, incident: Incident | None) -> Answer:
    start = facts.started_at
    monitors = [b for b in facts.beats if b.kind == "monitor"]
    alert = f"The alert (#{facts.signal_issue}) went out at T+00:00"
    if incident is None:
        said = f" and {len(monitors)} monitoring updates followed" if monitors else ""
        return Answer(
            "signal",
            REVIEW_QUESTIONS["signal"],
            f"{alert}{said}, but no incident was filed in the drill's "
            f"{math.ceil(minutes_since(start, facts.ended_at))} minutes: the signal itself "
            "was ignored.",
            True,
        )
    filed = drill_time(start, incident.issue.created_at)
    if not incident.applied:
        return Answer(
            "signal",
            REVIEW_QUESTIONS["signal"],
            f"{alert}; the incident was filed at {filed}, but no record was ever posted on it.",
            True,
        )
    first = incident.applied[0]
    before = [b for b in monitors if b.at < first.at]
    first_said = (
        f"the first record ({_record_name(first.record.kind)}, by @{first.author}) came at "
        f"{drill_time(start, first.at)}"
    )
    if before:
        beat = before[0]
        count = len(before)
        tail = (
            f" {count} monitoring update{'s' if count != 1 else ''} came before any record, "
            f"the first at {drill_time(start, beat.at)} ({beat.summary})."
        )
    else:
        tail = " No monitoring update came before the first record."
    return Answer(
        "signal",
        REVIEW_QUESTIONS["signal"],
        f"{alert}; the incident was filed at {filed} and {first_said}.{tail}",
        True,
    )


def _checkpoint_answer(facts: DrillFacts, incident: Incident | None) -> Answer:
    start = facts.started_at
    question = REVIEW_QUESTIONS["checkpoint"]
    decisions = incident.records(DecisionRecord) if incident is not None else []
    if not decisions:
        return Answer(
            "checkpoint",
            question,
            "The record cannot say: no Checkpoint Decision Record was posted in the drill's "
            f"{math.ceil(minutes_since(start, facts.ended_at))} minutes.",
            False,
        )
    steps: list[tuple[datetime, str, datetime, str]] = []
    before_at, before_said = start, "the signal at T+00:00"
    for applied, record in decisions:
        steps.append((before_at, before_said, applied.at, str(record.decision)))
        before_at = applied.at
        before_said = f'the "{record.decision}" decision at {drill_time(start, applied.at)}'
    began, began_said, reached, decided = max(steps, key=lambda s: (s[2] - s[0], -s[2].timestamp()))
    gap = minutes_since(began, reached)
    count = len(decisions)
    return Answer(
        "checkpoint",
        question,
        f"The longest wait was {gap:.0f} min, from {began_said} to the "
        f'"{decided}" decision at {drill_time(start, reached)} '
        f"({count} decision record{'s' if count != 1 else ''} in all).",
        True,
    )


def _unheld(moment: _Moment) -> list[str]:
    """The roles nobody held at ``moment`` (commander, deputy and the lanes)."""
    return [role for role, who in hero_mode.roles(moment.incident.owners).items() if not who]


def _ownership_answer(
    facts: DrillFacts, moments: Sequence[_Moment], patterns: Sequence[AntiPattern]
) -> Answer:
    start = facts.started_at
    question = REVIEW_QUESTIONS["ownership"]
    if not moments:
        return Answer("ownership", question, "The record cannot say: no incident was filed.", False)
    said: list[str] = []
    unheld = [_unheld(moment) for moment in moments]
    first = next((index for index, roles in enumerate(unheld) if roles), None)
    if first is not None:
        roles = ", ".join(unheld[first])
        later = next((i for i in range(first + 1, len(moments)) if not unheld[i]), None)
        if unheld[-1]:
            until = f"{', '.join(unheld[-1])} still had nobody at the end"
        else:
            until = f"every role was held from {drill_time(start, moments[later or 0].at)}"
        said.append(f"at {drill_time(start, moments[first].at)} nobody held {roles} ({until})")
    by_key = {p.pattern.key: p for p in patterns}
    hero = by_key["hero-mode"]
    if hero.hit and hero.at is not None:
        said.append(f"from {drill_time(start, hero.at)} hero mode stood ({hero.detail})")
    contested = by_key["contradictory-mitigations"]
    if contested.hit and contested.at is not None:
        said.append(
            f"at {drill_time(start, contested.at)} two owners' decisions conflicted "
            f"({contested.detail})"
        )
    if not said:
        return Answer(
            "ownership",
            question,
            "Nowhere the record shows: every lane had an owner from the filing, nobody held "
            "three or more roles, and no two owners' decisions conflicted.",
            True,
        )
    text = "; ".join(said)
    return Answer("ownership", question, text[0].upper() + text[1:] + ".", True)


def _worst(times: Sequence[Timing], end_minutes: float) -> tuple[Timing, float] | None:
    """The timing furthest past its target (one not reached counts to the drill's end)."""
    behind = []
    for timing in times:
        if timing.late_minutes is not None:
            behind.append((timing, timing.late_minutes))
        elif timing.minutes is None and end_minutes > timing.target.minute:
            behind.append((timing, end_minutes - timing.target.minute))
    return max(behind, key=lambda pair: pair[1]) if behind else None


def _guardrail_answer(
    facts: DrillFacts, patterns: Sequence[AntiPattern], times: Sequence[Timing]
) -> Answer:
    start = facts.started_at
    question = REVIEW_QUESTIONS["guardrail"]
    if facts.incident is None:
        return Answer(
            "guardrail",
            question,
            "No incident was filed, so the response never started: the guardrail that turns "
            "an alert into an incident issue with a named commander by T+10 would have saved "
            f'the most. The playbook: "{TARGETS[0].playbook}"',
            True,
        )
    hits = [p for p in patterns if p.hit]
    if hits:
        worst = max(hits, key=lambda p: p.stood_minutes)
        when = drill_time(start, worst.at) if worst.at is not None else "the start"
        return Answer(
            "guardrail",
            question,
            f"{worst.pattern.title} stood longest ({worst.stood_minutes:.0f} min, from "
            f"{when}): {worst.pattern.guardrail}. The playbook: "
            f'"{worst.pattern.playbook}"',
            True,
        )
    behind = _worst(times, minutes_since(start, facts.ended_at))
    if behind is None:
        return Answer(
            "guardrail",
            question,
            "The record shows no time lost: no anti-pattern stood and every stage of the "
            "command timeline met its target.",
            True,
        )
    timing, late = behind
    return Answer(
        "guardrail",
        question,
        f"No anti-pattern stood; the stage furthest behind was {timing.target.stage} "
        f"({late:.0f} min past T+{timing.target.minute}), so a guardrail there would help "
        f'most. The playbook: "{timing.target.playbook}"',
        True,
    )


def _metric_answer(
    facts: DrillFacts,
    times: Sequence[Timing],
    checkpoints: metrics.Punctuality,
    updates: metrics.Punctuality,
) -> Answer:
    """The time furthest past its target; when every time met its target, the punctuality
    that fell shortest (checkpoints kept, updates on time)."""
    question = REVIEW_QUESTIONS["metric"]
    behind = _worst(times, minutes_since(facts.started_at, facts.ended_at))
    if behind is not None:
        timing, late = behind
        how = (
            f"{timing.verdict} against T+{timing.target.minute}"
            if timing.minutes is not None
            else f"not reached, {late:.0f} min past T+{timing.target.minute} when the drill ended"
        )
        return Answer(
            "metric",
            question,
            f"{timing.target.title} was furthest past its target ({how}); it counts "
            f"{timing.target.source}.",
            True,
        )
    short = [
        (ratio, name, kept)
        for name, kept in (
            ("checkpoint punctuality", checkpoints),
            ("stakeholder-update punctuality", updates),
        )
        if (ratio := kept.ratio) is not None and ratio < 1
    ]
    if not short:
        return Answer(
            "metric",
            question,
            "Every time met its target and every checkpoint and update came on time, so the "
            "record points at no metric to add or redefine.",
            True,
        )
    _, name, kept = min(short, key=lambda item: item[0])
    return Answer(
        "metric",
        question,
        f"Every time met its target; {name} fell shortest ({kept.on_time} of {kept.due} on "
        "time), so it is the measure to watch in the next drill.",
        True,
    )


# -- build -----------------------------------------------------------------------------------


def build(
    issue: IssueSnapshot | None,
    comments: Sequence[CommentSnapshot],
    *,
    permissions: Mapping[str, str],
    config: Config,
    facts: DrillFacts,
) -> Debrief:
    """The debrief of one play: ``issue`` and all its ``comments`` (bots' too), or ``None``
    when no incident was filed; ``permissions`` maps logins (lower-case) to their access."""
    start = facts.started_at
    moments = _moments(issue, comments, permissions, config) if issue is not None else []
    incident = moments[-1].incident if moments else None
    times = _times(_team_only(incident, facts.scripted), start)
    patterns: list[AntiPattern]
    if incident is None:
        end = facts.ended_at
        cadence = metrics.DEFAULT_CADENCE_MINUTES
        checkpoints: tuple[Checkpoint, ...] = ()
        updates: tuple[UpdateDue, ...] = ()
        kept = on_time = metrics.Punctuality()
        blocked: tuple[Blocked, ...] = ()
        patterns = [
            AntiPattern(p, False, None, 0.0, "not judged: no incident was filed", judged=False)
            for p in ANTI_PATTERNS
        ]
    else:
        closed = incident.issue.closed_at
        end = closed if incident.issue.state == "closed" and closed is not None else facts.ended_at
        cadence = _cadence(incident, config)
        checkpoints = _checkpoints(incident, end)
        updates = _updates(incident, end, cadence, start)
        kept = metrics.checkpoint_punctuality(incident, end)
        on_time = metrics.update_punctuality(incident, end, config)
        blocked = tuple(
            sorted(
                (b for b in (blocked_closure(c) for c in comments) if b is not None),
                key=lambda b: b.at,
            )
        )
        rerun_title = next(c.title for c in moments[-1].conditions if c.key == "rerun")
        by_key = {p.key: p for p in ANTI_PATTERNS}
        patterns = [
            _from_rule(by_key["hero-mode"], moments, hero_mode.RULE, end),
            _no_cadence(by_key["no-comms-cadence"], updates, end, start),
            _no_rerun_proof(
                by_key["closure-without-rerun"], incident, blocked, rerun_title, end, start
            ),
            _from_rule(by_key["contradictory-mitigations"], moments, contradiction.RULE, end),
        ]
    answers = (
        _signal_answer(facts, incident),
        _checkpoint_answer(facts, incident),
        _ownership_answer(facts, moments, patterns),
        _guardrail_answer(facts, patterns, times),
        _metric_answer(facts, times, kept, on_time),
    )
    return Debrief(
        facts=facts,
        incident_url=issue.html_url if issue is not None else "",
        cadence_minutes=cadence,
        times=times,
        checkpoints=checkpoints,
        checkpoint_punctuality=kept,
        updates=updates,
        update_punctuality=on_time,
        anti_patterns=tuple(patterns),
        raised=_raised(moments),
        blocked=blocked,
        gate=_gate(moments) if moments else (),
        answers=answers,
    )


# -- JSON ------------------------------------------------------------------------------------


def _minutes(start: datetime, at: datetime | None) -> float | None:
    return round(minutes_since(start, at), 2) if at is not None else None


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _beat(start: datetime, beat: Beat) -> dict[str, Any]:
    return {
        "key": beat.key,
        "kind": beat.kind,
        "minutes": _minutes(start, beat.at),
        "by": beat.by,
        "issue": beat.issue,
        "comment_id": beat.comment_id,
        "summary": beat.summary,
    }


def _run(start: datetime, run: EvidenceRun) -> dict[str, Any]:
    return {
        "command": run.command,
        "by": run.by,
        "minutes": _minutes(start, run.at),
        "reveals": run.reveals,
    }


def to_data(debrief: Debrief) -> dict[str, Any]:
    """The debrief as plain data (the JSON's shape, documented in the module docstring)."""
    facts = debrief.facts
    start = facts.started_at
    return {
        "version": VERSION,
        "scenario": facts.scenario,
        "title": facts.title,
        "started_at": start.isoformat(),
        "ended_at": facts.ended_at.isoformat(),
        "ended_by": facts.ended_by,
        "ended_minutes": _minutes(start, facts.ended_at),
        "speed": facts.speed,
        "timeline_minutes": facts.timeline_minutes,
        "time_limit_minutes": facts.time_limit_minutes,
        "signal_issue": facts.signal_issue,
        "incident": facts.incident,
        "incident_url": debrief.incident_url,
        "players": list(facts.players),
        "scripted": list(facts.scripted),
        "beats": [_beat(start, b) for b in facts.beats],
        "evidence_runs": [_run(start, r) for r in facts.evidence_runs],
        "times": [
            {
                "key": t.target.key,
                "title": t.target.title,
                "stage": t.target.stage,
                "playbook": t.target.playbook,
                "source": t.target.source,
                "target_minutes": t.target.minute,
                "minutes": _round(t.minutes),
                "late_minutes": _round(t.late_minutes),
                "verdict": t.verdict,
            }
            for t in debrief.times
        ],
        "checkpoints": {
            "due": debrief.checkpoint_punctuality.due,
            "kept": debrief.checkpoint_punctuality.on_time,
            "items": [
                {
                    "by": c.by,
                    "committed_minutes": _minutes(start, c.committed_at),
                    "due_minutes": _minutes(start, c.due),
                    "kept_minutes": _minutes(start, c.kept_at),
                    "next_minutes": _minutes(start, c.next_at),
                    "status": c.status,
                    "url": c.url,
                }
                for c in debrief.checkpoints
            ],
        },
        "updates": {
            "cadence_minutes": debrief.cadence_minutes,
            "due": debrief.update_punctuality.due,
            "on_time": debrief.update_punctuality.on_time,
            "items": [
                {
                    "due_minutes": _minutes(start, u.due),
                    "basis": u.basis,
                    "met_minutes": _minutes(start, u.met_at),
                    "by": u.by,
                    "status": u.status,
                }
                for u in debrief.updates
            ],
        },
        "anti_patterns": [
            {
                "key": a.pattern.key,
                "title": a.pattern.title,
                "playbook": a.pattern.playbook,
                "guardrail": a.pattern.guardrail,
                "hit": a.hit,
                "judged": a.judged,
                "minutes": _minutes(start, a.at),
                "stood_minutes": round(a.stood_minutes, 2),
                "detail": a.detail,
            }
            for a in debrief.anti_patterns
        ],
        "guardrails": [
            {
                "rule": r.rule,
                "key": r.key,
                "title": r.title,
                "first_minutes": _minutes(start, r.first_at),
                "cleared_minutes": _minutes(start, r.cleared_at),
                "detail": r.detail,
            }
            for r in debrief.raised
        ],
        "closures_blocked": [
            {"minutes": _minutes(start, b.at), "reasons": list(b.reasons)} for b in debrief.blocked
        ],
        "gate": {
            "met": debrief.gate_met,
            "conditions": [
                {
                    "key": g.key,
                    "group": g.group,
                    "title": g.title,
                    "met": g.met,
                    "met_minutes": _minutes(start, g.met_at),
                    "detail": g.detail,
                    "fix": g.fix,
                }
                for g in debrief.gate
            ],
        },
        "review": [
            {"key": a.key, "question": a.question, "answer": a.answer, "answered": a.answered}
            for a in debrief.answers
        ],
    }


def render_json(debrief: Debrief) -> str:
    """The debrief as JSON: sorted keys, two-space indent, one trailing newline."""
    return json.dumps(to_data(debrief), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# -- Markdown --------------------------------------------------------------------------------


def _text(text: str, limit: int = TEXT_LIMIT) -> str:
    """People's text (or text that may hold it) on one line, cut, and quoted: inert."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return quote(flat)


def _who(login: str) -> str:
    """A login shown without pinging."""
    return f"`@{login}`" if login else "—"


def _speed(speed: float) -> str:
    return f"{speed:g}×"


def context(debrief: Debrief) -> dict[str, Any]:
    """What ``templates/drill/debrief.md.j2`` shows: every value already safe to print."""
    facts = debrief.facts
    start = facts.started_at

    def t(at: datetime | None) -> str:
        return drill_time(start, at) if at is not None else "—"

    if facts.ended_by == "gate":
        closed = next((x.at for x in debrief.times if x.target.key == "closure"), None)
        ended = f"the closure gate was met and the incident closed at {t(closed or facts.ended_at)}"
    else:
        ended = f"time ran out at {t(facts.ended_at)} (the limit is {facts.time_limit_minutes} min)"
    return {
        "marker": marker(KIND, debrief.number),
        "title": _text(facts.title, 200),
        "scenario": _text(facts.scenario, 100),
        "ended": ended,
        "speed": _speed(facts.speed),
        "timeline_minutes": facts.timeline_minutes,
        "signal_issue": facts.signal_issue,
        "incident": facts.incident,
        "incident_url": debrief.incident_url,
        "players": ", ".join(_who(p) for p in facts.players) or "—",
        "times": [
            {
                "title": x.target.title,
                "at": t(x.at),
                "target": f"T+{x.target.minute:02d}:00",
                "stage": x.target.stage,
                "verdict": x.verdict,
                "ok": x.verdict == "on time",
                "playbook": x.target.playbook,
                "source": x.target.source,
            }
            for x in debrief.times
        ],
        "checkpoints": [
            {
                "by": _who(c.by),
                "at": t(c.committed_at),
                "due": t(c.due),
                "status": c.status,
                "next": t(c.next_at),
                "url": c.url,
            }
            for c in debrief.checkpoints
        ],
        "checkpoints_due": debrief.checkpoint_punctuality.due,
        "checkpoints_kept": debrief.checkpoint_punctuality.on_time,
        "cadence": debrief.cadence_minutes,
        "updates": [
            {
                "due": t(u.due),
                "basis": u.basis,
                "met": t(u.met_at),
                "by": _who(u.by) if u.by else "—",
                "status": u.status,
            }
            for u in debrief.updates
        ],
        "updates_due": debrief.update_punctuality.due,
        "updates_on_time": debrief.update_punctuality.on_time,
        "anti_patterns": [
            {
                "title": a.pattern.title,
                "hit": a.hit,
                "judged": a.judged,
                "at": t(a.at),
                "stood": f"{a.stood_minutes:.0f} min" if a.hit else "—",
                "detail": _text(a.detail),
                "playbook": a.pattern.playbook,
                "guardrail": a.pattern.guardrail,
            }
            for a in debrief.anti_patterns
        ],
        "hits": sum(a.hit for a in debrief.anti_patterns),
        "on_time": sum(x.verdict == "on time" for x in debrief.times),
        "raised": [
            {
                "title": r.title,
                "first": t(r.first_at),
                "cleared": t(r.cleared_at) if r.cleared_at is not None else "still stood",
                "detail": _text(r.detail),
            }
            for r in debrief.raised
        ],
        "blocked": [
            {"at": t(b.at), "reasons": _text("; ".join(b.reasons)) or "—"} for b in debrief.blocked
        ],
        "gate_met": debrief.gate_met,
        "gate": [
            {
                "title": _text(g.title, 200),
                "group": _text(g.group, 100),
                "met": g.met,
                "at": t(g.met_at),
                "detail": _text(g.detail),
                "fix": _text(g.fix),
            }
            for g in debrief.gate
        ],
        "answers": [
            {"question": a.question, "answer": _text(a.answer, 1_000), "answered": a.answered}
            for a in debrief.answers
        ],
        "beats": [
            {"at": t(b.at), "kind": b.kind, "by": _who(b.by), "summary": _text(b.summary)}
            for b in facts.beats
        ],
        "runs": [
            {
                "at": t(r.at),
                "by": _who(r.by),
                "command": _text(r.command, 200),
                "reveals": _text(r.reveals, 200) or "—",
            }
            for r in facts.evidence_runs
        ],
    }


def render_markdown(debrief: Debrief, render: Render | None = None) -> str:
    """The debrief comment and page: ``templates/drill/debrief.md.j2``, cut to GitHub's limit
    with a note (``render`` defaults to warroom's sandboxed, strict environment)."""
    body = (render or default_render)("drill/debrief.md.j2", context(debrief)).rstrip("\n") + "\n"
    return fit_body(body, debrief.incident_url, COMMENT_LIMIT)
