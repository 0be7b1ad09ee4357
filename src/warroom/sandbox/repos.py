"""More repositories of the sandbox's organisation: a team's backlog repository beside the main one.

warroom may file follow-ups in another repository of the same owner
(``follow_ups.repository``) and still link them as sub-issues of the incident,
which GitHub allows across repositories. The sandbox keeps its one main
repository as it was (with its data file, webhooks and runs) and adds each
further repository as a room of its own: a ``State`` in memory, a ``Renderer``
under that repository's name and the same REST handlers. A further repository
emits no webhooks: its events would reach its own workflows, not the main
repository's, as on GitHub.

Issue ids and node ids stay unique across rooms (each room's ids start far from
the others'), so ``sub_issue_id`` names one issue wherever it lives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from warroom.sandbox.access import RateLimits
from warroom.sandbox.clock import Clock
from warroom.sandbox.records import Issue
from warroom.sandbox.render import Renderer
from warroom.sandbox.seed import OWNER
from warroom.sandbox.state import State

if TYPE_CHECKING:
    from warroom.sandbox.rest import RestApi

ID_STRIDE = 100_000_000
"""How far apart each further room's ids start (beyond any sandbox's count of records)."""


def room_state(clock: Clock, index: int, main: State) -> State:
    """An empty repository for room ``index`` (1, 2, ...), sharing the main room's accounts."""
    state = State(clock)
    state.users = main.users
    for kind in ("issue", "comment", "event", "milestone", "label", "status", "pull"):
        state.counters[kind] += index * ID_STRIDE
    return state


def room_renderer(state: State, base_url: str, name: str, *, private: bool) -> Renderer:
    """A renderer whose URLs name repository ``name`` of the sandbox's owner."""
    renderer = Renderer(state, base_url, private=private)
    renderer.full_name = f"{OWNER}/{name}"
    renderer.repo_url = f"{renderer.api}/repos/{renderer.full_name}"
    renderer.repo_html = f"{renderer.web}/{renderer.full_name}"
    return renderer


def connect(rooms: list[RestApi]) -> None:
    """Let every room find the others' issues (for sub-issues across repositories)."""
    for room in rooms:
        room.siblings = [r for r in rooms if r is not room]
        room.r.foreign = _finder(room)


def _finder(room: RestApi) -> Callable[[int], tuple[Renderer, Issue] | None]:
    def find(issue_id: int) -> tuple[Renderer, Issue] | None:
        for sibling in room.siblings:
            found = sibling.state.issue_by_id(issue_id)
            if found is not None:
                return sibling.r, found
        return None

    return find


def new_room(
    name: str, state: State, base_url: str, limits: RateLimits, *, private: bool
) -> RestApi:
    """The REST handlers of further repository ``name`` over its ``state``."""
    from warroom.sandbox.rest import RestApi

    room = RestApi(state, room_renderer(state, base_url, name, private=private), limits)
    room.repo_name = name
    return room
