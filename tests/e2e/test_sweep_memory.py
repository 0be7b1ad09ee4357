"""The scheduled sweep with its memory (WARROOM_STATE_DIR), end to end through the sandbox.

A repeat sweep where nothing changed and nothing fell due reads the listings
and nothing else: at most 2*ceil(I/100) + 2 requests and no write, counted at
the sandbox. An incident that changed (a record, an edited comment) or whose
clock came due is read in full; a lost or damaged memory costs one full sweep.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.action_support import MakeSandbox, dispatching_sandbox
from tests.e2e.action_support import settle as _settle
from tests.e2e.conftest import START, TestSandbox
from warroom import story

pytestmark = pytest.mark.e2e

WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
INCIDENTS = 3
_COMMENTS_OF = re.compile(r"/issues/(\d+)/comments$")


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def github(make_sandbox: MakeSandbox, tmp_path: Path, state: Path) -> TestSandbox:
    # Set here until the sandbox's dispatcher gives each repository a directory of its own.
    return dispatching_sandbox(make_sandbox, tmp_path, env={"WARROOM_STATE_DIR": str(state)})


def _file(sb: TestSandbox) -> int:
    issue = sb.repo(story.COMMANDER).create_issue(
        title="[incident] 401s on every authenticated call",
        body=story.incident_body(),
        labels=["incident"],
    )
    _settle(sb)
    return int(issue.number)


def _sweep(sb: TestSandbox) -> dict[str, Any]:
    before = len(_settle(sb))
    sb.schedule()
    (run,) = _settle(sb)[before:]
    assert run["exit_code"] == 0, run["stdout"] + run["stderr"]
    return run


def _rows(sb: TestSandbox, run: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = sb.requests(run_id=run["id"])["requests"]
    return rows


def _writes(sb: TestSandbox, run: dict[str, Any]) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in _rows(sb, run) if r["method"] in WRITES]


def _read_fully(sb: TestSandbox, run: dict[str, Any]) -> set[int]:
    """The incidents whose comments the run read."""
    found = (_COMMENTS_OF.search(r["path"].split("?")[0]) for r in _rows(sb, run))
    return {int(m.group(1)) for m in found if m}


def _quiet_budget(incidents: int) -> int:
    return 2 * math.ceil(incidents / 100) + 2


def _quiet(sb: TestSandbox) -> None:
    """Sweep until quiet: a sweep that wrote reads its incidents once more, then no more."""
    for _ in range(2):
        run = _sweep(sb)
        if not _read_fully(sb, run):
            assert _writes(sb, run) == []
            return
    raise AssertionError("the sweep did not settle in two runs")


def test_a_repeat_sweep_reads_the_listings_only_until_something_changes_or_falls_due(
    github: TestSandbox, state: Path
) -> None:
    numbers = [_file(github) for _ in range(INCIDENTS)]
    first = _sweep(github)
    assert _read_fully(github, first) == set(numbers), "no memory yet: every incident is read"
    assert any(state.glob("sweep-*.json")), "the sweep kept its memory"

    quiet = _sweep(github)
    counts = Counter(r["operation_id"] for r in _rows(github, quiet))
    assert sum(counts.values()) <= _quiet_budget(INCIDENTS), counts
    assert counts == {"issues/list-for-repo": 2, "issues/list-comments-for-repo": 1}
    assert _writes(github, quiet) == []
    assert f"{INCIDENTS} incident(s) unchanged and not due" in quiet["stdout"]
    assert quiet["outputs"]["watching"] == str(INCIDENTS), "skipped ones are watched too"

    # A record on one incident and a comment on another: both are read, the third is not.
    _, b, c = numbers
    github.set_clock(now=START + timedelta(minutes=5), frozen=True)
    github.repo(story.COMMANDER).get_issue(b).create_comment(
        story.snapshot(START, phase="containment")
    )
    note = github.repo("reader").get_issue(c).create_comment("Seeing this in eu-west too.")
    _settle(github)
    assert _read_fully(github, _sweep(github)) == {b, c}
    _quiet(github)

    # An edited comment changes nothing the issue listing shows; the comment listing shows it.
    github.set_clock(now=START + timedelta(minutes=6), frozen=True)
    note.edit("Seeing this in eu-west and us-east too.")
    _settle(github)
    assert _read_fully(github, _sweep(github)) == {c}
    _quiet(github)

    # Two hours on, every incident's stakeholder update is overdue: each is read and reminded.
    github.set_clock(now=START + timedelta(hours=2), frozen=True)
    due = _sweep(github)
    assert _read_fully(github, due) == set(numbers)
    reminded = {
        n
        for n in numbers
        if any(
            "next stakeholder update" in x.body and x.body.startswith("<!-- warroom:reminder:")
            for x in github.repo().get_issue(n).get_comments()
        )
    }
    assert reminded == set(numbers)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.unlink(), id="missing"),
        pytest.param(lambda path: path.write_text("{ not json", encoding="utf-8"), id="corrupt"),
        pytest.param(
            lambda path: path.write_text(path.read_text().replace('"v": 1', '"v": 99')),
            id="another-version",
        ),
        pytest.param(lambda path: path.write_bytes(b"\xff\xfe\x00"), id="not-text"),
    ],
)
def test_a_lost_or_damaged_memory_costs_one_full_sweep(
    github: TestSandbox, state: Path, damage: Any
) -> None:
    numbers = [_file(github) for _ in range(INCIDENTS)]
    _sweep(github)
    assert _read_fully(github, _sweep(github)) == set()
    (path,) = state.glob("sweep-*.json")
    damage(path)

    full = _sweep(github)
    assert full["exit_code"] == 0
    assert _read_fully(github, full) == set(numbers)
    assert _writes(github, full) == [], "nothing changed on GitHub: a full sweep writes nothing"
    # The full sweep left a sound memory behind: the next one is quiet again.
    assert _read_fully(github, _sweep(github)) == set()


def test_without_a_state_directory_every_sweep_reads_every_incident(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    # Empty is unset: explicit, in case the dispatcher gives runs a directory of its own.
    github = dispatching_sandbox(make_sandbox, tmp_path, env={"WARROOM_STATE_DIR": ""})
    numbers = [_file(github) for _ in range(2)]
    for _ in range(2):
        assert _read_fully(github, _sweep(github)) == set(numbers)


def test_a_sweep_says_how_many_incidents_it_watches_so_the_schedule_can_pause(
    github: TestSandbox,
) -> None:
    """0 lets warroom-sweep.yml turn its schedule off; an event run says nothing."""
    (bystander,) = github.seed_issues(1, title="Typo in the README")
    assert _sweep(github)["outputs"]["watching"] == "0"
    number = _file(github)
    (opened, *_) = [r for r in _settle(github) if r["event"] == "issues"]
    assert opened["outputs"]["watching"] == ""
    assert opened["outputs"]["incident"] == str(number)
    assert _sweep(github)["outputs"]["watching"] == "1"
    assert bystander != number
