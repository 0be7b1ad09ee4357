"""Settings fail closed: a value warroom does not understand stops the run, exit 2, one line.

The API URL below has nothing listening: a command that reached for GitHub
would fail with exit 1 after its retries, so exit 2 with the setting's name
shows the run stopped before any request. (The sandbox's request count says the
same end to end, in tests/e2e/test_settings_e2e.py.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warroom.action import NO_OUTPUTS
from warroom.action import main as action_main
from warroom.actions_env import read_env
from warroom.check import load_config
from warroom.config import DEFAULT_CONFIG, Config
from warroom.errors import UsageError

PAYLOAD = {
    "action": "opened",
    "issue": {
        "number": 7,
        "id": 70,
        "title": "[incident] 401s",
        "body": "",
        "labels": [{"name": "incident"}],
        "user": {"login": "mara", "id": 1, "type": "User"},
        "created_at": "2024-05-01T12:00:00Z",
    },
    "sender": {"login": "mara", "id": 1, "type": "User"},
}


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(PAYLOAD), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WARROOM_"))}
    env.update(
        {
            "GITHUB_EVENT_NAME": "issues",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_TOKEN": "ghs_unused",
            "GITHUB_API_URL": "http://127.0.0.1:9",  # nothing listens: no request may be made
            "GITHUB_WORKSPACE": str(tmp_path),
            "GITHUB_OUTPUT": str(tmp_path / "output"),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        }
    )
    env.update(settings)
    return env


def _warroom(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom", *args],
        env=_env(tmp_path, **settings),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


DRY_RUN_MAYBE = (
    "warroom: WARROOM_DRY_RUN: 'maybe' is not a yes/no value; write true or false "
    "(or 1/0, yes/no), or leave it empty for false\n"
)


@pytest.mark.parametrize(
    "args",
    [pytest.param(["action"], id="action"), pytest.param(["action", "--dry-run"], id="flag")],
)
def test_a_dry_run_of_maybe_stops_the_action_before_any_request(
    tmp_path: Path, args: list[str]
) -> None:
    done = _warroom(tmp_path, *args, WARROOM_DRY_RUN="maybe")
    assert (done.returncode, done.stdout, done.stderr) == (2, "", DRY_RUN_MAYBE)


def _missing_config(path: Path) -> str:
    return (
        f"WARROOM_CONFIG: no config file at {path}; correct the path (in a workflow, the "
        "action's `config` input, read from the checked-out repository) or leave it unset "
        "to use .github/warroom.yml, or the defaults without one"
    )


def test_a_named_config_that_does_not_exist_stops_the_action(tmp_path: Path) -> None:
    done = _warroom(tmp_path, "action", WARROOM_CONFIG="ops/warroom.yml")
    assert done.returncode == 2, done.stdout + done.stderr
    message = _missing_config(tmp_path / "ops" / "warroom.yml")
    assert done.stdout == f"::error::warroom did not run: {message}\n"
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == (
        f"## warroom\n\nwarroom did not run: {message}\n"
    )
    written = (tmp_path / "output").read_text(encoding="utf-8")
    assert written == "".join(f"{k}={v}\n" for k, v in NO_OUTPUTS.items())


@pytest.mark.parametrize(
    "command", [pytest.param(["sweep"], id="sweep"), pytest.param(["labels", "sync"], id="labels")]
)
def test_a_named_config_that_does_not_exist_stops_the_commands_run_by_hand(
    tmp_path: Path, command: list[str]
) -> None:
    done = _warroom(tmp_path, *command, WARROOM_CONFIG="ops/warroom.yml")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == f"warroom: {_missing_config(Path('ops/warroom.yml'))}\n"


@pytest.mark.parametrize(
    "config_path",
    [
        pytest.param("", id="unset"),
        pytest.param(".github/warroom.yml", id="the-default"),
        pytest.param("./.github/warroom.yml", id="the-default-spelled-with-dot"),
    ],
)
def test_the_default_config_may_be_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config_path: str
) -> None:
    env = _env(tmp_path, WARROOM_CONFIG=config_path)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    runner = read_env(env)
    issue = {**runner.event["issue"], "labels": []}
    lines: list[str] = []
    # The defaults applied: the run went on to decide the issue is no incident (no label, no form).
    assert (
        action_main(
            dataclasses.replace(runner, event={**runner.event, "issue": issue}), lines.append
        )
        == 0
    )
    assert lines == ["ignored: #7 is not an incident"]


def test_load_config_defaults_only_for_the_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config() is DEFAULT_CONFIG
    assert load_config(Path(".github/warroom.yml")) is DEFAULT_CONFIG
    with pytest.raises(UsageError, match=r"WARROOM_CONFIG: no config file at ops\.yml;"):
        load_config(Path("ops.yml"))
    with pytest.raises(UsageError, match="WARROOM_CONFIG: no config file at"):
        load_config(tmp_path / ".github" / "warroom.yml", required=True)
    assert load_config(tmp_path / "elsewhere.yml", required=False) is DEFAULT_CONFIG
    (tmp_path / "ops.yml").write_text("timezone: Europe/Berlin\n", encoding="utf-8")
    assert load_config(Path("ops.yml")) == Config(timezone="Europe/Berlin")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            b"timezone: \xff\n", "ops.yml: not UTF-8 text (byte 0xff at offset 10)", id="utf8"
        ),
        pytest.param(
            b"timezone: UTC\x00\n", "ops.yml: not text (a NUL byte at offset 13)", id="nul"
        ),
    ],
)
def test_an_unreadable_config_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ops.yml").write_bytes(data)
    with pytest.raises(UsageError) as caught:
        load_config(Path("ops.yml"))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
