"""The closure review package, played on the sandbox with `warroom action` for every event.

Once the gate is met the run posts one package comment (`<!-- warroom:package:N -->`)
with the mitigation diff read from GitHub's compare API (one compare, one pull
request look-up per commit), and writes it to the step summary. Later runs and
sweeps never post a second one: the comment is edited in place when something in
it changed, and the compare is not read again while the range stays the same.
People's text (commit messages, pull request titles, records) stays inert.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import BOT, MakeSandbox, dispatching_sandbox, seed_records
from tests.e2e.action_support import at as _at
from tests.e2e.action_support import own as _own
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from warroom import story

pytestmark = pytest.mark.e2e

COMPARE = "repos/compare-commits-with-basehead"
COMMIT_PULLS = "repos/list-pull-requests-associated-with-commit"
HOSTILE = "Revert @alice's fix <img src=x> {{ 7*7 }} ${{ secrets.TOKEN }} ``` [x](http://evil.test)"


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    return dispatching_sandbox(make_sandbox, tmp_path)


def _history(sb: TestSandbox, *, fix_title: str = "Roll back the audience check") -> int:
    """The last good release, the bad deploy, then the rollback merged from a pull request."""
    sb.add_commit("Release", ["services/auth/gateway.py"], sha=story.KNOWN_GOOD_SHA)
    sb.add_commit("Strict audience", list(story.ROLLBACK_FILES), sha=story.BAD_DEPLOY_SHA)
    pull = sb.open_pull(
        title=fix_title,
        head=story.ROLLBACK_BRANCH,
        files=list(story.ROLLBACK_FILES),
        body="Incident: #1",
        user=story.MITIGATION,
    )
    _settle(sb)
    sb.change_pull(pull["number"], state="closed", user=story.MITIGATION)
    _settle(sb)
    sb.add_commit(fix_title, list(story.ROLLBACK_FILES), sha=story.FIX_SHA, pulls=[pull["number"]])
    return int(pull["number"])


def _file(sb: TestSandbox) -> int:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s", body=story.incident_body(), labels=["incident"]
    )
    _settle(sb)
    assert issue.number == 1  # the rollback pull request says "Incident: #1"
    return int(issue.number)


def _met(
    sb: TestSandbox, *, fix_title: str = "Roll back the audience check"
) -> tuple[int, dict[str, Any]]:
    """An incident with every record the gate needs (the rerun tested the fix), then closed."""
    number = _file(sb)
    _history(sb, fix_title=fix_title)
    records = [
        (story.MITIGATION, story.decision(START, minute=20)),
        (story.VERIFICATION, story.verification(START, minute=25, revision=story.FIX_SHA[:7])),
        (story.VERIFICATION, story.auth_evidence(START)),
        (story.COMMS, story.stakeholder(START, next_in=120)),
        *story.follow_ups(),
        (story.COMMANDER, story.leadership(confidence="L3")),
        (story.COMMANDER, story.closure()),
    ]
    seed_records(sb, number, records)
    _at(sb, 60)
    sb.repo(story.COMMANDER).get_issue(number).edit(state="closed", state_reason="completed")
    return number, _settle(sb)[-1]


def _count(sb: TestSandbox, run: dict[str, Any], operation: str) -> int:
    return int(sb.requests(run_id=run["id"])["counts"].get(operation, 0))


def _package_comment(sb: TestSandbox, number: int) -> Any:
    (comment,) = [
        c
        for c in sb.repo().get_issue(number).get_comments()
        if (c.body or "").startswith(f"<!-- warroom:package:{number} -->")
    ]
    return comment


def test_the_met_gate_posts_one_package_with_the_mitigation_diff(github: TestSandbox) -> None:
    number, closed = _met(github)
    assert closed["exit_code"] == 0, closed["stdout"] + closed["stderr"]
    (body,) = _own(github, number, "package")
    assert "### 2. Mitigation diff summary" in body
    assert "From the last known-good revision `4f2c1a9`" in body
    assert f"to the fix `{story.FIX_SHA[:7]}`" in body
    assert f"[`{story.BAD_DEPLOY_SHA[:7]}`]" in body
    assert f"[`{story.FIX_SHA[:7]}`]" in body
    assert "[#2](" in body
    assert "Roll back the audience check (closed)" in body
    assert "`services/auth/audience.py` modified" in body
    assert "```mermaid\ngantt\n" in body
    # One compare, then one look-up per commit of the range (two): the budget of the package.
    assert _count(github, closed, COMPARE) == 1
    assert _count(github, closed, COMMIT_PULLS) == 2
    # The step summary carries the package too, without warroom's state.
    assert "## 📦 Closure review package: incident #1" in closed["step_summary"]
    assert "warroom-state" not in closed["step_summary"].split("Closure review package")[1]


def test_reruns_and_sweeps_keep_one_package_and_edit_it_only_when_it_changed(
    github: TestSandbox,
) -> None:
    number, closed = _met(github)
    first = _package_comment(github, number)
    # A re-run of the closing run and a sweep: no second comment, no edit, no compare.
    compares = len(github.requests(operation_id=COMPARE)["requests"])
    github.rerun(closed["id"])
    _at(github, 75)
    github.schedule()
    later = _settle(github)
    assert [run["exit_code"] for run in later[-2:]] == [0, 0], [
        (run["event"], run["stdout"], run["stderr"][-2000:]) for run in later[-2:]
    ]
    again = _package_comment(github, number)
    assert (again.id, again.updated_at, again.body) == (first.id, first.updated_at, first.body)
    assert len(github.requests(operation_id=COMPARE)["requests"]) == compares
    assert _count(github, later[-1], "issues/list-comments") >= 1  # the sweep did read it
    assert "Closure review package" not in later[-1]["step_summary"]  # unchanged: not repeated
    # The post-closure review is a new record: the package is edited in place to show it.
    _at(github, 80)
    github.repo(story.COMMANDER).get_issue(number).create_comment(story.review(actions=False))
    reviewed = _settle(github)[-1]
    edited = _package_comment(github, number)
    assert edited.id == first.id
    assert edited.body != first.body
    assert "post-closure review held" in edited.body
    assert _count(github, reviewed, COMPARE) == 0
    assert len(_own(github, number, "package")) == 1


def test_people_text_in_the_diff_and_records_stays_inert(github: TestSandbox) -> None:
    number, closed = _met(github, fix_title=HOSTILE)
    assert closed["exit_code"] == 0, closed["stdout"] + closed["stderr"]
    (body,) = _own(github, number, "package")
    shown = body.split("<!-- warroom-state")[0]
    assert "@alice" not in shown
    assert "@\u2060alice" in shown
    assert "<img" not in shown
    assert "&lt;img" in shown
    assert "{{ 7*7 }}" in shown
    assert "49" not in shown.split("### 2.")[1].split("### 3.")[0]
    assert "[x](http" not in shown
    # The Mermaid block holds warroom's words only, and is closed where warroom closes it.
    chart = shown.split("```mermaid\n", 1)[1].split("\n```\n", 1)[0]
    assert "alice" not in chart
    assert "{{" not in chart
    assert shown.count("```mermaid") == 1


def test_warroom_package_posts_on_demand_and_writes_the_file(
    github: TestSandbox, tmp_path: Path
) -> None:
    number = _file(github)
    _history(github)
    out = tmp_path / "package.md"
    env = {
        **os.environ,
        "GITHUB_API_URL": github.api_url,
        "GITHUB_REPOSITORY": github.repo_full_name,
        "GITHUB_TOKEN": github.tokens[BOT],
        "WARROOM_CONFIG": str(tmp_path / "warroom.yml"),
        "WARROOM_STATE_KEY": "sandbox-state-key",
        "WARROOM_NOW": "2026-11-28T14:30:00Z",
    }
    command = [sys.executable, "-m", "warroom", "package", str(number), "--output", str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    # Open and short of the gate: posted all the same, exit 1 saying what is missing.
    assert done.returncode == 1, done.stdout + done.stderr
    assert "closure gate is not met" in done.stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"<!-- warroom:package:{number} -->")
    assert "Not known yet: the records must name both revisions." in text
    assert len(_own(github, number, "package")) == 1
    # Asked again: still one comment.
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1
    assert len(_own(github, number, "package")) == 1
    # Not an incident: exit 2, naming what to give instead.
    other = github.repo(story.COMMANDER).create_issue(title="Typo on the docs page")
    wrong = subprocess.run(
        [sys.executable, "-m", "warroom", "package", str(other.number)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 2
    assert f"#{other.number} is not an incident" in wrong.stderr
    # No such issue: a usage mistake too (exit 2), not "gate not met" (exit 1).
    absent = subprocess.run(
        [sys.executable, "-m", "warroom", "package", "999"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert absent.returncode == 2
    assert "has no issue #999" in absent.stderr
    # A bad --output is refused before anything is written to GitHub: a new incident,
    # which a run would label and give a status comment, stays untouched.
    fresh = (
        github.repo(story.COMMANDER)
        .create_issue(title="[incident] 502s", body=story.incident_body(), labels=["incident"])
        .number
    )
    _settle(github)
    writes = _writes(github)
    typo = subprocess.run(
        [
            sys.executable,
            "-m",
            "warroom",
            "package",
            str(fresh),
            "--output",
            str(tmp_path / "n" / "p"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert _writes(github) == writes
    assert typo.returncode == 2
    assert "--output:" in typo.stderr
    assert "is not a directory" in typo.stderr


def _writes(github: TestSandbox) -> int:
    """How many writing requests the sandbox has served so far."""
    return sum(1 for r in github.requests()["requests"] if r["method"] != "GET")


def test_an_unknown_revision_is_said_once_and_not_asked_again(github: TestSandbox) -> None:
    number = _file(github)
    records = [
        (story.MITIGATION, story.decision(START, minute=20)),
        (story.VERIFICATION, story.verification(START, minute=25, revision="deadbee")),
        (story.VERIFICATION, story.auth_evidence(START)),
        (story.COMMS, story.stakeholder(START, next_in=120)),
        *story.follow_ups(),
        (story.COMMANDER, story.leadership(confidence="L3")),
        (story.COMMANDER, story.closure()),
    ]
    seed_records(github, number, records)
    _at(github, 60)
    github.repo(story.COMMANDER).get_issue(number).edit(state="closed", state_reason="completed")
    closed = _settle(github)[-1]
    assert closed["exit_code"] == 0, closed["stdout"] + closed["stderr"]
    (body,) = _own(github, number, "package")
    assert "GitHub knows no such revision in this repository" in body
    assert _count(github, closed, COMPARE) == 1
    assert _count(github, closed, COMMIT_PULLS) == 0
    # GitHub's 404 is an answer: a sweep keeps it instead of asking again.
    _at(github, 75)
    github.schedule()
    swept = _settle(github)[-1]
    assert swept["exit_code"] == 0
    assert _count(github, swept, "issues/list-comments") >= 1  # the sweep did read it
    assert _count(github, swept, COMPARE) == 0
