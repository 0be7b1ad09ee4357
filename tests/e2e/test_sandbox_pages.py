"""Kept pages: listings are built once per state version and never outlive a write.

The sandbox keeps each encoded page of issues and comments (and each issue
order) until the next transaction, and encodes comments through a fast path.
These tests hold that to the behaviour it replaces: every write shows on the
next read, observers still see the parsed body, the fast encoding is byte for
byte the ordinary one. (How fast it is lives in bench/, not here.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import TestSandbox
from warroom.sandbox.clock import Clock
from warroom.sandbox.observe import Exchange
from warroom.sandbox.records import Comment
from warroom.sandbox.render import Renderer, encode_json
from warroom.sandbox.seed import BOT_LOGIN, USERS
from warroom.sandbox.state import Memo, State

REPO = "/repos/acme/service"
FIRST_COMMENT = 1_500_000_001
"""The id of the first seeded comment (on issue 1; two per issue below)."""

Write = Callable[[TestSandbox], Any]


def _post(path: str, body: dict[str, Any]) -> Write:
    return lambda sb: sb.http("POST", REPO + path, body)


def _patch(path: str, body: dict[str, Any]) -> Write:
    return lambda sb: sb.http("PATCH", REPO + path, body)


def _delete(path: str) -> Write:
    return lambda sb: sb.http("DELETE", REPO + path)


def _later_retitle(sb: TestSandbox) -> None:
    sb.control("POST", "/clock", {"advance": "1m"})
    sb.http("PATCH", REPO + "/issues/1", {"title": "Retitled"})


SEEDED_BODIES = ["Seeded comment 1 on issue 1.", "Seeded comment 2 on issue 1."]


@pytest.mark.e2e
@pytest.mark.npm
@pytest.mark.parametrize(
    ("path", "field", "before", "write", "after"),
    [
        pytest.param(
            "/issues",
            "number",
            [3, 2, 1],
            _post("/issues", {"title": "Fresh"}),
            [4, 3, 2, 1],
            id="new-issue-on-top",
        ),
        pytest.param(
            "/issues?state=open",
            "number",
            [3, 2, 1],
            _patch("/issues/2", {"state": "closed"}),
            [3, 1],
            id="closed-issue-leaves-open",
        ),
        pytest.param(
            "/issues?state=closed",
            "number",
            [],
            _patch("/issues/2", {"state": "closed"}),
            [2],
            id="closed-issue-joins-closed",
        ),
        pytest.param(
            "/issues?sort=comments&direction=desc",
            "number",
            [3, 2, 1],
            _post("/issues/1/comments", {"body": "one more"}),
            [1, 3, 2],
            id="comment-count-order",
        ),
        pytest.param(
            "/issues?sort=updated&direction=desc",
            "number",
            [3, 2, 1],
            _later_retitle,
            [1, 3, 2],
            id="updated-order",
        ),
        pytest.param(
            "/issues?labels=incident",
            "number",
            [3, 2, 1],
            _delete("/issues/2/labels/incident"),
            [3, 1],
            id="label-filter",
        ),
        pytest.param(
            "/issues?per_page=2&page=2",
            "number",
            [1],
            _post("/issues", {"title": "Fresh"}),
            [2, 1],
            id="later-page-shifts",
        ),
        pytest.param(
            "/issues/1/comments",
            "body",
            SEEDED_BODIES,
            _post("/issues/1/comments", {"body": "third"}),
            [*SEEDED_BODIES, "third"],
            id="thread-gains-comment",
        ),
        pytest.param(
            "/issues/1/comments",
            "body",
            SEEDED_BODIES,
            _delete(f"/issues/comments/{FIRST_COMMENT}"),
            SEEDED_BODIES[1:],
            id="thread-loses-comment",
        ),
        pytest.param(
            "/issues/comments?per_page=2",
            "body",
            SEEDED_BODIES,
            _patch(f"/issues/comments/{FIRST_COMMENT}", {"body": "edited"}),
            ["edited", SEEDED_BODIES[1]],
            id="repo-comments-show-edit",
        ),
    ],
)
def test_every_write_shows_on_the_next_read(
    sandbox: TestSandbox,
    path: str,
    field: str,
    before: list[Any],
    write: Write,
    after: list[Any],
) -> None:
    sandbox.seed_issues(3, comments_per_issue=2, labels=["incident"])
    first = sandbox.http("GET", REPO + path)
    again = sandbox.http("GET", REPO + path)
    assert [item[field] for item in first.body] == before
    assert again.raw == first.raw
    assert again.header("Link") == first.header("Link")

    write(sandbox)

    assert [item[field] for item in sandbox.http("GET", REPO + path).body] == after


@pytest.mark.e2e
@pytest.mark.npm
def test_a_page_is_built_once_until_the_next_write(
    sandbox: TestSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.seed_issues(8)
    rendered: list[int] = []
    render = sandbox.renderer.issue

    def counting(issue: Any) -> dict[str, Any]:
        rendered.append(issue.number)
        return render(issue)

    monkeypatch.setattr(sandbox.renderer, "issue", counting)

    def renders_for(path: str) -> list[int]:
        rendered.clear()
        assert sandbox.http("GET", REPO + path).status == 200
        return list(rendered)

    assert renders_for("/issues?per_page=3") == [8, 7, 6]
    assert renders_for("/issues?per_page=3") == []
    assert renders_for("/issues?per_page=3&page=2") == [5, 4, 3]
    sandbox.http("PATCH", REPO + "/issues/7", {"state": "closed"})
    assert renders_for("/issues?per_page=3") == [8, 6, 5]


@pytest.mark.e2e
@pytest.mark.npm
def test_observers_see_a_kept_page_as_parsed_json(sandbox: TestSandbox) -> None:
    sandbox.seed_issues(2, comments_per_issue=3)
    seen: list[Exchange] = []
    sandbox.add_exchange_listener(seen.append)

    for path in ("/issues", "/issues", "/issues/2/comments", "/issues/2/comments"):
        answer = sandbox.http("GET", REPO + path)
        assert seen[-1].response_body == answer.body
        assert seen[-1].response_body is not None


# -- the parts, without a server --------------------------------------------------------


def _renderer() -> Renderer:
    return Renderer(State(Clock()), "http://127.0.0.1:8123")


LOGINS = st.sampled_from([u.login for u in USERS] + ["ADMIN", "ghost-user", BOT_LOGIN])


@settings(max_examples=150, deadline=None)
@given(
    comment_id=st.integers(1, 2**53),
    issue=st.integers(1, 10**7),
    login=LOGINS,
    body=st.text(max_size=200),
    node=st.text(max_size=20),
    created=st.text(max_size=25),
    updated=st.text(max_size=25),
)
def test_fast_comment_encoding_is_the_ordinary_one(
    comment_id: int, issue: int, login: str, body: str, node: str, created: str, updated: str
) -> None:
    renderer = _renderer()
    comment = Comment(
        id=comment_id,
        node_id=node,
        issue=issue,
        user=login,
        body=body,
        created_at=created,
        updated_at=updated,
    )

    assert renderer.comment_json(comment).encode() == encode_json(renderer.comment(comment))


def test_a_rendered_account_is_a_copy_each_time() -> None:
    renderer = _renderer()
    first = renderer.user("admin")
    assert first is not None
    first["login"] = "changed"
    first["permissions"] = {}

    again = renderer.user("admin")
    assert again is not None
    assert again["login"] == "admin"
    assert "permissions" not in again


def _counting_build(built: list[str], value: str) -> Callable[[], str]:
    def build() -> str:
        built.append(value)
        return value

    return build


def test_memo_keeps_values_until_a_transaction() -> None:
    state = State(Clock())
    memo: Memo[str] = Memo(state, max_entries=8)
    built: list[str] = []

    assert memo.get("k", _counting_build(built, "one")) == "one"
    assert memo.get("k", _counting_build(built, "two")) == "one"
    with state.transaction():
        assert memo.get("k", _counting_build(built, "mid")) == "mid"
        assert memo.get("k", _counting_build(built, "mid")) == "mid"
    assert memo.get("k", _counting_build(built, "three")) == "three"

    assert built == ["one", "mid", "mid", "three"]


def test_memo_drops_the_least_recently_used_first() -> None:
    memo: Memo[str] = Memo(State(Clock()), max_entries=2)
    built: list[str] = []
    for key in ("a", "b", "a", "c", "a", "b"):
        memo.get(key, _counting_build(built, key))

    assert built == ["a", "b", "c", "b"]
    assert len(memo) == 2


def test_memo_keeps_within_its_weight() -> None:
    memo: Memo[str] = Memo(State(Clock()), max_entries=10, max_weight=10, weight=len)
    built: list[str] = []
    for value in ("xxxx", "yyyyy", "zz", "yyyyy", "w" * 11, "w" * 11, "xxxx"):
        memo.get(value, _counting_build(built, value))

    assert built == ["xxxx", "yyyyy", "zz", "w" * 11, "w" * 11, "xxxx"]
