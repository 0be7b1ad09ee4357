"""Editing a comment from the web view over HTTP, as a responder fixes a refused record on GitHub.

Each person's comment on the issue page carries an Edit form; posting it must
be the REST ``PATCH .../issues/comments/{id}`` as the chosen user (so the
``issue_comment`` ``edited`` webhook fires and the Action runs on it), refused
with GitHub's own message when that user may not edit, and the body it shows
for editing must come out escaped. Every exchange is checked by ``fidelity``.
"""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.e2e.action_support import MakeSandbox, TestSandbox, dispatching_sandbox, own, settle
from tests.e2e.conftest import START
from tests.e2e.test_sandbox_web import fetch, post_form
from warroom import story

pytestmark = pytest.mark.e2e

HOSTILE = "\nfirst line kept\n</textarea><script>alert(1)</script><img src=x onerror=alert(2)>"


def edit_path(comment_id: int) -> str:
    return f"/acme/service/issues/comments/{comment_id}"


def edit_form(page: str, comment_id: int) -> str:
    """The Edit form of one comment, as the issue page draws it."""
    start = page.index(f'<details class="edit" id="edit-{comment_id}"')
    return page[start : page.index("</details>", start)]


@pytest.fixture
def commented(make_sandbox: MakeSandbox) -> tuple[TestSandbox, int, int]:
    """An issue with one comment by the mitigation owner (write) and one by the bot."""
    sb = make_sandbox(users={story.MITIGATION: "write", story.COMMS: "read"})
    issue = sb.repo().create_issue(title="[incident] 401s", body="b")
    comment = sb.repo(story.MITIGATION).get_issue(issue.number).create_comment("the first word")
    sb.seed_comments(issue.number, 1, author="github-actions[bot]", body="a bot's reply")
    return sb, issue.number, comment.id


def test_a_refused_record_fixed_by_editing_it_loses_warroom_error_reply(
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
    _, location = post_form(
        sb, f"/acme/service/issues/{number}/comments", [("as", story.MITIGATION), ("body", bad)]
    )
    comment_id = int(location.rsplit("#issuecomment-", 1)[1])
    settle(sb)
    marker = f"<!-- warroom:reply:{comment_id} -->"
    assert [r for r in own(sb, number, "reply") if r.startswith(marker)]
    _, _, page = fetch(sb, "GET", f"/acme/service/issues/{number}")
    form = edit_form(page, comment_id)
    assert f'action="{edit_path(comment_id)}"' in form
    assert f'<option value="{story.MITIGATION}" selected>' in form  # the author, by default
    assert html.escape(bad.split("\n", 1)[0], quote=True) in form

    (status_comment,) = own(sb, number, "status")
    assert "Records applied (0)" in status_comment
    sb.set_clock(now=START + timedelta(minutes=21), frozen=True)
    fixed = story.decision(START, minute=20)
    before = len(sb.deliveries())
    status, location = post_form(
        sb, edit_path(comment_id), [("as", story.MITIGATION), ("body", fixed.replace("\n", "\r\n"))]
    )
    assert status == 303
    assert location == (
        f"/acme/service/issues/{number}?as={story.MITIGATION}#issuecomment-{comment_id}"
    )
    (delivery,) = sb.deliveries()[before:]
    assert (delivery["event"], delivery["action"], delivery["sender"]) == (
        "issue_comment",
        "edited",
        story.MITIGATION,
    )
    assert delivery["payload"]["changes"] == {"body": {"from": bad}}
    logged = sb.requests()["requests"][-1]
    assert (logged["operation_id"], logged["login"], logged["status"]) == (
        "issues/update-comment",
        story.MITIGATION,
        200,
    )
    assert sb.repo().get_issue(number).get_comment(comment_id).body == fixed
    run = settle(sb)[-1]
    assert (run["event"], run["action"], run["conclusion"]) == (
        "issue_comment",
        "edited",
        "success",
    )
    assert not [r for r in own(sb, number, "reply") if r.startswith(marker)]
    # The record counts now: the status comment lists it as applied, and nothing as refused.
    (status_comment,) = own(sb, number, "status")
    assert "Records applied (1)" in status_comment
    assert f"#issuecomment-{comment_id})" in status_comment
    assert "were not applied" not in status_comment
    _, _, page = fetch(sb, "GET", f"/acme/service/issues/{number}")
    assert "must be one of" not in page
    article = page.split(f'id="issuecomment-{comment_id}"', 1)[1].split("</article>", 1)[0]
    assert '<span class="meta">· edited</span>' in article


@pytest.mark.parametrize(
    ("login", "body", "headers", "status", "message"),
    [
        pytest.param(
            story.COMMS,
            "not mine",
            {},
            403,
            f"{story.COMMS} (read) was refused: 403 Must have admin rights to Repository.",
            id="a-reader-who-is-not-the-author",
        ),
        pytest.param(
            story.MITIGATION,
            "  \r\n ",
            {},
            400,
            "field &#39;body&#39;: a comment cannot be blank",
            id="blank-body",
        ),
        pytest.param(
            "github-actions[bot]",
            "as the bot",
            {},
            400,
            "field &#39;as&#39;: &#39;github-actions[bot]&#39; is not a seeded user",
            id="not-as-the-bot",
        ),
        pytest.param(
            story.MITIGATION,
            "from elsewhere",
            {"Origin": "http://evil.example"},
            403,
            "forms are posted from the sandbox&#39;s own pages only",
            id="other-origin",
        ),
    ],
)
def test_a_refused_edit_changes_nothing_and_says_why(
    commented: tuple[TestSandbox, int, int],
    login: str,
    body: str,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    sb, number, comment_id = commented
    before = (len(sb.deliveries()), sb.repo().get_issue(number).get_comment(comment_id).body)
    answer, _, page = fetch(
        sb,
        "POST",
        edit_path(comment_id),
        urlencode([("as", login), ("body", body)]).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": sb.base_url, **headers},
    )
    assert answer == status
    assert message in page
    assert (len(sb.deliveries()), sb.repo().get_issue(number).get_comment(comment_id).body) == (
        before
    )


def test_a_refused_edit_comes_back_open_with_what_was_written(
    commented: tuple[TestSandbox, int, int],
) -> None:
    sb, _, comment_id = commented
    answer, _, page = fetch(
        sb,
        "POST",
        edit_path(comment_id),
        f"as={story.COMMS}&body=my+%3Cfix%3E".encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer == 403
    assert '<span id="issue-title">[incident] 401s</span>' in page  # the issue page
    form = edit_form(page, comment_id)
    assert form.startswith(f'<details class="edit" id="edit-{comment_id}" open>')
    assert ">\nmy &lt;fix&gt;</textarea>" in form
    assert f'<option value="{story.COMMS}" selected>' in form


def test_a_writer_may_edit_someone_elses_comment(commented: tuple[TestSandbox, int, int]) -> None:
    sb, number, comment_id = commented
    status, location = post_form(sb, edit_path(comment_id), [("as", "admin"), ("body", "fixed")])
    assert (status, location) == (
        303,
        f"/acme/service/issues/{number}?as=admin#issuecomment-{comment_id}",
    )
    comment = sb.repo().get_issue(number).get_comment(comment_id)
    assert (comment.body, comment.user.login) == ("fixed", story.MITIGATION)
    assert sb.deliveries()[-1]["sender"] == "admin"


def test_the_edit_textarea_escapes_a_hostile_body_and_keeps_its_first_newline(
    commented: tuple[TestSandbox, int, int],
) -> None:
    sb, number, comment_id = commented
    sb.repo(story.MITIGATION).get_issue(number).get_comment(comment_id).edit(HOSTILE)
    status, headers, page = fetch(sb, "GET", f"/acme/service/issues/{number}")
    assert status == 200
    assert "Content-Security-Policy" in headers
    assert "<script>alert" not in page
    assert "onerror=alert(2)>" not in page
    form = edit_form(page, comment_id)
    # HTML drops the newline right after <textarea>; the body's own first newline follows it.
    assert f"required>\n{html.escape(HOSTILE, quote=True)}</textarea>" in form


def test_only_peoples_comments_get_an_edit_control(
    commented: tuple[TestSandbox, int, int],
) -> None:
    sb, number, comment_id = commented
    _, _, page = fetch(sb, "GET", f"/acme/service/issues/{number}")
    bot_id = next(c.id for c in sb.repo().get_issue(number).get_comments() if c.user.type == "Bot")
    assert page.count('<details class="edit"') == 1
    assert f'id="edit-{comment_id}"' in page
    assert f'id="edit-{bot_id}"' not in page


def test_editing_a_missing_comment_is_a_404_page(
    commented: tuple[TestSandbox, int, int],
) -> None:
    sb, _, comment_id = commented
    requests = sb.requests()["requests"]
    status, headers, page = fetch(
        sb,
        "POST",
        edit_path(comment_id + 1000),
        b"as=admin&body=x",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"comment {comment_id + 1000} does not exist" in page
    assert sb.requests()["requests"] == requests  # no REST call was made
    status, _, _ = fetch(sb, "GET", edit_path(comment_id))
    assert status == 404  # a GET changes nothing and is no page
