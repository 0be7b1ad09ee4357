"""The playbook's messages on demand: filled from an incident, ready to paste elsewhere.

A responder writes ``/warroom escalate`` (or ``status-update``,
``leadership-note``, ``handoff``) in a comment and warroom replies with the
playbook's message, filled from the incident's state; ``warroom render KIND N``
prints the same message. This module promises:

* every line is the playbook's template line, filled from the most recent
  record that states it (a later record wins over an earlier one of any kind),
  else from the incident form, else left as a visible blank, ``⟨fill in: …⟩``;
  nothing is invented. An ask (the escalation's, leadership's) is always blank:
  it belongs to this message, not to an earlier one;
* a reply shows the incident as it stood when the command was written (or last
  edited), so every rerun and sweep renders the same text and writes nothing,
  and an edited command gets its reply rewritten;
* people's text is repeated on one line each inside a fenced block whose fence
  no text can close: no HTML, link, heading or mention in it becomes live;
* one reply per command comment, under ``<!-- warroom:message:COMMENT_ID -->``,
  answered only for responders (the rule records follow), refused otherwise.

Pure: the shell reads the comments and permissions and applies the effects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from warroom.authority import authorization
from warroom.config import Config
from warroom.effects import DeleteComment, Effect, UpsertComment
from warroom.incident import Applied, Incident, Lane, owner_timeline
from warroom.limits import fit_body
from warroom.markers import fence_for, marker, quote, read_marker
from warroom.model import CommentSnapshot, Phase
from warroom.parsing.commands import KINDS, PREFIX, Command, read_command
from warroom.records.models import (
    AnyRecord,
    Closure,
    DecisionRecord,
    Escalation,
    Handoff,
    LeadershipNote,
    Snapshot,
    StakeholderUpdate,
    VerificationRecord,
)

Render = Callable[[str, Mapping[str, Any]], str]

MARKER_KIND = "message"
TITLES = {
    "escalate": "Internal engineering escalation",
    "status-update": "Stakeholder update",
    "leadership-note": "Leadership handoff note",
    "handoff": "Handoff acceptance test",
}
"""Each command's message, named as the playbook names it."""
LONGEST = 500
"""A value longer than this is cut (with ``…``): a message is a summary, the issue has the rest."""
LABELS = {
    "severity": "Severity",
    "summary": "Short summary",
    "impact": "Impact",
    "decision": "Current decision",
    "ask": "Immediate ask",
    "next_update": "Next update",
    "owner": "Owner",
    "status": "Status",
    "customer_impact": "Customer impact",
    "mitigation": "Current mitigation",
    "unknowns": "Known unknowns",
    "what_happened": "What happened",
    "why": "Why this decision path was chosen",
    "confidence": "Current confidence level",
    "uncertain": "What remains uncertain",
    "watch_owner": "Owner for next 24h watch",
    "scope": "Scope boundary",
    "checkpoint": "Next checkpoint",
    "trigger": "Failure trigger for immediate rollback",
}
"""How the reply names each line when it says where the line was read from."""
PHASE_STATUS = {
    Phase.DETECTION: "investigating",
    Phase.CONTAINMENT: "mitigating",
    Phase.RECOVERY: "mitigating",
    Phase.HARDENING: "recovered",
}
"""The stakeholder update's status as a Command Snapshot's phase implies it."""


def blank(what: str) -> str:
    """A field warroom cannot know: visible, unmistakable, and never mistaken for a value."""
    return f"⟨fill in: {what}⟩"


@dataclass(frozen=True)
class Value:
    """One filled line: its text, and where it came from (empty for a blank)."""

    text: str
    source: str = ""
    """A link to the comment (or "the incident form") the value was read from."""

    @property
    def blank(self) -> bool:
        return not self.source


@dataclass(frozen=True)
class Check:
    """One item of the handoff acceptance test, met or not."""

    item: str
    value: Value
    met: bool
    fix: str
    """What to post to meet it (warroom's words)."""


@dataclass(frozen=True)
class Message:
    """A rendered message: the text to paste, the lines it was made of, what the test missed."""

    kind: str
    text: str
    values: tuple[tuple[str, Value], ...]
    checks: tuple[Check, ...] = ()

    @property
    def missing(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.met)


def _line(text: str) -> str:
    """People's text on one line, cut to ``LONGEST``: a message's lines are its fields."""
    flat = " ".join(text.split())
    return flat if len(flat) <= LONGEST else flat[: LONGEST - 1] + "…"


def _who(logins: Iterable[str]) -> str:
    return ", ".join(f"@{x}" for x in logins)


def _time(value: datetime, config: Config) -> str:
    return value.astimezone(config.zone).strftime("%Y-%m-%d %H:%M %Z")


Picker = tuple[type[AnyRecord], Callable[[Any], str | None]]


def _latest(incident: Incident, *pickers: Picker) -> Value | None:
    """The value the most recent record states, among the records ``pickers`` read."""
    found: tuple[str, Applied] | None = None
    for applied in incident.applied:
        for kind, read in pickers:
            if isinstance(applied.record, kind):
                text = read(applied.record)
                if text is not None and text.strip():
                    found = (text, applied)
    if found is None:
        return None
    text, applied = found
    return Value(_line(text), applied.url)


def _or(value: Value | None, *fallbacks: Value | None, missing: str) -> Value:
    """The first value found, else the visible blank for ``missing``."""
    for candidate in (value, *fallbacks):
        if candidate is not None:
            return candidate
    return Value(blank(missing))


def _form(incident: Incident, read: Callable[[Any], str | None]) -> Value | None:
    """A value the incident form states (the fallback when no record states one)."""
    declaration = incident.declaration
    text = read(declaration) if declaration is not None else None
    return Value(_line(text), incident.issue.html_url) if text else None


def as_of(incident: Incident, when: datetime) -> Incident:
    """The incident as it stood at ``when``: records and severity changes made by then."""
    applied = tuple(a for a in incident.applied if a.at <= when)
    history = tuple(s for s in incident.severity_history if s.at <= when)
    earlier = replace(incident, applied=applied, severity_history=history)
    declared, moves = owner_timeline(earlier)
    return replace(earlier, owners=moves[-1][1] if moves else declared)


# --- what each line says --------------------------------------------------------------------


def _unknowns(incident: Incident) -> Value | None:
    return _latest(
        incident,
        (StakeholderUpdate, lambda r: r.known_unknowns),
        (Handoff, lambda r: r.unresolved_unknowns),
        (LeadershipNote, lambda r: r.uncertainties),
    )


def _next_update(incident: Incident, now: datetime, config: Config) -> Value:
    """The latest committed update time, while it is still ahead."""
    found: tuple[datetime, Applied] | None = None
    for applied in incident.applied:
        if isinstance(applied.record, (Escalation, StakeholderUpdate)):
            found = (applied.record.next_update, applied)
    if found is None:
        return Value(blank("next update time"))
    when, applied = found
    if when < now:
        return Value(
            blank(f"next update time; the last one committed, {_time(when, config)}, has passed")
        )
    return Value(_time(when, config), applied.url)


def _next_checkpoint(incident: Incident, now: datetime, config: Config) -> tuple[Value, bool]:
    """The committed next checkpoint, and whether it is still ahead (committed, not lapsed)."""
    found = incident.next_checkpoint
    if found is None:
        return Value(blank("next checkpoint time")), False
    when = found[0]
    source = next(
        (
            a.url
            for a in reversed(incident.applied)
            if isinstance(a.record, (Snapshot, DecisionRecord, Handoff))
        ),
        incident.issue.html_url,
    )
    if when < now:
        gone = f"next checkpoint time; the last one committed, {_time(when, config)}, has passed"
        return Value(blank(gone)), False
    return Value(_time(when, config), source), True


def _summary(incident: Incident) -> Value:
    return _or(
        _latest(incident, (Escalation, lambda r: r.summary)),
        _form(incident, lambda d: d.summary),
        Value(_line(incident.issue.title), incident.issue.html_url),
        missing="short summary",
    )


def _decision(record: DecisionRecord) -> str:
    return str(record.decision)


def _commander(incident: Incident) -> Value:
    """Who owns the incident now: the commander's lane, which handoffs and snapshots move."""
    who = incident.owners.lanes.get(Lane.TRIAGE) or incident.owners.commander
    if not who:
        return Value(blank("owner"))
    declared, moves = owner_timeline(incident)
    source, before = incident.issue.html_url, declared.lanes.get(Lane.TRIAGE)
    for applied, owners in moves:
        if owners.lanes.get(Lane.TRIAGE) != before:
            source, before = applied.url, owners.lanes.get(Lane.TRIAGE)
    return Value(_who(who), source)


def escalate(incident: Incident, now: datetime, config: Config) -> list[tuple[str, Value]]:
    """The internal engineering escalation's lines; the immediate ask is always a blank."""
    severity = incident.severity
    return [
        (
            "severity",
            Value(str(severity), incident.issue.html_url) if severity else Value(blank("SEV-X")),
        ),
        ("summary", _summary(incident)),
        (
            "impact",
            _or(
                _latest(
                    incident,
                    (Escalation, lambda r: r.impact),
                    (DecisionRecord, lambda r: r.impact),
                ),
                _form(incident, lambda d: d.impacted),
                missing="users/systems",
            ),
        ),
        (
            "decision",
            _or(
                _latest(
                    incident,
                    (Escalation, lambda r: r.current_decision),
                    (DecisionRecord, _decision),
                ),
                missing="path",
            ),
        ),
        ("ask", Value(blank("approval/resource"))),
        ("next_update", _next_update(incident, now, config)),
        ("owner", _commander(incident)),
    ]


def status_update(incident: Incident, now: datetime, config: Config) -> list[tuple[str, Value]]:
    """The stakeholder update's lines: plain language only from a stakeholder update."""
    return [
        (
            "status",
            # What comms last told stakeholders; a snapshot's phase only when they told nothing.
            _or(
                _latest(incident, (StakeholderUpdate, lambda r: str(r.status))),
                _latest(incident, (Snapshot, lambda r: PHASE_STATUS[r.phase])),
                missing="investigating/mitigating/recovered",
            ),
        ),
        (
            "customer_impact",
            _or(
                _latest(incident, (StakeholderUpdate, lambda r: r.customer_impact)),
                missing="customer impact, in plain language",
            ),
        ),
        (
            "mitigation",
            _or(
                _latest(
                    incident,
                    (StakeholderUpdate, lambda r: r.current_mitigation),
                    (DecisionRecord, _decision),
                ),
                missing="current mitigation, in plain language",
            ),
        ),
        ("unknowns", _or(_unknowns(incident), missing="top 1-2 known unknowns")),
        ("next_update", _next_update(incident, now, config)),
    ]


def leadership_note(incident: Incident, now: datetime, config: Config) -> list[tuple[str, Value]]:
    """The leadership note's lines; what leadership is asked for is always a blank."""
    confidence = incident.confidence
    unknowns = _unknowns(incident)
    risk = _latest(
        incident,
        (VerificationRecord, lambda r: r.residual_risk),
        (DecisionRecord, lambda r: r.residual_risk),
        (Closure, lambda r: r.residual_risks),
    )
    uncertain = unknowns or risk
    if unknowns is not None and risk is not None:
        uncertain = Value(f"{unknowns.text}; residual risk: {risk.text}", unknowns.source)
    return [
        (
            "what_happened",
            _or(
                _latest(incident, (LeadershipNote, lambda r: r.what_happened)),
                _form(incident, lambda d: d.summary),
                missing="what happened",
            ),
        ),
        (
            "why",
            _or(
                _latest(
                    incident,
                    (LeadershipNote, lambda r: r.why_this_path),
                    (DecisionRecord, lambda r: f"{r.decision}: {r.why_now}"),
                ),
                missing="why this decision path was chosen",
            ),
        ),
        (
            "confidence",
            Value(str(confidence), _confidence_source(incident))
            if confidence is not None
            else Value(blank("L1/L2/L3")),
        ),
        ("uncertain", _or(uncertain, missing="what remains uncertain")),
        ("ask", Value(blank("what we need from leadership"))),
        (
            "watch_owner",
            _or(
                _latest(
                    incident,
                    (LeadershipNote, lambda r: _who(r.watch_owner)),
                    (Closure, lambda r: _who(r.watch_owner)),
                ),
                missing="owner for next 24h watch",
            ),
        ),
    ]


def _confidence_source(incident: Incident) -> str:
    return next(
        (a.url for a in reversed(incident.applied) if getattr(a.record, "confidence", None)),
        incident.issue.html_url,
    )


HANDOFF_KEYS = ("scope", "unknowns", "checkpoint", "trigger")
HANDOFF_FIX = "post a Handoff Record (`warroom template handoff`) with its {field} line"


def handoff(incident: Incident, now: datetime, config: Config) -> list[Check]:
    """The playbook's handoff acceptance test, item by item, against the records."""
    scope = _latest(incident, (Handoff, lambda r: r.scope_boundary))
    unknowns = _unknowns(incident)
    checkpoint, committed = _next_checkpoint(incident, now, config)
    trigger = _latest(
        incident,
        (Handoff, lambda r: r.rollback_trigger),
        (Closure, lambda r: r.rollback_trigger),
    )
    return [
        Check(
            "scope boundary is explicit (what is included/excluded)",
            _or(scope, missing="scope boundary: what is included and excluded"),
            scope is not None,
            HANDOFF_FIX.format(field="Scope boundary"),
        ),
        Check(
            "unresolved unknowns are listed (not hidden in chat history)",
            _or(unknowns, missing="unresolved unknowns"),
            unknowns is not None,
            HANDOFF_FIX.format(field="Unresolved unknowns"),
        ),
        Check(
            "next checkpoint time is committed",
            checkpoint,
            committed,
            HANDOFF_FIX.format(field="Next checkpoint at")
            + " (or a Command Snapshot with a later Next checkpoint at)",
        ),
        Check(
            "failure trigger for immediate rollback is written",
            _or(trigger, missing="failure trigger for immediate rollback"),
            trigger is not None,
            HANDOFF_FIX.format(field="Rollback trigger"),
        ),
    ]


def compose(
    kind: str, incident: Incident, now: datetime, config: Config, render: Render
) -> Message:
    """The ``kind`` message for ``incident`` as of ``now``: the text to paste, and its parts."""
    if kind not in TITLES:
        raise ValueError(f"unknown message {kind!r}")
    context: dict[str, Any] = {
        "number": incident.number,
        "title": _line(incident.issue.title),
    }
    checks: list[Check] = []
    if kind == "handoff":
        checks = handoff(incident, now, config)
        values = [(key, c.value) for key, c in zip(HANDOFF_KEYS, checks, strict=True)]
        context["checks"] = checks
        context["from_owner"] = _commander(incident)
        context["to_owner"] = Value(blank("next owner"))
    else:
        build = {"escalate": escalate, "status-update": status_update}.get(kind, leadership_note)
        values = build(incident, now, config)
    context["v"] = dict(values)
    text = render(f"messages/{kind}.md.j2", context).strip("\n") + "\n"
    return Message(kind, text, tuple(values), tuple(checks))


# --- replies to slash commands ---------------------------------------------------------------


def commands(comments: Iterable[CommentSnapshot]) -> list[tuple[CommentSnapshot, Command]]:
    """People's comments holding a slash command, with it."""
    found = []
    for comment in comments:
        if comment.author_is_bot or PREFIX not in comment.body:
            continue
        command = read_command(comment.body)
        if command is not None:
            found.append((comment, command))
    return found


def _replies(comments: Iterable[CommentSnapshot]) -> dict[str, CommentSnapshot]:
    """warroom's replies to commands, by the command comment's id (the oldest one of each)."""
    found: dict[str, CommentSnapshot] = {}
    for comment in sorted(comments, key=lambda c: (c.created_at, c.id)):
        mark = read_marker(comment.body) if comment.author_is_bot else None
        if mark is not None and mark[0] == MARKER_KIND:
            found.setdefault(mark[1], comment)
    return found


def unanswered(comments: Sequence[CommentSnapshot]) -> list[tuple[CommentSnapshot, Command]]:
    """Commands whose reply is missing or older than the command's last edit: the ones to
    judge (and whose authors' permissions to read) in this run."""
    replies = _replies(comments)
    pending = []
    for comment, command in commands(comments):
        reply = replies.get(str(comment.id))
        if reply is None or reply.updated_at < comment.updated_at:
            pending.append((comment, command))
    return pending


def refusal(login: str, permission: str, config: Config) -> str | None:
    """Why ``login`` gets no message (records' rule: responders only), or ``None``."""
    if authorization(login, permission, config) is None:
        return None
    allowed = ", ".join(config.responders.permissions)
    return (
        f"@{login} has {permission} permission on this repository; warroom answers `{PREFIX}` "
        f"commands only from responders, with {allowed} permission (responders.permissions in "
        ".github/warroom.yml) or listed in responders.logins or responders.teams"
    )


def reply_body(
    comment: CommentSnapshot,
    command: Command,
    incident: Incident,
    config: Config,
    render: Render,
    *,
    refused: str | None = None,
) -> str:
    """The reply to one command comment: the message, the list of commands, or the refusal."""
    mark = marker(MARKER_KIND, comment.id)
    context: dict[str, Any] = {
        "marker": mark,
        "refused": quote(refused) if refused else "",
        "command": command,
        "written": quote(command.written),
        "kinds": KINDS,
        "prefix": PREFIX,
        "titles": TITLES,
        "comment_url": comment.html_url,
        "as_of": _time(comment.updated_at, config),
        "stamp": int(comment.updated_at.timestamp()),
        "message": None,
        "fence": "",
        "sources": [],
    }
    if not refused and command.kind is not None:
        message = compose(
            command.kind, as_of(incident, comment.updated_at), comment.updated_at, config, render
        )
        context["message"] = message
        context["fence"] = fence_for(message.text)
        context["sources"] = [(LABELS[key], v.source) for key, v in message.values if v.source]
        context["blanks"] = sum(1 for _, v in message.values if v.blank)
    return fit_body(render("messages/reply.md.j2", context), comment.html_url)


def plan_replies(
    comments: Sequence[CommentSnapshot],
    incident: Incident,
    permissions: Mapping[str, str],
    config: Config,
    render: Render,
) -> list[Effect]:
    """One reply per command comment not yet answered in its current version; the reply of
    a comment that no longer holds a command (edited away or deleted) is removed.

    ``permissions`` maps authors (lower-case) to what ``authority.effective`` says.
    """
    effects: list[Effect] = []
    for comment, command in unanswered(comments):
        refused = refusal(comment.author, permissions.get(comment.author.lower(), "none"), config)
        body = reply_body(comment, command, incident, config, render, refused=refused)
        effects.append(UpsertComment(incident.number, marker(MARKER_KIND, comment.id), body))
    asked = {str(c.id) for c, _ in commands(comments)}
    effects += [
        DeleteComment(incident.number, marker(MARKER_KIND, key))
        for key in sorted(_replies(comments))
        if key not in asked
    ]
    return effects
