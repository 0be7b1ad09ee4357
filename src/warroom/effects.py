"""What warroom wants done to GitHub, as frozen data.

Rules and the planner return these; only the GitHub adapter performs them, and
``--dry-run`` prints them instead. Each effect says *what* should be true, not
*how* to get there, so the adapter can skip one whose outcome already holds and
a rerun converges instead of repeating itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from warroom.markers import describe_marker


@dataclass(frozen=True)
class EnsureLabel:
    """The repository has this label, with this colour and description."""

    name: str
    color: str
    description: str


@dataclass(frozen=True)
class AddLabels:
    """These labels are on the issue (others are left alone)."""

    issue: int
    labels: tuple[str, ...]


@dataclass(frozen=True)
class RemoveLabel:
    """This label is not on the issue."""

    issue: int
    label: str


@dataclass(frozen=True)
class Assign:
    """These people are among the issue's assignees (nobody is unassigned)."""

    issue: int
    logins: tuple[str, ...]


@dataclass(frozen=True)
class Reopen:
    """The issue is open again; ``reason`` is what the bot says about why."""

    issue: int
    reason: str


@dataclass(frozen=True)
class UpsertComment:
    """warroom's comment with ``marker`` on the issue has exactly this body.

    The body starts with the marker (``<!-- warroom:KIND:KEY -->``), which is
    how the adapter finds the comment to edit instead of posting a second one.
    """

    issue: int
    marker: str
    body: str


@dataclass(frozen=True)
class DeleteComment:
    """warroom's own comment with ``marker`` is gone (never a person's)."""

    issue: int
    marker: str


@dataclass(frozen=True)
class OpenFollowUp:
    """A hardening issue exists for ``key``, linked to the incident as a sub-issue.

    ``marker`` in its body makes it findable, so a replayed event or a retried
    POST never opens a second one.
    """

    incident: int
    key: str
    marker: str
    title: str
    body: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    milestone: str | None = None
    due: date | None = None
    """The follow-up's due date, given to a new milestone as its ``due_on``."""
    proof: str = ""
    """A line in ``body`` only warroom can write (``authority.proof``); an issue that has the
    marker but not this line was planted by someone else. Empty without a state key."""


@dataclass(frozen=True)
class SetCommitStatus:
    """The commit ``sha`` carries this status under ``context`` (``warroom/freeze``).

    A status already in that state with that description is not posted again.
    """

    sha: str
    context: str
    state: str
    """``success`` or ``failure`` (GitHub also knows ``pending`` and ``error``)."""
    description: str
    """At most 140 characters: GitHub's limit."""
    target_url: str = ""


@dataclass(frozen=True)
class PlaceOnBoard:
    """Follow-up ``number`` is an item of the GitHub Project, its fields hold these values,
    and its Status option says whether the issue is open or closed (as GitHub has it then).

    ``texts`` and ``dates`` are (field name, config key, value); the config key names the
    setting to fix when the project lacks the field.
    """

    incident: int
    number: int
    project: int
    owner: str | None
    """The project's owner; ``None``: the repository's owner."""
    owner_type: str
    """``organization`` or ``user``."""
    texts: tuple[tuple[str, str, str], ...]
    dates: tuple[tuple[str, str, str], ...]
    status_field: str
    status_open: str
    status_done: str


@dataclass(frozen=True)
class BoardStatusInStep:
    """On the GitHub Project, every item whose Incident field names an incident of this
    repository has the Status its issue's state says (``status_open``/``status_done``).

    What a sweep asks of a board whose follow-ups live in a backlog repository: their
    close and reopen events reach that repository's workflows, never this one's.
    """

    project: int
    owner: str | None
    owner_type: str
    incident_field: str
    status_field: str
    status_open: str
    status_done: str


@dataclass(frozen=True)
class Fail:
    """The run ends red with this error annotation (a blocked closure, say)."""

    message: str


Effect = (
    EnsureLabel
    | AddLabels
    | RemoveLabel
    | Assign
    | Reopen
    | UpsertComment
    | DeleteComment
    | OpenFollowUp
    | SetCommitStatus
    | PlaceOnBoard
    | BoardStatusInStep
    | Fail
)


def describe(effect: Effect) -> str:
    """One line a person can read in a dry run."""
    match effect:
        case EnsureLabel(name=name, color=color):
            return f"ensure label {name!r} (#{color})"
        case AddLabels(issue=issue, labels=labels):
            return f"#{issue}: add labels {', '.join(repr(x) for x in labels)}"
        case RemoveLabel(issue=issue, label=label):
            return f"#{issue}: remove label {label!r}"
        case Assign(issue=issue, logins=logins):
            return f"#{issue}: assign {', '.join(logins)}"
        case Reopen(issue=issue, reason=reason):
            return f"#{issue}: reopen ({reason})"
        case UpsertComment(issue=issue, marker=marker, body=body):
            return f"#{issue}: write {describe_marker(marker)} ({len(body)} characters)"
        case DeleteComment(issue=issue, marker=marker):
            return f"#{issue}: delete {describe_marker(marker)}"
        case OpenFollowUp(incident=incident, title=title, assignees=assignees):
            return f"#{incident}: open follow-up {title!r} for {', '.join(assignees)}"
        case SetCommitStatus(sha=sha, context=context, state=state, description=text):
            return f"{sha[:12]}: status {context} {state} ({text})"
        case PlaceOnBoard(incident=incident, number=number, project=project):
            return f"#{incident}: follow-up #{number} on project {project}, fields in step"
        case BoardStatusInStep(project=project, status_field=status):
            return f"project {project}: {status} of every follow-up in step with its issue"
        case Fail(message=message):
            return f"fail the run: {message}"
