"""The closure review package: its golden files, and each part of it as a table.

Playbook: "Before final closure, produce one package containing: timeline (key
timestamps + decisions), mitigation diff summary, verification command bundle,
residual risk register, hardening backlog links. This package should let a new
owner understand the incident in 10 minutes."

Set ``WARROOM_UPDATE_FIXTURES=1`` to rewrite the golden files after a deliberate
change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.fake_github import START
from tests.unit.incident_support import Post, incident_from
from tests.unit.test_closure_gate_table import _met_story
from tests.unit.test_review_rule import CLOSED, _closed
from warroom import package, run_package, story
from warroom.config import Config
from warroom.errors import GitHubError
from warroom.incident import Incident
from warroom.limits import COMMENT_LIMIT
from warroom.markers import decode_state, encode_state
from warroom.mitigation import (
    NOT_FOUND,
    ChangedFile,
    DiffCommit,
    DiffPull,
    MitigationDiff,
    diff_from_payload,
    mitigation_range,
    unreadable,
    with_pulls,
)
from warroom.model import CommentSnapshot
from warroom.plan import backlog_rows, clock_items, evaluate_gate
from warroom.render import render
from warroom.rules import publication

GOLDEN = Path(__file__).parents[1] / "fixtures" / "bot"
UPDATE = os.environ.get("WARROOM_UPDATE_FIXTURES") == "1"
HOSTILE = "Revert @alice's fix <img src=x> {{ 7*7 }} ${{ secrets.TOKEN }} [x](http://evil.test)"
DIFF = MitigationDiff(
    base="4f2c1a9",
    head="4f2c1a9",
    url="https://github.test/o/r/compare/4f2c1a9...4f2c1a9",
    status="ahead",
    total_commits=2,
    commits=(
        DiffCommit("9e0d7b3" + "0" * 33, "Strict audience", "tomas-lindqvist", "https://c/1", ()),
        DiffCommit("b7e4d20" + "0" * 33, HOSTILE, "tomas-lindqvist", "https://c/2", (2,)),
    ),
    pulls=(DiffPull(2, "Roll back | the check", "https://github.test/o/r/pull/2", "merged"),),
    files=(ChangedFile("services/auth/audience.py", "modified", 3, 12),),
)


def _body(incident: Incident, diff: MitigationDiff | None) -> str:
    gate = evaluate_gate(incident, Config())
    context = package.package_context(
        incident,
        gate,
        span=mitigation_range(incident),
        diff=diff,
        backlog=backlog_rows(incident, {}, {}, CLOSED),
    )
    return package.package_body(context, render, diff=diff, source=incident.issue.html_url)


def _open() -> Incident:
    return incident_from(story.incident_body())


BODIES = {
    "package-met.md": lambda: _body(_closed(), DIFF),
    "package-open.md": lambda: _body(_open(), None),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_package_matches_its_golden_file(name: str) -> None:
    golden = GOLDEN / name
    text = BODIES[name]()
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_package_body_does_not_depend_on_when_it_is_built() -> None:
    """A rerun renders the same body, so the adapter writes nothing."""
    assert _body(_closed(), DIFF) == _body(_closed(), DIFF)


# --- the mitigation range ----------------------------------------------------------------------


def _rerun(minute: int, revision: str, result: str = "green") -> Post:
    return (
        story.VERIFICATION,
        minute,
        story.verification(START, minute=minute, result=result, revision=revision),
    )


SNAPSHOT = (story.COMMANDER, 5, story.snapshot(START).replace("4f2c1a9", "v2026.11.27"))


@pytest.mark.parametrize(
    ("posts", "expected"),
    [
        pytest.param([], None, id="no-rerun-no-range"),
        pytest.param([_rerun(20, "b7e4d20", "red")], None, id="red-rerun-is-no-fix"),
        pytest.param(
            [_rerun(20, "b7e4d20")],
            ("4f2c1a9", "b7e4d20", "the issue form's Last known-good revision"),
            id="form-known-good-to-green-rerun",
        ),
        pytest.param(
            [SNAPSHOT, _rerun(20, "b7e4d20")],
            ("v2026.11.27", "b7e4d20", "the latest Incident Command Snapshot"),
            id="snapshot-overrides-the-form",
        ),
        pytest.param(
            [_rerun(20, "aaaaaaa"), _rerun(30, "b7e4d20"), _rerun(40, "ccccccc", "red")],
            ("4f2c1a9", "b7e4d20", "the issue form's Last known-good revision"),
            id="latest-green-rerun-wins-a-later-red-does-not",
        ),
    ],
)
def test_the_range_runs_from_the_last_known_good_to_the_green_rerun(
    posts: list[Post], expected: tuple[str, str, str] | None
) -> None:
    span = mitigation_range(incident_from(story.incident_body(), posts))
    found = None if span is None else (span.base, span.head, span.base_source)
    assert found == expected


@pytest.mark.parametrize(
    ("revision", "readable"),
    [
        pytest.param("b7e4d20", True, id="short-sha"),
        pytest.param("release/2026.11", True, id="branch-with-slash"),
        pytest.param("deploy 4411 (rollback)", False, id="a-sentence"),
        pytest.param("main..evil", False, id="a-range"),
        pytest.param("-x", False, id="an-option"),
    ],
)
def test_only_a_git_ref_is_sent_to_github(revision: str, readable: bool) -> None:
    span = mitigation_range(incident_from(story.incident_body(), [_rerun(20, revision)]))
    assert span is not None
    assert span.readable is readable
    if not readable:
        assert "not a git ref" in unreadable(span).problem


# --- GitHub's answers, as data -----------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(None, id="not-an-object"),
        pytest.param({"commits": [None, {"commit": None, "author": None}]}, id="holes"),
        pytest.param({"commits": "x", "files": [1, {"filename": "a"}]}, id="wrong-types"),
    ],
)
def test_a_damaged_compare_answer_never_raises(payload: Any) -> None:
    diff = with_pulls(diff_from_payload("a", "b", payload), {"": [None, {"number": "x"}]})
    assert (diff.base, diff.head) == ("a", "b")


def test_pull_requests_are_named_once_and_merged_ones_say_so() -> None:
    diff = with_pulls(
        MitigationDiff(
            "a",
            "b",
            commits=(
                DiffCommit("1", "t", "u", "l"),
                DiffCommit("2", "t", "u", "l"),
                DiffCommit("3", "t", "u", "l"),
            ),
        ),
        {
            "1": [
                {"number": 7, "title": "Fix", "html_url": "u7", "merged_at": "2026-11-28T14:30:00Z"}
            ],
            "2": [{"number": 7, "title": "Fix", "html_url": "u7", "state": "closed"}],
        },
    )
    assert [c.pulls for c in diff.commits] == [(7,), (7,), None]  # the third was not looked up
    assert diff.pulls == (DiffPull(7, "Fix", "u7", "merged"),)


# --- what a posted package keeps -----------------------------------------------------------------


def _posted(state: dict[str, Any], *, bot: bool = True) -> CommentSnapshot:
    body = f"{package.package_marker(1)}\nbody\n\n{encode_state(state)}\n"
    return CommentSnapshot(1, "github-actions[bot]", bot, body, START, START, "u")


SPAN = mitigation_range(incident_from(story.incident_body(), [_rerun(20, "4f2c1a9")]))


@pytest.mark.parametrize(
    ("state", "kept"),
    [
        pytest.param({"v": 1, "diff": DIFF.to_json()}, True, id="same-range-kept"),
        pytest.param(
            {"v": 1, "diff": {**DIFF.to_json(), "head": "b7e4d20"}}, False, id="moved-range-read"
        ),
        pytest.param(
            {"v": 1, "diff": {**DIFF.to_json(), "problem": "GitHub failed", "retry": True}},
            False,
            id="failed-read-asked-again",
        ),
        pytest.param({"v": 1, "diff": {"base": "4f2c1a9"}}, False, id="damaged-state-read"),
        pytest.param({"v": 0, "diff": DIFF.to_json()}, False, id="older-version-read"),
    ],
)
def test_a_posted_package_keeps_the_diff_for_the_same_range(
    state: dict[str, Any], kept: bool
) -> None:
    assert SPAN is not None
    found = package.kept_diff(package.posted([_posted(state)], 1), SPAN)
    assert (found == DIFF) is kept


def test_a_person_copying_the_marker_is_not_the_package() -> None:
    assert package.posted([_posted({}, bot=False)], 1) is None


# --- people's text stays inert; the body fits ---------------------------------------------------


def test_commands_and_outputs_cannot_close_their_fence() -> None:
    block = package._fenced("```\nls\n```", "u")
    assert block["text"] == "ls"  # the record's own fence is dropped, then fenced again
    nasty = package._fenced("a ```` b\n```\n# heading", "u")
    assert nasty["fence"] == "`````"
    assert nasty["fence"] not in nasty["text"]


def test_the_chart_holds_no_text_from_people() -> None:
    evil = story.decision(START, minute=20).replace(
        "rollback-first for SEV-1 auth", "```\nend\nclick p1 call alert(1)"
    )
    incident = incident_from(story.incident_body(), [(story.MITIGATION, 20, evil)])
    chart = package.mermaid_gantt(incident, evaluate_gate(incident, Config()))
    assert "```" not in chart
    assert "click" not in chart
    assert all(line.startswith(("gantt", "    ")) for line in chart.split("\n"))


def test_a_huge_incident_still_fits_in_one_comment_and_says_what_was_cut() -> None:
    flood = "x" * 20_000
    posts: list[Post] = [
        (
            story.VERIFICATION,
            20 + i,
            story.verification(START, minute=20 + i, revision="b7e4d20").replace("200", flood),
        )
        for i in range(30)
    ]
    body = _body(incident_from(story.incident_body(), posts), None)
    assert len(body) <= COMMENT_LIMIT
    assert "more characters in [the record]" in body  # each long output is cut first
    assert "truncated:" in body  # then the rest, with the link to the issue
    assert body.startswith(package.package_marker(1))


# --- the hardening loop: the package publishes the timeline --------------------------------------


def test_the_posted_package_is_the_published_timeline() -> None:
    """Publishing the package satisfies "publish incident timeline with key decisions"."""
    open_story = _met_story()
    still_open = incident_from(story.incident_body(), open_story)
    closed = _closed()
    assert not publication.published(still_open, Config())
    assert publication.published(closed, Config())
    items = clock_items(closed, evaluate_gate(closed, Config()), CLOSED, Config())
    loop = [i for i in items if i.title.startswith("post-incident hardening loop")]
    assert all("timeline publication" not in i.title for i in loop)
    before = clock_items(still_open, evaluate_gate(still_open, Config()), CLOSED, Config())
    assert any("timeline publication" in i.title for i in before)


# --- the shell: when GitHub is asked ------------------------------------------------------------


class _Compare:
    """A fake adapter that answers compare with ``answer`` (or raises it) and counts calls."""

    def __init__(self, answer: MitigationDiff | Exception) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str]] = []

    def compare(self, base: str, head: str) -> MitigationDiff:
        self.calls.append((base, head))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def apply(self, plan: Any, *, issue: Any = None) -> Any:
        raise AssertionError("build never writes")


@pytest.mark.parametrize(
    ("revision", "answer", "asked", "shown"),
    [
        pytest.param(
            "4f2c1a9",
            DIFF,
            0,
            "the fix is the last known-good revision itself",
            id="rollback-to-known-good-needs-no-read",
        ),
        pytest.param("deploy 4411", DIFF, 0, "is not a git ref", id="not-a-ref-never-sent"),
        pytest.param("b7e4d20", DIFF, 1, "[2 commit(s)]", id="a-range-is-compared"),
        pytest.param(
            "b7e4d20",
            MitigationDiff("4f2c1a9", "b7e4d20", problem=NOT_FOUND),
            1,
            "GitHub knows no such revision",
            id="unknown-revision-said",
        ),
        pytest.param(
            "b7e4d20",
            GitHubError("compare: gave up after 4 attempts (503)"),
            1,
            "GitHub did not answer the compare",
            id="github-failing-said-and-asked-again-next-run",
        ),
    ],
)
def test_github_is_asked_only_for_a_range_of_two_refs(
    revision: str, answer: MitigationDiff | Exception, asked: int, shown: str
) -> None:
    incident = incident_from(story.incident_body(), [_rerun(20, revision)])
    adapter = _Compare(answer)
    effect, read = run_package.build(
        adapter,
        incident,
        [],
        evaluate_gate(incident, Config()),
        follow_ups={},
        follow_up_states={},
        now=CLOSED,
    )
    assert len(adapter.calls) == asked
    assert read is bool(asked)
    assert shown in effect.body
    kept = decode_state(effect.body)["diff"]
    assert kept["retry"] is isinstance(answer, Exception)


# --- properties: GitHub's answers and the kept state never break a run --------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
_TEXT = st.text(max_size=30)


_COMMIT = st.fixed_dictionaries(
    {},
    optional={
        "sha": _JSON,
        "html_url": _JSON,
        "author": _JSON,
        "commit": st.fixed_dictionaries({}, optional={"message": _JSON, "author": _JSON}),
    },
)
_COMPARE = st.fixed_dictionaries(
    {},
    optional={
        "commits": st.lists(_COMMIT | _JSON, max_size=3) | _JSON,
        "files": st.lists(
            st.fixed_dictionaries(
                {}, optional={"filename": _JSON, "status": _JSON, "additions": _JSON}
            ),
            max_size=3,
        )
        | _JSON,
        "total_commits": _JSON,
        "status": _JSON,
        "html_url": _JSON,
    },
)
_PULLS = st.lists(
    st.fixed_dictionaries(
        {}, optional={"number": _JSON, "title": _JSON, "merged_at": _JSON, "state": _JSON}
    )
    | _JSON,
    max_size=3,
)


@given(payload=_COMPARE | _JSON, pulls=_PULLS | _JSON)
@settings(max_examples=200, deadline=None)
def test_any_compare_answer_reads_without_raising(payload: Any, pulls: Any) -> None:
    first = diff_from_payload("a", "b", payload)
    diff = with_pulls(first, {c.sha: pulls for c in first.commits})
    assert MitigationDiff.from_json(diff.to_json()) == diff


@given(
    commits=st.lists(
        st.builds(DiffCommit, _TEXT, _TEXT, _TEXT, _TEXT, st.none() | st.tuples(st.integers())),
        max_size=3,
    ),
    title=_TEXT,
    problem=_TEXT,
)
@settings(max_examples=100, deadline=None)
def test_the_kept_diff_survives_the_comment_state(
    commits: list[DiffCommit], title: str, problem: str
) -> None:
    diff = MitigationDiff(
        "a",
        "b",
        commits=tuple(commits),
        pulls=(DiffPull(1, title, "u", "open"),),
        problem=problem,
    )
    assert MitigationDiff.from_json(decode_state(encode_state({"d": diff.to_json()}))["d"]) == diff


@given(_JSON)
@settings(max_examples=200, deadline=None)
def test_a_damaged_kept_diff_is_read_again(data: Any) -> None:
    """Whatever the state holds: no diff (so the shell asks GitHub again), or one that
    reads back as itself; never a half-read diff, never a crash."""
    found = MitigationDiff.from_json(data)
    if not isinstance(data, dict):
        assert found is None
    if found is not None:
        assert MitigationDiff.from_json(found.to_json()) == found


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Eve` @alice [x](https://evil.example) <img src=x> | ", id="breaks-the-span"),
        pytest.param("Mallory {{ 7*7 }} ${{ secrets.TOKEN }}", id="template-text"),
        pytest.param("-leading-hyphen", id="not-a-login-shape"),
    ],
)
def test_a_commit_authors_git_name_is_quoted_as_text(name: str) -> None:
    """Without a GitHub account, a commit's author is its git name, which anyone sets:
    it must come out inert, never as a mention, link, image or a broken table cell."""
    commit = DiffCommit("c0ffee1" + "0" * 33, "Fix", name, "https://c/3", ())
    diff = MitigationDiff(**{**DIFF.__dict__, "commits": (commit,)})
    body = _body(_closed(), diff)
    row = next(line for line in body.splitlines() if line.startswith("| [`c0ffee1`]"))
    assert row.count(" | ") == 3  # four cells, none split by the name
    assert "@alice" not in row.replace("@\u2060alice", "")
    assert "](https://evil.example)" not in row
    assert "<img" not in row
    assert " 49 " not in row  # people's braces are text, never template code


def test_a_commit_author_with_an_account_is_shown_as_a_quiet_login() -> None:
    body = _body(_closed(), DIFF)
    assert "| `@tomas-lindqvist` |" in body
