"""The Actions side: a command run per event, like a workflow run, with GitHub's rules."""

from __future__ import annotations

import json
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import START, MakeSandbox
from tests.support.webhooks import examples

pytestmark = [pytest.mark.e2e, pytest.mark.npm]

# A stand-in for `warroom action`: reads what a workflow step reads, answers through the
# API with the token it was given, and writes outputs and a step summary.
WORKFLOW = textwrap.dedent(
    r"""
    import json, os, sys, time, urllib.request

    names = [
        "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY", "GITHUB_API_URL",
        "GITHUB_TOKEN", "GITHUB_ACTOR", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY",
        "GITHUB_RUN_ID", "WARROOM_NOW", "GITHUB_ACTIONS", "HOST_SECRET", "GITHUB_WORKSPACE",
    ]
    env = {name: os.environ.get(name) for name in names}
    with open(env["GITHUB_EVENT_PATH"], encoding="utf-8") as handle:
        event = json.load(handle)
    issue = event.get("issue") or {}
    mode = os.environ.get("RUN_MODE", "")
    log = os.environ.get("RUN_LOG")

    def note(text):
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(text + "\n")

    note(f"start {issue.get('number')} {env['GITHUB_RUN_ID']}")
    if mode == "slow":
        time.sleep(0.2)
    gate = os.environ.get("RUN_GATE")
    if gate and event.get("action") == "opened" and issue.get("number") == 1:
        deadline = time.monotonic() + 30
        while not os.path.exists(gate) and time.monotonic() < deadline:
            time.sleep(0.01)
    if mode == "hang":
        time.sleep(60)
    if mode == "reply" and event.get("action") == "opened":
        request = urllib.request.Request(
            f"{env['GITHUB_API_URL']}/repos/{env['GITHUB_REPOSITORY']}/issues/"
            f"{issue['number']}/comments",
            data=json.dumps({"body": "Acknowledged by the workflow"}).encode(),
            headers={
                "Authorization": f"token {env['GITHUB_TOKEN']}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        urllib.request.urlopen(request).read()
    note(f"end {issue.get('number')} {env['GITHUB_RUN_ID']}")
    with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as handle:
        handle.write(f"event={env['GITHUB_EVENT_NAME']}.{event.get('action')}\n")
        handle.write("report<<EOF\nline one\nline two\nEOF\n")
    with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as handle:
        handle.write(f"## Run for #{issue.get('number')}\n")
    print(json.dumps({"env": env, "action": event.get("action"), "cwd": os.getcwd()}))
    if "fail" in (issue.get("title") or ""):
        print("failing on purpose", file=sys.stderr)
        sys.exit(3)
    """
)


@pytest.fixture
def workflow(tmp_path: Path) -> list[str]:
    script = tmp_path / "workflow.py"
    script.write_text(WORKFLOW, encoding="utf-8")
    return [sys.executable, str(script)]


def _stdout(run: dict[str, Any]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(run["stdout"])
    return parsed


def test_a_run_gets_the_workflow_environment(
    make_sandbox: MakeSandbox, workflow: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "a-token-from-the-host")
    monkeypatch.setenv("WARROOM_NOW", "1999-01-01T00:00:00Z")
    sandbox = make_sandbox(dispatch=workflow, env={"HOST_SECRET": "given"})
    sandbox.set_clock(now=START + timedelta(hours=3))

    sandbox.repo("writer").create_issue("Checkout down")
    assert sandbox.wait_idle(30)

    (run,) = sandbox.runs()
    env = _stdout(run)["env"]
    assert (run["status"], run["conclusion"], run["exit_code"]) == ("completed", "success", 0)
    assert env["GITHUB_EVENT_NAME"] == "issues"
    assert _stdout(run)["action"] == "opened"
    assert env["GITHUB_REPOSITORY"] == "acme/service"
    assert env["GITHUB_API_URL"] == sandbox.api_url
    assert env["GITHUB_ACTOR"] == "writer"
    assert env["GITHUB_RUN_ID"] == str(run["id"])
    assert env["GITHUB_ACTIONS"] == "true"
    assert env["WARROOM_NOW"] == "2024-05-01T15:00:00Z" == run["warroom_now"]
    assert env["GITHUB_TOKEN"].startswith("ghs_")
    assert env["GITHUB_TOKEN"] not in sandbox.tokens.values()
    assert env["HOST_SECRET"] == "given"
    assert run["outputs"] == {"event": "issues.opened", "report": "line one\nline two"}
    assert run["step_summary"] == "## Run for #1\n"


def test_runs_start_in_the_given_workspace(
    make_sandbox: MakeSandbox, workflow: list[str], tmp_path: Path
) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    sandbox = make_sandbox(dispatch=workflow, workspace=checkout)

    sandbox.repo().create_issue("Where am I")
    assert sandbox.wait_idle(30)

    (run,) = sandbox.runs()
    assert _stdout(run)["cwd"] == str(checkout)
    assert _stdout(run)["env"]["GITHUB_WORKSPACE"] == str(checkout)


def test_writes_with_the_workflow_token_trigger_no_new_run(
    make_sandbox: MakeSandbox, workflow: list[str]
) -> None:
    sandbox = make_sandbox(dispatch=workflow, env={"RUN_MODE": "reply"})

    sandbox.repo("reader").create_issue("Please look")
    assert sandbox.wait_idle(30)

    (run,) = sandbox.runs()
    comments = list(sandbox.repo().get_issue(1).get_comments())
    assert [(c.user.login, c.body) for c in comments] == [
        ("github-actions[bot]", "Acknowledged by the workflow")
    ]
    events = sandbox.control("GET", "/events").body["events"]
    assert [(e["event"], e["action"], e["run_id"], e["suppressed"]) for e in events] == [
        ("issues", "opened", run["id"], None),
        ("issue_comment", "created", None, "made with the workflow token"),
    ]
    assert run["requests"] == {"issues/create-comment": 1}
    logged = sandbox.control("GET", f"/requests?run_id={run['id']}").body
    assert [r["operation_id"] for r in logged["requests"]] == ["issues/create-comment"]
    assert logged["requests"][0]["login"] == "github-actions[bot]"

    token = _stdout(run)["env"]["GITHUB_TOKEN"]
    assert sandbox.http("GET", "/repos/acme/service", token=token).status == 401


def test_the_bots_own_token_triggers_no_run_but_users_do(
    make_sandbox: MakeSandbox, workflow: list[str]
) -> None:
    sandbox = make_sandbox(dispatch=workflow)

    sandbox.repo("github-actions[bot]").create_issue("Opened by automation")
    sandbox.repo("triager").get_issue(1).create_comment("Human here")
    assert sandbox.wait_idle(30)

    assert [(r["event"], r["action"], r["actor"]) for r in sandbox.runs()] == [
        ("issue_comment", "created", "triager")
    ]


def test_a_group_runs_one_run_and_keeps_only_the_newest_waiting_one(
    make_sandbox: MakeSandbox, workflow: list[str], tmp_path: Path
) -> None:
    # GitHub's `concurrency: {group: warroom-<issue>, cancel-in-progress: false}`.
    log, gate = tmp_path / "runs.log", tmp_path / "gate"
    sandbox = make_sandbox(dispatch=workflow, env={"RUN_GATE": str(gate), "RUN_LOG": str(log)})
    first = sandbox.repo("writer").create_issue("Held")  # its run waits at the gate
    for n in range(3):
        first.create_comment(f"update {n}")
    other = sandbox.repo("writer").create_issue("Elsewhere")

    # Another group runs beside the held one.
    (other_run,) = [r for r in sandbox.runs() if r["group"] == f"warroom-{other.number}"]
    assert sandbox.dispatcher is not None
    assert sandbox.dispatcher.wait_run(other_run["id"], 30)
    held, *waiting = [r for r in sandbox.runs() if r["group"] == "warroom-1"]
    assert held["status"] in ("queued", "in_progress")
    assert [(r["status"], r["conclusion"]) for r in waiting] == [
        ("completed", "cancelled"),
        ("completed", "cancelled"),
        ("queued", None),
    ]
    gate.touch()
    assert sandbox.wait_idle(60)

    runs = [r for r in sandbox.runs() if r["group"] == "warroom-1"]
    assert [(r["action"], r["conclusion"]) for r in runs] == [
        ("opened", "success"),
        ("created", "cancelled"),
        ("created", "cancelled"),
        ("created", "success"),
    ]
    # Each cancelled run names the newer run that replaced it, as GitHub's annotation does.
    assert [r["cancelled_by"] for r in runs] == [None, runs[2]["id"], runs[3]["id"], None]
    assert "higher priority waiting request for 'warroom-1'" in runs[1]["stderr"]
    assert runs[1]["exit_code"] is None
    lines = [line.split() for line in log.read_text().splitlines()]
    mine = [(kind, run_id) for kind, issue, run_id in lines if issue == "1"]
    assert mine == [(k, str(r["id"])) for r in (runs[0], runs[3]) for k in ("start", "end")]
    events = {e["run_id"]: e for e in sandbox.deliveries()}
    assert all(r["id"] in events for r in runs), "every delivery still names its run"


def test_a_failing_run_is_recorded_with_its_exit_code(
    make_sandbox: MakeSandbox, workflow: list[str]
) -> None:
    sandbox = make_sandbox(dispatch=workflow)

    sandbox.repo().create_issue("This will fail")
    assert sandbox.wait_idle(30)

    (run,) = sandbox.runs()
    assert (run["conclusion"], run["exit_code"]) == ("failure", 3)
    assert "failing on purpose" in run["stderr"]
    detail = sandbox.control("GET", f"/runs/{run['id']}").body
    assert detail["payload"]["issue"]["title"] == "This will fail"


def test_a_scheduled_run_on_demand(make_sandbox: MakeSandbox, workflow: list[str]) -> None:
    sandbox = make_sandbox(dispatch=workflow)

    answer = sandbox.control("POST", "/schedule", {"cron": "0 * * * *"})
    waited = sandbox.control("POST", "/wait", {"timeout": 30})

    assert answer.status == 201
    assert waited.body == {"idle": True, "pending": 0}
    (run,) = sandbox.runs()
    env = _stdout(run)["env"]
    assert env["GITHUB_EVENT_NAME"] == "schedule"
    assert env["GITHUB_ACTOR"] == "admin"
    assert run["group"] == "warroom-sweep"
    assert sandbox.run(run["id"])["payload"]["schedule"] == "0 * * * *"  # type: ignore[index]


def test_an_injected_delivery_is_dispatched_as_github_sent_it(
    make_sandbox: MakeSandbox, workflow: list[str]
) -> None:
    sandbox = make_sandbox(dispatch=workflow)
    example = next(e for e in examples("issues") if e.payload.get("action") == "labeled")

    answer = sandbox.control("POST", "/events", {"event": "issues", "payload": example.payload})
    assert sandbox.wait_idle(30)

    assert answer.status == 201
    assert answer.body["injected"] is True
    (run,) = sandbox.runs()
    assert run["delivery_id"] == answer.body["id"]
    assert _stdout(run)["action"] == "labeled"
    assert _stdout(run)["env"]["GITHUB_ACTOR"] == example.payload["sender"]["login"]


def test_dispatch_on_limits_which_events_run(
    make_sandbox: MakeSandbox, workflow: list[str]
) -> None:
    sandbox = make_sandbox(dispatch=workflow, dispatch_on={"issues.opened", "issue_comment"})

    issue = sandbox.repo().create_issue("Filtered", labels=["bug"])
    issue.create_comment("hi")
    assert sandbox.wait_idle(30)

    assert [(r["event"], r["action"]) for r in sandbox.runs()] == [
        ("issues", "opened"),
        ("issue_comment", "created"),
    ]
    suppressed = [e["suppressed"] for e in sandbox.deliveries() if e["action"] == "labeled"]
    assert suppressed == ["not in dispatch_on"]


def test_a_command_that_cannot_start_or_hangs(
    make_sandbox: MakeSandbox, workflow: list[str]
) -> None:
    missing = make_sandbox(dispatch="no-such-command-for-warroom --flag")
    missing.repo().create_issue("x")
    assert missing.wait_idle(30)
    (run,) = missing.runs()
    assert (run["conclusion"], run["exit_code"]) == ("startup_failure", 127)

    hanging = make_sandbox(dispatch=workflow, env={"RUN_MODE": "hang"}, run_timeout=0.5)
    hanging.repo().create_issue("y")
    assert hanging.wait_idle(30)
    (run,) = hanging.runs()
    assert run["conclusion"] == "timed_out"
    assert "exceeded" in run["stderr"]
