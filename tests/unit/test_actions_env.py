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
        pytest.param({"GITHUB_EVENT_PATH": "/nonexistent/e.json"}, "no event file", id="no-event"),
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("-", False, id="unset"),
        pytest.param("", False, id="empty"),
        pytest.param("  ", False, id="blank"),
        *(pytest.param(raw, True, id=f"yes-{raw}") for raw in ("true", "TRUE", "1", "yes", "Yes")),
        *(
            pytest.param(raw, False, id=f"no-{raw}")
            for raw in ("false", "False", "0", "no", "NO", " false ")
        ),
    ],
)
def test_dry_run_takes_yes_and_no_in_any_case(tmp_path: Path, raw: str, expected: bool) -> None:
    assert read_env(_env(tmp_path, WARROOM_DRY_RUN=raw)).dry_run is expected


@pytest.mark.parametrize("raw", ["maybe", "on", "off", "y", "2", "tru", "false!"])
def test_a_dry_run_warroom_does_not_understand_is_a_usage_error(tmp_path: Path, raw: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_env(_env(tmp_path, WARROOM_DRY_RUN=raw))
    assert str(caught.value) == (
        f"WARROOM_DRY_RUN: {raw!r} is not a yes/no value; write true or false (or 1/0, yes/no), "
        "or leave it empty for false"
    )


def test_a_bad_dry_run_is_named_before_the_event_file_is_read(tmp_path: Path) -> None:
    env = _env(tmp_path, WARROOM_DRY_RUN="maybe", GITHUB_EVENT_PATH="/nonexistent/e.json")
    with pytest.raises(UsageError, match="WARROOM_DRY_RUN"):
        read_env(env)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "GITHUB_EVENT_PATH: no event file at ", id="missing"),
        pytest.param(b"\xff{}", "is not UTF-8 text", id="not-utf8"),
        pytest.param(b"{", "is not JSON (Expecting", id="not-json"),
    ],
)
def test_an_unreadable_event_file_is_one_line_without_errno(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    event = tmp_path / "other.json"
    if content is not None:
        event.write_bytes(content)
    with pytest.raises(UsageError) as caught:
        read_env(_env(tmp_path, GITHUB_EVENT_PATH=str(event)))
    assert message in str(caught.value)
    assert "Errno" not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_run_attempt_stays_lenient(tmp_path: Path) -> None:
    """An unreadable attempt counts as a re-run on purpose: it only costs a read."""
    assert read_env(_env(tmp_path, GITHUB_RUN_ATTEMPT="later")).attempt == 2
