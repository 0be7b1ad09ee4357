"""The closure review package: one comment that lets a new owner understand the incident.

The playbook: "Before final closure, produce one package containing: timeline
(key timestamps + decisions), mitigation diff summary, verification command
bundle, residual risk register, hardening backlog links. This package should
let a new owner understand the incident in 10 minutes." warroom already holds
every record, so the package is built from them (and from GitHub's compare of
the mitigation range, read by the shell), rendered from
``templates/package.md.j2`` and posted as one comment starting with
``<!-- warroom:package:N -->``, edited in place when it changes.

What it promises:

* pure: the body depends only on the incident's records, the gate and the
  diff, never on the time of the run, so a rerun renders the same body and
  the adapter writes nothing;
* people's text is quoted (``markers.quote``) or fenced with a fence longer
  than any backtick run it holds, so nothing they wrote pings, links, or
  breaks out of its block; the Mermaid chart holds only warroom's words,
  enum values and times;
* the body fits GitHub's 65,536 characters: long commands and outputs are cut
  one by one first (each cut says so and links its record), then
  ``limits.fit_body`` cuts the rest, saying how much and linking the issue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from warroom.effects import UpsertComment
from warroom.incident import Applied, Incident
from warroom.limits import COMMENT_LIMIT, fit_body, fit_title
from warroom.markers import decode_state, encode_state, fence_for, marker, oldest_own, quote
from warroom.mitigation import MitigationDiff, Range
from warroom.model import CommentSnapshot, Phase
from warroom.plan import Gate
from warroom.records.models import (
    Closure,
    DecisionRecord,
    Dismissal,
    Escalation,
    FollowUp,
    Handoff,
    LeadershipNote,
    PostClosureReview,
    ScenarioEvidence,
    SignOff,
    Snapshot,
    StakeholderUpdate,
    VerificationRecord,
)

Render = Callable[[str, Mapping[str, Any]], str]

KIND = "package"
"""The marker kind: ``<!-- warroom:package:N -->``."""
BLOCK_LIMIT = 3_000
"""Characters of one command or output block shown; the record holds the rest."""
TEXT_LIMIT = 600
"""Characters of one quoted sentence (a rejected alternative, a residual risk) shown."""
TIMELINE_LIMIT = 150
"""Timeline rows shown; a longer incident says how many more its comments hold."""
STATE_VERSION = 1


def package_marker(number: int) -> str:
    return marker(KIND, number)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _who(logins: Sequence[str]) -> str:
    """Logins shown without pinging: the package is edited and must stay quiet."""
    return ", ".join(f"`@{x}`" for x in logins) or "—"


def _is_login(name: str) -> bool:
    """A GitHub login's shape (letters, digits, inner hyphens, at most 39; apps end ``[bot]``).

    A commit's author is a login only when GitHub matched the commit to an account;
    otherwise it is the git name, which anyone sets to anything, and is quoted as text."""
    core = name.removesuffix("[bot]")
    return (
        0 < len(core) <= 39
        and all(c.isascii() and (c.isalnum() or c == "-") for c in core)
        and not core.startswith("-")
    )


def _author(name: str) -> str:
    """A commit's author: a login shown without pinging, else the git name quoted as text."""
    if not name:
        return "—"
    return _who([name]) if _is_login(name) else _line(name, 100)


def _line(text: str, limit: int = TEXT_LIMIT) -> str:
    """People's text on one line, quoted, cut to ``limit`` characters before quoting."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return quote(flat)


def _unfence(text: str) -> str:
    """A value written as one fenced block, without its fence (the package fences it again)."""
    lines = text.strip("\n").split("\n")
    if len(lines) >= 2 and lines[0].lstrip().startswith("```") and lines[-1].strip() == "```":
        return "\n".join(lines[1:-1])
    return text


def _fenced(text: str, source: str) -> dict[str, Any]:
    """A block of people's text as code: cut to ``BLOCK_LIMIT``, with a fence it cannot close."""
    body = _unfence(text)
    cut = max(0, len(body) - BLOCK_LIMIT)
    if cut:
        body = body[:BLOCK_LIMIT]
    return {
        "text": body.rstrip("\n"),
        "fence": fence_for(body),
        "cut": cut,
        "source": source,
    }


# -- the timeline -----------------------------------------------------------------------------


def _event(applied: Applied) -> str:
    """What a record did, in warroom's words and the record's canonical values."""
    record = applied.record
    match record:
        case Snapshot():
            return f"command snapshot: {record.severity}, phase {record.phase}"
        case DecisionRecord():
            extra = [x for x in (record.rung, record.confidence) if x is not None]
            more = f" ({', '.join(str(x) for x in extra)})" if extra else ""
            return f"**decision: {record.decision}**{more}"
        case VerificationRecord():
            return f"verification rerun: **{record.result}**"
        case StakeholderUpdate():
            return f"stakeholder update: {record.status}"
        case LeadershipNote():
            return f"leadership note, confidence {record.confidence}"
        case Escalation():
            return f"escalation, {record.severity}"
        case Handoff():
            return f"handoff {_who(record.from_owner)} → {_who(record.to_owner)}"
        case FollowUp():
            return f"hardening follow-up filed ({record.followup_kind})"
        case Closure():
            return f"closure record, confidence {record.confidence}"
        case Dismissal():
            return f"dismissal: {record.reason}"
        case ScenarioEvidence():
            return f"scenario evidence: {_line(record.item, 120)}"
        case SignOff():
            return f"sign-off as {_line(record.role, 120)}"
        case PostClosureReview():
            return "post-closure review held"
    return record.kind


def _timeline(incident: Incident, gate: Gate) -> list[dict[str, str]]:
    issue = incident.issue
    rows: list[tuple[datetime, int, dict[str, str]]] = []
    declared = (
        f"declared {incident.severity_history[0].severity} from the issue form"
        if incident.severity_history
        else "issue opened"
    )
    rows.append(
        (
            issue.created_at,
            0,
            {
                "at": _utc(issue.created_at),
                "what": declared,
                "who": _who([issue.author]),
                "url": issue.html_url,
            },
        )
    )
    for order, applied in enumerate(incident.applied, start=1):
        rows.append(
            (
                applied.at,
                order,
                {
                    "at": _utc(applied.at),
                    "what": _event(applied),
                    "who": _who([applied.author]),
                    "url": applied.url,
                },
            )
        )
    for change in incident.severity_history[1:]:
        rows.append(
            (
                change.at,
                len(rows),
                {
                    "at": _utc(change.at),
                    "what": f"severity revised to {change.severity}",
                    "who": "—",
                    "url": "",
                },
            )
        )
    if issue.state == "closed" and issue.closed_at is not None:
        what = "closed, closure gate met" if gate.state == "met" else "closed"
        rows.append(
            (
                issue.closed_at,
                len(rows),
                {"at": _utc(issue.closed_at), "what": what, "who": "—", "url": issue.html_url},
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    return [row for _, _, row in rows]


def _mermaid_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _phases(incident: Incident, gate: Gate) -> list[tuple[str, datetime, datetime]]:
    """(phase, start, end) as the snapshots moved it; the last ends at the close or last record."""
    issue = incident.issue
    points: list[tuple[datetime, str]] = [(issue.created_at, Phase.DETECTION.value)]
    for applied, snapshot in incident.records(Snapshot):
        if snapshot.phase.value != points[-1][1]:
            points.append((max(applied.at, points[-1][0]), snapshot.phase.value))
    last = max((a.at for a in incident.applied), default=issue.created_at)
    end = issue.closed_at if issue.state == "closed" and issue.closed_at is not None else last
    end = max(end, points[-1][0])
    return [
        (phase, start, points[i + 1][0] if i + 1 < len(points) else end)
        for i, (start, phase) in enumerate(points)
    ]


def _checkpoints(incident: Incident) -> list[datetime]:
    """Every committed next checkpoint time, in order, each once."""
    found: list[datetime] = []
    for applied in incident.applied:
        record = applied.record
        due = getattr(record, "next_checkpoint_at", None)
        if isinstance(due, datetime) and due not in found:
            found.append(due)
    return sorted(found)


def mermaid_gantt(incident: Incident, gate: Gate) -> str:
    """The phases and checkpoints on a time axis, as a Mermaid ``gantt`` GitHub renders.

    Only warroom's words, enum values and times go in: people's text never
    reaches the chart, so nothing they wrote can end the block or add a line.
    """
    lines = [
        "gantt",
        f"    title Incident {incident.number}: phases, checkpoints and decisions (UTC)",
        "    dateFormat YYYY-MM-DD HH:mm",
        "    axisFormat %H:%M",
        "    section Phases",
    ]
    for index, (phase, start, end) in enumerate(_phases(incident, gate), start=1):
        minutes = max(1, int((end - start).total_seconds() // 60))
        lines.append(f"    {phase} :p{index}, {_mermaid_time(start)}, {minutes}m")
    checkpoints = _checkpoints(incident)
    if checkpoints:
        lines.append("    section Checkpoints")
        lines += [
            f"    checkpoint :milestone, c{i}, {_mermaid_time(due)}, 0m"
            for i, due in enumerate(checkpoints, start=1)
        ]
    decisions = incident.records(DecisionRecord)
    if decisions:
        lines.append("    section Decisions")
        lines += [
            f"    {record.decision.value} :milestone, d{i}, {_mermaid_time(applied.at)}, 0m"
            for i, (applied, record) in enumerate(decisions, start=1)
        ]
    if incident.issue.state == "closed" and incident.issue.closed_at is not None:
        lines.append("    section Closure")
        label = "closed with the gate met" if gate.state == "met" else "closed"
        lines.append(f"    {label} :milestone, z1, {_mermaid_time(incident.issue.closed_at)}, 0m")
    return "\n".join(lines)


# -- the other sections -----------------------------------------------------------------------


def _decisions(incident: Incident) -> list[dict[str, Any]]:
    return [
        {
            "at": _utc(applied.at),
            "decision": str(record.decision),
            "rung": str(record.rung or ""),
            "confidence": str(record.confidence or ""),
            "why": _line(record.why_now),
            "rejected": _line(record.rejected_alternatives),
            "owner": _who(record.execution_owner),
            "url": applied.url,
        }
        for applied, record in incident.records(DecisionRecord)
    ]


def _confidence(incident: Incident) -> list[dict[str, str]]:
    """Every confidence a record stated, in order: the ladder as the team climbed it."""
    found = []
    for applied in incident.applied:
        level = getattr(applied.record, "confidence", None)
        if level is not None:
            found.append(
                {
                    "at": _utc(applied.at),
                    "level": str(level),
                    "kind": applied.record.kind,
                    "url": applied.url,
                }
            )
    return found


def _bundle(incident: Incident) -> list[dict[str, Any]]:
    return [
        {
            "at": _utc(record.timestamp),
            "revision": _line(record.revision, 120),
            "result": str(record.result),
            "owner": _who(record.owner),
            "url": applied.url,
            "commands": _fenced(record.commands, applied.url),
            "outputs": _fenced(record.outputs, applied.url),
        }
        for applied, record in incident.records(VerificationRecord)
    ]


def _risks(incident: Incident) -> list[dict[str, str]]:
    """Every residual risk stated, by whom and when; the closure record's (else the latest)
    statement is the one that stands, the earlier ones were restated after."""
    stated: list[tuple[Applied, str]] = []
    for applied in incident.applied:
        record = applied.record
        text = getattr(record, "residual_risks", None) or getattr(record, "residual_risk", None)
        if isinstance(text, str) and text.strip():
            stated.append((applied, text))
    closures = [i for i, (a, _) in enumerate(stated) if isinstance(a.record, Closure)]
    standing = closures[-1] if closures else len(stated) - 1
    rows = []
    for index, (applied, text) in enumerate(stated):
        if index == standing:
            state = "**open**: the latest statement" + (
                " (closure record)" if isinstance(applied.record, Closure) else ""
            )
        else:
            state = "restated later"
        rows.append(
            {
                "risk": _line(text),
                "who": _who([applied.author]),
                "at": _utc(applied.at),
                "kind": applied.record.kind,
                "url": applied.url,
                "state": state,
            }
        )
    return rows


def _diff(diff: MitigationDiff | None, span: Range | None) -> dict[str, Any]:
    if span is None:
        return {"known": False}
    out: dict[str, Any] = {
        "known": True,
        "base": _line(span.base, 200),
        "head": _line(span.head, 200),
        "base_source": span.base_source,
        "head_source": span.head_source,
        "problem": _line(diff.problem) if diff is not None else "",
        "read": diff is not None and not diff.problem,
    }
    if diff is None or diff.problem:
        return out
    unlooked = sum(1 for c in diff.commits if c.pulls is None)
    out.update(
        {
            "url": diff.url,
            "status": diff.status,
            "total": diff.total_commits,
            "shown": len(diff.commits),
            "unlooked": unlooked,
            "commits": [
                {
                    "sha": c.sha[:7],
                    "url": c.url,
                    "title": _line(c.title, 200),
                    "author": _author(c.author),
                    "pulls": ", ".join(f"#{n}" for n in c.pulls) if c.pulls else "—",
                }
                for c in diff.commits
            ],
            "pulls": [
                {"number": p.number, "title": _line(p.title, 200), "url": p.url, "state": p.state}
                for p in diff.pulls
            ],
            "files": [
                {
                    "name": quote(f.filename),
                    "status": f.status,
                    "additions": f.additions,
                    "deletions": f.deletions,
                }
                for f in diff.files
            ],
        }
    )
    return out


def package_context(
    incident: Incident,
    gate: Gate,
    *,
    span: Range | None,
    diff: MitigationDiff | None,
    backlog: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Plain data for templates/package.md.j2: people's text quoted, times in UTC.

    ``backlog`` are the follow-up rows the status comment shows (``plan.backlog_rows``:
    title quoted, owner, due, number, state, overdue ones first).
    """
    declaration = incident.declaration
    note = incident.latest(LeadershipNote)
    timeline = _timeline(incident, gate)
    return {
        "marker": package_marker(incident.number),
        "number": incident.number,
        "summary": _line(
            fit_title(declaration.summary if declaration else incident.issue.title), 256
        ),
        "severity": str(incident.severity or "unknown"),
        "gate": gate.state,
        "unmet": [c.title for c in gate.unmet],
        "state": incident.issue.state,
        "commander": _who(incident.owners.commander),
        "confidence": str(incident.confidence or "—"),
        "what_happened": _line(note.what_happened) if note else "",
        "why_this_path": _line(note.why_this_path) if note else "",
        "uncertain": _line(note.uncertainties) if note else "",
        "timeline": timeline[:TIMELINE_LIMIT],
        "timeline_more": max(0, len(timeline) - TIMELINE_LIMIT),
        "gantt": mermaid_gantt(incident, gate),
        "diff": _diff(diff, span),
        "bundle": _bundle(incident),
        "risks": _risks(incident),
        "backlog": list(backlog),
        "decisions": _decisions(incident),
        "confidence_steps": _confidence(incident),
    }


def package_body(
    context: Mapping[str, Any], render: Render, *, diff: MitigationDiff | None, source: str
) -> str:
    """The comment: rendered, the diff kept as state (read again only when the range moves),
    and cut to GitHub's limit with a note linking ``source`` (the issue)."""
    state = {"v": STATE_VERSION, "diff": diff.to_json() if diff is not None else None}
    body = render("package.md.j2", context).rstrip("\n") + "\n\n" + encode_state(state) + "\n"
    return fit_body(body, source, COMMENT_LIMIT)


def package_summary(body: str) -> str:
    """The package as the step summary shows it: without warroom's state line."""
    lines = body.rstrip("\n").split("\n")
    if lines and lines[-1].startswith("<!-- warroom-state "):
        lines = lines[:-1]
    return "\n".join(lines).rstrip("\n") + "\n"


def package_effect(number: int, body: str) -> UpsertComment:
    return UpsertComment(number, package_marker(number), body)


def posted(comments: Sequence[CommentSnapshot], number: int) -> CommentSnapshot | None:
    """warroom's package comment on issue ``number``, if one was posted (the oldest)."""
    return oldest_own(comments, KIND, number)


def kept_diff(comment: CommentSnapshot | None, span: Range) -> MitigationDiff | None:
    """The diff a posted package kept, when it is for the same two revisions."""
    if comment is None:
        return None
    data = decode_state(comment.body)
    if data.get("v") != STATE_VERSION:
        return None
    diff = MitigationDiff.from_json(data.get("diff"))
    if diff is None or diff.retry or (diff.base, diff.head) != (span.base, span.head):
        return None
    return diff
