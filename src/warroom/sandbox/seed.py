"""The world the sandbox starts with: one organisation, one repository, one user per level.

The users cover every repository permission level GitHub has, so tests and
drills can act as an admin, a triager or a passer-by and see what each may do;
``github-actions[bot]`` is the identity of the workflow token. Organisation
members show as ``MEMBER`` on what they write, outside collaborators as
``COLLABORATOR`` and everyone else as ``NONE``, as on GitHub.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from warroom.sandbox.records import LEVELS, Label, User

OWNER = "acme"
REPO = "service"
OWNER_ID = 90000001
REPO_ID = 700000001
BOT_LOGIN = "github-actions[bot]"
DEFAULT_BRANCH = "main"


def commit_sha(*parts: object) -> str:
    """A deterministic 40-hex commit id for what a commit stands for (its branch, its push).

    The sandbox keeps no git objects; a commit is named by what made it, so the
    same seeding gives the same shas on every run and in every test.
    """
    text = "\0".join(str(part) for part in parts)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def node_id(prefix: str, kind: str, number: int) -> str:
    """A GitHub-style global node id (``I_kwDO...``) unique per kind and id."""
    raw = f"{kind}:{number}".encode()
    return f"{prefix}_kwDO" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _user(login: str, number: int, permission: str, *, member: bool, name: str | None) -> User:
    return User(
        login=login,
        id=number,
        node_id=node_id("U", "user", number),
        permission=permission,
        member=member,
        name=name,
    )


USERS: tuple[User, ...] = (
    _user("admin", 1001, "admin", member=True, name="Ada Admin"),
    _user("maintainer", 1002, "maintain", member=True, name="Max Maintainer"),
    _user("writer", 1003, "write", member=True, name="Wes Writer"),
    _user("triager", 1004, "triage", member=False, name="Tara Triager"),
    _user("reader", 1005, "read", member=False, name="Rita Reader"),
    _user("outsider", 1006, "none", member=False, name="Otto Outsider"),
    User(
        login=BOT_LOGIN,
        id=41898282,
        node_id="MDM6Qm90NDE4OTgyODI=",
        type="Bot",
        permission="write",
        member=False,
        name=None,
    ),
)
"""Seeded accounts; the bot's permission is what a workflow token with ``issues: write`` gets."""

LEVEL_LOGINS: dict[str, str] = {u.permission: u.login for u in USERS if u.type == "User"}
"""The seeded login holding each permission level (``"triage" -> "triager"``)."""


def extra_users(levels: Mapping[str, str]) -> list[User]:
    """More accounts by login -> level (a named response team, say).

    Those with write or more join the organisation (``MEMBER``), triage and
    read are outside collaborators, ``none`` has no relation. A login ending
    in ``[bot]`` is an app's bot account (``type: Bot``). Raises
    ``ValueError`` naming the login when a level is unknown or the login is
    already seeded.
    """
    taken = {u.login.lower() for u in USERS}
    out: list[User] = []
    for index, (login, level) in enumerate(levels.items()):
        if level not in LEVELS:
            raise ValueError(f"user {login!r}: level {level!r} is not one of {', '.join(LEVELS)}")
        if login.lower() in taken:
            raise ValueError(f"user {login!r} is already seeded; choose another login")
        taken.add(login.lower())
        member = level in ("write", "maintain", "admin")
        user = _user(login, 2001 + index, level, member=member, name=None)
        if login.endswith("[bot]"):
            # An app's account (a monitoring integration, a drill's referee): GitHub marks
            # it ``type: Bot`` and it belongs to no organisation.
            user.type, user.member = "Bot", False
        out.append(user)
    return out


@dataclass(frozen=True)
class DefaultLabel:
    name: str
    color: str
    description: str


DEFAULT_LABELS: tuple[DefaultLabel, ...] = (
    DefaultLabel("bug", "d73a4a", "Something isn't working"),
    DefaultLabel("documentation", "0075ca", "Improvements or additions to documentation"),
    DefaultLabel("duplicate", "cfd3d7", "This issue or pull request already exists"),
    DefaultLabel("enhancement", "a2eeef", "New feature or request"),
    DefaultLabel("good first issue", "7057ff", "Good for newcomers"),
    DefaultLabel("help wanted", "008672", "Extra attention is needed"),
    DefaultLabel("invalid", "e4e669", "This doesn't seem right"),
    DefaultLabel("question", "d876e3", "Further information is requested"),
    DefaultLabel("wontfix", "ffffff", "This will not be worked on"),
)
"""The labels GitHub gives every new repository."""


def default_labels(first_id: int) -> list[Label]:
    """GitHub's default labels as records, ids counting up from ``first_id``."""
    return [
        Label(
            id=first_id + i,
            node_id=node_id("LA", "label", first_id + i),
            name=d.name,
            color=d.color,
            description=d.description,
            default=True,
        )
        for i, d in enumerate(DEFAULT_LABELS)
    ]
