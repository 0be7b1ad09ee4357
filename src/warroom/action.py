"""``warroom action``'s first step: read the event, and load the engine only for an incident.

Most workflow runs are comments on issues that are no incidents. Deciding that
needs the payload, the config's label name and the incident form, nothing
more, so this module imports only those: PyGithub, Jinja2 and the run's
planning modules load (``warroom.run``) once the event is known to be about an
incident or a sweep. ``triage`` is the one place that decides what is ignored;
``warroom.run.run`` asks it too, so both paths always agree.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from warroom.actions_env import (
    DEFAULT_CONFIG_PATH,
    RunnerEnv,
    annotation,
    append,
    outputs_text,
)
from warroom.check import load_config
from warroom.config import Config
from warroom.errors import WarroomError
from warroom.events import Event, FollowUpChange, Ignored, read_event
from warroom.markers import marker, read_marker
from warroom.model import IssueSnapshot
from warroom.parsing.forms import bundled_form, looks_like_form

NO_OUTPUTS: Mapping[str, str] = {
    "incident": "",
    "severity": "",
    "phase": "",
    "gate": "n/a",
    "blocked-reasons": "[]",
    "follow-ups": "[]",
    "watching": "",
}
"""Every output the Action declares, as a run about no single incident sets them."""


def is_incident(issue: IssueSnapshot, config: Config) -> bool:
    """Labelled ``incident``, or filed from the incident form (labels can lag the body)."""
    if config.labels.incident.lower() in {x.lower() for x in issue.labels}:
        return True
    return looks_like_form(issue.body, bundled_form("incident"))


def triage(event_name: str, payload: Mapping[str, Any], config: Config) -> Event | Ignored:
    """The event warroom acts on, or why it leaves this one alone. Pure."""
    event = read_event(event_name, payload)
    if isinstance(event, Ignored) or event.is_sweep:
        return event
    if event.pull is not None:
        exempt = {x.lower() for x in config.freeze.exempt_labels}
        if event.action in {"labeled", "unlabeled"} and (event.label or "").lower() not in exempt:
            return Ignored(
                f"only the labels in freeze.exempt_labels change the merge freeze, "
                f"not {event.label!r}"
            )
        return event
    assert event.issue is not None
    if event.comment is not None and event.comment.author_is_bot:
        return Ignored("comments by bots are never records")
    if not is_incident(event.issue, config):
        change = follow_up_change(event, config)
        if change is not None:
            return replace(event, follow_up=change)
        return Ignored(f"#{event.issue.number} is not an incident")
    if filing_label(event, config):
        return Ignored(
            f"#{event.issue.number} was labelled {event.label!r} as it was filed; "
            "the run for `opened` handles it"
        )
    return event


def follow_up_change(event: Event, config: Config) -> FollowUpChange | None:
    """A hardening follow-up warroom opened, closed or reopened: its incident shows its state.

    Only an issue opened by a bot and starting with warroom's follow-up marker
    counts here; the shell also checks its sealed proof before acting on it.
    """
    issue = event.issue
    if (
        issue is None
        or event.name != "issues"
        or event.action not in {"closed", "reopened"}
        or not issue.author_is_bot
        or config.labels.hardening.lower() not in {x.lower() for x in issue.labels}
    ):
        return None
    found = read_marker(issue.body)
    if found is None or found[0] != "follow-up":
        return None
    incident = found[1].split(".", 1)[0]
    if not incident.isdigit():
        return None
    return FollowUpChange(int(incident), found[1], marker("follow-up", found[1]), issue.state)


def filing_label(event: Event, config: Config) -> bool:
    """The form's own ``incident`` label, which GitHub reports as a second event at filing.

    The ``opened`` run (always first in the issue's concurrency group) does all
    there is to do; the sweep finishes it if that run fails.
    """
    issue = event.issue
    return (
        issue is not None
        and event.name == "issues"
        and event.action == "labeled"
        and (event.label or "").lower() == config.labels.incident.lower()
        and issue.comment_count == 0
        and issue.updated_at is not None
        and issue.updated_at - issue.created_at <= timedelta(seconds=10)
    )


def ignored_summary(reason: str, *, dry_run: bool) -> str:
    """The step summary of an ignored run, as ``templates/summary.md.j2`` renders it.

    Written out here so an ignored run needs no template engine; a unit test
    holds the two to the same text.
    """
    heading = "## warroom" + (" (dry run: nothing was written)" if dry_run else "")
    return f"{heading}\nNothing to do: {reason}.\n"


def main(env: RunnerEnv, echo: Callable[[str], None]) -> int:
    """``warroom action``: one workflow run, start to end. Returns the exit code.

    A broken config, or a config path named that does not exist, exits 2, red
    and annotated, whatever the event, before any request; an ignored
    event exits 0 with its reason; everything else is ``warroom.run``'s.
    """
    workspace = Path(os.environ.get("GITHUB_WORKSPACE", "."))
    try:
        named = Path(env.config_path) != Path(DEFAULT_CONFIG_PATH)
        config = load_config(workspace / env.config_path, required=named)
    except WarroomError as exc:
        # A broken config must be as visible as a blocked closure: red, annotated, summarised.
        echo(annotation("error", f"warroom did not run: {exc}"))
        append(env.output_path, outputs_text(NO_OUTPUTS))
        append(env.summary_path, f"## warroom\n\nwarroom did not run: {exc}\n")
        return 2
    event = triage(env.event_name, env.event, config)
    if isinstance(event, Ignored):
        echo(f"ignored: {event.reason}")
        append(env.output_path, outputs_text(NO_OUTPUTS))
        append(env.summary_path, ignored_summary(event.reason, dry_run=env.dry_run))
        return 0
    from warroom.run import action_main

    # The CLI holds the collector off while modules load (they are never garbage);
    # from here on the run makes objects of its own.
    gc.enable()
    return action_main(env, echo, config)
