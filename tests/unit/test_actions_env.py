"""The runner's environment: every missing or malformed variable is named, with the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warroom.actions_env import annotation, outputs_text, read_env
from warroom.errors import UsageError


def _env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "opened"}), encoding="utf-8")
    env = {
        "GITHUB_EVENT_NAME": "issues",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_TOKEN": "t",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v != "-"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"GITHUB_TOKEN": "-"}, "GITHUB_TOKEN is not set", id="no-token"),
        pytest.param({"GITHUB_REPOSITORY": "shop"}, "write owner/name", id="repo-without-owner"),
        pytest.param({"GITHUB_REPOSITORY": "a/b/c"}, "write owner/name", id="repo-too-deep"),
        pytest.param({"WARROOM_NOW": "teatime"}, "WARROOM_NOW", id="bad-now"),
        pytest.param({"GITHUB_EVENT_PATH": "/nonexistent/e.json"}, "cannot read", id="no-event"),
    ],
)
def test_bad_environments_are_named(
    tmp_path: Path, overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        read_env(_env(tmp_path, **overrides))


def test_a_good_environment_is_read(tmp_path: Path) -> None:
    env = read_env(_env(tmp_path, WARROOM_DRY_RUN="true", WARROOM_NOW="2026-11-28T16:20:00Z"))
    assert env.repository == "acme/shop"
    assert env.dry_run is True
    assert env.now.isoformat() == "2026-11-28T16:20:00+00:00"
    assert env.event == {"action": "opened"}


def test_multi_line_outputs_use_a_delimiter_no_value_can_forge() -> None:
    text = outputs_text({"gate": "met", "blocked-reasons": "a\nEOF\nb"})
    lines = text.splitlines()
    assert lines[0] == "gate=met"
    opener = lines[1]
    delimiter = opener.split("<<", 1)[1]
    assert delimiter not in "a\nEOF\nb"
    assert lines[-1] == delimiter


def test_annotations_cannot_start_a_second_workflow_command() -> None:
    assert annotation("error", "bad\n::add-mask::x 100%") == "::error::bad%0A::add-mask::x 100%25"
