"""The web view in a real Chromium: the demo's incident, a Mermaid chart, posting as a person.

The demo is played once against a sandbox that runs ``warroom action`` for
every event; the tests then open its pages as a person would, post through
the page's forms as chosen users, and wait for the dispatched runs' replies.
Every request the browser makes must stay on the sandbox (nothing from the
internet). Screenshots of the key pages are kept in ``.artifacts/screenshots``.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from github import Auth, Github
from playwright.sync_api import Page, Request, expect

from warroom import demo, sandbox_people, story
from warroom.sandbox import Sandbox
from warroom.sandbox.web.issue_forms import load_forms

FORMS = Path(__file__).resolve().parents[2] / ".github" / "ISSUE_TEMPLATE"
MERMAID = "```mermaid\nflowchart LR\n  detect[Detect] --> mitigate[Mitigate] --> close[Close]\n```"


@pytest.fixture(scope="module")
def played() -> Iterator[Sandbox]:
    """A sandbox holding the demo's incident, played to its met gate, dispatching every event."""
    with tempfile.TemporaryDirectory(prefix="warroom-web-") as scratch:
        config = Path(scratch) / "warroom.yml"
        config.write_text(sandbox_people.SANDBOX_CONFIG, encoding="utf-8")
        sb = Sandbox(
            dispatch=[sys.executable, "-m", "warroom", "action"],
            env={"WARROOM_CONFIG": str(config), "WARROOM_STATE_KEY": "browser-tests"},
            users=demo.TEAM,
            now=demo.START,
            frozen=True,
        )
        with sb:
            demo._script(demo.Demo(sb, lambda _line: None))
            assert sb.wait_idle(120)
            yield sb


def github(sb: Sandbox, login: str) -> Github:
    return Github(base_url=sb.api_url, auth=Auth.Token(sb.tokens[login]), retry=None)


@dataclass
class Traffic:
    """What the page asked for: requests that reached a server, and those CSP blocked."""

    reached: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def watch(page: Page) -> Traffic:
    """Note every request the page makes from now on, and how it ended."""
    traffic = Traffic()

    def failed(request: Request) -> None:
        (traffic.blocked if request.failure == "csp" else traffic.reached).append(request.url)

    page.on("requestfinished", lambda request: traffic.reached.append(request.url))
    page.on("requestfailed", failed)
    return traffic


def only_local(traffic: Traffic, sb: Sandbox) -> None:
    """Nothing but the sandbox was reached (a blocked attempt never left the browser)."""
    strays = [u for u in traffic.reached if not u.startswith((sb.base_url + "/", "data:"))]
    assert not strays, strays
    assert traffic.reached, "the page made no request at all"


def fill_incident_form(page: Page, body: str) -> None:
    """Answer the incident form's fields with the answers of a body GitHub wrote."""
    sections = dict(
        part.split("\n", 1) for part in body.split("### ") if part.strip() and "\n" in part
    )
    for element in load_forms(FORMS)["incident.yml"].fields:
        answer = sections.get(element.label, "").strip()
        if not answer or element.kind == "markdown":
            continue
        where = f"#f-{element.id}"
        if element.kind in ("input", "textarea"):
            if element.render:
                answer = answer.split("\n", 1)[1].rsplit("\n", 1)[0]  # GitHub adds the fence
            page.fill(where, answer)
        elif element.kind == "dropdown":
            given = [x.strip() for x in answer.split(",")] if element.multiple else [answer]
            # The story writes a class by its short name ("auth/identity"), as warroom accepts.
            chosen = [next(o for o in element.options if o.startswith(x)) for x in given]
            page.select_option(where, chosen)
        else:
            for index, option in enumerate(element.options):
                if f"- [x] {option}" in answer or f"- [X] {option}" in answer:
                    page.check(f"input[name='field:{element.id}'][value='{index}']")


def test_the_played_incident_page(page: Page, played: Sandbox, screenshots: Path) -> None:
    sb = played
    traffic = watch(page)
    issue = github(sb, story.COMMANDER).get_repo(sb.repo_full_name).get_issue(1)
    page.goto(issue.html_url)
    expect(page.locator("#issue-title")).to_have_text(issue.title)
    expect(page.locator("#issue-state")).to_have_text("Closed")
    expect(page.locator("#sandbox-clock")).to_contain_text("2026-11-28T15:30:00Z")
    shown = set(page.locator("#labels .label").all_inner_texts())
    assert shown == {label.name for label in issue.labels}
    comments = list(issue.get_comments())
    bots = [c for c in comments if c.user.type == "Bot"]
    expect(page.locator("article.comment.bot[id^=issuecomment-]")).to_have_count(len(bots))
    expect(page.locator("article.comment[id^=issuecomment-]")).to_have_count(len(comments))
    for comment in bots:
        expect(page.locator(f"#issuecomment-{comment.id} .badge.bot")).to_have_text("bot")
    expect(page.locator("a.follow-up")).to_have_count(2)
    page.screenshot(path=screenshots / "web-issue-top.png")
    page.screenshot(path=screenshots / "web-issue-full.png", full_page=True)
    # A link warroom wrote lands on its anchor.
    status = next(c for c in bots if c.body.startswith("<!-- warroom:status:"))
    page.goto(f"{issue.html_url}#issuecomment-{status.id}")
    expect(page.locator(f"#issuecomment-{status.id}")).to_be_in_viewport()
    only_local(traffic, sb)


def test_a_mermaid_chart_posted_from_the_form_is_drawn(
    page: Page, played: Sandbox, screenshots: Path
) -> None:
    sb = played
    traffic = watch(page)
    page.goto(f"{sb.base_url}/acme/service/issues/1")
    page.select_option("#comment-as", story.COMMS)
    page.fill(
        "#comment-body",
        f"Timeline so far:\n\n{MERMAID}\n\n![outside](http://example.invalid/tracker.png)\n",
    )
    page.click("#comment-submit")
    page.wait_for_url(re.compile(r".*/acme/service/issues/1\?as=.+#issuecomment-\d+$"))
    anchor = page.url.rsplit("#", 1)[1]
    comment = page.locator(f"#{anchor}")
    expect(comment.locator(".author")).to_have_text(story.COMMS)
    expect(comment.locator("pre.mermaid svg")).to_be_visible(timeout=15_000)
    expect(comment.locator("pre.mermaid svg")).to_contain_text("Mitigate")
    expect(page.locator("#comment-as")).to_have_value(story.COMMS)  # the choice is kept
    comment.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "web-mermaid.png")
    comment.screenshot(path=screenshots / "web-mermaid-comment.png")
    assert traffic.blocked == ["http://example.invalid/tracker.png"]  # by the page's CSP
    only_local(traffic, sb)


def test_an_incident_filed_and_a_record_posted_from_the_page_get_the_bots_answers(
    page: Page, played: Sandbox, screenshots: Path
) -> None:
    sb = played
    sb.set_clock(now=demo.START + timedelta(hours=4), frozen=True)
    # The commander files the incident from the repository's issue form, as a person would.
    page.goto(sb.base_url)
    page.click("#new-issue")
    page.click("a.form-link[href$='template=incident.yml']")
    page.fill("#new-title", "[INCIDENT] second 401 wave")
    fill_incident_form(page, story.incident_body())
    page.select_option("#new-as", story.COMMANDER)
    page.screenshot(path=screenshots / "web-issue-form.png", full_page=True)
    page.click("#new-submit")
    page.wait_for_url(re.compile(r".*/acme/service/issues/\d+\?as=.+$"))
    number = int(page.url.rsplit("/", 1)[1].split("?", 1)[0])
    expect(page.locator("#issue-title")).to_have_text("[INCIDENT] second 401 wave")
    expect(page.locator("#labels .label", has_text="incident")).to_have_count(1)  # the form's
    assert sb.wait_idle(120)
    page.reload()
    expect(page.locator("#labels .label", has_text="SEV-1")).to_have_count(1)  # the bot read it
    expect(page.locator("article.comment.bot", has_text="could not")).to_have_count(0)
    bad = story.decision(demo.START + timedelta(hours=4), minute=5).replace(
        "- Decision: rollback", "- Decision: roll it back"
    )
    page.goto(f"{sb.base_url}/acme/service/issues/{number}")
    expect(
        page.locator("#comment-as option", has_text=f"{story.MITIGATION} (write)")
    ).to_have_count(1)
    page.select_option("#comment-as", story.MITIGATION)
    page.fill("#comment-body", bad)
    page.click("#comment-submit")
    page.wait_for_url(re.compile(rf".*/issues/{number}\?as=.+#issuecomment-\d+$"))
    posted = page.url.rsplit("#issuecomment-", 1)[1]
    expect(page.locator(f"#issuecomment-{posted} .author")).to_have_text(story.MITIGATION)
    assert sb.wait_idle(120)
    page.reload()
    reply = page.locator("article.comment.bot", has_text="must be one of")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("Decision")
    reply.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "web-bot-reply.png")

    # A reader may not close it: the REST answer's refusal shows, the issue stays open.
    page.select_option("#state-as", "reader")
    page.click("#close-button")
    expect(page.locator("#error")).to_contain_text("reader (read) was refused: 403")
    expect(page.locator("#issue-state")).to_have_text("Open")
    page.screenshot(path=screenshots / "web-refused.png")


def test_the_runs_page(page: Page, played: Sandbox, screenshots: Path) -> None:
    sb = played
    page.goto(f"{sb.base_url}/_sandbox/runs")
    runs = sb.runs()
    expect(page.locator("section.run")).to_have_count(len(runs))
    red = page.locator("section.run.failure")
    expect(red).to_have_count(1)
    expect(red.locator("details.attempt[open] pre.log").first).to_contain_text("::error::")
    page.screenshot(path=screenshots / "web-runs.png")
