"""Many clients at once and many issues: answers stay correct (timings live in bench/)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import TestSandbox

pytestmark = [pytest.mark.e2e, pytest.mark.npm]


def test_100_concurrent_clients_each_get_their_write(sandbox: TestSandbox) -> None:
    sandbox.repo().create_issue("Busy incident")
    logins = ["admin", "maintainer", "writer", "triager", "reader", "outsider"]

    def post(n: int) -> tuple[int, int]:
        answer = sandbox.http(
            "POST",
            "/repos/acme/service/issues/1/comments",
            {"body": f"update {n}"},
            login=logins[n % len(logins)],
        )
        return answer.status, answer.body["id"]

    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(post, range(100)))

    assert {status for status, _ in results} == {201}
    assert len({comment_id for _, comment_id in results}) == 100
    issue = sandbox.repo().get_issue(1)
    assert issue.comments == 100
    bodies = {c.body for c in issue.get_comments()}
    assert bodies == {f"update {n}" for n in range(100)}


def test_bulk_seeding_serves_pages_of_a_large_repository(sandbox: TestSandbox) -> None:
    numbers = sandbox.seed_issues(2000, comments_per_issue=5, labels=["incident"])

    assert numbers == list(range(1, 2001))
    page = sandbox.http("GET", "/repos/acme/service/issues?per_page=100&page=7&labels=incident")
    assert [i["number"] for i in page.body] == list(range(1400, 1300, -1))
    comments = sandbox.http("GET", "/repos/acme/service/issues/1999/comments")
    assert [c["body"] for c in comments.body] == [
        f"Seeded comment {c} on issue 1999." for c in range(1, 6)
    ]
    assert sandbox.http("GET", "/repos/acme/service/issues/comments?page=100").status == 200


def test_bulk_seeding_comments_on_one_issue(sandbox: TestSandbox) -> None:
    issue = sandbox.repo().create_issue("Long incident")
    issue.create_comment("by hand")

    ids = sandbox.seed_comments(issue.number, 150, author="writer")

    assert len(ids) == len(set(ids)) == 150
    assert sandbox.repo().get_issue(issue.number).comments == 151
    comments = list(sandbox.repo().get_issue(issue.number).get_comments())
    assert [c.body for c in comments[:2]] == ["by hand", "Seeded comment 2 on issue 1."]
    assert {c.user.login for c in comments[1:]} == {"writer"}
    with pytest.raises(KeyError):
        sandbox.seed_comments(99, 1)
