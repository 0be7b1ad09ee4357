"""The shell of ``warroom render KIND N``: read one incident, print one message.

It reads what a run reads to derive the incident (the issue, its comments, the
permissions of the records' authors) and nothing more, writes nothing, and
prints the same message a ``/warroom KIND`` command gets as its reply, filled as
of now (``WARROOM_NOW`` sets it, as for the other commands), without the fence:
ready to paste. The reads are listed here in order, as in ``run.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from warroom import authority
from warroom.action import is_incident
from warroom.actions_env import parse_now
from warroom.errors import UsageError
from warroom.incident import from_issue, people_records
from warroom.messages import compose
from warroom.render import render
from warroom.run import adapter_from_env, author_permissions, config_here, issue_by_number


def render_main(kind: str, number: int, *, echo: Callable[[str], None]) -> int:
    """Print message ``kind`` for incident ``number``; 1 when a handoff test item is missing."""
    config = config_here()
    adapter = adapter_from_env(config)
    now = parse_now(os.environ.get("WARROOM_NOW"))
    state_key = os.environ.get("WARROOM_STATE_KEY", "")
    issue = issue_by_number(adapter, number)  # read 1: the issue
    if issue.is_pull_request or not is_incident(issue, config):
        raise UsageError(
            f"#{number} is not an incident (no {config.labels.incident!r} label and not filed "
            "from the incident form): give the number of an incident's issue"
        )
    comments = adapter.comments(number)  # read 2: ceil(C/100) pages of comments
    cache = authority.sealed_state(comments, number, state_key)
    people = people_records(comments, config)
    recorded = authority.recorded(cache, (c for c, _ in people))
    unjudged = [c for c, _ in people if c.id not in recorded]
    # read 3: the collaborators listing, or a question per author it leaves out
    permissions, _ = author_permissions(adapter, unjudged, cache, now, config, state_key)
    incident = from_issue(
        issue,
        people,
        permissions={login: authority.effective(entry) for login, entry in permissions.items()},
        config=config,
        recorded=recorded,
    )
    message = compose(kind, incident, now, config, render)
    echo(message.text.rstrip("\n"))
    return 1 if message.missing else 0
