"""The web view's pages and forms, answered without HTTP from a sandbox that is not serving.

Hostile titles, label names, bodies and logins must come out escaped; every
page shows the sandbox clock and a Content-Security-Policy; a ``GET`` never
changes anything; a form post becomes the REST call, refused with the REST
answer's message when the chosen user may not make it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from warroom.sandbox import Sandbox
from warroom.sandbox.web import WebView, assets, wants_html
from warroom.sandbox.web.pages import RUNS_SHOWN, WebReply

NOW = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(now=NOW, frozen=True, users={"mara": "write"})
    with sb.state.transaction() as tx:
        sb.state.add_label(tx, HOSTILE[:50], "zzzzzz", None)
        sb.state.add_label(tx, "incident", "b60205", None)
    sb.seed_issues(
        1, title=HOSTILE, body=HOSTILE + "\n\n**bold**", labels=["incident", HOSTILE[:50]]
    )
    sb.seed_comments(1, 1, author="mara", body=HOSTILE)
    sb.seed_comments(1, 1, author="github-actions[bot]", body="<!-- warroom:status:1 -->\nok")
    yield sb
    sb.stop()


def get(view: WebView, path: str, **query: str) -> WebReply:
    return view.handle("GET", path, {k: [v] for k, v in query.items()}, {}, b"")


def post(view: WebView, path: str, fields: list[tuple[str, str]], **headers: str) -> WebReply:
    return view.handle("POST", path, {}, {**FORM, **headers}, urlencode(fields).encode())


def snapshot(sb: Sandbox) -> tuple[object, ...]:
    """What a change would touch: the issue, its comments and events, the deliveries."""
    return (
        sb.state.issues[1].to_json(),
        [c.to_json() for c in sb.state.comments_of(1)],
        len(sb.state.event_ids),
        len(sb.deliveries()),
    )


def text(reply: WebReply) -> str:
    return reply.body.decode()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="index"),
        pytest.param("/acme/service/issues", id="issues"),
        pytest.param("/acme/service/issues/1", id="issue"),
        pytest.param("/acme/service/pull/1", id="pull-url"),
        pytest.param("/_sandbox/runs", id="runs"),
        pytest.param("/acme/service/issues/99", id="missing-issue"),
        pytest.param("/nowhere/else", id="not-found"),
    ],
)
def test_every_page_shows_the_clock_and_forbids_other_origins(sandbox: Sandbox, path: str) -> None:
    reply = get(WebView(sandbox), path)
    assert reply.status == (404 if path in ("/acme/service/issues/99", "/nowhere/else") else 200)
    assert 'id="sandbox-clock"' in text(reply)
    assert "2026-11-28T14:00:00Z" in text(reply)
    assert "(frozen)" in text(reply)
    policy = reply.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "http" not in policy
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"


def test_hostile_text_is_escaped_everywhere(sandbox: Sandbox) -> None:
    view = WebView(sandbox)
    for path in ("/", "/acme/service/issues/1"):
        html = text(get(view, path))
        assert "<script>alert" not in html
        assert "onerror=alert(1)>" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html  # the title
        assert 'style="background:#ededed' in html  # a colour that is not hex is not used
    html = text(get(view, "/acme/service/issues/1"))
    assert "<strong>bold</strong>" in html  # the body is Markdown
    assert "warroom:status" not in html  # the bot's marker is hidden as on GitHub


def test_issue_page_marks_bot_comments_and_anchors_every_comment(sandbox: Sandbox) -> None:
    html = text(get(WebView(sandbox), "/acme/service/issues/1"))
    ids = [c.id for c in sandbox.state.comments_of(1)]
    for comment_id in ids:
        assert f'id="issuecomment-{comment_id}"' in html
    bot_article = html.split(f'id="issuecomment-{ids[1]}"', 1)[1].split("</article>", 1)[0]
    assert '<span class="badge bot">bot</span>' in bot_article
    person = html.split(f'id="issuecomment-{ids[0]}"', 1)[1].split("</article>", 1)[0]
    assert "badge bot" not in person
    assert '<option value="mara">mara (write)</option>' in html
    assert '<option value="reader">reader (read)</option>' in html
    assert "github-actions[bot] (" not in html  # the bot is no one to post as


def test_a_get_never_changes_anything(sandbox: Sandbox) -> None:
    view = WebView(sandbox)
    before = snapshot(sandbox)
    for path in ("/acme/service/issues/1/comments", "/acme/service/issues/1/state"):
        reply = view.handle("GET", path, {"as": ["admin"], "body": ["x"]}, {}, b"")
        assert reply.status == 404
    assert view.handle("PUT", "/acme/service/issues/1", {}, {}, b"").status == 405
    assert snapshot(sandbox) == before


def test_a_comment_post_is_the_rest_call_and_redirects_to_it(sandbox: Sandbox) -> None:
    reply = post(
        WebView(sandbox), "/acme/service/issues/1/comments", [("as", "mara"), ("body", "hi\r\n")]
    )
    comment = sandbox.state.comments_of(1)[-1]
    assert (comment.user, comment.body) == ("mara", "hi\n")
    assert reply.status == 303
    assert reply.headers["Location"] == f"/acme/service/issues/1?as=mara#issuecomment-{comment.id}"
    delivery = sandbox.deliveries()[-1]
    assert (delivery["event"], delivery["action"], delivery["sender"]) == (
        "issue_comment",
        "created",
        "mara",
    )
    logged = sandbox.requests()["requests"][-1]
    assert (logged["operation_id"], logged["login"], logged["status"]) == (
        "issues/create-comment",
        "mara",
        201,
    )


@pytest.mark.parametrize(
    ("fields", "headers", "status", "message"),
    [
        pytest.param(
            [("as", "reader"), ("state", "closed")],
            {},
            403,
            "reader (read) was refused: 403",
            id="reader-may-not-close",
        ),
        pytest.param(
            [("as", "github-actions[bot]"), ("state", "closed")],
            {},
            400,
            "field &#39;as&#39;: &#39;github-actions[bot]&#39; is not a seeded user",
            id="not-as-the-bot",
        ),
        pytest.param(
            [("as", "nobody<b>"), ("state", "closed")],
            {},
            400,
            "&#39;nobody&lt;b&gt;&#39; is not a seeded user",
            id="unknown-login-escaped",
        ),
        pytest.param(
            [("as", "admin"), ("state", "deleted")],
            {},
            400,
            "field &#39;state&#39;: open or closed",
            id="bad-state",
        ),
        pytest.param(
            [("as", "admin"), ("state", "closed")],
            {"Origin": "http://evil.example"},
            403,
            "forms are posted from the sandbox&#39;s own pages only",
            id="other-origin",
        ),
        pytest.param(
            [("as", "admin"), ("state", "closed")],
            {"Origin": "null"},
            403,
            "forms are posted from the sandbox&#39;s own pages only",
            id="opaque-origin",
        ),
        pytest.param(
            [("as", "admin"), ("state", "closed")],
            {"Sec-Fetch-Site": "cross-site", "Origin": "http://127.0.0.1:0"},
            403,
            "forms are posted from the sandbox&#39;s own pages only",
            id="browser-says-cross-site",
        ),
        pytest.param(
            [("as", "admin"), ("state", "closed")],
            {"Content-Type": "application/json"},
            415,
            "application/x-www-form-urlencoded",
            id="not-a-form",
        ),
    ],
)
def test_refused_state_posts_change_nothing(
    sandbox: Sandbox,
    fields: list[tuple[str, str]],
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    before = snapshot(sandbox)
    reply = post(WebView(sandbox), "/acme/service/issues/1/state", fields, **headers)
    assert reply.status == status
    assert message in text(reply)
    assert snapshot(sandbox) == before


def test_a_refused_comment_keeps_the_draft(sandbox: Sandbox) -> None:
    with sandbox.state.transaction() as tx:
        sandbox.state.issues[1].locked = True
        tx.touch(sandbox.state.issues[1])
    reply = post(
        WebView(sandbox),
        "/acme/service/issues/1/comments",
        [("as", "reader"), ("body", "my <draft>")],
    )
    assert reply.status == 403
    assert "my &lt;draft&gt;</textarea>" in text(reply)
    assert sandbox.state.issues[1].comments == 2


def test_an_oversized_form_is_refused_before_it_is_read(sandbox: Sandbox) -> None:
    body = "x" * 300_000
    reply = post(WebView(sandbox), "/acme/service/issues/1/comments", [("as", "a"), ("body", body)])
    assert reply.status == 413
    assert sandbox.state.issues[1].comments == 2


def test_close_then_reopen_as_a_triager(sandbox: Sandbox) -> None:
    view = WebView(sandbox)
    closed = post(
        view,
        "/acme/service/issues/1/state",
        [("as", "triager"), ("state", "closed"), ("state_reason", "not_planned")],
    )
    assert closed.status == 303
    issue = sandbox.state.issues[1]
    assert (issue.state, issue.state_reason, issue.closed_by) == (
        "closed",
        "not_planned",
        "triager",
    )
    assert "Closed as not planned" in text(get(view, "/acme/service/issues/1"))
    assert (
        post(view, "/acme/service/issues/1/state", [("as", "triager"), ("state", "open")]).status
        == 303
    )
    assert sandbox.state.issues[1].state == "open"
    events = [e.event for e in sandbox.state.events_of(1)]
    assert events[-2:] == ["closed", "reopened"]
    html = text(get(view, "/acme/service/issues/1"))
    assert "triager</strong> closed this as not planned" in html
    assert "triager</strong> reopened this" in html


def test_relabel_changes_only_what_the_person_changed(sandbox: Sandbox) -> None:
    view = WebView(sandbox)
    with sandbox.state.transaction() as tx:
        sandbox.state.add_label(tx, "SEV-1", "d93f0b", None)
    # The page showed "incident" (and the hostile label, left alone); then the bot added "bug".
    sandbox.state.issues[1].labels.append(sandbox.state.label_named("bug").id)  # type: ignore[union-attr]
    reply = post(
        view,
        "/acme/service/issues/1/labels",
        [("as", "writer"), ("shown", "incident"), ("label", "SEV-1")],
    )
    assert reply.status == 303
    names = {sandbox.state.labels[i].name for i in sandbox.state.issues[1].labels}
    assert names == {"bug", "SEV-1", HOSTILE[:50]}
    html = text(get(view, "/acme/service/issues/1"))
    assert "writer</strong> added the label" in html
    assert "writer</strong> removed the label" in html


def test_relabel_by_a_reader_is_refused(sandbox: Sandbox) -> None:
    before = snapshot(sandbox)
    reply = post(
        WebView(sandbox),
        "/acme/service/issues/1/labels",
        [("as", "reader"), ("shown", "incident")],
    )
    assert reply.status == 403
    assert "reader (read) was refused" in text(reply)
    assert snapshot(sandbox) == before


@pytest.mark.parametrize(
    ("method", "path", "accept", "wanted"),
    [
        pytest.param("GET", "/_sandbox/runs", "text/html,application/xhtml+xml", True, id="page"),
        pytest.param("GET", "/_sandbox/runs/", "text/html", True, id="page-slash"),
        pytest.param("GET", "/_sandbox/runs", "*/*", False, id="client-json"),
        pytest.param("GET", "/_sandbox/runs", "application/json", False, id="json"),
        pytest.param("POST", "/_sandbox/runs", "text/html", False, id="post-stays-control"),
        pytest.param("GET", "/_sandbox/runs/5", "text/html", False, id="one-run-json"),
    ],
)
def test_runs_page_is_for_browsers_only(method: str, path: str, accept: str, wanted: bool) -> None:
    assert wants_html(method, path, accept) is wanted


def test_assets_are_local_and_typed(sandbox: Sandbox, tmp_path: Path) -> None:
    view = WebView(sandbox)
    view.mermaid = None
    css = get(view, "/_web/web.css")
    assert (css.status, css.headers["Content-Type"]) == (200, "text/css; charset=utf-8")
    assert get(view, "/_web/web.js").status == 200
    assert get(view, "/_web/mermaid.min.js").status == 404
    assert get(view, "/_web/../pages.py").status == 404
    assert get(view, "/_web/pages.py").status == 404
    assert "mermaid.min.js" not in text(get(view, "/acme/service/issues/1"))
    local = tmp_path / "mermaid.min.js"
    local.write_text("window.mermaid = {};", encoding="utf-8")
    view = WebView(sandbox, mermaid=local)
    served = get(view, "/_web/mermaid.min.js")
    assert (served.status, served.body) == (200, b"window.mermaid = {};")
    assert '<script src="/_web/mermaid.min.js"></script>' in text(
        get(view, "/acme/service/issues/1")
    )


def test_mermaid_is_found_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "m.js"
    monkeypatch.setenv(assets.MERMAID_ENV, str(local))
    assert assets.find_mermaid() is None  # named but absent
    local.write_text("x", encoding="utf-8")
    assert assets.find_mermaid() == local


def test_new_issue_page_is_prefilled_from_the_link_and_escaped(sandbox: Sandbox) -> None:
    reply = get(
        WebView(sandbox),
        "/acme/service/issues/new",
        title="[incident] <b>401s</b>",
        body="</textarea><script>x</script>",
        labels="incident, bug",
        **{"as": "mara"},
    )
    html = text(reply)
    assert reply.status == 200
    assert 'value="[incident] &lt;b&gt;401s&lt;/b&gt;"' in html
    assert "&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>" in html
    assert '<input type="checkbox" name="label" value="incident" checked>' in html
    assert '<input type="checkbox" name="label" value="bug" checked>' in html
    assert '<input type="checkbox" name="label" value="question">' in html
    assert '<option value="mara" selected>mara (write)</option>' in html


def test_a_new_issue_post_opens_it_through_rest(sandbox: Sandbox) -> None:
    reply = post(
        WebView(sandbox),
        "/acme/service/issues",
        [("as", "mara"), ("title", " [incident] 401s "), ("body", "b\r\n"), ("label", "incident")],
    )
    issue = sandbox.state.issues[2]
    assert reply.status == 303
    assert reply.headers["Location"] == "/acme/service/issues/2?as=mara"
    assert (issue.title, issue.body, issue.user) == ("[incident] 401s", "b\n", "mara")
    assert [sandbox.state.labels[i].name for i in issue.labels] == ["incident"]
    opened = [d for d in sandbox.deliveries() if d["action"] == "opened"]
    assert [(d["event"], d["issue"], d["sender"]) for d in opened] == [("issues", 2, "mara")]


def test_a_new_issue_without_a_title_keeps_what_was_written(sandbox: Sandbox) -> None:
    reply = post(
        WebView(sandbox),
        "/acme/service/issues",
        [("as", "mara"), ("title", "  "), ("body", "kept <text>"), ("label", "incident")],
    )
    html = text(reply)
    assert reply.status == 400
    assert "field &#39;title&#39;: give the issue a title" in html
    assert "kept &lt;text&gt;</textarea>" in html
    assert '<input type="checkbox" name="label" value="incident" checked>' in html
    assert sorted(sandbox.state.issues) == [1]


def _run(number: int, **attempt: Any) -> dict[str, Any]:
    current = {
        "attempt": 1,
        "status": "completed",
        "conclusion": "success",
        "exit_code": 0,
        "stdout": "",
        "stderr": "",
        "step_summary": "",
        **attempt,
    }
    return {
        "id": 8_000_000_000 + number,
        "run_number": number,
        "run_attempt": 1,
        "event": "issue_comment",
        "action": "created",
        "group": "warroom-1",
        "actor": "mara",
        "status": current["status"],
        "conclusion": current["conclusion"],
        "exit_code": current["exit_code"],
        "queued_at": "2026-11-28T14:00:00Z",
        "finished_at": "2026-11-28T14:00:00Z",
        "request_count": 3,
        "attempts": [current],
        "payload": {"issue": {"number": 1}},
    }


def test_runs_page_shows_the_newest_runs_with_their_logs_escaped(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = [_run(n) for n in range(1, 150)]
    runs.append(
        _run(
            150,
            conclusion="failure",
            exit_code=1,
            stdout=f"::error::{HOSTILE}",
            step_summary="## Gate\n\n- [ ] blocked",
        )
    )
    monkeypatch.setattr(sandbox, "runs", lambda: runs)
    html = text(get(WebView(sandbox), "/_sandbox/runs"))
    assert html.count('<section class="run') == RUNS_SHOWN
    assert "150 runs, newest first; the newest 100 are shown here" in html
    assert html.index('id="run-8000000150"') < html.index('id="run-8000000149"')
    assert 'id="run-8000000050"' not in html
    assert '<section class="run failure" id="run-8000000150">' in html
    assert "::error::&lt;script&gt;" in html
    assert "<script>alert" not in html
    assert "<h2>Gate</h2>" in html
    assert '<input type="checkbox" disabled=""> blocked' in html
    assert 'on <a href="/acme/service/issues/1">#1</a>' in html


def test_the_chooser_offers_the_issue_forms_and_a_blank_issue(sandbox: Sandbox) -> None:
    view = WebView(sandbox)
    assert 'href="/acme/service/issues/new/choose">New issue</a>' in text(get(view, "/"))
    html = text(get(view, "/acme/service/issues/new/choose"))
    assert 'href="/acme/service/issues/new?template=incident.yml"' in html
    assert 'href="/acme/service/issues/new?template=hardening.yml"' in html
    assert 'href="/acme/service/issues/new">Get started' in html


def test_an_issue_form_is_drawn_with_its_fields(sandbox: Sandbox) -> None:
    html = text(get(WebView(sandbox), "/acme/service/issues/new", template="incident.yml"))
    assert '<input id="new-title" name="title" value="[INCIDENT] "' in html
    assert '<input type="hidden" name="template" value="incident.yml">' in html
    assert '<input id="f-summary" name="field:summary" value=""' in html
    assert '<select id="f-dependency_classes" name="field:dependency_classes" multiple' in html
    assert '<input type="checkbox" name="field:rollback_ready" value="0">' in html
    assert "Declare severity now" in html  # the markdown element
    assert get(WebView(sandbox), "/acme/service/issues/new", template="nope.yml").status == 404


def test_an_incomplete_issue_form_comes_back_with_its_answers(sandbox: Sandbox) -> None:
    reply = post(
        WebView(sandbox),
        "/acme/service/issues",
        [
            ("as", "mara"),
            ("template", "incident.yml"),
            ("title", "[INCIDENT] 401s"),
            ("field:summary", "401s <everywhere>"),
            ("field:rollback_ready", "0"),
        ],
    )
    html = text(reply)
    assert reply.status == 400
    assert "the form is not complete: Severity: required; choose one of the options" in html
    assert 'name="field:summary" value="401s &lt;everywhere&gt;"' in html
    assert '<input type="checkbox" name="field:rollback_ready" value="0" checked>' in html
    assert sorted(sandbox.state.issues) == [1]


def test_a_complete_issue_form_files_the_body_github_writes(sandbox: Sandbox) -> None:
    view = WebView(sandbox)
    form = view.issue_forms["hardening.yml"]
    fields = [("as", "mara"), ("template", "hardening.yml"), ("title", "[HARDENING] alert")]
    for element in form.fields:
        if element.kind in ("input", "textarea"):
            fields.append((element.name, f"{element.id} answer"))
        elif element.kind == "dropdown":
            fields.append((element.name, element.options[0]))
    reply = post(view, "/acme/service/issues", fields)
    assert reply.status == 303
    issue = sandbox.state.issues[2]
    assert [sandbox.state.labels[i].name for i in issue.labels] == list(form.labels)
    assert issue.body is not None
    assert issue.body.startswith("### Incident\n\nincident answer\n\n### Kind\n\n")


def test_commit_and_compare_pages_show_the_seeded_history_escaped(sandbox: Sandbox) -> None:
    """Where the closure review package's diff links land: a commit and a compare."""
    base = sandbox.add_commit("Release v1", ["src/auth.py"], user="mara", sha="a" * 40)
    bad = sandbox.add_commit(HOSTILE + "\n\nbody " + HOSTILE, ["src/auth.py"], user="mara")
    fix = sandbox.add_commit("Roll back", ["src/auth.py", "src/flags.py"], user="mara")
    view = WebView(sandbox)

    commit = get(view, f"/acme/service/commit/{bad['sha']}")
    assert commit.status == 200
    page = text(commit)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert f'<code id="commit-sha">{bad["sha"]}</code>' in page
    assert f'href="/acme/service/commit/{base["sha"]}"' in page  # its parent

    short = get(view, f"/acme/service/commit/{fix['sha'][:7]}")
    assert short.status == 200
    assert text(short).count('class="file-row"') == 2

    compare = text(get(view, f"/acme/service/compare/{base['sha'][:7]}...{fix['sha'][:7]}"))
    assert compare.count('class="commit-row"') == 2  # the bad deploy and the fix, not the base
    rows = compare[compare.index('id="commits"') :]
    assert rows.index(bad["sha"][:7]) < rows.index(fix["sha"][:7])  # oldest first
    assert "<script>" not in compare

    assert get(view, "/acme/service/commit/" + "f" * 40).status == 404
    assert get(view, f"/acme/service/compare/nope...{fix['sha']}").status == 404
