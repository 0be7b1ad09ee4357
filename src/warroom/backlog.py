"""Where follow-ups land besides the incident: the team's GitHub Project (``follow_ups.project``).

Pure: from the incident's follow-up records and the follow-up issues warroom has
opened (key -> number, the status comment's memory), one ``PlaceOnBoard`` per
follow-up saying what its project item holds: Owner, Due date, Incident and a
Status that follows the issue's state. The adapter reads the board once and
writes only what differs, so planning this on every run converges and a rerun
writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from warroom.config import Config
from warroom.effects import BoardStatusInStep, PlaceOnBoard
from warroom.incident import Incident
from warroom.plan import backlog_items


def incident_reference(html_url: str, number: int) -> str:
    """``owner/repo#N`` from the incident's address, ``#N`` when it does not name one.

    The project is the owner's, across repositories: a bare ``#N`` would not say whose.
    """
    parts = urlsplit(html_url).path.strip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "issues":
        return f"{parts[-4]}/{parts[-3]}#{number}"
    return f"#{number}"


def board_effects(
    incident: Incident, config: Config, follow_ups: Mapping[str, int]
) -> list[PlaceOnBoard]:
    """One ``PlaceOnBoard`` per follow-up opened so far; none without ``follow_ups.project``."""
    board = config.follow_ups.project
    if board is None:
        return []
    reference = incident_reference(incident.issue.html_url, incident.number)
    effects: list[PlaceOnBoard] = []
    for item in backlog_items(incident):
        number = follow_ups.get(item.key)
        if number is None:
            continue
        effects.append(
            PlaceOnBoard(
                incident=incident.number,
                number=number,
                project=board.number,
                owner=board.owner,
                owner_type=board.owner_type,
                texts=(
                    (board.owner_field, "owner_field", ", ".join(item.owner)),
                    (board.incident_field, "incident_field", reference),
                ),
                dates=((board.due_field, "due_field", item.due.isoformat()),),
                status_field=board.status_field,
                status_open=board.status_open,
                status_done=board.status_done,
            )
        )
    return effects


def sweep_effects(config: Config) -> list[BoardStatusInStep]:
    """What a sweep keeps in step on the board: the Status of follow-ups filed in a backlog
    repository (closed there, their events never reach this repository's workflow). Follow-ups
    filed here need none: their own events' runs move them."""
    board = config.follow_ups.project
    if board is None or config.follow_ups.repository is None:
        return []
    return [
        BoardStatusInStep(
            project=board.number,
            owner=board.owner,
            owner_type=board.owner_type,
            incident_field=board.incident_field,
            status_field=board.status_field,
            status_open=board.status_open,
            status_done=board.status_done,
        )
    ]
