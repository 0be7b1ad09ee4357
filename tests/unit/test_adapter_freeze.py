"""The adapter's merge-freeze paths against a fake requester, one decision per row: pull
request files are paged and renamed files count under both names, open pull requests are
listed without files, a commit status already right is not posted again, and a status POST
answered 502 after it landed is not repeated. End to end: tests/e2e/test_action_freeze.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from github import GithubException

from tests.unit.test_adapter_paths import _adapter
from warroom.effects import SetCommitStatus
from warroom.github.adapter import GitHubAdapter

REPO = "http://127.0.0.1:9/api/v3/repos/o/r"
SHA = "ab" * 20


class Requester:
    """Answers the raw requests the freeze makes; ``log`` records each."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.statuses: list[dict[str, Any]] = []
        self.files: list[dict[str, Any]] = []
        self.pulls: list[dict[str, Any]] = []
        self.fail_post_after: int = 0
        """How many status POSTs answer 502 after storing the status."""

    def requestJsonAndCheck(
        self,
        verb: str,
        url: str,
        parameters: dict[str, Any] | None = None,
        input: dict[str, Any] | None = None,
    ) -> tuple[dict[str, str], Any]:
        path = url.removeprefix(REPO)
        page = int((parameters or {}).get("page", 1))
        self.log.append(
            f"{verb} {path}" + (f" page={page}" if "page" in (parameters or {}) else "")
        )
        if verb == "POST" and path == f"/statuses/{SHA}":
            assert input is not None
            self.statuses.append(input)
            if self.fail_post_after:
                self.fail_post_after -= 1
                raise GithubException(502, {"message": "bad gateway"}, {"Retry-After": "0"})
            return {}, input
        if path == f"/commits/{SHA}/status":
            latest: dict[str, dict[str, Any]] = {}
            for item in self.statuses:
                latest[item["context"]] = item
            return {}, {"statuses": list(latest.values())[::-1]}
        if path == "/pulls/7/files":
            chunk = self.files[(page - 1) * 100 : page * 100]
            more = len(self.files) > page * 100
            return ({"link": '<x>; rel="next"'} if more else {}), chunk
        if path == "/pulls":
            return {}, self.pulls
        if path == "/pulls/7":
            return {}, self.pulls[0]
        raise AssertionError(path)


def _wired() -> tuple[GitHubAdapter, Requester]:
    adapter, _ = _adapter()
    requester = Requester()
    adapter._github = SimpleNamespace(requester=requester)  # type: ignore[assignment]
    adapter._repo = SimpleNamespace(url=REPO)  # type: ignore[assignment]
    return adapter, requester


def test_files_are_paged_and_renames_count_under_both_names() -> None:
    adapter, requester = _wired()
    requester.files = [{"filename": f"f{i}.py"} for i in range(150)]
    requester.files[120] = {"filename": "services/auth/new.py", "previous_filename": "old.py"}
    found = adapter.pull_files(7)
    assert requester.log == ["GET /pulls/7/files page=1", "GET /pulls/7/files page=2"]
    assert len(found) == 151
    assert "services/auth/new.py" in found
    assert "old.py" in found


def test_open_pulls_are_read_from_one_listing() -> None:
    adapter, requester = _wired()
    requester.pulls = [
        {
            "number": 7,
            "title": "t",
            "body": None,
            "user": {"login": "dev"},
            "labels": [{"name": "freeze: held"}],
            "head": {"sha": SHA},
        },
        {"number": 8, "head": {}},  # no head: not a pull request warroom can check
    ]
    (pull,) = adapter.open_pulls()
    assert (pull.number, pull.head_sha, pull.labels, pull.body) == (7, SHA, ("freeze: held",), "")
    assert requester.log == ["GET /pulls page=1"]


def test_one_pull_request_is_read_as_github_has_it_now() -> None:
    adapter, requester = _wired()
    requester.pulls = [{"number": 7, "state": "closed", "head": {"sha": SHA}, "labels": []}]
    pull = adapter.pull(7)
    assert (pull.number, pull.state, pull.head_sha) == (7, "closed", SHA)
    assert requester.log == ["GET /pulls/7"]


@pytest.mark.parametrize(
    ("before", "posted"),
    [
        pytest.param([], True, id="no-status-yet"),
        pytest.param([("failure", "held")], True, id="other-state"),
        pytest.param([("success", "other words")], True, id="other-description"),
        pytest.param([("success", "ok")], False, id="already-right"),
        pytest.param([("success", "ok"), ("failure", "held")], True, id="latest-counts"),
    ],
)
def test_a_status_already_right_is_not_posted_again(
    before: list[tuple[str, str]], posted: bool
) -> None:
    adapter, requester = _wired()
    requester.statuses = [
        {"state": s, "description": d, "context": "warroom/freeze"} for s, d in before
    ]
    report = adapter.apply([SetCommitStatus(SHA, "warroom/freeze", "success", "ok")])
    assert (f"POST /statuses/{SHA}" in requester.log) is posted
    assert bool(report.applied) is posted
    assert adapter.budget.writes_made == int(posted)


def test_a_status_post_that_landed_before_a_502_is_not_repeated() -> None:
    adapter, requester = _wired()
    requester.fail_post_after = 1
    adapter.apply([SetCommitStatus(SHA, "warroom/freeze", "failure", "held")])
    assert requester.log == [
        f"GET /commits/{SHA}/status",
        f"POST /statuses/{SHA}",
        f"GET /commits/{SHA}/status",
    ]
    assert len(requester.statuses) == 1
