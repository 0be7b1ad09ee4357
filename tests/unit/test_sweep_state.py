"""The sweep's memory: what it trusts, when it lets the sweep skip an incident, what it keeps.

Pure decisions, tested as tables; the sweep that uses them is tested against a
fake GitHub in tests/unit/test_sweep_run.py and end to end in
tests/e2e/test_sweep_memory.py.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.fake_github import START, make_issue
from warroom.config import Config
from warroom.model import IssueSnapshot
from warroom.run import _keep, _memory_path, _recall
from warroom.sweep_state import (
    MARGIN,
    MAX_AGE,
    VERSION,
    CommentVersion,
    Memory,
    Outcome,
    Seen,
    comments_since,
    config_digest,
    dumps,
    fingerprint,
    loads,
    next_due,
    remember,
    why_read,
)

CONFIG = Config()
ISSUE = make_issue("body", number=3, updated_at=START, comment_count=4)
LATER = START + timedelta(minutes=10)


def _memory(**seen: Any) -> Memory:
    entry = Seen(
        fingerprint(ISSUE), START + timedelta(hours=1), frozenset({(7, START.isoformat())})
    )
    return Memory(config_digest(CONFIG), START, {3: replace(entry, **seen)})


def _version(cid: int, at: datetime, issue: int = 3) -> CommentVersion:
    return CommentVersion(issue, cid, at)


# --- when the sweep reads an incident ---------------------------------------------------------


@pytest.mark.parametrize(
    ("memory", "issue", "touched", "now", "reason"),
    [
        pytest.param(_memory(), ISSUE, [], LATER, None, id="unchanged-not-due"),
        pytest.param(
            _memory(),
            ISSUE,
            [_version(7, START)],
            LATER,
            None,
            id="a-comment-version-it-already-read",
        ),
        pytest.param(None, ISSUE, [], LATER, "no memory of earlier sweeps", id="no-memory"),
        pytest.param(
            _memory(),
            replace(ISSUE, number=4),
            [],
            LATER,
            "new to the sweep",
            id="new-incident",
        ),
        pytest.param(
            _memory(settled=False), ISSUE, [], LATER, "the last run wrote to it", id="wrote"
        ),
        pytest.param(
            _memory(),
            replace(ISSUE, updated_at=LATER),
            [],
            LATER,
            "the issue changed",
            id="updated-at-moved",
        ),
        pytest.param(
            _memory(),
            replace(ISSUE, labels=("incident", "SEV-2")),
            [],
            LATER,
            "the issue changed",
            id="labels-changed",
        ),
        pytest.param(
            _memory(),
            replace(ISSUE, comment_count=3),
            [],
            LATER,
            "the issue changed",
            id="a-comment-was-deleted",
        ),
        pytest.param(
            _memory(),
            replace(ISSUE, state="closed", state_reason="completed"),
            [],
            LATER,
            "the issue changed",
            id="closed",
        ),
        pytest.param(
            _memory(),
            ISSUE,
            [_version(7, LATER)],
            LATER,
            "a comment was written or edited",
            id="a-comment-edited",
        ),
        pytest.param(
            _memory(),
            ISSUE,
            [_version(8, LATER)],
            LATER,
            "a comment was written or edited",
            id="a-new-comment",
        ),
        pytest.param(
            _memory(),
            ISSUE,
            [],
            START + timedelta(hours=1),
            "something on its clock fell due",
            id="due-now",
        ),
        pytest.param(
            _memory(due=None), ISSUE, [], START + timedelta(hours=5), None, id="nothing-ever-due"
        ),
        pytest.param(
            _memory(),
            ISSUE,
            [],
            START - timedelta(minutes=1),
            "the clock is earlier than the last sweep's",
            id="clock-went-back",
        ),
        pytest.param(
            _memory(due=None),
            ISSUE,
            [],
            START + MAX_AGE + timedelta(seconds=1),
            "the memory is too old",
            id="memory-from-before-a-pause",
        ),
        pytest.param(_memory(due=None), ISSUE, [], START + MAX_AGE, None, id="old-but-not-too-old"),
    ],
)
def test_why_the_sweep_reads_an_incident(
    memory: Memory | None,
    issue: IssueSnapshot,
    touched: list[CommentVersion],
    now: datetime,
    reason: str | None,
) -> None:
    assert why_read(memory, issue, touched, now) == reason


# --- what the sweep trusts -------------------------------------------------------------------


def _text(**override: object) -> str:
    data = json.loads(dumps(_memory()))
    data.update(override)
    return json.dumps(data)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("{not json", id="not-json"),
        pytest.param("[]", id="not-an-object"),
        pytest.param(_text(v=VERSION + 1), id="another-version"),
        pytest.param(_text(config="0" * 16), id="another-config"),
        pytest.param(_text(checked_at="yesterday"), id="unreadable-time"),
        pytest.param(_text(checked_at="2024-05-01T12:00:00"), id="time-without-zone"),
        pytest.param(_text(incidents=[]), id="incidents-not-a-map"),
        pytest.param(_text(incidents={"x": {}}), id="not-an-issue-number"),
        pytest.param(
            _text(
                incidents={"3": {"fingerprint": 1, "due": None, "comments": [], "settled": True}}
            ),
            id="fingerprint-not-text",
        ),
        pytest.param(
            _text(
                incidents={
                    "3": {"fingerprint": "f", "due": "soon", "comments": [], "settled": True}
                }
            ),
            id="due-unreadable",
        ),
        pytest.param(
            _text(
                incidents={
                    "3": {"fingerprint": "f", "due": None, "comments": [[1]], "settled": True}
                }
            ),
            id="comment-version-malformed",
        ),
    ],
)
def test_a_memory_it_cannot_trust_is_no_memory(text: str) -> None:
    assert loads(text, CONFIG) is None


def test_a_memory_made_under_another_config_is_no_memory() -> None:
    other = CONFIG.model_copy(update={"timezone": "Europe/Berlin"})
    assert loads(dumps(_memory()), CONFIG) is not None
    assert loads(dumps(_memory()), other) is None


times = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)
seens = st.builds(
    Seen,
    fingerprint=st.text(min_size=1, max_size=8),
    due=st.none() | times,
    comments=st.frozensets(
        st.tuples(st.integers(1, 10**9), times.map(lambda t: t.isoformat())), max_size=4
    ),
    settled=st.booleans(),
)


@given(times, st.dictionaries(st.integers(1, 10**6), seens, max_size=5))
def test_the_memory_round_trips_through_its_text(
    checked: datetime, incidents: dict[int, Seen]
) -> None:
    memory = Memory(config_digest(CONFIG), checked, incidents)
    assert loads(dumps(memory), CONFIG) == memory
    assert dumps(memory) == dumps(Memory(memory.config, checked, dict(reversed(incidents.items()))))


# --- what the sweep keeps --------------------------------------------------------------------


def test_remember_keeps_what_it_read_and_forgets_what_left_the_listing() -> None:
    gone = make_issue("body", number=9, updated_at=START)
    before = Memory(
        config_digest(CONFIG),
        START,
        {
            3: Seen("old", None),
            9: Seen(fingerprint(gone), None),
            5: Seen("five", LATER + timedelta(hours=1), frozenset({(1, START.isoformat())})),
        },
    )
    five = make_issue("body", number=5, updated_at=START)
    read = Outcome(
        due=LATER + timedelta(minutes=30),
        comments=[_version(20, START), _version(21, LATER - MARGIN), _version(22, LATER)],
        wrote=True,
    )
    after = remember(before, [ISSUE, five], {3: read}, LATER, CONFIG)
    assert after.checked_at == LATER
    assert set(after.incidents) == {3, 5}
    three = after.incidents[3]
    assert three.fingerprint == fingerprint(ISSUE)
    assert three.due == LATER + timedelta(minutes=30)
    assert not three.settled
    # Only versions the next listing (from LATER - MARGIN) can show again are worth keeping.
    assert three.comments == {(21, (LATER - MARGIN).isoformat()), (22, LATER.isoformat())}
    # Skipped: kept as it was, less the versions too old to be listed again.
    assert after.incidents[5] == Seen("five", LATER + timedelta(hours=1), frozenset())
    assert comments_since(after, LATER + timedelta(minutes=10)) == LATER - MARGIN


@pytest.mark.parametrize(
    ("memory", "now"),
    [
        pytest.param(None, LATER, id="no-memory"),
        pytest.param(_memory(), START - timedelta(seconds=1), id="from-the-future"),
        pytest.param(_memory(), START + MAX_AGE + timedelta(seconds=1), id="too-old"),
    ],
)
def test_no_comment_listing_without_a_usable_memory(memory: Memory | None, now: datetime) -> None:
    assert comments_since(memory, now) is None


def test_an_incident_whose_run_failed_is_read_again() -> None:
    """Its run raised, so it was not processed: no entry, and it is new to the next sweep."""
    after = remember(None, [ISSUE], {}, LATER, CONFIG)
    assert why_read(after, ISSUE, [], LATER + timedelta(minutes=10)) == "new to the sweep"


@pytest.mark.parametrize(
    ("dues", "expected"),
    [
        pytest.param([], None, id="nothing"),
        pytest.param([START, LATER], LATER, id="past-ones-were-dealt-with"),
        pytest.param(
            [LATER + timedelta(hours=2), LATER + timedelta(hours=1)],
            LATER + timedelta(hours=1),
            id="earliest",
        ),
        pytest.param([LATER], LATER, id="due-exactly-now-is-still-ahead"),
    ],
)
def test_next_due(dues: list[datetime], expected: datetime | None) -> None:
    assert next_due(dues, LATER) == expected


# --- the memory on disk (the shell's part, in warroom.run) ------------------------------------


def test_the_memory_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_STATE_DIR", str(tmp_path / "state"))
    path = _memory_path("acme/shop")
    assert path is not None
    assert path.parent == tmp_path / "state"
    assert _recall(path) == "", "no memory yet: a full sweep"
    _keep(path, "first\n")
    assert _recall(path) == "first\n"

    def fail(self: Path, target: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", fail)
    _keep(path, "second\n")
    assert _recall(path) == "first\n", "a failed write leaves the last memory as it was"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "no scratch file left"


def test_an_unchanged_memory_is_not_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_STATE_DIR", str(tmp_path))
    path = _memory_path("acme/shop")
    assert path is not None
    _keep(path, "same\n")
    before = path.stat()
    _keep(path, "same\n")
    assert path.stat().st_ino == before.st_ino
    assert path.stat().st_mtime_ns == before.st_mtime_ns


@pytest.mark.parametrize(
    "value",
    [pytest.param(None, id="unset"), pytest.param("  ", id="blank")],
)
def test_without_warroom_state_dir_the_sweep_has_no_memory(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("WARROOM_STATE_DIR", raising=False)
    else:
        monkeypatch.setenv("WARROOM_STATE_DIR", value)
    path = _memory_path("acme/shop")
    assert path is None
    assert _recall(path) is None


def test_each_repository_has_a_memory_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_STATE_DIR", str(tmp_path))
    assert _memory_path("acme/shop") == tmp_path / "sweep-acme+shop.json"
    assert _memory_path("acme.shop/x") != _memory_path("acme/shop.x")


def test_a_memory_that_is_not_text_is_no_memory(tmp_path: Path) -> None:
    path = tmp_path / "sweep-acme+shop.json"
    path.write_bytes(b"\xff\xfe\x00")
    assert _recall(path) == ""
