"""The web view over HTTP: the demo's incident as GitHub would show it, and posting from the page.

The demo is played against a sandbox that runs ``warroom action`` for every
event; then its pages are fetched as a browser would (``Accept: text/html``).
Every link warroom put in its comments must land on a page holding the
anchor it names, and a comment posted through the page's form must start the
same workflow run, and get the same bot reply, as one posted through the API.
"""

from __future__ import annotations

import http.client
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.e2e.action_support import (
    MakeSandbox,
    TestSandbox,
    dispatching_sandbox,
    own,
    settle,
)
from tests.e2e.conftest import START
from warroom import demo, sandbox_people, story

pytestmark = pytest.mark.e2e

HTML = {"Accept": "text/html,application/xhtml+xml"}
_HREF = re.compile(r'href="(?P<url>[^"]*)"')


def fetch(
    sb: TestSandbox,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={**HTML, **(headers or {})})
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read().decode()
    finally:
        conn.close()


def post_form(sb: TestSandbox, path: str, fields: list[tuple[str, str]]) -> tuple[int, str]:
    status, headers, _ = fetch(
        sb,
        "POST",
        path,
        urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": sb.base_url},
    )
    return status, headers.get("Location", "")


@pytest.fixture
def played(make_sandbox: MakeSandbox, tmp_path: Path) -> TestSandbox:
    """The demo's incident, played to its met gate, in a sandbox checked by ``fidelity``."""
    sb = dispatching_sandbox(
        make_sandbox, tmp_path, sandbox_people.SANDBOX_CONFIG, users=demo.TEAM, now=demo.START
    )
    demo._script(demo.Demo(sb, lambda _line: None))
    settle(sb)
    return sb


def test_the_demo_incident_reads_as_on_github(played: TestSandbox) -> None:
    sb = played
    status, headers, index = fetch(sb, "GET", "/")
    assert status == 200
    assert "Content-Security-Policy" in headers
    assert "[incident] 401s on every authenticated API call" in index
    # The incident, its two follow-ups and the rollback pull request (GitHub lists both kinds).
    assert index.count('class="issue-row"') == 4
    assert "Roll back the strict token audience check" in index

    issue = sb.repo(story.COMMANDER).get_issue(1)
    status, _, page = fetch(sb, "GET", urlsplit(issue.html_url).path)
    assert status == 200
    assert '<span class="state closed" id="issue-state">Closed</span>' in page
    for label in issue.labels:
        assert f">{label.name}</span>" in page
    for login in (a.login for a in issue.assignees):
        assert f'<div class="assignee">{login}</div>' in page
    comments = list(issue.get_comments())
    for comment in comments:
        assert f'id="issuecomment-{comment.id}"' in page
    bots = sum(1 for c in comments if c.user.type == "Bot")
    assert bots > 0
    assert page.count('<span class="badge bot">bot</span>') == bots
    # The timeline: the early close, the gate's reopen, the final close, in that order.
    events = re.findall(r'data-event="(closed|reopened)"', page)
    assert events == ["closed", "reopened", "closed"]
    for follow_up in issue.get_sub_issues():
        assert f'class="follow-up" href="/acme/service/issues/{follow_up.number}"' in page


def test_every_link_warroom_wrote_lands_on_its_anchor(played: TestSandbox) -> None:
    sb = played
    _, _, page = fetch(sb, "GET", "/acme/service/issues/1")
    targets = {
        m["url"] for m in _HREF.finditer(page) if m["url"].startswith(sb.base_url + "/acme/")
    }
    assert any("#issuecomment-" in url for url in targets), "the status comment links records"
    pages: dict[str, str] = {}
    for url in sorted(targets):
        parts = urlsplit(url)
        if parts.path not in pages:
            status, _, pages[parts.path] = fetch(sb, "GET", parts.path)
            assert status == 200, url
        if parts.fragment:
            assert f'id="{parts.fragment}"' in pages[parts.path], url


def test_the_runs_page_shows_every_run_and_clients_still_get_json(played: TestSandbox) -> None:
    sb = played
    runs = sb.runs()
    status, headers, page = fetch(sb, "GET", "/_sandbox/runs")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    for run in runs:
        assert f'id="run-{run["id"]}"' in page
    red = [r for r in runs if r["conclusion"] == "failure"]
    assert len(red) == 1
    assert f'class="run failure" id="run-{red[0]["id"]}"' in page
    assert "::error::" in page  # the red run's log, annotation and all
    assert sb.control("GET", "/runs").body["runs"][0]["id"] == runs[0]["id"]


def test_a_comment_posted_from_the_page_runs_the_action_like_an_api_comment(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sb = dispatching_sandbox(make_sandbox, tmp_path)
    number = (
        sb.repo(story.COMMANDER)
        .create_issue(title="[incident] 401s", body=story.incident_body(), labels=["incident"])
        .number
    )
    settle(sb)
    sb.set_clock(now=START + timedelta(minutes=20), frozen=True)
    bad = story.decision(START, minute=20).replace("- Decision: rollback", "- Decision: roll it")
    through_api = sb.repo(story.DEPUTY).get_issue(number).create_comment(bad).id
    settle(sb)
    status, location = post_form(
        sb, f"/acme/service/issues/{number}/comments", [("as", story.MITIGATION), ("body", bad)]
    )
    assert status == 303
    comment_id = int(location.rsplit("#issuecomment-", 1)[1])
    assert (
        location == f"/acme/service/issues/{number}?as={story.MITIGATION}#issuecomment-{comment_id}"
    )
    runs = settle(sb)
    by_page, by_api = runs[-1], runs[-2]
    assert (by_page["event"], by_page["action"], by_page["actor"]) == (
        "issue_comment",
        "created",
        story.MITIGATION,
    )
    assert by_page["payload"].keys() == by_api["payload"].keys()
    assert by_page["payload"]["comment"].keys() == by_api["payload"]["comment"].keys()
    assert by_page["conclusion"] == by_api["conclusion"]
    replies = own(sb, number, "reply")
    assert any(r.startswith(f"<!-- warroom:reply:{through_api} -->") for r in replies)
    assert any(r.startswith(f"<!-- warroom:reply:{comment_id} -->") for r in replies)
    _, _, page = fetch(sb, "GET", f"/acme/service/issues/{number}")
    assert f'id="issuecomment-{comment_id}" data-author="{story.MITIGATION}"' in page
    assert "must be one of" in page  # the bot's reply, on the page


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/", 200, id="index"),
        pytest.param("/acme/service/issues", 200, id="issues"),
        pytest.param("/api/v3/repos/acme/service", 405, id="api"),
        pytest.param("/_sandbox/clock", 405, id="control"),
    ],
)
def test_head_reaches_the_pages_not_the_apis(sandbox, path: str, status: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    try:
        conn.request("HEAD", path)
        answer = conn.getresponse()
        assert answer.status == status
        assert answer.read() == b""
        if status == 200:
            assert answer.getheader("Content-Type", "").startswith("text/html")
            assert int(answer.getheader("Content-Length") or 0) > 0
    finally:
        conn.close()
