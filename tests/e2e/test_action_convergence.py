"""Convergence end to end: every run finishes what earlier runs could not, on fresh state.

GitHub fails now and then (5xx, a dropped connection, after or before the
write), runs race each other on a fresh repository, a first run can fail for
good, and a re-run or a queued run carries a payload older than what it reads.
Whatever happened, the next run or sweep must leave the incident as a
fault-free play would, and never act on what the payload said but GitHub no
longer holds. The sandbox runs `warroom action` for every event, as a workflow
would; the assertions read what GitHub shows and what the sandbox counted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import (
    ACTION,
    BOT,
    MakeSandbox,
    dispatching_sandbox,
    records_to_the_gate,
    seed_records,
)
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import labels as _labels
from tests.e2e.conftest import START, TestSandbox
from warroom import demo, story
from warroom.config import Config
from warroom.markers import marker
from warroom.plan import label_catalog


def _fault_hits(sb: TestSandbox) -> list[dict[str, Any]]:
    """Every request the sandbox's fault rules failed, as its control API reports them."""
    return [hit for rule in sb.faults.to_json()["rules"] for hit in rule["hits"]]


def _assert_fired_on(sb: TestSandbox, operation: str, run: dict[str, Any]) -> None:
    """The fault fired, and only on ``operation`` in ``run``: the test tests what it says."""
    hits = _fault_hits(sb)
    assert hits, "the fault never fired"
    assert {(h["operation_id"], h["run_id"]) for h in hits} == {(operation, run["id"])}, hits


pytestmark = pytest.mark.e2e

GIVE_UP_SOON = "api:\n  seconds_between_writes: 0\n  retry_seconds: 5\n  max_attempts: 2\n"
"""A run that gives up within seconds, so a fault that outlasts it fails the run for good."""

CATALOG = label_catalog(Config())


def _runs_after(sb: TestSandbox, before: int) -> list[dict[str, Any]]:
    assert sb.wait_idle(120), "workflow runs did not finish"
    runs = sb.runs()[before:]
    for run in runs:
        assert "Traceback" not in run["stderr"], run["stderr"]
    return runs


def _one_run(sb: TestSandbox, act: Callable[[], object]) -> dict[str, Any]:
    """Do ``act`` (which causes exactly one run) and return that run."""
    before = len(sb.runs())
    act()
    (run,) = _runs_after(sb, before)
    return run


def _ok(run: dict[str, Any]) -> str:
    return f"exit {run['exit_code']}\n{run['stdout']}\n{run['stderr']}"


def _file(sb: TestSandbox, severity: str = "SEV-1") -> tuple[int, dict[str, Any]]:
    """File an incident from the form; the number and its `opened` run."""
    before = len(sb.runs())
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s on every authenticated call",
        body=story.incident_body(severity=severity),
        labels=["incident"],
    )
    runs = _runs_after(sb, before)
    (opened,) = [r for r in runs if r["action"] == "opened"]
    return int(issue.number), opened


def _seed_incident(sb: TestSandbox) -> int:
    """An incident filed from the form, without the run its `opened` event would start."""
    body = story.incident_body().replace("{", "{{").replace("}", "}}")
    (number,) = sb.seed_issues(
        1,
        author=story.COMMANDER,
        labels=["incident"],
        title="[incident] 401s on every authenticated call",
        body=body,
    )
    return number


def _comment(sb: TestSandbox, number: int, login: str, body: str) -> dict[str, Any]:
    return _one_run(sb, lambda: sb.repo(login).get_issue(number).create_comment(body))


def _own(sb: TestSandbox, number: int, kind: str) -> list[Any]:
    """warroom's comments of one kind (``status``, ``reminder`` ...) on an issue, oldest first."""
    prefix = f"<!-- warroom:{kind}:"
    return [
        c
        for c in sb.repo().get_issue(number).get_comments()
        if c.user.login == BOT and c.body.startswith(prefix)
    ]


def _status(sb: TestSandbox, number: int) -> Any:
    (status,) = _own(sb, number, "status")
    assert status.body.startswith(marker("status", number))
    return status


def _repo_labels(sb: TestSandbox) -> dict[str, tuple[str, str]]:
    return {label.name: (label.color, label.description or "") for label in sb.repo().get_labels()}


def _assert_catalog(sb: TestSandbox) -> None:
    """Every label warroom manages exists once, with its colour and description."""
    names = [label.name.lower() for label in sb.repo().get_labels()]
    assert len(names) == len(set(names)), Counter(names)
    found = _repo_labels(sb)
    for name, wanted in CATALOG.items():
        assert found.get(name) == (wanted.color, wanted.description), name


# --- 5. label ensure under faults -------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("applied-502", id="created-then-502"),
        pytest.param("drop", id="dropped-before-the-write"),
        pytest.param("500", id="500-before-the-write"),
    ],
)
def test_labels_are_made_with_their_colours_when_a_create_fails(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path)
    sb.faults.add(kind, times=1, login=BOT, operation_id="issues/create-label")

    number, opened = _file(sb)

    assert opened["exit_code"] == 0, _ok(opened)
    assert sb.faults.to_json()["injected"] == {kind: 1}
    _assert_fired_on(sb, "issues/create-label", opened)
    _assert_catalog(sb)
    found = _repo_labels(sb)
    for name in _labels(sb, number):
        assert found[name] != ("ededed", ""), f"{name!r} is grey and undescribed"
    # A create GitHub answered with an error is looked up at GitHub, never assumed done.
    looked_up = sb.requests(run_id=opened["id"], operation_id="issues/get-label")["requests"]
    assert looked_up, "the failed create was taken as done without asking GitHub"


# --- 6. concurrent first runs ------------------------------------------------------------------


def test_six_incidents_filed_at_once_on_a_fresh_repository_all_converge(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path)
    severities = ["SEV-1", "SEV-2", "SEV-3"] * 2
    repo = sb.repo(story.COMMANDER)

    # No waiting between them: the sandbox runs up to four runs side by side.
    numbers = [
        repo.create_issue(
            title=f"[incident] outage {i}",
            body=story.incident_body(severity=s),
            labels=["incident"],
        ).number
        for i, s in enumerate(severities)
    ]
    runs = _runs_after(sb, 0)

    assert len([r for r in runs if r["action"] == "opened"]) == 6
    for run in runs:
        assert run["exit_code"] == 0, _ok(run)
    for number, severity in zip(numbers, severities, strict=True):
        assert {"incident", severity, "phase: detection"} <= _labels(sb, number), number
        assert len(_own(sb, number, "status")) == 1
    _assert_catalog(sb)


# --- 7. assignees converge ----------------------------------------------------------------------


@pytest.mark.parametrize("then", [pytest.param("record", id="next-record"), "sweep"])
def test_owners_are_assigned_by_a_later_run_when_the_first_failed(
    make_sandbox: MakeSandbox, tmp_path: Path, then: str
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path, GIVE_UP_SOON)
    # GitHub refuses every assignment for longer than warroom retries.
    sb.faults.add("503", times=20, login=BOT, operation_id="issues/add-assignees")

    number, opened = _file(sb)

    assert opened["exit_code"] == 1, _ok(opened)
    _assert_fired_on(sb, "issues/add-assignees", opened)
    assert re.search(rf"^::error::.*assign #{number}", opened["stdout"], re.M), opened["stdout"]
    assert sb.repo().get_issue(number).assignees == []

    sb.faults.clear()
    if then == "sweep":
        run = _one_run(sb, sb.schedule)
    else:
        run = _comment(sb, number, story.COMMANDER, story.snapshot(START, phase="containment"))

    assert run["exit_code"] == 0, _ok(run)
    assignees = {a.login for a in sb.repo().get_issue(number).assignees}
    assert assignees == {story.COMMANDER, story.DEPUTY}
    assert run["requests"].get("issues/add-assignees") == 1
    # Once they are assigned, later runs have nothing to write for it.
    again = _one_run(sb, sb.schedule)
    assert again["exit_code"] == 0, _ok(again)
    assert "issues/add-assignees" not in again["requests"]


# --- 8. stale payloads --------------------------------------------------------------------------


def _rerun(
    sb: TestSandbox, tmp_path: Path, run: dict[str, Any], *, attempt: int
) -> subprocess.CompletedProcess[str]:
    """Run ``run``'s workflow again with its own payload, as "Re-run jobs" does.

    The environment is the one the sandbox's dispatcher gives a run, with
    ``GITHUB_RUN_ATTEMPT`` raised; the sandbox has no re-run of its own yet.
    """
    (delivery,) = [d for d in sb.deliveries() if d["run_id"] == run["id"]]
    work = tmp_path / f"rerun-{run['id']}-{attempt}"
    work.mkdir()
    (work / "event.json").write_text(json.dumps(delivery["payload"]), encoding="utf-8")
    for name in ("output", "step_summary.md"):
        (work / name).touch()
    stripped = ("GITHUB_", "RUNNER_", "ACTIONS_", "WARROOM_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(stripped)}
    env |= {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": delivery["event"],
        "GITHUB_EVENT_PATH": str(work / "event.json"),
        "GITHUB_OUTPUT": str(work / "output"),
        "GITHUB_STEP_SUMMARY": str(work / "step_summary.md"),
        "GITHUB_REPOSITORY": sb.repo_full_name,
        "GITHUB_API_URL": sb.api_url,
        "GITHUB_TOKEN": sb.bot_token,
        "GITHUB_ACTOR": run["actor"],
        "GITHUB_RUN_ID": str(run["id"]),
        "GITHUB_RUN_NUMBER": str(run["run_number"]),
        "GITHUB_RUN_ATTEMPT": str(attempt),
        "GITHUB_WORKSPACE": str(work),
        "WARROOM_NOW": sb.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "WARROOM_CONFIG": str(tmp_path / "warroom.yml"),
    }
    return subprocess.run(
        ACTION, env=env, cwd=work, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_rerun_after_closure_neither_reminds_nor_reopens_the_status(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path)
    number, _ = _file(sb)
    # The snapshot's next checkpoint is at +30: its run's payload has the incident open.
    early = _comment(sb, number, story.COMMANDER, story.snapshot(START, next_in=30))
    _at(sb, 25)
    seed_records(sb, number, records_to_the_gate(START))
    closed = _one_run(sb, lambda: sb.repo(story.COMMANDER).get_issue(number).edit(state="closed"))
    assert closed["exit_code"] == 0, _ok(closed)
    labels = _labels(sb, number)
    assert {"gate: met", "phase: hardening"} <= labels
    # The post-closure review is held: the standing closure owes no reminder either.
    seed_records(sb, number, [(story.COMMANDER, story.review(actions=False))])
    reminders = [c.id for c in _own(sb, number, "reminder")]
    # Past the checkpoint and the next stakeholder update that the old payload knew of.
    _at(sb, 150)

    done = _rerun(sb, tmp_path, early, attempt=2)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert [c.id for c in _own(sb, number, "reminder")] == reminders, "a reminder was posted"
    assert sb.repo().get_issue(number).state == "closed"
    assert _labels(sb, number) == labels
    status = _status(sb, number).body
    assert "closure gate **met**" in status
    assert "phase **hardening**" in status


def _not_found_removals(sb: TestSandbox) -> list[tuple[str, int | None]]:
    removals = sb.requests(operation_id="issues/remove-label")["requests"]
    return [(r["path"], r["run_id"]) for r in removals if r["status"] == 404]


def test_a_queued_run_does_not_remove_a_label_already_gone(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path)
    number, _ = _file(sb)
    # The first run's first request waits, so the second event queues behind it.
    sb.faults.add("latency", times=1, login=BOT, latency_ms=1500)
    before = len(sb.runs())
    issue = sb.repo(story.COMMANDER).get_issue(number)
    issue.create_comment(story.snapshot(START, phase="containment"))
    issue.create_comment(story.snapshot(START, phase="recovery"))
    # The first run writes a minute later than both events (GitHub's clock does not stand still).
    _at(sb, 1)
    first, queued = _runs_after(sb, before)
    (delayed,) = _fault_hits(sb)
    assert delayed["run_id"] == first["id"], "the latency fault did not hold up the first run"

    for run in (first, queued):
        assert run["exit_code"] == 0, _ok(run)
        (delivery,) = [d for d in sb.deliveries() if d["run_id"] == run["id"]]
        assert "phase: detection" in {x["name"] for x in delivery["payload"]["issue"]["labels"]}
    # Both payloads list `phase: detection`; the first run removed it, the queued one must not.
    assert first["requests"].get("issues/remove-label") == 1, first["requests"]
    assert _not_found_removals(sb) == [], "label removals GitHub answered 404"
    labels = _labels(sb, number)
    assert "phase: recovery" in labels
    assert "phase: detection" not in labels
    assert "issues/add-labels" not in queued["requests"], queued["requests"]


def test_the_demo_story_never_removes_a_label_already_gone(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path, users=demo.TEAM, now=demo.START)
    play = demo.Demo(sb, echo=lambda _line: None)

    demo._script(play)

    runs = _runs_after(sb, 0)
    assert [r for r in runs if r["exit_code"] not in (0, 1)] == []
    assert sb.requests(operation_id="issues/remove-label")["requests"], "the story moves labels"
    assert _not_found_removals(sb) == [], "label removals GitHub answered 404"
    assert sb.repo().get_issue(play.number).state == "closed"
    assert "gate: met" in _labels(sb, play.number)


# --- 9. a sweep goes on past a broken incident ------------------------------------------------


def test_a_sweep_goes_on_past_an_incident_github_refuses(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path, GIVE_UP_SOON)
    numbers = [_seed_incident(sb) for _ in range(3)]
    first = _one_run(sb, sb.schedule)
    assert first["exit_code"] == 0, _ok(first)
    before = {n: _status(sb, n) for n in numbers}
    broken = numbers[1]
    # GitHub refuses every edit of the second incident's status comment.
    sb.faults.add(
        "500",
        times=None,
        login=BOT,
        operation_id="issues/update-comment",
        path=f"/repos/{sb.repo_full_name}/issues/comments/{before[broken].id}",
    )
    # Two hours on, every incident's stakeholder update is overdue: each status changes.
    _at(sb, 120)

    sweep = _one_run(sb, sb.schedule)

    assert sweep["exit_code"] == 1, _ok(sweep)
    _assert_fired_on(sb, "issues/update-comment", sweep)
    assert {h["path"] for h in _fault_hits(sb)} == {
        f"/repos/{sb.repo_full_name}/issues/comments/{before[broken].id}"
    }
    errors = [line for line in sweep["stdout"].splitlines() if line.startswith("::error::")]
    assert len(errors) == 1, errors
    assert re.search(rf"#{broken}\b", errors[0]), errors
    for number in numbers:
        after = _status(sb, number)
        assert after.id == before[number].id
        if number == broken:
            assert after.body == before[number].body
        else:
            assert after.body != before[number].body, f"#{number} was not swept"
            assert "⏰ overdue" in after.body
