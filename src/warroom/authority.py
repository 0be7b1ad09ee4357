"""Who may change an incident, and what warroom trusts of its own memory.

A record counts when its author was allowed at the time it was applied:
losing access later must not rewrite an incident's history, and a forged
comment must not be able to claim "was allowed". Every workflow of a
repository writes as the same ``github-actions[bot]``, so no comment proves
it is warroom's: the memory in warroom's status comment (the *oldest* bot
comment with the status marker) is believed only when sealed with the
``WARROOM_STATE_KEY`` secret, and even then a permission answer is a one-hour
hint, void when dated in the future or once GitHub no longer counts the
author as a collaborator. Without the secret nothing that grants authority
is remembered at all.

Pure: the shell asks GitHub only for what these functions cannot settle.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from warroom.config import Config
from warroom.markers import decode_state, read_marker
from warroom.model import CommentSnapshot

PERMISSION_TTL = timedelta(hours=1)
"""How long a permission answer is reused for a person's new records (a change of role
among collaborators takes effect within it; removal at once, see ``still_collaborator``)."""

COLLABORATORS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
"""GitHub's ``author_association`` values of people who can hold a role on the repository."""

ROLES = ("read", "triage", "write", "maintain", "admin")
"""Repository roles, lowest first."""


HINTS = ("labels", "freeze", "freeze_held", "branches")
"""What an unsealed state may still say: hints that grant nothing (labels already made,
the surfaces the incident's merge freeze held at its last run and the pull requests it held,
the recovery branches read in the last minutes)."""


def _digest(key: str, text: str) -> str:
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def seal(state: Mapping[str, Any], number: int, key: str) -> dict[str, Any]:
    """The state with its seal: an HMAC over the issue number and the state, keyed by the
    repository secret ``WARROOM_STATE_KEY``. Without a key the state goes unsealed."""
    body = {k: v for k, v in state.items() if k != "seal"}
    if not key:
        return body
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return {**body, "seal": _digest(key, f"{number}:{canonical}")}


def trusted(state: Mapping[str, Any], number: int, key: str) -> dict[str, Any]:
    """What of a status comment's state warroom may believe.

    Every workflow in a repository writes as the same ``github-actions[bot]``,
    so another one can post or edit a comment that looks like warroom's. With
    a key, only a state sealed for this issue counts, whole. Without one,
    nothing that grants authority (permission answers, what was allowed, which
    follow-ups exist) is believed: only the hints in ``HINTS``.
    """
    if not key:
        return {k: state[k] for k in HINTS if k in state}
    sealed = state.get("seal")
    if not isinstance(sealed, str) or not hmac.compare_digest(
        sealed, seal(state, number, key).get("seal", "")
    ):
        return {}
    return {k: v for k, v in state.items() if k != "seal"}


def pseudonym(key: str, login: str) -> str:
    """How the sealed state names a person: keyed, so the hidden text lists nobody's role."""
    return _digest(key, f"login:{login.lower()}")[:16] if key else login.lower()


def proof(key: str, mark: str) -> str:
    """A line that shows an issue was opened by warroom under ``mark`` (empty without a key)."""
    return f"<!-- warroom-proof {_digest(key, mark)} -->" if key else ""


def status_comment(comments: Iterable[CommentSnapshot], number: int) -> CommentSnapshot | None:
    """warroom's status comment on issue ``number``: the oldest bot comment with its marker.

    Oldest, because the status comment is posted by the first run and only
    ever edited after; any later copy is someone else's.
    """
    own = [
        c for c in comments if c.author_is_bot and read_marker(c.body) == ("status", str(number))
    ]
    return min(own, key=lambda c: (c.created_at, c.id)) if own else None


def sealed_state(comments: Iterable[CommentSnapshot], number: int, key: str) -> dict[str, Any]:
    """What warroom may believe of issue ``number``'s status comment state (``trusted``);
    empty when the issue has no status comment yet. One reading for every caller."""
    status = status_comment(comments, number)
    return trusted(decode_state(status.body), number, key) if status is not None else {}


def _stamp(value: datetime) -> int:
    return int(value.timestamp())


def recorded(state: Mapping[str, Any], comments: Iterable[CommentSnapshot]) -> set[int]:
    """Comments whose records an earlier run applied, unchanged since (same ``updated_at``).

    An edited comment is judged again: someone who lost access cannot add
    records by editing an old comment.
    """
    allowed = state.get("allowed")
    if not isinstance(allowed, dict):
        return set()
    return {c.id for c in comments if allowed.get(str(c.id)) == _stamp(c.updated_at)}


def remember(comments: Iterable[CommentSnapshot]) -> dict[str, int]:
    """The ``allowed`` entry of the next state: each applied comment and its version."""
    return {str(c.id): _stamp(c.updated_at) for c in sorted(comments, key=lambda c: c.id)}


def listed(login: str, config: Config) -> bool:
    """Named in ``responders.logins``: allowed by name, so no permission request is needed."""
    return login.lower() in {x.lower().lstrip("@") for x in config.responders.logins}


def cached(state: Mapping[str, Any], now: datetime) -> dict[str, dict[str, str]]:
    """Permission answers from the state that are still fresh; ones dated ahead of now are void."""
    entries = state.get("permissions")
    if not isinstance(entries, dict):
        return {}
    fresh: dict[str, dict[str, str]] = {}
    for login, entry in entries.items():
        if not isinstance(entry, dict):
            continue
        try:
            checked = datetime.fromisoformat(str(entry.get("at")))
        except ValueError:
            continue
        if checked.tzinfo is None or checked > now or now - checked >= PERMISSION_TTL:
            continue
        fresh[str(login).lower()] = {str(k): str(v) for k, v in entry.items()}
    return fresh


def still_collaborator(comment: CommentSnapshot) -> bool:
    """Whether GitHub, as of this read, still counts the author as having a role here.

    A remembered answer is reused only then: whoever lost access cannot add
    records on the strength of an answer from before.
    """
    return comment.association.upper() in COLLABORATORS


def lowest_allowed_role(config: Config) -> str | None:
    """The lowest repository role ``responders.permissions`` allows, if any."""
    allowed = [r for r in ROLES if r in config.responders.permissions]
    return allowed[0] if allowed else None


def effective(entry: Mapping[str, str]) -> str:
    """What ``authorization`` judges: the permission, or the team that allows it."""
    return f"team:{entry['team']}" if entry.get("team") else entry.get("p", "none")


def authorization(login: str, permission: str, config: Config) -> str | None:
    """``None`` when ``login`` may change the incident, else the reason it may not."""
    if listed(login, config):
        return None
    if permission in config.responders.permissions:
        return None
    if permission.startswith("team:") and permission[5:] in config.responders.teams:
        return None
    allowed = ", ".join(config.responders.permissions)
    return (
        f"@{login} has {permission} permission on this repository; records change an incident "
        f"only when posted by someone with {allowed} permission (responders.permissions in "
        ".github/warroom.yml), so this record was not applied"
    )
