"""The runner's side of a workflow step: its environment in, outputs and summary out.

Reading and formatting are separate so the formatting can be tested without a
runner: ``outputs_text`` is pure; ``append`` only appends it to a file.

Settings fail closed: a ``WARROOM_*`` value warroom does not understand (a
``WARROOM_DRY_RUN`` of ``maybe``, a ``WARROOM_NOW`` that is no time) stops the
run with exit 2 before any request, naming the variable and the values it
takes. A guess would be worse: ``maybe`` read as "no" writes to a live incident.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warroom.errors import UsageError

DEFAULT_CONFIG_PATH = ".github/warroom.yml"
"""The config warroom reads when no path is named; without it the defaults apply."""


@dataclass(frozen=True)
class RunnerEnv:
    """What a workflow run hands warroom."""

    event_name: str
    event: Mapping[str, Any]
    repository: str
    api_url: str
    token: str
    actor: str
    now: datetime
    config_path: str
    dry_run: bool
    output_path: Path | None
    summary_path: Path | None
    run_id: str
    attempt: int = 1
    """``GITHUB_RUN_ATTEMPT``: above 1 the event payload is as old as the first attempt."""
    state_key: str = field(default="", repr=False)
    """``WARROOM_STATE_KEY``, the secret that seals warroom's memory (never printed)."""
    backlog_token: str = field(default="", repr=False)
    """``WARROOM_BACKLOG_TOKEN``: reaches the GitHub Project and the backlog repository."""


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise UsageError(
            f"{name} is not set: run `warroom action` inside a GitHub Actions workflow, "
            "or set it (see the README's section on running locally)"
        )
    return value


def parse_now(raw: str | None) -> datetime:
    """``WARROOM_NOW`` (ISO 8601) lets the sandbox and drills set the clock."""
    if not raw:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(
            f"WARROOM_NOW: not an ISO 8601 time ({raw!r}); write e.g. 2026-11-28T16:20:00Z"
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_YES = frozenset({"1", "true", "yes"})
_NO = frozenset({"", "0", "false", "no"})


def parse_flag(name: str, raw: str | None) -> bool:
    """A yes/no setting: true/false, 1/0 or yes/no in any case; empty or unset is no.

    Anything else is a ``UsageError`` naming the variable: a flag that guards
    writes is never guessed at.
    """
    value = (raw or "").strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise UsageError(
        f"{name}: {raw!r} is not a yes/no value; write true or false (or 1/0, yes/no), "
        "or leave it empty for false"
    )


def _event(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"GITHUB_EVENT_PATH: no event file at {path}") from None
    except UnicodeDecodeError:
        raise UsageError(f"GITHUB_EVENT_PATH: the event file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(
            f"GITHUB_EVENT_PATH: cannot read the event file {path} ({exc.strerror or exc})"
        ) from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"GITHUB_EVENT_PATH: the event file {path} is not JSON ({exc})") from None


def read_env(env: Mapping[str, str] | None = None) -> RunnerEnv:
    """Read the runner's variables and event file, failing with the variable's name."""
    env = os.environ if env is None else env
    dry_run = parse_flag("WARROOM_DRY_RUN", env.get("WARROOM_DRY_RUN"))
    event = _event(Path(_required(env, "GITHUB_EVENT_PATH")))
    if not isinstance(event, dict):
        raise UsageError("GITHUB_EVENT_PATH: the event file does not hold a JSON object")
    repository = _required(env, "GITHUB_REPOSITORY")
    if repository.count("/") != 1 or repository.startswith("/") or repository.endswith("/"):
        raise UsageError(f"GITHUB_REPOSITORY: write owner/name, e.g. acme/shop; got {repository!r}")
    output = env.get("GITHUB_OUTPUT")
    summary = env.get("GITHUB_STEP_SUMMARY")
    return RunnerEnv(
        event_name=_required(env, "GITHUB_EVENT_NAME"),
        event=event,
        repository=repository,
        api_url=env.get("GITHUB_API_URL", "").strip() or "https://api.github.com",
        token=_required(env, "GITHUB_TOKEN"),
        actor=env.get("GITHUB_ACTOR", ""),
        now=parse_now(env.get("WARROOM_NOW")),
        config_path=env.get("WARROOM_CONFIG", "").strip() or DEFAULT_CONFIG_PATH,
        dry_run=dry_run,
        output_path=Path(output) if output else None,
        summary_path=Path(summary) if summary else None,
        run_id=env.get("GITHUB_RUN_ID", ""),
        attempt=_attempt(env.get("GITHUB_RUN_ATTEMPT", "")),
        state_key=env.get("WARROOM_STATE_KEY", "").strip(),
        backlog_token=env.get("WARROOM_BACKLOG_TOKEN", "").strip(),
    )


def _attempt(raw: str) -> int:
    """The run's attempt; anything unreadable counts as a re-run, which only costs a read."""
    value = raw.strip()
    if not value:
        return 1
    return int(value) if value.isdigit() and int(value) >= 1 else 2


def outputs_text(outputs: Mapping[str, str]) -> str:
    """``GITHUB_OUTPUT`` lines; multi-line values use a random heredoc delimiter.

    A fixed delimiter could be forged by a value that contains it; a fresh one
    per value cannot.
    """
    lines: list[str] = []
    for name, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = f"warroom_{uuid.uuid4().hex}"
            lines.extend([f"{name}<<{delimiter}", value, delimiter])
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines) + ("\n" if lines else "")


def append(path: Path | None, text: str) -> None:
    """Append to a runner file; outside a runner there is none and nothing is written."""
    if path is None or not text:
        return
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def annotation(level: str, message: str) -> str:
    """A workflow command that shows ``message`` as an annotation on the run."""
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::{level}::{escaped}"
