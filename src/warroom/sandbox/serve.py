"""Running the sandbox as a process: ``warroom sandbox serve``.

It announces itself with one JSON line (``api_url``, ``repo``, ``tokens`` ...)
so a script or a test can read where to connect, then serves until it gets
SIGINT or SIGTERM, and shuts down cleanly so a ``--data`` file stays whole.
``--user LOGIN=LEVEL`` and ``--env NAME=VALUE`` are read here, not in the CLI,
so every bad value is refused with the option's name and the form to write.

With ``--dispatch``, each run's attempt is logged as one line when it
completes (``run_line``): the event, the issue, the exit code and what changed
(the run's ``applied:`` lines, or why it did nothing, or its error). The CLI
writes these lines to stderr, so stdout stays the one JSON line a script reads.
Run output is untrusted text (label names, comment text), so the line keeps
only printable characters.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from warroom.sandbox.records import LEVELS
from warroom.sandbox.sandbox import Sandbox
from warroom.sandbox.seed import REPO, USERS

SEEDED = frozenset(u.login.lower() for u in USERS)

_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
_REPOSITORY = re.compile(r"[A-Za-z0-9._-]{1,100}")
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


def parse_repositories(values: Sequence[str]) -> tuple[str, ...]:
    """``--repository NAME`` values: further repositories of the owner (a backlog)."""
    names: list[str] = []
    for value in values:
        name = value.strip()
        if not _REPOSITORY.fullmatch(name) or name in {".", ".."}:
            raise ServeError(
                f"--repository {value!r}: write a repository name such as backlog "
                "(letters, digits, '.', '-' and '_')"
            )
        if name.lower() in {n.lower() for n in (REPO, *names)}:
            raise ServeError(f"--repository {value!r}: {name} is there already; name another")
        names.append(name)
    return tuple(names)


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


_SHOWN_CHANGES = 3
"""``applied:`` lines a run's log line quotes; the rest are counted."""
_PART = 160
"""Characters kept of any one quoted part (a change, a reason, an error)."""


def _printable(text: str, limit: int = _PART) -> str:
    shown = "".join(ch if ch.isprintable() else "?" for ch in text.strip())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _issue_number(payload: Any) -> int | None:
    issue = payload.get("issue") if isinstance(payload, Mapping) else None
    number = issue.get("number") if isinstance(issue, Mapping) else None
    return number if isinstance(number, int) else None


def _outcome(attempt: Mapping[str, Any], number: int | None) -> str:
    """What an attempt did: its ``applied:`` lines, or why it did nothing, or its error."""
    out = str(attempt.get("stdout") or "").splitlines()
    applied = [line[len("applied:") :].strip() for line in out if line.startswith("applied:")]
    prefix = f"#{number}: "
    changes = [_printable(line.removeprefix(prefix)) for line in applied]
    # The first run creates every label; what it did to the incident says more, so it goes first.
    changes.sort(key=lambda change: change.startswith("label '") and change.endswith(" ready"))
    parts: list[str] = []
    if changes:
        shown = "; ".join(changes[:_SHOWN_CHANGES])
        more = len(changes) - _SHOWN_CHANGES
        noun = "change" if len(changes) == 1 else "changes"
        parts.append(f"{len(changes)} {noun}: {shown}" + (f"; … {more} more" if more > 0 else ""))
    else:
        ignored = next((line for line in out if line.startswith("ignored:")), None)
        if ignored is not None:
            parts.append(f"nothing to do: {_printable(ignored[len('ignored:') :])}")
        else:
            parts.append("nothing applied")
    if attempt.get("exit_code") != 0:
        error = next((line[len("::error::") :] for line in out if line.startswith("::error::")), "")
        if not error:
            err_lines = [line for line in str(attempt.get("stderr") or "").splitlines() if line]
            error = err_lines[-1] if err_lines else ""
        if error:
            parts.append(f"error: {_printable(error)}")
    return "; ".join(parts)


def run_line(run: Mapping[str, Any], attempt: Mapping[str, Any]) -> str:
    """One line for one completed attempt of a dispatched run (a run from ``Sandbox.run``)."""
    number = _issue_number(run.get("payload"))
    event = f"{run.get('event')}.{run['action']}" if run.get("action") else str(run.get("event"))
    head = f"run {run.get('id')}"
    if int(attempt.get("attempt") or 1) > 1:
        head += f" (attempt {attempt.get('attempt')})"
    head += f" {event}" + (f" #{number}" if number is not None else "")
    actor = attempt.get("triggering_actor") or run.get("actor")
    if actor:
        head += f" by @{_printable(str(actor))}"
    conclusion = attempt.get("conclusion")
    if conclusion == "cancelled":
        replaced = attempt.get("cancelled_by")
        why = f"replaced by run {replaced} before it started" if replaced else "not started"
        return f"{head}: cancelled, {why}"
    status = f"exit {attempt.get('exit_code')}"
    if conclusion in ("timed_out", "startup_failure"):
        status += f" ({str(conclusion).replace('_', ' ')})"
    return f"{head}: {status}; {_outcome(attempt, number)}"


class RunLog:
    """Reports each completed attempt of the sandbox's runs once, soon after it completes."""

    def __init__(self, sandbox: Sandbox, report: Callable[[str], None]) -> None:
        self.sandbox = sandbox
        self.report = report
        self._reported: dict[int, int] = {}
        """Run id -> the highest attempt reported."""
        self._closed = False

    def poll(self) -> None:
        """Report what completed since the last poll (cheap when nothing did)."""
        if self.sandbox.dispatcher is None or self._closed:
            return
        for run in self.sandbox.dispatcher.runs():
            done = run.attempt if run.status == "completed" else run.attempt - 1
            if done <= self._reported.get(run.id, 0):
                continue
            found = self.sandbox.run(run.id)
            if found is None:
                continue
            for attempt in found["attempts"]:
                number = int(attempt.get("attempt") or 1)
                if number <= self._reported.get(run.id, 0) or attempt.get("status") != "completed":
                    continue
                self._reported[run.id] = number
                try:
                    self.report(run_line(found, attempt))
                except OSError:  # nobody reads the log any more (a closed pipe): serve on
                    self._closed = True
                    return


def serve(
    *,
    port: int = 0,
    data: Path | None = None,
    dispatch: str | None = None,
    users: Sequence[str] = (),
    env: Sequence[str] = (),
    repositories: Sequence[str] = (),
    projects: Sequence[int] = (),
    announce: Callable[[str], None] = print,
    report: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve until ``stop`` is set or the process is told to stop.

    ``users`` and ``env`` are the raw ``--user`` and ``--env`` values; ``repositories`` adds
    repositories of the owner and ``projects`` seeds the owner's GitHub Projects by number.
    ``report`` gets one line per completed attempt of a dispatched run.
    """
    stop = stop or threading.Event()
    extra_users = parse_users(users)
    run_env = parse_env(env)
    further = parse_repositories(repositories)
    if any(number < 1 for number in projects):
        raise ServeError("--project: give a project's number, 1 or more")
    try:
        sandbox = Sandbox(
            port=port,
            data=data,
            dispatch=dispatch,
            users=extra_users,
            env=run_env,
            repositories=further,
        )
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
    for number in projects:
        sandbox.seed_project(number)
    log = RunLog(sandbox, report) if report is not None else None
    try:
        announce(json.dumps(sandbox.info(), sort_keys=True))
        while not stop.wait(0.25):
            if log is not None:
                log.poll()
        if log is not None:
            log.poll()  # what completed while the last wait ran
    finally:
        sandbox.stop()
