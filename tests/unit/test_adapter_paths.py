"""The adapter's create, look-up and retry path against fakes, one decision per row.

The sandbox tests (``tests/e2e``) prove these end to end over HTTP; here each
decision is pinned without HTTP so a one-token change shows in a unit test:
how long a retry waits (``Retry-After`` in seconds or as a date,
``X-RateLimit-Reset`` against the answer's own ``Date``), the write cap, that
a failed create asks whether it happened before retrying and returns what it
found without a second POST, that "already exists" and a 404 on delete or
remove are success, and that a person's or proof-less issue is never a
follow-up. The fakes stand in for PyGithub's objects (``adapter._repo`` and
the raw requester); ``Fault`` makes one call fail before or after it applies.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from github import GithubException

from warroom.config import Api
from warroom.effects import DeleteComment, EnsureLabel, OpenFollowUp, RemoveLabel, UpsertComment
from warroom.errors import GitHubError
from warroom.github.adapter import (
    GitHubAdapter,
    _already_exists,
    _classify,
    _is_rate_limit,
    _seconds,
    _server_now,
)

NOW = datetime(2026, 11, 28, 16, 0, tzinfo=UTC).timestamp()
BOT = SimpleNamespace(login="warroom[bot]", type="Bot")
APP = SimpleNamespace(login="github-actions", type="Bot")
PERSON = SimpleNamespace(login="mara-okafor", type="User")


def _date(offset: float) -> str:
    return format_datetime(datetime.fromtimestamp(NOW + offset, UTC), usegmt=True)


def _gh(status: int, headers: dict[str, str] | None = None, data: Any = None) -> GithubException:
    return GithubException(status, {"message": "x"} if data is None else data, headers or {})


# -- the pure helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        pytest.param(None, None, id="absent"),
        pytest.param("2", 2.0, id="integer-seconds"),
        pytest.param("0.5", 0.5, id="fractional-seconds"),
        pytest.param("-5", 0.0, id="negative-seconds-is-now"),
        pytest.param(_date(7), 7.0, id="http-date-ahead"),
        pytest.param(_date(-30), 0.0, id="http-date-past-is-now"),
        pytest.param("soon", None, id="unreadable"),
        pytest.param("", None, id="empty"),
    ],
)
def test_seconds_reads_retry_after(value: str | None, seconds: float | None) -> None:
    assert _seconds(value, NOW) == seconds


@pytest.mark.parametrize(
    ("headers", "now"),
    [
        pytest.param({"date": _date(-100)}, NOW - 100, id="from-the-date-header"),
        pytest.param({}, NOW, id="no-date-our-clock"),
        pytest.param({"date": "yesterday"}, NOW, id="unreadable-date-our-clock"),
    ],
)
def test_server_now(headers: dict[str, str], now: float) -> None:
    assert _server_now(headers, NOW) == now


@pytest.mark.parametrize(
    ("exc", "exists"),
    [
        pytest.param(
            _gh(422, data={"message": "Validation Failed", "errors": [{"code": "already_exists"}]}),
            True,
            id="422-already-exists",
        ),
        pytest.param(_gh(422, data={"errors": [{"code": "invalid"}]}), False, id="422-other"),
        pytest.param(_gh(400, data={"code": "already_exists"}), False, id="400-not-422"),
    ],
)
def test_already_exists(exc: GithubException, exists: bool) -> None:
    assert _already_exists(exc) is exists


@pytest.mark.parametrize(
    ("exc", "headers", "limited"),
    [
        pytest.param(_gh(403), {"x-ratelimit-remaining": "0"}, True, id="remaining-zero"),
        pytest.param(_gh(403), {"x-ratelimit-remaining": "1"}, False, id="remaining-one"),
        pytest.param(_gh(403), {"retry-after": "1"}, True, id="retry-after"),
        pytest.param(
            _gh(403, data={"message": "API Rate Limit exceeded"}), {}, True, id="message-any-case"
        ),
        pytest.param(_gh(403, data={"message": "Forbidden"}), {}, False, id="other-message"),
        pytest.param(_gh(403, data={}), {}, False, id="no-message"),
        pytest.param(_gh(403, data="rate limit"), {}, False, id="data-not-an-object"),
    ],
)
def test_is_rate_limit(exc: GithubException, headers: dict[str, str], limited: bool) -> None:
    assert _is_rate_limit(exc, headers) is limited


@pytest.mark.parametrize(
    ("exc", "what", "wait"),
    [
        pytest.param(
            requests.exceptions.ConnectionError("reset"),
            "connection failed (ConnectionError)",
            None,
            id="connection",
        ),
        pytest.param(
            requests.exceptions.ReadTimeout("slow"),
            "connection failed (ReadTimeout)",
            None,
            id="timeout",
        ),
        pytest.param(_gh(500), "HTTP 500", None, id="500"),
        pytest.param(_gh(502, {"Retry-After": "4"}), "HTTP 502", 4.0, id="502-retry-after"),
        pytest.param(_gh(503, {"RETRY-AFTER": "3"}), "HTTP 503", 3.0, id="header-any-case"),
        pytest.param(_gh(504), "HTTP 504", None, id="504"),
        pytest.param(
            GithubException(502, {"message": "x"}, None), "HTTP 502", None, id="headers-none"
        ),
        pytest.param(_gh(429), "rate limited (HTTP 429)", None, id="429-no-wait"),
        pytest.param(
            _gh(429, {"Retry-After": _date(9)}), "rate limited (HTTP 429)", 9.0, id="429-date"
        ),
        pytest.param(
            _gh(403, {"Retry-After": "6"}), "rate limited (HTTP 403)", 6.0, id="403-retry-after"
        ),
        pytest.param(
            _gh(
                403,
                {
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(int(NOW + 40)),
                    "Date": _date(-20),
                },
            ),
            "rate limit exhausted (HTTP 403)",
            60.0,
            id="reset-minus-the-answers-date",
        ),
        pytest.param(
            _gh(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW + 40))}),
            "rate limit exhausted (HTTP 403)",
            40.0,
            id="reset-minus-our-clock-without-date",
        ),
        pytest.param(
            _gh(429, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW - 5))}),
            "rate limit exhausted (HTTP 429)",
            0.0,
            id="reset-passed-is-now",
        ),
        pytest.param(
            _gh(429, {"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": str(int(NOW + 40))}),
            "rate limited (HTTP 429)",
            None,
            id="reset-ignored-while-requests-remain",
        ),
        pytest.param(
            _gh(403, {"X-RateLimit-Remaining": "0"}),
            "rate limited (HTTP 403)",
            None,
            id="remaining-zero-without-reset",
        ),
    ],
)
def test_classify_says_what_and_how_long(exc: Exception, what: str, wait: float | None) -> None:
    transient = _classify(exc, NOW)
    assert transient is not None
    assert str(transient) == what
    assert transient.wait == wait


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(_gh(501), id="501"),
        pytest.param(_gh(505), id="505"),
        pytest.param(_gh(403, data={"message": "Forbidden"}), id="403-not-rate-limited"),
        pytest.param(_gh(404, {"Retry-After": "1"}), id="404-even-with-retry-after"),
        pytest.param(KeyError("bug"), id="not-github"),
    ],
)
def test_classify_definite(exc: Exception) -> None:
    assert _classify(exc, NOW) is None


# -- _call ------------------------------------------------------------------------------


def _adapter(**api: Any) -> tuple[GitHubAdapter, list[float]]:
    slept: list[float] = []
    adapter = GitHubAdapter(
        api_url="http://127.0.0.1:9/api/v3",
        token="t",
        repository="o/r",
        api=Api(**api),
        sleep=slept.append,
        wall_clock=lambda: NOW,
        seed=7,
    )
    return adapter, slept


def _failing(*failures: Exception, result: Any = "ok") -> tuple[Any, list[int]]:
    calls: list[int] = []
    queue = list(failures)

    def fn() -> Any:
        calls.append(1)
        if queue:
            raise queue.pop(0)
        return result

    return fn, calls


def test_call_returns_at_once_without_waiting_or_counting_a_read() -> None:
    adapter, slept = _adapter()
    fn, calls = _failing()
    assert adapter._call("read", fn) == "ok"
    assert (calls, slept, adapter.budget.writes_made) == ([1], [], 0)
    assert adapter.budget.seconds == 60.0


def test_call_waits_what_github_asks_and_spends_the_budget() -> None:
    adapter, slept = _adapter(retry_seconds=10)
    fn, calls = _failing(_gh(503, {"Retry-After": "3"}), _gh(429, {"Retry-After": _date(4)}))
    assert adapter._call("read", fn) == "ok"
    assert slept == [3.0, 4.0]
    assert len(calls) == 3
    assert adapter.budget.seconds == 3.0


def test_call_backs_off_exponentially_with_jitter_capped_at_30s() -> None:
    adapter, slept = _adapter(max_attempts=9, retry_seconds=1000)
    fn, calls = _failing(*[_gh(502) for _ in range(8)])
    assert adapter._call("read", fn) == "ok"
    jitter = random.Random(7)
    expected = [min(30.0, 0.5 * 2**n) * (0.5 + jitter.random()) for n in range(8)]
    assert slept == pytest.approx(expected)
    assert len(calls) == 9
    assert adapter.budget.seconds == pytest.approx(1000 - sum(expected))


def test_call_may_spend_exactly_its_whole_budget() -> None:
    adapter, slept = _adapter(retry_seconds=5)
    fn, _ = _failing(_gh(503, {"Retry-After": "5"}))
    assert adapter._call("read", fn) == "ok"
    assert slept == [5.0]
    assert adapter.budget.seconds == 0.0


def test_call_refuses_a_wait_beyond_the_budget() -> None:
    adapter, slept = _adapter(retry_seconds=5)
    fn, calls = _failing(_gh(503, {"Retry-After": "6"}))
    with pytest.raises(GitHubError) as raised:
        adapter._call("read issue #3", fn)
    assert str(raised.value) == (
        "read issue #3: HTTP 503; waiting 6s more would exceed api.retry_seconds (5s)"
    )
    assert (slept, calls) == ([], [1])
    assert isinstance(raised.value.__cause__, GithubException)


def test_call_gives_up_after_max_attempts() -> None:
    adapter, slept = _adapter(max_attempts=2)
    fn, calls = _failing(_gh(500, {"Retry-After": "1"}), _gh(500, {"Retry-After": "1"}))
    with pytest.raises(GitHubError) as raised:
        adapter._call("read", fn)
    assert str(raised.value) == "read: gave up after 2 attempts (HTTP 500)"
    assert (slept, len(calls)) == ([1.0], 2)


def test_call_with_one_attempt_never_waits() -> None:
    adapter, slept = _adapter(max_attempts=1)
    fn, calls = _failing(_gh(500, {"Retry-After": "1"}))
    with pytest.raises(GitHubError, match="gave up after 1 attempts"):
        adapter._call("read", fn)
    assert (slept, len(calls)) == ([], 1)


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        pytest.param(
            _gh(404, data={"message": "Not Found"}),
            "read: GitHub answered 404: Not Found",
            id="404",
        ),
        pytest.param(_gh(422, data={}), "read: GitHub answered 422", id="422-no-message"),
        pytest.param(ValueError("bad"), "read: ValueError: bad", id="not-github"),
    ],
)
def test_call_fails_at_once_on_a_definite_answer(exc: Exception, message: str) -> None:
    adapter, slept = _adapter()
    fn, calls = _failing(exc)
    with pytest.raises(GitHubError) as raised:
        adapter._call("read", fn)
    assert str(raised.value) == message
    assert raised.value.__cause__ is exc
    assert (slept, calls) == ([], [1])


def test_call_passes_its_own_errors_through_untouched() -> None:
    adapter, slept = _adapter()
    error = GitHubError("the token cannot read the members of team o/t")
    fn, calls = _failing(error)
    with pytest.raises(GitHubError) as raised:
        adapter._call("read", fn)
    assert raised.value is error
    assert (slept, calls) == ([], [1])


def test_write_cap_counts_writes_once_each_even_when_retried() -> None:
    adapter, _ = _adapter(max_writes=2)
    fn, calls = _failing(_gh(502, {"Retry-After": "0"}))
    adapter._call("a", fn, write=True)
    adapter._call("read", lambda: 0)
    assert adapter.budget.writes_made == 1
    adapter._call("b", lambda: 2, write=True)
    with pytest.raises(GitHubError) as raised:
        adapter._call("post c", lambda: 3, write=True)
    assert str(raised.value) == (
        "post c: refused, this run already made 2 writes (api.max_writes in .github/warroom.yml)"
    )
    assert adapter.budget.writes_made == 2
    assert len(calls) == 2


def test_a_failed_write_asks_happened_after_waiting_and_returns_it_without_a_second_post() -> None:
    adapter, _ = _adapter()
    events: list[str] = []
    adapter._sleep = lambda s: events.append(f"sleep {s}")

    def create() -> str:
        events.append("POST")
        raise _gh(502, {"Retry-After": "2"})

    def happened() -> str:
        events.append("look-up")
        return "comment 9"

    assert adapter._call("comment", create, write=True, happened=happened) == "comment 9"
    assert events == ["POST", "sleep 2.0", "look-up"]


def test_a_failed_write_that_did_not_happen_is_retried_after_the_look_up() -> None:
    adapter, _ = _adapter()
    events: list[str] = []
    fn, calls = _failing(_gh(502, {"Retry-After": "0"}))

    def happened() -> None:
        events.append("look-up")

    assert adapter._call("comment", fn, write=True, happened=happened) == "ok"
    assert (len(calls), events) == (2, ["look-up"])
    assert adapter.budget.writes_made == 1


def test_the_look_up_is_retried_too() -> None:
    adapter, slept = _adapter()
    create, posts = _failing(_gh(502, {"Retry-After": "1"}))
    look_up, looks = _failing(_gh(503, {"Retry-After": "2"}), result="found")
    assert adapter._call("comment", create, write=True, happened=look_up) == "found"
    assert (slept, len(posts), len(looks)) == ([1.0, 2.0], 1, 2)
    assert adapter.budget.writes_made == 1


def test_no_look_up_on_success_or_definite_failure() -> None:
    adapter, _ = _adapter()
    looks: list[int] = []

    def happened() -> str:
        looks.append(1)
        return "x"

    assert adapter._call("a", lambda: "made", write=True, happened=happened) == "made"
    fn, _ = _failing(_gh(422, data={"message": "Validation Failed"}))
    with pytest.raises(GitHubError):
        adapter._call("b", fn, write=True, happened=happened)
    assert looks == []


# -- the write path against fake PyGithub objects ------------------------------------------


@dataclass
class Fault:
    """One failure of one operation: ``after`` means GitHub applied it, then failed."""

    exc: Exception
    after: bool = False


@dataclass
class Fakes:
    """Fake PyGithub objects sharing one log of operations and a queue of faults."""

    log: list[str] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    """Something another run does just before this operation (called once)."""

    def run(self, op: str, apply: Any = None) -> Any:
        self.log.append(op)
        if op in self.before:
            self.before.pop(op)()
        fault = self.faults.get(op, [None]).pop(0) if self.faults.get(op) else None
        if fault is not None and not fault.after:
            raise fault.exc
        result = apply() if apply is not None else None
        if fault is not None:
            raise fault.exc
        return result


class FakeComment:
    def __init__(self, fakes: Fakes, issue: FakeIssue, cid: int, body: str, user: Any) -> None:
        self.fakes, self.issue, self.id, self.body, self.user = fakes, issue, cid, body, user
        self.created_at = self.updated_at = datetime.fromtimestamp(NOW, UTC)
        self.html_url = f"https://github.test/o/r/issues/{issue.number}#issuecomment-{cid}"
        self._rawData: dict[str, Any] = {}

    def edit(self, body: str) -> None:
        def apply() -> None:
            self.body = body

        self.fakes.run(f"edit {self.id}", apply)

    def delete(self) -> None:
        def apply() -> None:
            if self not in self.issue.comments:
                raise _gh(404, data={"message": "Not Found"})
            self.issue.comments.remove(self)

        self.fakes.run(f"delete {self.id}", apply)


class FakeIssue:
    def __init__(self, fakes: Fakes, number: int, body: str = "", user: Any = BOT) -> None:
        self.fakes, self.number, self.id, self.body, self.user = (
            fakes,
            number,
            900 + number,
            body,
            user,
        )
        self.comments: list[FakeComment] = []
        self.labels: set[str] = set()
        self.subs: list[Any] = []
        self._rawData: dict[str, Any] = {}

    def get_comments(self) -> list[FakeComment]:
        return self.fakes.run(f"list comments #{self.number}", lambda: list(self.comments))

    def create_comment(self, body: str) -> FakeComment:
        def apply() -> FakeComment:
            comment = FakeComment(self.fakes, self, 100 + len(self.comments), body, BOT)
            self.comments.append(comment)
            return comment

        return self.fakes.run(f"POST comment #{self.number}", apply)

    def remove_from_labels(self, label: str) -> None:
        self.fakes.run(f"unlabel #{self.number} {label}", lambda: self.labels.discard(label))

    def get_sub_issues(self) -> list[Any]:
        return self.fakes.run(f"list subs #{self.number}", lambda: list(self.subs))

    def add_sub_issue(self, child_id: int) -> None:
        def apply() -> None:
            self.subs.append(SimpleNamespace(id=child_id))

        self.fakes.run(f"link {child_id} to #{self.number}", apply)


class FakeRepo:
    url = "http://127.0.0.1:9/api/v3/repos/o/r"

    def __init__(self, fakes: Fakes) -> None:
        self.fakes = fakes
        self.issues: dict[int, FakeIssue] = {}
        self.labels: dict[str, tuple[str, str]] = {}
        self.created: list[dict[str, Any]] = []
        self.milestones: list[Any] = []

    def issue(self, number: int, body: str = "", user: Any = BOT, **raw: Any) -> FakeIssue:
        made = FakeIssue(self.fakes, number, body, user)
        made.labels.add("follow-up")
        made._rawData.update(raw)
        self.issues[number] = made
        return made

    def get_issue(self, number: int) -> FakeIssue:
        return self.issues[number]

    def get_issues(self, state: str, labels: list[str]) -> list[FakeIssue]:
        def apply() -> list[FakeIssue]:
            return [i for i in self.issues.values() if labels[0] in i.labels]

        return self.fakes.run(f"list issues {labels[0]} {state}", apply)

    def create_issue(self, **kwargs: Any) -> FakeIssue:
        def apply() -> FakeIssue:
            self.created.append(kwargs)
            made = self.issue(50 + len(self.created), kwargs["body"])
            made.labels = set(kwargs["labels"])
            return made

        return self.fakes.run("POST issue", apply)

    def get_labels(self) -> list[Any]:
        def apply() -> list[Any]:
            return [
                SimpleNamespace(name=n, color=c, description=d) for n, (c, d) in self.labels.items()
            ]

        return self.fakes.run("list labels", apply)

    def create_label(self, name: str, color: str, description: str) -> None:
        def apply() -> None:
            if name in self.labels:
                raise _gh(422, data={"errors": [{"resource": "Label", "code": "already_exists"}]})
            self.labels[name] = (color, description)

        self.fakes.run(f"POST label {name}", apply)

    def get_label(self, name: str) -> Any:
        def edit(new: str, color: str, description: str) -> None:
            def apply() -> None:
                self.labels[new] = (color, description)

            self.fakes.run(f"PATCH label {name}", apply)

        return SimpleNamespace(edit=edit)

    def get_milestones(self, state: str) -> list[Any]:
        return self.fakes.run("list milestones", lambda: list(self.milestones))

    def create_milestone(self, title: str, due_on: date | None = None) -> Any:
        def apply() -> Any:
            made = SimpleNamespace(title=title, due_on=due_on)
            self.milestones.append(made)
            return made

        return self.fakes.run(f"POST milestone {title}", apply)


class FakeRequester:
    def __init__(self, repo: FakeRepo) -> None:
        self.repo = repo

    def requestJsonAndCheck(self, verb: str, url: str) -> tuple[dict[str, str], Any]:
        name = url.rsplit("/", 1)[1]

        def apply() -> tuple[dict[str, str], Any]:
            found = self.repo.labels.get(name.replace("%20", " "))
            if found is None:
                raise _gh(404, data={"message": "Not Found"})
            return {}, {"color": found[0], "description": found[1] or None}

        return self.repo.fakes.run(f"GET label {name}", apply)


def _wired(**api: Any) -> tuple[GitHubAdapter, FakeRepo, Fakes, list[float]]:
    adapter, slept = _adapter(**api)
    fakes = Fakes()
    repo = FakeRepo(fakes)
    adapter._repo = repo  # type: ignore[assignment]
    adapter._github = SimpleNamespace(requester=FakeRequester(repo))  # type: ignore[assignment]
    return adapter, repo, fakes, slept


def _502(after: bool = False) -> Fault:
    return Fault(_gh(502, {"Retry-After": "1"}), after=after)


MARK = "<!-- warroom:status:7 -->"


def test_upsert_posts_once_then_edits_then_leaves_alone() -> None:
    adapter, repo, fakes, _ = _wired()
    incident = repo.issue(7)
    report = adapter.apply([UpsertComment(7, MARK, MARK + "\nv1")])
    assert report.applied == ["#7: posted the status comment"]
    report = adapter.apply([UpsertComment(7, MARK, MARK + "\nv2")])
    assert report.applied == ["#7: updated the status comment"]
    report = adapter.apply([UpsertComment(7, MARK, MARK + "\nv2")])
    assert report.applied == []
    assert [c.body for c in incident.comments] == [MARK + "\nv2"]
    assert fakes.log == ["list comments #7", "POST comment #7", "edit 100"]
    assert adapter.budget.writes_made == 2


@pytest.mark.parametrize(
    "user",
    [pytest.param(PERSON, id="persons-comment"), pytest.param(BOT, id="bots-comment")],
)
def test_upsert_never_edits_a_persons_comment_that_starts_with_the_marker(user: Any) -> None:
    adapter, repo, fakes, _ = _wired()
    incident = repo.issue(7)
    incident.comments.append(FakeComment(fakes, incident, 1, MARK + "\nold", user))
    adapter.apply([UpsertComment(7, MARK, MARK + "\nnew")])
    if user is PERSON:
        assert incident.comments[0].body == MARK + "\nold"
        assert fakes.log == ["list comments #7", "POST comment #7"]
    else:
        assert [c.body for c in incident.comments] == [MARK + "\nnew"]
        assert fakes.log == ["list comments #7", "edit 1"]


def test_upsert_after_a_502_that_was_applied_finds_the_comment_without_a_second_post() -> None:
    adapter, repo, fakes, slept = _wired()
    incident = repo.issue(7)
    fakes.faults["POST comment #7"] = [_502(after=True)]
    report = adapter.apply([UpsertComment(7, MARK, MARK + "\nv1")])
    assert fakes.log == ["list comments #7", "POST comment #7", "list comments #7"]
    assert [c.body for c in incident.comments] == [MARK + "\nv1"]
    assert report.applied == ["#7: posted the status comment"]
    assert slept == [1.0]
    # The comment found is remembered: the next upsert edits it without reading again.
    adapter.apply([UpsertComment(7, MARK, MARK + "\nv2")])
    assert fakes.log[-1] == "edit 100"
    assert len(incident.comments) == 1


def test_upsert_after_a_502_that_was_not_applied_posts_again_once() -> None:
    adapter, repo, fakes, _ = _wired()
    incident = repo.issue(7)
    fakes.faults["POST comment #7"] = [_502()]
    adapter.apply([UpsertComment(7, MARK, MARK + "\nv1")])
    assert fakes.log == [
        "list comments #7",
        "POST comment #7",
        "list comments #7",
        "POST comment #7",
    ]
    assert len(incident.comments) == 1
    adapter.apply([UpsertComment(7, MARK, MARK + "\nv1")])
    assert len(fakes.log) == 4  # remembered: nothing more to do


def test_delete_comment_removes_warroom_s_own_and_404_is_done() -> None:
    adapter, repo, fakes, _ = _wired()
    incident = repo.issue(7)
    mine = FakeComment(fakes, incident, 3, MARK + "\nold", BOT)
    theirs = FakeComment(fakes, incident, 4, "<!-- warroom:reply:1 -->", PERSON)
    incident.comments += [mine, theirs]
    fakes.faults["delete 3"] = [_502(after=True)]
    report = adapter.apply([DeleteComment(7, MARK)])
    assert report.applied == ["#7: removed the status comment"]
    assert fakes.log == ["list comments #7", "delete 3", "delete 3"]
    assert incident.comments == [theirs]
    report = adapter.apply([DeleteComment(7, MARK), DeleteComment(7, "<!-- warroom:reply:1 -->")])
    assert report.applied == []
    assert fakes.log[3:] == []


def test_delete_comment_fails_on_another_answer() -> None:
    adapter, repo, fakes, _ = _wired()
    incident = repo.issue(7)
    incident.comments.append(FakeComment(fakes, incident, 3, MARK, BOT))
    fakes.faults["delete 3"] = [Fault(_gh(403, data={"message": "Forbidden"}))]
    with pytest.raises(GitHubError, match="delete warroom comment on #7: GitHub answered 403"):
        adapter.apply([DeleteComment(7, MARK)])


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        pytest.param(None, "done", id="removed"),
        pytest.param(Fault(_gh(404, data={"message": "Label does not exist"})), "done", id="404"),
        pytest.param(Fault(_gh(403, data={"message": "Forbidden"})), "fails", id="403"),
    ],
)
def test_remove_label_404_is_done(fault: Fault | None, outcome: str) -> None:
    adapter, repo, fakes, _ = _wired()
    incident = repo.issue(7)
    incident.labels.add("sev1")
    if fault is not None:
        fakes.faults["unlabel #7 sev1"] = [fault]
    snapshot = SimpleNamespace(labels=("SEV1",), assignees=(), state="open")
    if outcome == "fails":
        with pytest.raises(GitHubError, match="unlabel #7: GitHub answered 403"):
            adapter.apply([RemoveLabel(7, "sev1")], issue=snapshot)  # type: ignore[arg-type]
        return
    report = adapter.apply(
        [RemoveLabel(7, "sev1"), RemoveLabel(7, "Sev1")],
        issue=snapshot,  # type: ignore[arg-type]
    )
    assert report.applied == ["#7: -sev1"]
    assert fakes.log == ["unlabel #7 sev1"]


def test_ensure_label_creates_updates_or_leaves_it() -> None:
    adapter, repo, fakes, _ = _wired()
    repo.labels = {"Incident": ("ff0000", "old words"), "sev1": ("000000", "")}
    report = adapter.apply(
        [
            EnsureLabel("incident", "ff0000", "An incident"),
            EnsureLabel("sev1", "000000", ""),
            EnsureLabel("sev2", "111111", "Major"),
            EnsureLabel("SEV2", "111111", "Major"),
        ]
    )
    assert report.applied == ["label 'incident' ready", "label 'sev2' ready"]
    assert fakes.log == ["list labels", "PATCH label incident", "POST label sev2"]
    assert repo.labels["sev2"] == ("111111", "Major")
    assert repo.labels["incident"] == ("ff0000", "An incident")
    assert adapter.budget.writes_made == 2


@pytest.mark.parametrize(
    ("theirs", "log"),
    [
        pytest.param(
            ("111111", "Major"),
            ["list labels", "POST label sev2", "GET label sev2"],
            id="same-as-wanted-no-edit",
        ),
        pytest.param(
            ("999999", "Other"),
            ["list labels", "POST label sev2", "GET label sev2", "PATCH label sev2"],
            id="different-is-edited",
        ),
    ],
)
def test_ensure_label_already_exists_is_success(theirs: tuple[str, str], log: list[str]) -> None:
    adapter, repo, fakes, _ = _wired()
    # Another run (another incident's) creates it after this run listed the labels.
    fakes.before["POST label sev2"] = lambda: repo.labels.update(sev2=theirs)
    report = adapter.apply([EnsureLabel("sev2", "111111", "Major")])
    assert fakes.log == log
    assert report.applied == ["label 'sev2' ready"]
    assert repo.labels["sev2"] == ("111111", "Major")


def test_ensure_label_after_a_502_that_was_applied_reads_it_instead_of_posting_again() -> None:
    adapter, _, fakes, slept = _wired()
    fakes.faults["POST label sev 2"] = [_502(after=True)]
    report = adapter.apply([EnsureLabel("sev 2", "111111", "Major")])
    assert fakes.log == ["list labels", "POST label sev 2", "GET label sev%202"]
    assert report.applied == ["label 'sev 2' ready"]
    assert slept == [1.0]
    assert adapter.budget.writes_made == 1


def test_ensure_label_after_a_502_that_was_not_applied_posts_again() -> None:
    adapter, repo, fakes, _ = _wired()
    fakes.faults["POST label sev2"] = [_502()]
    adapter.apply([EnsureLabel("sev2", "111111", "")])
    assert fakes.log == ["list labels", "POST label sev2", "GET label sev2", "POST label sev2"]
    assert repo.labels["sev2"] == ("111111", "")


def test_read_label_fails_on_an_answer_other_than_404() -> None:
    adapter, repo, fakes, _ = _wired()
    fakes.faults["GET label sev2"] = [Fault(_gh(401, data={"message": "Bad credentials"}))]
    with pytest.raises(GitHubError, match="read label 'sev2': GitHub answered 401"):
        adapter._read_label("sev2")
    assert adapter._read_label("sev2") is None
    repo.labels["sev2"] = ("111111", "")
    assert adapter._read_label("sev2") == ("111111", "")


PROOF = "<!-- warroom-proof abc -->"


def _follow_up(key: str = "7.1", *, proof: str = PROOF, **kw: Any) -> OpenFollowUp:
    marker = f"<!-- warroom:follow-up:{key} -->"
    defaults: dict[str, Any] = {
        "incident": 7,
        "key": key,
        "marker": marker,
        "title": f"Harden {key}",
        "body": f"{marker}\n{proof}\nDo it.",
        "labels": ("follow-up",),
        "assignees": (),
        "proof": proof,
    }
    defaults.update(kw)
    return OpenFollowUp(**defaults)


def test_marked_issues_counts_only_the_bot_s_issues_with_marker_and_proof() -> None:
    adapter, repo, fakes, _ = _wired()
    first, second, third = _follow_up("7.1"), _follow_up("7.2"), _follow_up("7.3")
    repo.issue(20, first.body, user=PERSON)  # a person copied the marker and proof
    repo.issue(21, second.marker + "\nno proof")  # the bot's, but without the proof
    repo.issue(22, third.body, user=APP)  # another workflow's bot, with the proof
    repo.issue(23, third.body)
    other = repo.issue(24, first.body)
    other.labels = {"incident"}  # not a follow-up
    wanted = {e.marker: e.proof for e in (first, second, third)}
    found = adapter._marked_issues("follow-up", wanted)
    assert {m: i.number for m, i in found.items()} == {third.marker: 22}
    assert adapter._marked_issues("follow-up", {}) == {}
    assert fakes.log == ["list issues follow-up all"]


def test_marked_issues_without_a_state_key_needs_only_the_marker() -> None:
    adapter, repo, _, _ = _wired()
    effect = _follow_up(proof="")
    repo.issue(30, effect.marker + "\nbody", user=PERSON)
    repo.issue(31, effect.marker + "\nbody")
    found = adapter._marked_issues("follow-up", {effect.marker: ""})
    assert {m: i.number for m, i in found.items()} == {effect.marker: 31}


def test_follow_up_is_opened_and_linked_once() -> None:
    adapter, repo, fakes, _ = _wired()
    repo.issue(7).labels = {"incident"}
    effect = _follow_up(assignees=("mara-okafor",))
    report = adapter.apply([effect])
    assert report.follow_ups == {"7.1": 51}
    assert report.unlinked == set()
    assert report.applied == ["#7: opened follow-up #51"]
    assert repo.created == [
        {
            "title": "Harden 7.1",
            "body": effect.body,
            "labels": ["follow-up"],
            "assignees": ["mara-okafor"],
        }
    ]
    assert fakes.log == ["list issues follow-up all", "POST issue", "link 951 to #7"]
    fakes.log.clear()
    again = _wired()
    adapter2, repo2, fakes2 = again[0], again[1], again[2]
    repo2.issues = repo.issues
    repo2.issues[51].fakes = fakes2
    repo2.issues[51]._rawData["parent_issue_url"] = "http://x/issues/7"
    report = adapter2.apply([effect])
    assert report.follow_ups == {"7.1": 51}
    assert report.applied == []
    assert fakes2.log == ["list issues follow-up all"]


def test_follow_up_after_a_502_that_was_applied_is_found_without_a_second_post() -> None:
    adapter, repo, fakes, slept = _wired()
    repo.issue(7).labels = {"incident"}
    fakes.faults["POST issue"] = [_502(after=True)]
    report = adapter.apply([_follow_up()])
    assert fakes.log == [
        "list issues follow-up all",
        "POST issue",
        "list issues follow-up all",
        "link 951 to #7",
    ]
    assert len(repo.created) == 1
    assert report.follow_ups == {"7.1": 51}
    assert slept == [1.0]


def test_follow_up_after_a_502_is_never_found_in_a_persons_issue() -> None:
    adapter, repo, fakes, _ = _wired()
    repo.issue(7).labels = {"incident"}
    effect = _follow_up()
    repo.issue(40, effect.body, user=PERSON)  # a person's issue with the same marker and proof
    fakes.faults["POST issue"] = [_502()]
    report = adapter.apply([effect])
    assert report.follow_ups == {"7.1": 51}
    assert fakes.log == [
        "list issues follow-up all",
        "POST issue",
        "list issues follow-up all",
        "POST issue",
        "link 951 to #7",
    ]
    assert len(repo.created) == 1


def test_follow_up_with_an_unassignable_owner_is_opened_unassigned() -> None:
    adapter, repo, fakes, _ = _wired()
    repo.issue(7).labels = {"incident"}
    fakes.faults["POST issue"] = [
        Fault(_gh(422, data={"message": "Validation Failed", "errors": [{"field": "assignees"}]}))
    ]
    effect = _follow_up(assignees=("ghost",))
    report = adapter.apply([effect])
    assert report.follow_ups == {"7.1": 51}
    assert repo.created == [{"title": "Harden 7.1", "body": effect.body, "labels": ["follow-up"]}]
    assert fakes.log.count("POST issue") == 2


@pytest.mark.parametrize(
    "effect",
    [
        pytest.param(_follow_up(assignees=()), id="422-assignees-but-none-asked"),
        pytest.param(_follow_up(assignees=("x",)), id="422-about-something-else"),
    ],
)
def test_follow_up_other_422_fails(effect: OpenFollowUp) -> None:
    adapter, repo, fakes, _ = _wired()
    repo.issue(7).labels = {"incident"}
    data = (
        {"errors": [{"field": "assignees"}]}
        if not effect.assignees
        else {"errors": [{"field": "milestone"}]}
    )
    fakes.faults["POST issue"] = [Fault(_gh(422, data=data))]
    with pytest.raises(GitHubError, match=r"open follow-up 'Harden 7\.1': GitHub answered 422"):
        adapter.apply([effect])
    assert fakes.log.count("POST issue") == 1


def test_link_failure_leaves_the_follow_up_unlinked_and_the_next_run_links_it() -> None:
    adapter, repo, fakes, _ = _wired(max_attempts=1)
    repo.issue(7).labels = {"incident"}
    fakes.faults["link 951 to #7"] = [Fault(_gh(422, data={"message": "no sub-issues"}))]
    report = adapter.apply([_follow_up()])
    assert report.follow_ups == {"7.1": 51}
    assert report.unlinked == {"7.1"}
    assert report.applied == ["#7: opened follow-up #51"]
    # The next run sees it has no parent, and links it.
    adapter2, repo2, fakes2, _ = _wired()
    repo2.issues = repo.issues
    for issue in repo2.issues.values():
        issue.fakes = fakes2
    repo.issues[51]._rawData["parent_issue_url"] = None
    report = adapter2.apply([_follow_up()])
    assert report.applied == ["#7: linked follow-up #51"]
    assert report.unlinked == set()
    assert fakes2.log == ["list issues follow-up all", "link 951 to #7"]


def test_link_after_a_502_that_was_applied_is_not_repeated() -> None:
    adapter, repo, fakes, _ = _wired()
    parent = repo.issue(7)
    fakes.faults["link 5 to #7"] = [_502(after=True)]
    assert adapter._link(7, 3, 5) is True
    assert fakes.log == ["link 5 to #7", "list subs #7"]
    assert [s.id for s in parent.subs] == [5]


def test_link_after_a_502_that_was_not_applied_links_again() -> None:
    adapter, repo, fakes, _ = _wired()
    parent = repo.issue(7)
    parent.subs.append(SimpleNamespace(id=99))
    fakes.faults["link 5 to #7"] = [_502()]
    assert adapter._link(7, 3, 5) is True
    assert fakes.log == ["link 5 to #7", "list subs #7", "link 5 to #7"]
    assert [s.id for s in parent.subs] == [99, 5]


def test_follow_up_with_a_milestone_creates_it_due_and_files_the_issue_under_it() -> None:
    adapter, repo, fakes, _ = _wired()
    repo.issue(7).labels = {"incident"}
    due = date(2026, 12, 1)
    effect = _follow_up(milestone="due 2026-12-01", due=due)
    adapter.apply([effect])
    assert [(m.title, m.due_on) for m in repo.milestones] == [("due 2026-12-01", due)]
    assert repo.created[0]["milestone"] is repo.milestones[0]
    assert fakes.log == [
        "list issues follow-up all",
        "list milestones",
        "POST milestone due 2026-12-01",
        "POST issue",
        "link 951 to #7",
    ]
    assert adapter.budget.writes_made == 3  # the milestone, the issue and the link


def test_follow_up_writes_count_against_the_cap() -> None:
    adapter, repo, fakes, _ = _wired(max_writes=1)
    repo.issue(7).labels = {"incident"}
    report = adapter.apply([_follow_up()])
    # The POST used the only write: the link is refused, and left for the next run.
    assert report.unlinked == {"7.1"}
    assert fakes.log == ["list issues follow-up all", "POST issue"]


def test_the_same_follow_up_twice_in_one_plan_is_opened_once() -> None:
    adapter, repo, fakes, _ = _wired()
    repo.issue(7).labels = {"incident"}
    report = adapter.apply([_follow_up(), _follow_up()])
    assert fakes.log.count("POST issue") == 1
    assert report.follow_ups == {"7.1": 51}
    assert report.unlinked == set()


def test_a_linked_follow_up_stays_linked_in_the_report() -> None:
    adapter, repo, fakes, _ = _wired()
    repo.issue(7).labels = {"incident"}
    effect = _follow_up()
    repo.issue(51, effect.body, parent_issue_url="http://x/issues/7")
    report = adapter.apply([effect])
    assert (report.follow_ups, report.unlinked, report.applied) == ({"7.1": 51}, set(), [])
    assert fakes.log == ["list issues follow-up all"]


def test_link_failure_is_logged_with_the_follow_up_s_number(caplog: Any) -> None:
    adapter, repo, fakes, _ = _wired(max_attempts=1)
    repo.issue(7).labels = {"incident"}
    fakes.faults["link 951 to #7"] = [Fault(_gh(422, data={"message": "no sub-issues"}))]
    with caplog.at_level(logging.WARNING, logger="warroom.github.adapter"):
        adapter.apply([_follow_up()])
    assert caplog.messages == ["link follow-up #51 to #7: GitHub answered 422: no sub-issues"]
    caplog.clear()
    repo.issues[51]._rawData["parent_issue_url"] = None
    adapter2, repo2, fakes2, _ = _wired(max_attempts=1)
    repo2.issues = repo.issues
    for issue in repo2.issues.values():
        issue.fakes = fakes2
    fakes2.faults["link 951 to #7"] = [Fault(_gh(422, data={"message": "no sub-issues"}))]
    with caplog.at_level(logging.WARNING, logger="warroom.github.adapter"):
        report = adapter2.apply([_follow_up()])
    assert caplog.messages == ["link follow-up #51 to #7: GitHub answered 422: no sub-issues"]
    assert report.unlinked == {"7.1"}
    assert report.applied == []


def test_an_unassignable_owner_is_logged(caplog: Any) -> None:
    adapter, repo, fakes, _ = _wired()
    repo.issue(7).labels = {"incident"}
    fakes.faults["POST issue"] = [Fault(_gh(422, data={"errors": [{"field": "assignees"}]}))]
    with caplog.at_level(logging.WARNING, logger="warroom.github.adapter"):
        adapter.apply([_follow_up(assignees=("ghost", "typo"))])
    assert caplog.messages == [
        "follow-up 'Harden 7.1': GitHub cannot assign @ghost, @typo; opened unassigned"
    ]


def test_a_retry_is_logged_with_what_and_how_long(caplog: Any) -> None:
    adapter, _ = _adapter()
    fn, _ = _failing(_gh(503, {"Retry-After": "3"}))
    with caplog.at_level(logging.WARNING, logger="warroom.github.adapter"):
        adapter._call("read issue #3", fn)
    assert caplog.messages == ["read issue #3: HTTP 503; retrying in 3.0s"]


def test_a_failed_look_up_names_itself() -> None:
    adapter, _ = _adapter()
    create, _ = _failing(_gh(502, {"Retry-After": "0"}))
    look_up, _ = _failing(_gh(404, data={"message": "Not Found"}))
    with pytest.raises(GitHubError) as raised:
        adapter._call("comment on #7", create, write=True, happened=look_up)
    assert str(raised.value) == (
        "comment on #7: check whether it was done: GitHub answered 404: Not Found"
    )


FORBIDDEN = Fault(_gh(403, data={"message": "Forbidden"}))


@pytest.mark.parametrize(
    ("setup", "effect", "message"),
    [
        pytest.param(
            {},
            UpsertComment(7, MARK, MARK + "\nv1"),
            "comment on #7: GitHub answered 403: Forbidden",
            id="post-comment",
        ),
        pytest.param(
            {"comment": True},
            UpsertComment(7, MARK, MARK + "\nv2"),
            "edit warroom comment on #7: GitHub answered 403: Forbidden",
            id="edit-comment",
        ),
        pytest.param(
            {},
            EnsureLabel("sev2", "111111", ""),
            "create label 'sev2': GitHub answered 403: Forbidden",
            id="create-label",
        ),
        pytest.param(
            {"label": True},
            EnsureLabel("sev2", "111111", ""),
            "update label 'sev2': GitHub answered 403: Forbidden",
            id="update-label",
        ),
        pytest.param(
            {},
            _follow_up(),
            "look for existing 'follow-up' issues: GitHub answered 403: Forbidden",
            id="list-follow-ups",
        ),
    ],
)
def test_each_write_fails_naming_what_it_did(
    setup: dict[str, bool], effect: Any, message: str
) -> None:
    adapter, repo, fakes, _ = _wired()
    incident = repo.issue(7)
    if setup.get("comment"):
        incident.comments.append(FakeComment(fakes, incident, 3, MARK + "\nv1", BOT))
    if setup.get("label"):
        repo.labels["sev2"] = ("000000", "")
    for op in ("POST comment #7", "edit 3", "POST label sev2", "PATCH label sev2"):
        fakes.faults[op] = [FORBIDDEN]
    fakes.faults["list issues follow-up all"] = [FORBIDDEN]
    with pytest.raises(GitHubError) as raised:
        adapter.apply([effect])
    assert str(raised.value) == message
