"""What the merge freeze does to one pull request: a plan of effects, pure.

Held, the pull request gets a failing ``warroom/freeze`` status on its head
commit, ``labels.freeze_held`` (so incident runs and the sweep find held ones
with one listing), one comment naming each incident and the matching files,
edited in place while the hold stands, and the run fails with an error
annotation saying the same. Not held, the status is success, and only a pull
request that carries the label loses it and the comment: one that was never
held costs no request beyond its status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from warroom.config import Config
from warroom.effects import (
    AddLabels,
    DeleteComment,
    Effect,
    Fail,
    RemoveLabel,
    SetCommitStatus,
    UpsertComment,
)
from warroom.limits import fit_body
from warroom.markers import marker, quote
from warroom.model import PullSnapshot
from warroom.plan import label_catalog
from warroom.rules.merge_freeze import PLAYBOOK, STATUS_CONTEXT, Hold

Render = Callable[[str, Mapping[str, Any]], str]

_FILES_SHOWN = 20
"""Files listed per incident in the comment and the annotation; the rest are counted."""


def freeze_marker(number: int) -> str:
    return marker("freeze", number)


def is_held(pull: PullSnapshot, config: Config) -> bool:
    """Whether the pull request carries the held label (the last run held it)."""
    return config.labels.freeze_held.lower() in {x.lower() for x in pull.labels}


def describe_holds(holds: tuple[Hold, ...]) -> str:
    """The status description: GitHub allows 140 characters."""
    if not holds:
        return "No open incident freezes these files"
    named = ", ".join(f"#{h.incident} ({h.severity})" for h in holds)
    text = f"Held by the merge freeze of incident {named}"
    return text if len(text) <= 140 else text[:139] + "…"


def failure(pull: PullSnapshot, holds: tuple[Hold, ...]) -> str:
    """The run's error annotation: the incident and the files, and how to release it."""
    parts = []
    for hold in holds:
        files = ", ".join(hold.files[:_FILES_SHOWN])
        more = len(hold.files) - _FILES_SHOWN
        parts.append(
            f"incident #{hold.incident} ({hold.severity}) freezes "
            f"{', '.join(hold.surfaces[:_FILES_SHOWN])}: "
            f"{files}{f' and {more} more' if more > 0 else ''}"
        )
    return (
        f"pull request #{pull.number} is held by the merge freeze ({PLAYBOOK}): "
        + "; ".join(parts)
        + ". Wait until the incident recovers, or add the line `Incident: "
        + ", ".join(f"#{h.incident}" for h in holds)
        + "` to the description if this change is part of its response."
    )


def plan_pull(
    pull: PullSnapshot,
    holds: tuple[Hold, ...],
    config: Config,
    render: Render,
    *,
    titles: Mapping[int, str] | None = None,
) -> tuple[Effect, ...]:
    """The outcome for ``pull`` given the incidents that hold it (``titles`` by incident)."""
    label = config.labels.freeze_held
    mark = freeze_marker(pull.number)
    status = SetCommitStatus(
        pull.head_sha,
        STATUS_CONTEXT,
        "failure" if holds else "success",
        describe_holds(holds),
    )
    effects: list[Effect] = []
    if holds:
        # The surfaces come from the incident's form, as long as its body: cut to GitHub's
        # limit, pointing at the incidents that hold the pull request (their text in full).
        body = fit_body(
            render(
                "freeze.md.j2",
                {
                    "marker": mark,
                    "context": STATUS_CONTEXT,
                    "playbook": PLAYBOOK,
                    "exempt_labels": [quote(x) for x in config.freeze.exempt_labels],
                    "holds": [
                        {
                            "incident": h.incident,
                            "severity": str(h.severity),
                            "title": quote(
                                " ".join((titles or {}).get(h.incident, "").split())[:200]
                            ),
                            "surfaces": [quote(s) for s in h.surfaces],
                            "files": [quote(f) for f in h.files[:_FILES_SHOWN]],
                            "more": max(0, len(h.files) - _FILES_SHOWN),
                        }
                        for h in holds
                    ],
                },
            ),
            ", ".join(f"#{h.incident}" for h in holds),
        )
        if not is_held(pull, config):
            effects += [label_catalog(config)[label], AddLabels(pull.number, (label,))]
        effects += [UpsertComment(pull.number, mark, body), status, Fail(failure(pull, holds))]
    else:
        if is_held(pull, config):
            effects += [DeleteComment(pull.number, mark), RemoveLabel(pull.number, label)]
        effects.append(status)
    return tuple(effects)
