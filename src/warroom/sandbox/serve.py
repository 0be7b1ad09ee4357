"""Running the sandbox as a process: ``warroom sandbox serve``.

It announces itself with one JSON line (``api_url``, ``repo``, ``tokens`` ...)
so a script or a test can read where to connect, then serves until it gets
SIGINT or SIGTERM, and shuts down cleanly so a ``--data`` file stays whole.
``--user LOGIN=LEVEL`` and ``--env NAME=VALUE`` are read here, not in the CLI,
so every bad value is refused with the option's name and the form to write.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from warroom.sandbox.records import LEVELS
from warroom.sandbox.sandbox import Sandbox
from warroom.sandbox.seed import USERS

SEEDED = frozenset(u.login.lower() for u in USERS)

_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RUNNER_PREFIXES = ("GITHUB_", "RUNNER_", "ACTIONS_")


class ServeError(Exception):
    """The sandbox could not start; the message says what to change."""


def parse_users(values: Sequence[str]) -> dict[str, str]:
    """``--user LOGIN=LEVEL`` values as login -> level; ``ServeError`` names a bad one."""
    users: dict[str, str] = {}
    levels = "|".join(reversed(LEVELS))
    for value in values:
        login, sep, level = value.partition("=")
        login, level = login.strip(), level.strip()
        if not sep or not _LOGIN.fullmatch(login):
            raise ServeError(
                f"--user {value!r}: write LOGIN=LEVEL with a GitHub login, such as mara=write"
            )
        if level not in LEVELS:
            raise ServeError(
                f"--user {value!r}: LEVEL must be one of {levels}, such as {login}=write"
            )
        if login.lower() in {u.lower() for u in users}:
            raise ServeError(f"--user {value!r}: {login} is given twice; give each login once")
        if login.lower() in SEEDED:
            raise ServeError(
                f"--user {value!r}: {login} is already seeded ({', '.join(sorted(SEEDED))}); "
                "choose another login"
            )
        users[login] = level
    return users


def parse_env(values: Sequence[str]) -> dict[str, str]:
    """``--env NAME=VALUE`` values as a mapping; ``ServeError`` names a bad one."""
    env: dict[str, str] = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not _ENV_NAME.fullmatch(name):
            raise ServeError(
                f"--env {value!r}: write NAME=VALUE with a variable name of letters, digits "
                "and underscores, such as WARROOM_CONFIG=.github/warroom.yml"
            )
        if name.upper().startswith(_RUNNER_PREFIXES):
            raise ServeError(
                f"--env {value!r}: the runner sets {name} itself (as on GitHub, "
                f"{', '.join(p + '*' for p in _RUNNER_PREFIXES)} cannot be overridden); "
                "choose another name"
            )
        env[name] = setting
    return env


def serve(
    *,
    port: int = 0,
    data: Path | None = None,
    dispatch: str | None = None,
    users: Sequence[str] = (),
    env: Sequence[str] = (),
    announce: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Serve until ``stop`` is set or the process is told to stop.

    ``users`` and ``env`` are the raw ``--user`` and ``--env`` values.
    """
    stop = stop or threading.Event()
    extra_users = parse_users(users)
    run_env = parse_env(env)
    try:
        sandbox = Sandbox(port=port, data=data, dispatch=dispatch, users=extra_users, env=run_env)
    except ValueError as exc:
        raise ServeError(f"--dispatch: {exc}") from None
    except (OSError, sqlite3.Error) as exc:
        raise ServeError(
            f"--data {data}: {exc}; give a writable path for a new or existing sandbox file"
        ) from None
    try:
        sandbox.start()
    except OSError as exc:
        sandbox.stop()
        raise ServeError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; "
            "choose another --port (0 picks a free one)"
        ) from None
    if threading.current_thread() is threading.main_thread():

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    try:
        announce(json.dumps(sandbox.info(), sort_keys=True))
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
