"""The report across incidents, played on the sandbox with its clock (issue 10 §4).

Three incidents are worked with `warroom action` on every event: a SEV-2 in
April left open with a missed checkpoint; a SEV-1 in May closed too early
(the gate reopens it), then worked to the gate, closed, reviewed, with two
follow-ups (one done); a false alarm closed without a dismissal (reopened),
then dismissed. `warroom report` then runs as a person would, in each format,
and its numbers are those the story makes, in the request count asserted.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import (
    MakeSandbox,
    dispatching_sandbox,
    records_to_the_gate,
    seed_records,
)
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import own as _own
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from warroom import story

pytestmark = pytest.mark.e2e

NOW = "2026-12-03T00:00:00Z"
"""When the report runs: the first follow-up (due 2026-12-02) is overdue, the second is not."""
RERUN = "mitigation executed and verified with fresh rerun evidence"


def _file(sb: TestSandbox, severity: str = "SEV-1") -> int:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s", body=story.incident_body(severity=severity), labels=["incident"]
    )
    _settle(sb)
    return int(issue.number)


def _close(sb: TestSandbox, number: int, reason: str = "completed") -> dict[str, Any]:
    sb.repo(story.COMMANDER).get_issue(number).edit(state="closed", state_reason=reason)
    return _settle(sb)[-1]


def _play(sb: TestSandbox) -> dict[str, int]:
    """The three incidents; returns their numbers by name."""
    # April: a SEV-2 whose 12:30 checkpoint passes with no one posting the next.
    april = START - timedelta(days=20)
    sb.set_clock(now=april, frozen=True)
    open_one = _file(sb, "SEV-2")
    sb.set_clock(now=april + timedelta(minutes=5), frozen=True)
    seed_records(sb, open_one, [(story.COMMANDER, story.snapshot(april, next_in=30))])

    # May: a SEV-1 closed at 12:10 without evidence (reopened), then worked to the gate.
    _at(sb, 0)
    closed_one = _file(sb)
    _at(sb, 5)
    seed_records(sb, closed_one, [(story.COMMANDER, story.snapshot(START, next_in=30))])
    _at(sb, 10)
    assert _close(sb, closed_one)["exit_code"] == 1
    _at(sb, 30)
    seed_records(
        sb,
        closed_one,
        [*records_to_the_gate(START), (story.COMMANDER, story.snapshot(START, next_in=60))],
    )
    _at(sb, 40)
    run = _close(sb, closed_one)
    assert run["outputs"]["gate"] == "met", run["stdout"]
    _at(sb, 45)
    seed_records(sb, closed_one, [(story.COMMANDER, story.review(actions=False))])

    # A false alarm: closed as not planned without a dismissal (reopened), then dismissed.
    _at(sb, 50)
    false_alarm = _file(sb)
    _at(sb, 55)
    assert _close(sb, false_alarm, "not_planned")["exit_code"] == 1
    _at(sb, 56)
    seed_records(sb, false_alarm, [(story.COMMANDER, story.dismissal())])
    assert _close(sb, false_alarm, "not_planned")["exit_code"] == 0

    # One follow-up done: the second (due 2026-12-05) is closed by its owner.
    follow_ups = sorted(
        sb.repo().get_issues(state="all", labels=["hardening"]), key=lambda i: i.number
    )
    assert len(follow_ups) == 2
    sb.repo().get_issue(follow_ups[1].number).edit(state="closed")
    _settle(sb)
    return {"open": open_one, "closed": closed_one, "false_alarm": false_alarm}


def _report(sb: TestSandbox, tmp_path: Path, *args: str) -> tuple[str, int]:
    """Run `warroom report` as a person would; its stdout and the requests it made."""
    config = tmp_path / "warroom.yml"
    after = max((r["seq"] for r in sb.requests()["requests"]), default=0)
    env = {
        **os.environ,
        "GITHUB_API_URL": sb.api_url,
        "GITHUB_REPOSITORY": sb.repo_full_name,
        "GITHUB_TOKEN": sb.bot_token,
        "WARROOM_CONFIG": str(config),
        "WARROOM_NOW": NOW,
        "WARROOM_STATE_KEY": "sandbox-state-key",
    }
    done = subprocess.run(
        [sys.executable, "-m", "warroom", "report", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not a terminal: no progress bar
    made = sb.requests(after=after)["requests"]
    return done.stdout, len(made)


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _rows(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["severity"], r["month"]): r for r in document["rows"]}


def test_the_report_counts_what_the_story_did_in_every_format_with_few_requests(
    github: TestSandbox, tmp_path: Path
) -> None:
    numbers = _play(github)
    (notice,) = _own(github, numbers["closed"], "reopened")
    missing = [line for line in notice.splitlines() if line.startswith("- **")]

    text, requests = _report(github, tmp_path, "--format", "json")
    # The incidents (open, closed); how many comments the repository holds since April (one
    # GET, since three incidents' own listings could cost more) and then all of them in one
    # listing; the follow-ups (open, closed); the collaborators. Seven, for any I up to 100.
    assert requests == 7
    document = json.loads(text)
    rows = _rows(document)
    assert document["months"][0] == "2024-04"
    assert document["months"][-1] == "2026-12"
    assert rows[("all", "2024-06")]["incidents"] == 0  # an empty month is a row of zeros

    april = rows[("SEV-2", "2024-04")]
    assert (april["incidents"], april["closed"], april["dismissed"]) == (1, 0, 0)
    assert (april["checkpoints_due"], april["checkpoints_on_time"]) == (1, 0)
    assert (april["updates_due"], april["updates_on_time"]) == (1, 0)
    assert april["time_to_owner_median_minutes"] == 0.0
    assert april["time_to_closure_count"] == 0
    assert april["time_to_closure_median_minutes"] is None

    may = rows[("SEV-1", "2024-05")]
    assert (may["incidents"], may["closed"], may["dismissed"]) == (2, 1, 1)
    assert may["time_to_first_checkpoint_median_minutes"] == 30.0
    assert may["time_to_mitigation_median_minutes"] == 30.0
    assert may["time_to_closure_median_minutes"] == 40.0
    assert may["time_to_closure_p90_minutes"] == 40.0
    # The 12:30 checkpoint was met by the 12:30 snapshot; the 13:30 one fell after the closure.
    assert (may["checkpoints_due"], may["checkpoints_on_time"]) == (1, 1)
    # The first update was due at 12:30 (SEV-1: every 30 minutes) and came at 12:30.
    assert (may["updates_due"], may["updates_on_time"]) == (1, 1)
    assert may["closures_blocked"] == 2
    assert may["blocked_by"]["Incident Dismissal record"] == 1
    assert may["blocked_by"][RERUN] == 1
    assert sum(may["blocked_by"].values()) == len(missing) + 1
    assert (may["follow_ups_open"], may["follow_ups_done"], may["follow_ups_overdue"]) == (1, 1, 1)
    assert may["reviews_held"] == 1

    overall = rows[("all", "all")]
    assert overall["incidents"] == 3
    assert overall["checkpoints_due"] == 2
    assert overall["checkpoint_punctuality"] == 0.5

    # CSV carries the same numbers, column for column.
    table, _ = _report(github, tmp_path, "--format", "csv")
    lines = list(csv.DictReader(io.StringIO(table)))
    assert len(lines) == len(document["rows"])
    for line, row in zip(lines, document["rows"], strict=True):
        assert list(line) == document["columns"]
        for column, value in row.items():
            if isinstance(value, dict):
                value = "; ".join(f"{k} ({n})" for k, n in value.items())
            assert line[column] == ("" if value is None else str(value)), column

    # Markdown: the tables and Mermaid charts; --since leaves April out.
    markdown, _ = _report(github, tmp_path, "--since", "2024-05-01")
    assert "every incident" not in markdown
    assert "incidents opened since 2024-05-01 · 2 incidents" in markdown
    assert markdown.count("```mermaid\nxychart-beta") == 4
    assert '    x-axis ["2024-05", ' in markdown
    assert "| SEV-1 | all | 2 | 1 | 1 | 0m / 0m | 30m / 30m | 30m / 30m | 40m / 40m |" in markdown
    assert "SEV-2" not in markdown

    # HTML: one page, the same table, charts drawn inline.
    page, _ = _report(github, tmp_path, "--format", "html", "--since", "2024-04-01")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg ") == 4
    assert "<script" not in page
    assert "<td>SEV-2</td><td>2024-04</td><td>1</td>" in page
