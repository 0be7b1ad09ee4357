"""The drill in a real Chromium: the clock bar ticks, the drill page and the debrief render.

A stand-in panel (``tests.support.drill_panel``) plays the running drill the
runner would hand the sandbox. The bar's clock is advanced by the page's own
script (no inline script, no polling), so the test reads it twice over a
second and a half of real time and sees drill time move at the drill's speed.
Screenshots of the drill page, the incident under the drill bar and the
debrief (``drill.png``, ``drill-incident.png``, ``drill-debrief.png``) are
kept: they are what a team sees during a drill.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from github import Auth, Github
from playwright.sync_api import Page, expect

from tests.support.drill_panel import AUTH_TOKEN_FAILURE, StandInPanel
from warroom import demo, story
from warroom.sandbox import Sandbox
from warroom.sandbox.web import drill_pages

INCIDENT_TITLE = "[incident] 401/403 spike on auth-gateway after release 2026.11.28-2"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """A local GitHub with the demo's team and the drill's alert issue (#1) opened."""
    with Sandbox(users=demo.TEAM, now=demo.START, frozen=True) as sb:
        repo = github(sb, story.COMMANDER).get_repo(sb.repo_full_name)
        repo.create_issue(
            title=AUTH_TOKEN_FAILURE["signal"]["title"], body=AUTH_TOKEN_FAILURE["signal"]["body"]
        )
        yield sb


@pytest.fixture
def panel(sandbox: Sandbox) -> Iterator[StandInPanel]:
    """A drill 12:30 into its 60 minutes at 10x, on the sandbox for one test."""
    running = StandInPanel()
    sandbox.drill_panel = running
    yield running
    sandbox.drill_panel = None


def github(sb: Sandbox, login: str) -> Github:
    return Github(base_url=sb.api_url, auth=Auth.Token(sb.tokens[login]), retry=None)


def drill_seconds(page: Page) -> int:
    text = page.locator("#drill-elapsed").inner_text()
    seconds = drill_pages.clock_seconds(text)
    assert seconds is not None, text
    return seconds


def progress(page: Page) -> float:
    width = page.locator("#drill-progress").evaluate("element => element.style.width")
    return float(str(width).removesuffix("%"))


def incident(sb: Sandbox) -> str:
    """The incident's URL, filed once per module as the commander."""
    repo = github(sb, story.COMMANDER).get_repo(sb.repo_full_name)
    for issue in repo.get_issues(state="all"):
        if issue.title == INCIDENT_TITLE:
            return str(issue.html_url)
    return str(repo.create_issue(title=INCIDENT_TITLE, body="Filed from the drill.").html_url)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="issue-list"),
        pytest.param("/acme/service/issues/1", id="issue-page"),
        pytest.param("/_sandbox/runs", id="runs-page"),
    ],
)
def test_the_drill_clock_ticks_on_every_page(
    page: Page, sandbox: Sandbox, panel: StandInPanel, path: str
) -> None:
    started = time.monotonic()
    page.goto(sandbox.base_url + path)
    expect(page.locator("#drill-scenario")).to_have_text("Auth token failure after release")
    expect(page.locator("#drill-speed")).to_have_text("10×")
    expect(page.locator("#drill-state")).to_have_text("running")
    expect(page.locator("#drill-limit")).to_have_text("60:00")
    first, first_progress = drill_seconds(page), progress(page)
    page.wait_for_timeout(1500)
    second, second_progress = drill_seconds(page), progress(page)
    real = time.monotonic() - started
    # At 10x, 1.5 s of real time is 15 s of drill time: at least one tick of 10 s shows,
    # and never more than the real time that passed allows.
    assert first >= 750
    assert 10 <= second - first <= 10 * real + 1, (first, second, real)
    assert second_progress > first_progress


def test_an_ended_drill_stands_still(page: Page, sandbox: Sandbox, panel: StandInPanel) -> None:
    panel.end("time", at="T+60:00")
    page.goto(sandbox.base_url + "/")
    expect(page.locator("#drill-state")).to_have_text("ended · time out")
    first = page.locator("#drill-elapsed").inner_text()
    page.wait_for_timeout(1200)
    assert page.locator("#drill-elapsed").inner_text() == first == "T+60:00"
    expect(page.locator("#drill-note")).to_have_text("Read the debrief")


def test_the_clock_runs_on_past_the_timeline(
    page: Page, sandbox: Sandbox, panel: StandInPanel
) -> None:
    # The timeline is 60 minutes; the drill itself ends later, at its own time limit.
    sandbox.drill_panel = StandInPanel(elapsed="T+59:58", speed=10.0)
    answer = page.goto(sandbox.base_url + "/")
    assert answer is not None
    assert 'class="drill-bar running"' in answer.text()
    expect(page.locator("#drill-over")).to_be_visible()
    assert drill_seconds(page) >= 3600
    assert progress(page) == 100.0
    expect(page.locator("#drill-bar")).to_have_class(re.compile(r"\bover\b"))


def test_a_frozen_drill_clock_does_not_tick(page: Page, sandbox: Sandbox) -> None:
    sandbox.drill_panel = StandInPanel(elapsed="T+05:00", elapsed_seconds=300, speed=0.0)
    try:
        page.goto(sandbox.base_url + "/")
        expect(page.locator("#drill-speed")).to_have_text("frozen")
        page.wait_for_timeout(1200)
        expect(page.locator("#drill-elapsed")).to_have_text("T+05:00")
    finally:
        sandbox.drill_panel = None


def test_the_drill_page_files_the_incident_as_a_team_member(
    page: Page, sandbox: Sandbox, panel: StandInPanel
) -> None:
    page.goto(sandbox.base_url + "/")
    page.click("#drill-link")
    expect(page.locator("#drill-title")).to_have_text("Auth token failure after release")
    expect(page.locator("#drill-signal table")).to_have_count(1)
    page.click(f"#drill-team a[data-login='{story.MITIGATION}']")
    expect(page).to_have_url(
        f"{sandbox.base_url}/acme/service/issues/new?template=incident.yml&as={story.MITIGATION}"
    )
    expect(page.locator("select[name=as]").first).to_have_value(story.MITIGATION)
    page.go_back()
    page.click("#file-incident")
    expect(page).to_have_url(f"{sandbox.base_url}/acme/service/issues/new?template=incident.yml")
    expect(page.locator("h1.title")).to_have_text("Incident")


def test_the_drill_page(
    page: Page, sandbox: Sandbox, panel: StandInPanel, screenshots: Path
) -> None:
    url = incident(sandbox)
    panel.file(url)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(sandbox.base_url + "/_drill")
    expect(page.locator("#incident-link")).to_contain_text(INCIDENT_TITLE)
    expect(page.locator("#drill-team .team-link")).to_have_count(5)
    expect(page.locator("#drill-cast .cast-login")).to_have_count(3)
    expect(page.locator("#drill-commands code")).to_have_text(
        ["/drill run failing-endpoints", "/drill run deploy-history", "/drill run rollback-check"]
    )
    expect(page.locator(".drill-log-entry")).to_have_count(4)
    expect(page.locator("#debrief-pending")).to_be_visible()
    page.screenshot(path=str(screenshots / "drill.png"), full_page=True)
    page.click(f"#drill-team a[data-login='{story.VERIFICATION}']")
    expect(page).to_have_url(f"{url}?as={story.VERIFICATION}")
    expect(page.locator("#issue-title")).to_have_text(INCIDENT_TITLE)
    expect(page.locator("#comment-as")).to_have_value(story.VERIFICATION)
    expect(page.locator("#drill-bar")).to_be_visible()
    page.screenshot(path=str(screenshots / "drill-incident.png"))


def test_the_debrief_page(
    page: Page, sandbox: Sandbox, panel: StandInPanel, screenshots: Path
) -> None:
    panel.file(incident(sandbox))
    panel.end("gate", at="T+48:10")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(sandbox.base_url + "/_drill")
    expect(page.locator("#drill-state")).to_have_text("ended · gate met")
    expect(page.locator("#drill-debrief table")).to_have_count(2)
    page.click("#drill-note a")
    expect(page).to_have_url(sandbox.base_url + "/_drill/debrief")
    tables = page.locator("#debrief table")
    expect(tables).to_have_count(2)
    expect(tables.first.locator("th")).to_have_text(["Milestone", "Drill time", "Timeline", "Kept"])
    expect(tables.first.locator("tr")).to_have_count(5)
    expect(page.locator("#debrief input[type=checkbox]")).to_have_count(3)
    page.screenshot(path=str(screenshots / "drill-debrief.png"), full_page=True)
    answer = page.request.get(sandbox.base_url + "/_drill/debrief.json")
    assert answer.status == 200
    assert answer.json() == {"scenario": "auth-token-failure", "ended_by": "gate"}
