"""A run on an event warroom ignores loads no GitHub client and no template engine.

What that saves is measured in `make bench` (bench/startup.py); here only the
behaviour is pinned: which modules an ignored run imports, and that its step
summary reads as the template would have rendered it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from warroom.action import NO_OUTPUTS, ignored_summary
from warroom.actions_env import read_env
from warroom.config import Config
from warroom.run import RunResult, outputs, summary

PROBE = """
import json, os, runpy, sys
sys.argv = ["warroom", "action"]
try:
    runpy.run_module("warroom", run_name="__main__")
except SystemExit as exc:
    code = exc.code
loaded = sorted(m for m in ("github", "jinja2", "requests", "warroom.run") if m in sys.modules)
with open(os.environ["PROBE_OUT"], "w") as out:
    json.dump({"code": code, "loaded": loaded}, out)
"""


def _user(login: str) -> dict[str, Any]:
    return {"login": login, "id": 1, "type": "Bot" if login.endswith("[bot]") else "User"}


def _payload(*, labels: list[str], body: str, commenter: str = "omar") -> dict[str, Any]:
    return {
        "action": "created",
        "issue": {
            "number": 7,
            "id": 70,
            "title": "Typo in the README",
            "body": body,
            "state": "open",
            "labels": [{"name": x} for x in labels],
            "assignees": [],
            "user": _user("mara"),
            "created_at": "2024-05-01T12:00:00Z",
            "html_url": "https://github.test/acme/shop/issues/7",
        },
        "comment": {
            "id": 900,
            "body": "Good catch.",
            "user": _user(commenter),
            "created_at": "2024-05-01T12:05:00Z",
            "updated_at": "2024-05-01T12:05:00Z",
            "html_url": "https://github.test/acme/shop/issues/7#issuecomment-900",
        },
        "sender": _user(commenter),
    }


def _env(tmp_path: Path, payload: dict[str, Any]) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WARROOM_"))}
    env.update(
        {
            "GITHUB_EVENT_NAME": "issue_comment",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_TOKEN": "ghs_unused",
            # Nothing listens here: an ignored run must not ask GitHub anything.
            "GITHUB_API_URL": "http://127.0.0.1:9",
            "GITHUB_WORKSPACE": str(tmp_path),
            "GITHUB_OUTPUT": str(tmp_path / "output"),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "PROBE_OUT": str(tmp_path / "probe.json"),
        }
    )
    return env


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_payload(labels=["documentation"], body="s/teh/the/"), id="not-an-incident"),
        pytest.param(
            _payload(labels=["incident"], body="", commenter="renovate[bot]"), id="bot-comment"
        ),
    ],
)
def test_an_ignored_event_loads_neither_the_github_client_nor_templates(
    tmp_path: Path, payload: dict[str, Any]
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=_env(tmp_path, payload),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    probe = json.loads((tmp_path / "probe.json").read_text(encoding="utf-8"))
    assert probe["code"] == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ignored: ")
    assert probe["loaded"] == []


def test_an_incident_event_does_load_the_engine(tmp_path: Path) -> None:
    """The probe above can see a loaded client: here the run goes on and reaches for GitHub."""
    payload = _payload(labels=["incident"], body="")
    env = _env(tmp_path, payload)
    env["WARROOM_CONFIG"] = str(tmp_path / "warroom.yml")
    (tmp_path / "warroom.yml").write_text("api:\n  max_attempts: 1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    probe = json.loads((tmp_path / "probe.json").read_text(encoding="utf-8"))
    assert probe["code"] == 1, done.stdout + done.stderr  # nothing answers at the API URL
    assert set(probe["loaded"]) == {"github", "jinja2", "requests", "warroom.run"}


@pytest.mark.parametrize("dry_run", [pytest.param(False, id="run"), pytest.param(True, id="dry")])
def test_the_ignored_summary_is_what_the_template_renders(dry_run: bool) -> None:
    reason = "#7 is not an incident"
    rendered = summary(RunResult(ignored=reason, dry_run=dry_run), Config())
    assert ignored_summary(reason, dry_run=dry_run) == rendered


def test_an_ignored_run_sets_the_same_outputs_as_any_run_without_one_incident() -> None:
    assert outputs(RunResult(ignored="x")) == dict(NO_OUTPUTS)


def test_the_runner_files_of_an_ignored_run(tmp_path: Path) -> None:
    env = _env(tmp_path, _payload(labels=[], body="s/teh/the/"))
    done = subprocess.run(
        [sys.executable, "-m", "warroom", "action"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ignored: #7 is not an incident\n"
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == ignored_summary(
        "#7 is not an incident", dry_run=read_env(env).dry_run
    )
    written = (tmp_path / "output").read_text(encoding="utf-8")
    assert written == "".join(f"{k}={v}\n" for k, v in NO_OUTPUTS.items())
