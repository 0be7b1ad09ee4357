"""Re-runs, like GitHub's "Re-run jobs": same event and payload, same run id, the next attempt."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import MakeSandbox, TestSandbox

pytestmark = pytest.mark.e2e

# Reads what a re-run must keep (the payload) and change (the attempt), makes one request
# with its token, and fails while FAIL_FLAG exists for issues whose title says "fail".
WORKFLOW = textwrap.dedent(
    r"""
    import hashlib, json, os, sys, time, urllib.request

    with open(os.environ["GITHUB_EVENT_PATH"], "rb") as handle:
        raw = handle.read()
    event = json.loads(raw)
    issue = event.get("issue") or {}
    gate = os.environ.get("RUN_GATE")
    if gate:
        deadline = time.monotonic() + 30
        while not os.path.exists(gate) and time.monotonic() < deadline:
            time.sleep(0.01)
    request = urllib.request.Request(
        f"{os.environ['GITHUB_API_URL']}/repos/{os.environ['GITHUB_REPOSITORY']}",
        headers={"Authorization": f"token {os.environ['GITHUB_TOKEN']}"},
    )
    urllib.request.urlopen(request).read()
    print(json.dumps({
        "run_id": os.environ["GITHUB_RUN_ID"],
        "attempt": os.environ["GITHUB_RUN_ATTEMPT"],
        "triggering_actor": os.environ["GITHUB_TRIGGERING_ACTOR"],
        "actor": os.environ["GITHUB_ACTOR"],
        "title": issue.get("title"),
        "digest": hashlib.sha256(raw).hexdigest(),
        "token": os.environ["GITHUB_TOKEN"],
    }))
    flag = os.environ.get("FAIL_FLAG")
    if flag and os.path.exists(flag) and "fail" in (issue.get("title") or ""):
        sys.exit(4)
    """
)


@pytest.fixture
def flag(tmp_path: Path) -> Path:
    """While this file exists, runs for issues titled "...fail..." fail (the faults are on)."""
    path = tmp_path / "failing"
    path.touch()
    return path


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path, flag: Path) -> TestSandbox:
    script = tmp_path / "workflow.py"
    script.write_text(WORKFLOW, encoding="utf-8")
    return make_sandbox(dispatch=[sys.executable, str(script)], env={"FAIL_FLAG": str(flag)})


def _seen(attempt: dict[str, Any]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(attempt["stdout"])
    return parsed


def _settle(sb: TestSandbox) -> None:
    assert sb.wait_idle(60), "runs did not finish"


def test_a_rerun_keeps_the_run_id_and_payload_and_adds_an_attempt(
    github: TestSandbox, flag: Path
) -> None:
    issue = github.repo("writer").create_issue("Deploy fail")
    _settle(github)
    (first,) = github.runs()
    assert (first["run_attempt"], first["conclusion"], first["exit_code"]) == (1, "failure", 4)
    issue.edit(title="Deploy failed, renamed")  # the payload a re-run carries is the old one
    _settle(github)
    flag.unlink()

    answer = github.control("POST", f"/runs/{first['id']}/rerun")
    _settle(github)

    assert answer.status == 201, answer.body
    assert (answer.body["id"], answer.body["run_attempt"]) == (first["id"], 2)
    run = github.control("GET", f"/runs/{first['id']}").body
    assert (run["run_attempt"], run["conclusion"], run["exit_code"]) == (2, "success", 0)
    assert [(a["attempt"], a["conclusion"], a["exit_code"]) for a in run["attempts"]] == [
        (1, "failure", 4),
        (2, "success", 0),
    ]
    before, after = (_seen(a) for a in run["attempts"])
    assert before["run_id"] == after["run_id"] == str(first["id"])
    assert (before["attempt"], after["attempt"]) == ("1", "2")
    assert before["digest"] == after["digest"]
    assert after["title"] == "Deploy fail"
    assert (after["actor"], after["triggering_actor"]) == ("writer", "admin")
    assert run["payload"]["issue"]["title"] == "Deploy fail"
    # Each attempt has its own token; the request log tells the attempts apart.
    assert before["token"] != after["token"]
    assert github.http("GET", "/repos/acme/service", token=after["token"]).status == 401
    for attempt in (1, 2):
        rows = github.control("GET", f"/requests?run_id={first['id']}&run_attempt={attempt}")
        assert [r["operation_id"] for r in rows.body["requests"]] == ["repos/get"]
    assert run["requests"] == {"repos/get": 1}
    assert [a["request_count"] for a in run["attempts"]] == [1, 1]
    # The run keeps its place in the log: no new run, no new delivery.
    assert [r["id"] for r in github.runs()] == [first["id"], first["id"] + 1]


def test_only_a_completed_run_can_be_rerun(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    script = tmp_path / "workflow.py"
    script.write_text(WORKFLOW, encoding="utf-8")
    gate = tmp_path / "gate"
    sb = make_sandbox(dispatch=[sys.executable, str(script)], env={"RUN_GATE": str(gate)})
    sb.repo("writer").create_issue("Held at the gate")
    (run,) = sb.runs()

    busy = sb.control("POST", f"/runs/{run['id']}/rerun")
    unknown = sb.control("POST", "/runs/12345/rerun")
    gate.touch()
    _settle(sb)
    again = sb.control("POST", f"/runs/{run['id']}/rerun")
    _settle(sb)

    assert busy.status == 409
    assert f"run {run['id']} is " in busy.body["message"]
    assert "wait until it completes" in busy.body["message"]
    assert unknown.status == 404
    assert "no run 12345" in unknown.body["message"]
    assert again.status == 201
    assert [a["conclusion"] for a in sb.run(run["id"])["attempts"]] == ["success", "success"]  # type: ignore[index]


def test_rerun_failed_reruns_each_failed_run_once_in_the_order_first_queued(
    github: TestSandbox, flag: Path
) -> None:
    repo = github.repo("writer")
    for title in ("Cache fail", "Healthy", "Queue fail", "Disk fail"):
        repo.create_issue(title)
        _settle(github)
    first, healthy, queue, disk = github.runs()
    queue_again = github.control("POST", f"/runs/{queue['id']}/rerun").body  # still failing
    _settle(github)
    flag.unlink()
    # Queue fail's latest attempt failed after Disk fail's run; the order is first queued.
    assert queue_again["id"] == queue["id"]

    answer = github.control("POST", "/runs/rerun-failed")
    _settle(github)
    nothing_left = github.control("POST", "/runs/rerun-failed")

    assert answer.status == 201, answer.body
    assert [(r["id"], r["run_attempt"]) for r in answer.body["runs"]] == [
        (first["id"], 2),
        (queue["id"], 3),
        (disk["id"], 2),
    ]
    after = {r["id"]: r for r in github.runs()}
    assert [a["conclusion"] for a in after[queue["id"]]["attempts"]] == [
        "failure",
        "failure",
        "success",
    ]
    assert after[healthy["id"]]["run_attempt"] == 1
    assert all(after[r["id"]]["conclusion"] == "success" for r in (first, queue, disk))
    assert nothing_left.body == {"runs": []}


@pytest.mark.parametrize(
    ("body", "conclusions"),
    [
        # Queued together, the three meet in warroom-1: the newest waiting re-run replaces
        # the one before it, as on GitHub.
        pytest.param({}, ["success", "cancelled", "success"], id="together"),
        pytest.param({"sequential": True}, ["success", "success", "success"], id="sequential"),
    ],
)
def test_rerun_failed_meets_the_concurrency_group_unless_sequential(
    github: TestSandbox, flag: Path, body: dict[str, Any], conclusions: list[str]
) -> None:
    issue = github.repo("writer").create_issue("Checkout fail")
    _settle(github)
    for n in range(2):
        issue.create_comment(f"update {n}")
        _settle(github)
    assert [r["conclusion"] for r in github.runs()] == ["failure"] * 3
    flag.unlink()

    answer = github.control("POST", "/runs/rerun-failed", body)
    _settle(github)

    assert answer.status == 201, answer.body
    runs = github.runs()
    assert [(r["run_attempt"], r["conclusion"]) for r in runs] == [(2, c) for c in conclusions]
    if "cancelled" in conclusions:
        assert runs[1]["cancelled_by"] == runs[2]["id"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"sequential": "yes"}, "sequential must be true or false", id="sequential"),
        pytest.param({"timeout": 0}, "timeout must be a positive number", id="timeout"),
        pytest.param({"order": "newest"}, "unknown key(s) order", id="unknown-key"),
    ],
)
def test_bad_rerun_failed_requests_say_what_to_send(
    github: TestSandbox, body: dict[str, Any], message: str
) -> None:
    answer = github.control("POST", "/runs/rerun-failed", body)

    assert answer.status == 400
    assert message in answer.body["message"]
