"""``warroom sandbox serve``: one JSON line announcing where to connect, then it serves."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from warroom import story

pytestmark = pytest.mark.e2e

START = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "warroom", "sandbox", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, object], Path]]:
    data = tmp_path / "drill.sqlite"
    proc = _start("--port", "0", "--data", str(data))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        yield proc, json.loads(line), data
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_serve_announces_itself_then_serves_until_terminated(
    served: tuple[subprocess.Popen[str], dict[str, object], Path],
) -> None:
    proc, info, data = served
    api_url = str(info["api_url"])
    tokens = info["tokens"]
    assert isinstance(tokens, dict)
    assert api_url.startswith("http://127.0.0.1:")
    assert api_url.endswith("/api/v3")
    assert info["repo"] == "acme/service"
    assert set(tokens) == {
        "admin",
        "maintainer",
        "writer",
        "triager",
        "reader",
        "outsider",
        "github-actions[bot]",
    }

    request = urllib.request.Request(
        f"{api_url}/repos/acme/service", headers={"Authorization": f"token {tokens['admin']}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.load(answer)["full_name"] == "acme/service"

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert data.stat().st_size > 0


def test_a_port_in_use_is_a_usage_error(
    served: tuple[subprocess.Popen[str], dict[str, object], Path],
) -> None:
    _, info, _ = served
    port = str(info["api_url"]).split(":")[2].split("/")[0]

    second = _start("--port", port)
    _, err = second.communicate(timeout=20)

    assert second.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "port", [pytest.param("65536", id="above"), pytest.param("-1", id="below")]
)
def test_a_port_out_of_range_is_a_usage_error(port: str) -> None:
    proc = _start("--port", port)
    _, err = proc.communicate(timeout=20)

    assert proc.returncode == 2
    assert "--port" in err
    assert "Traceback" not in err


def _call(
    url: str, token: str | None = None, body: object = None, *, method: str | None = None
) -> object:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"token {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def test_serve_adds_users_and_passes_variables_to_runs() -> None:
    show = "import os; print(os.environ['RUN_NOTE'], os.environ['GITHUB_ACTOR'])"
    proc = _start(
        "--user",
        "mara=write",
        "--user",
        "pat=none",
        "--env",
        "RUN_NOTE=hello = world",
        "--dispatch",
        f"{shlex.quote(sys.executable)} -c {shlex.quote(show)}",
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        users, tokens = info["users"], info["tokens"]
        assert (users["mara"], users["pat"]) == ("write", "none")
        api, control = info["api_url"], info["control_url"]

        permission = _call(
            f"{api}/repos/acme/service/collaborators/mara/permission", tokens["admin"]
        )
        _call(f"{api}/repos/acme/service/issues", tokens["mara"], {"title": "From mara"})
        waited = _call(f"{control}/wait", body={"timeout": 30})
        runs = _call(f"{control}/runs")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)

    assert isinstance(permission, dict)
    assert permission["permission"] == "write"
    assert waited == {"idle": True, "pending": 0}
    assert isinstance(runs, dict)
    (run,) = runs["runs"]
    assert run["stdout"] == "hello = world mara\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--user", "mara"], "--user 'mara': write LOGIN=LEVEL", id="no-level"),
        pytest.param(
            ["--user", "mara=boss"],
            "LEVEL must be one of admin|maintain|write|triage|read|none",
            id="unknown-level",
        ),
        pytest.param(["--user", "no body=read"], "write LOGIN=LEVEL", id="bad-login"),
        pytest.param(["--user", "admin=read"], "admin is already seeded", id="seeded"),
        pytest.param(["--user", "mara=write", "--user", "Mara=read"], "given twice", id="twice"),
        pytest.param(["--env", "NOTE"], "--env 'NOTE': write NAME=VALUE", id="no-value"),
        pytest.param(["--env", "1NOTE=x"], "write NAME=VALUE", id="bad-name"),
        pytest.param(
            ["--env", "GITHUB_TOKEN=x"], "the runner sets GITHUB_TOKEN itself", id="runner-var"
        ),
    ],
)
def test_bad_users_and_variables_are_usage_errors(args: list[str], message: str) -> None:
    proc = _start(*args)
    out, err = proc.communicate(timeout=20)

    assert proc.returncode == 2
    assert message in err
    assert out == ""
    assert "Traceback" not in err


def _applied(run: dict[str, Any], number: int) -> list[str]:
    """The run's ``applied:`` lines as its log line quotes them."""
    lines = [x for x in run["stdout"].splitlines() if x.startswith("applied: ")]
    return [x.removeprefix("applied: ").removeprefix(f"#{number}: ") for x in lines]


def test_serve_prints_one_line_per_dispatched_run(tmp_path: Path) -> None:
    """People see their runs: event, issue, exit code and what changed, one line each."""
    config = tmp_path / "warroom.yml"
    config.write_text("api:\n  seconds_between_writes: 0\n", encoding="utf-8")
    action = f"{shlex.quote(sys.executable)} -m warroom action"
    proc = _start(
        "--user", f"{story.COMMANDER}=write", "--env", f"WARROOM_CONFIG={config}",
        "--dispatch", action,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        api, control, token = info["api_url"], info["control_url"], info["tokens"][story.COMMANDER]
        issues = f"{api}/repos/acme/service/issues"
        filed = {"title": "[incident] 401s", "body": story.incident_body(), "labels": ["incident"]}
        number = _call(issues, token, filed)["number"]  # type: ignore[index]
        _call(f"{control}/wait", body={"timeout": 60})
        bad = story.decision(START).replace("- Decision: rollback", "- Decision: roll it back")
        _call(f"{issues}/{number}/comments", token, {"body": bad})
        _call(f"{control}/wait", body={"timeout": 60})
        _call(f"{issues}/{number}", token, {"state": "closed"}, method="PATCH")
        _call(f"{control}/wait", body={"timeout": 60})
        runs = _call(f"{control}/runs")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)

    assert proc.returncode == 0, err
    assert isinstance(runs, dict)
    opened, labeled, commented, closed = runs["runs"]
    lines = err.splitlines()
    assert len(lines) == 4, err
    by = f"#{number} by @{story.COMMANDER}"

    changes = _applied(opened, number)
    assert len(changes) > 3
    assert lines[0].startswith(
        f"run {opened['id']} issues.opened {by}: exit 0; {len(changes)} changes: "
    )
    assert lines[0].endswith(f"; … {len(changes) - 3} more")
    assert "label 'incident' ready" not in lines[0], "the first run's own changes come first"

    assert lines[1] == (
        f"run {labeled['id']} issues.labeled {by}: exit 0; nothing to do: #{number} was "
        "labelled 'incident' as it was filed; the run for `opened` handles it"
    )

    changes = _applied(commented, number)
    assert any(change.startswith("posted the reply to comment ") for change in changes)
    assert lines[2] == (
        f"run {commented['id']} issue_comment.created {by}: exit 0; "
        f"{len(changes)} changes: {'; '.join(changes[:3])}"
    )

    assert closed["exit_code"] == 1
    assert lines[3].startswith(f"run {closed['id']} issues.closed {by}: exit 1; ")
    assert "reopened" in lines[3]
    assert f"; error: Incident #{number} was closed before the closure gate was met" in lines[3]
