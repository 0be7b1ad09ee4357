"""A whole drill played through the page in a real Chromium, to the gate and the debrief.

The drill (``warroom.drill.runner.Drill``) runs ``auth-token-failure`` with
``warroom action`` dispatched on every event and a frozen clock the test moves
(``tests.support.drill_play.Team.at``: move to a drill minute, let the script
and the Action catch up). Everything the players do goes through the pages a
team would use: the incident is filed from the form page as the commander,
records are posted from the issue page as different team accounts (each
opened from the drill page's "Post as" links), a refused record gets warroom's
error reply and is fixed by editing it in the page (the reply then goes), an
early close is undone with warroom's notice, and the debrief is read once the
gate is met. Screenshots of each step are kept (``drill-play-*.png``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_web_view import fill_incident_form
from tests.support.drill_play import Team, evidence_record, incident_body, play_to_the_gate
from warroom import story
from warroom.drill.runner import REFEREE, Drill
from warroom.drill.scenario import bundled
from warroom.sandbox.web import drill_pages

START = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
BOT = "github-actions[bot]"


@pytest.fixture
def team() -> Iterator[Team]:
    """``auth-token-failure`` started on a frozen clock at ``START``; the players' hands."""
    drill = Drill(bundled()["auth-token-failure"], frozen=True, start=START)
    drill.start()
    try:
        yield Team(drill)
    finally:
        drill.stop()


def post_as(page: Page, team: Team, login: str, body: str) -> int:
    """``login`` posts ``body`` on the incident from its page, opened from the drill page."""
    page.goto(team.drill.sandbox.base_url + "/_drill")
    page.click(f"#drill-team a[data-login='{login}']")
    expect(page.locator("#comment-as")).to_have_value(login)
    page.fill("#comment-body", body)
    page.click("#comment-submit")
    page.wait_for_url(re.compile(r".*#issuecomment-\d+$"))
    posted = int(page.url.rsplit("#issuecomment-", 1)[1])
    expect(page.locator(f"#issuecomment-{posted} .author")).to_have_text(login)
    team.settle()
    return posted


def edit_as(
    page: Page, team: Team, comment_id: int, login: str, body: str, shot: Path | None = None
) -> None:
    """``login`` rewrites comment ``comment_id`` with its Edit form; the page is read after."""
    page.goto(f"{team.drill.sandbox.base_url}/acme/service/issues/{team.incident}?as={login}")
    page.click(f"#edit-{comment_id} summary")
    expect(page.locator(f"#edit-as-{comment_id}")).to_have_value(login)  # the author
    page.fill(f"#edit-body-{comment_id}", body)
    if shot is not None:
        page.locator(f"#edit-{comment_id}").scroll_into_view_if_needed()
        page.screenshot(path=str(shot))
    page.click(f"#edit-submit-{comment_id}")
    page.wait_for_url(re.compile(rf".*\?as=.+#issuecomment-{comment_id}$"))
    team.settle()
    page.reload()


def close_as(page: Page, team: Team, login: str) -> None:
    page.goto(f"{team.drill.sandbox.base_url}/acme/service/issues/{team.incident}?as={login}")
    page.select_option("#state-as", login)
    page.click("#close-button")
    expect(page.locator("#issue-state")).to_have_text(re.compile("Closed"))
    team.settle()


def drill_seconds(page: Page) -> int:
    text = page.locator("#drill-elapsed").inner_text()
    seconds = drill_pages.clock_seconds(text)
    assert seconds is not None, text
    return seconds


def comments_by(page: Page, login: str, text: str) -> Locator:
    """The comments ``login`` wrote that hold ``text`` (as rendered: no Markdown marks)."""
    return page.locator(f"article.comment[data-author='{login}']", has_text=text)


def test_a_drill_played_through_the_page(page: Page, team: Team, screenshots: Path) -> None:
    drill, scenario = team.drill, team.scenario
    t = scenario.team
    base = drill.sandbox.base_url
    page.set_viewport_size({"width": 1280, "height": 900})

    # T+3: the team reads the signal on the drill page and files the incident from the form.
    team.at(3)
    page.goto(base + "/_drill")
    expect(page.locator("#drill-title")).to_have_text(scenario.title)
    expect(page.locator("#drill-elapsed")).to_have_text("T+03:00")
    expect(page.locator("#signal-link")).to_contain_text(scenario.signal.title)
    expect(page.locator("#drill-signal .body")).to_contain_text("401 rate")
    page.screenshot(path=str(screenshots / "drill-play-signal.png"), full_page=True)
    page.click(f"#drill-team a[data-login='{t.commander.login}']")
    expect(page.locator("#new-as")).to_have_value(t.commander.login)
    page.fill("#new-title", f"[INCIDENT] {scenario.title}")
    fill_incident_form(page, incident_body(scenario))
    page.click("#new-submit")
    page.wait_for_url(re.compile(r".*/acme/service/issues/\d+\?as=.+$"))
    team.incident = int(page.url.rsplit("/", 1)[1].split("?", 1)[0])
    team.settle()
    page.goto(base + "/_drill")
    expect(page.locator("#incident-link")).to_contain_text(f"#{team.incident}")
    expect(page.locator("#file-incident")).to_have_count(0)

    # T+6 .. T+7: a snapshot from the commander, evidence asked for by the verification owner.
    team.at(6)
    post_as(
        page,
        team,
        t.commander.login,
        story.snapshot(drill.started_at, next_in=20, owner=t.deputy.login),
    )
    team.at(7)
    for evidence in scenario.evidence:
        post_as(page, team, t.verification.login, f"/drill run {evidence.command}")
    page.reload()
    for evidence in scenario.evidence:
        expect(comments_by(page, REFEREE, f"Output of {evidence.command}")).to_have_count(1)

    # T+12: a decision record warroom cannot read gets its error reply; T+13 it is fixed by
    # editing the record in the page, as on GitHub, and warroom takes its reply down.
    team.at(12)
    bad = story.decision(drill.started_at, minute=12).replace(
        "- Decision: rollback", "- Decision: roll it back"
    )
    record = post_as(page, team, t.mitigation.login, bad)
    page.reload()
    refused = comments_by(page, BOT, "must be one of")
    expect(refused).to_have_count(1)
    expect(page.locator("#labels")).not_to_contain_text("confidence: L2")
    refused.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "drill-play-error-reply.png"))
    team.at(13)
    fixed = story.decision(drill.started_at, minute=12)
    edit_as(page, team, record, t.mitigation.login, fixed, screenshots / "drill-play-editing.png")
    expect(page.locator(f"#issuecomment-{record} .body")).to_contain_text("Decision: rollback")
    expect(page.locator(f"#issuecomment-{record} .head")).to_contain_text("edited")
    expect(comments_by(page, BOT, "must be one of")).to_have_count(0)
    expect(page.locator("#labels")).to_contain_text("confidence: L2")  # the record counts
    page.locator(f"#issuecomment-{record}").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "drill-play-fixed-by-edit.png"))

    # T+18: a premature "looks stable"; the script answers with a red rerun.
    team.at(18)
    post_as(page, team, t.deputy.login, "Numbers are dropping, looks stable to me.")
    team.at(24)
    for evidence in scenario.evidence:
        if evidence.reveals and evidence.reveals != "first bad deploy hash":
            proof = evidence.output.splitlines()[-1]
            record = evidence_record(drill, evidence.reveals, proof, 24, t.verification.login)
            post_as(page, team, t.verification.login, record)
    team.at(35)
    post_as(
        page,
        team,
        t.verification.login,
        story.verification(drill.started_at, minute=35, revision="4f2c1a9"),
    )
    team.at(38)
    post_as(page, team, t.comms.login, story.stakeholder(drill.started_at, next_in=120))
    page.reload()
    # The script read the fixed record: the second owner argues against its "rollback".
    second = comments_by(page, scenario.cast.second_owner.login, 'should not go with "rollback"')
    expect(second).to_have_count(1)
    expect(comments_by(page, scenario.cast.verifier.login, "Result: red")).to_have_count(1)
    page.goto(base + "/_drill")
    expect(page.locator("#drill-elapsed")).to_have_text("T+38:00")
    expect(page.locator(".drill-log-entry", has_text="a rerun came back red")).to_have_count(1)
    page.screenshot(path=str(screenshots / "drill-play-page.png"), full_page=True)

    # T+40: closed too early; warroom reopens it and says why.
    team.at(40)
    close_as(page, team, t.commander.login)
    page.reload()
    expect(page.locator("#issue-state")).to_have_text("Open")
    notice = comments_by(page, BOT, "this incident was reopened")
    expect(notice).to_have_count(1)
    notice.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "drill-play-early-close.png"))
    assert not drill.ended

    # T+48 .. T+52: follow-ups, leadership note, closure record; the close holds; the gate is met.
    team.at(48)
    for author, record in story.follow_ups():
        post_as(page, team, author, record)
    post_as(page, team, t.commander.login, story.leadership(confidence="L3"))
    post_as(page, team, t.commander.login, story.closure())
    team.at(52)
    close_as(page, team, t.commander.login)
    assert drill.ended_by == "gate", drill.log

    page.goto(base + "/_drill")
    expect(page.locator("#drill-state")).to_have_text("ended · gate met")
    expect(page.locator(".drill-log-entry").last).to_contain_text("the drill ended")
    page.click("#drill-note a")
    expect(page).to_have_url(base + "/_drill/debrief")
    expect(page.locator("#debrief table").first).to_be_visible()
    page.screenshot(path=str(screenshots / "drill-play-debrief.png"), full_page=True)
    answer = page.request.get(base + "/_drill/debrief.json")
    assert answer.status == 200
    debrief = answer.json()
    assert (debrief["scenario"], debrief["ended_by"], debrief["incident"]) == (
        scenario.name,
        "gate",
        team.incident,
    )
    # The debrief is also on the incident, which stays closed.
    page.goto(f"{base}/acme/service/issues/{team.incident}")
    expect(page.locator("#issue-state")).to_have_text(re.compile("Closed"))
    expect(comments_by(page, REFEREE, "Drill debrief")).to_have_count(1)


def test_the_page_clock_keeps_time_with_a_running_drill(page: Page) -> None:
    """At 60x the bar ticks in the browser, and a reload finds the drill where the bar was."""
    drill = Drill(bundled()["permission-leak"], speed=60.0)
    drill.start()
    try:
        page.goto(drill.sandbox.base_url + "/")
        expect(page.locator("#drill-speed")).to_have_text("60×")
        first = drill_seconds(page)
        page.wait_for_timeout(1500)
        second = drill_seconds(page)
        assert second - first >= 60, (first, second)
        before = time.monotonic()
        page.reload()
        third = drill_seconds(page)
        real = time.monotonic() - before
        # The server's clock, read on reload, is where the browser's was (one tick either way).
        assert second - 6 <= third <= second + 60 * real + 6, (second, third, real)
    finally:
        drill.stop()


class PageHands:
    """The players' hands through the pages: the form page, the comment form, Edit, Close."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def file(self, team: Team, minute: int) -> int:
        team.at(minute)
        commander = team.scenario.team.commander.login
        self.page.goto(team.drill.sandbox.base_url + "/_drill")
        self.page.click(f"#drill-team a[data-login='{commander}']")
        expect(self.page.locator("#new-as")).to_have_value(commander)
        self.page.fill("#new-title", f"[INCIDENT] {team.scenario.title}")
        fill_incident_form(self.page, incident_body(team.scenario))
        self.page.click("#new-submit")
        self.page.wait_for_url(re.compile(r".*/acme/service/issues/\d+\?as=.+$"))
        team.incident = int(self.page.url.rsplit("/", 1)[1].split("?", 1)[0])
        team.settle()
        return team.incident

    def post(self, team: Team, login: str, body: str) -> int:
        """Straight on the incident page as ``login`` (the auth play uses the drill page's
        links; here one page load a post keeps three plays inside the suite's budget)."""
        base = team.drill.sandbox.base_url
        self.page.goto(f"{base}/acme/service/issues/{team.incident}?as={login}")
        expect(self.page.locator("#comment-as")).to_have_value(login)
        self.page.fill("#comment-body", body)
        self.page.click("#comment-submit")
        self.page.wait_for_url(re.compile(r".*#issuecomment-\d+$"))
        team.settle()
        return int(self.page.url.rsplit("#issuecomment-", 1)[1])

    def edit(self, team: Team, comment_id: int, login: str, body: str) -> None:
        edit_as(self.page, team, comment_id, login, body)

    def close(self, team: Team, login: str) -> None:
        close_as(self.page, team, login)


@pytest.mark.parametrize("name", ["billing-state-mismatch", "permission-leak"])
def test_the_other_scenarios_play_to_their_debrief_in_the_page(
    page: Page, name: str, screenshots: Path
) -> None:
    drill = Drill(bundled()[name], frozen=True, start=START)
    drill.start()
    try:
        team = Team(drill)
        play_to_the_gate(team, PageHands(page))
        assert team.said["error reply"] is not None
        assert team.said["reply after the fix"] is None
        assert team.said["state after the early close"] == "open"
        assert drill.ended_by == "gate", drill.log
        page.goto(drill.sandbox.base_url + "/_drill/debrief")
        expect(page.locator("#debrief")).to_contain_text(f"Drill debrief: {drill.scenario.title}")
        expect(page.locator("#debrief")).to_contain_text("The gate is met")
        page.screenshot(path=str(screenshots / f"drill-{name}-debrief.png"), full_page=True)
    finally:
        drill.stop()
