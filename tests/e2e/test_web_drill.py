"""The drill in the web view over HTTP: the clock bar on every page, ``/_drill``, the debrief.

A stand-in panel (``tests.support.drill_panel``) plays the running drill the
runner would hand the sandbox; the pages are fetched as a browser would. Every
page carries the bar while a drill runs and none without; the drill's pages
answer 404 without a drill; the debrief is a page and JSON once the drill
ended; and whatever the panel passes on (a scenario file's or people's text)
reaches the page as text.
"""

from __future__ import annotations

import html
import http.client
import json
import re
from typing import Any

import pytest

from tests.e2e.conftest import MakeSandbox, TestSandbox
from tests.support.drill_panel import AUTH_TOKEN_FAILURE, StandInPanel
from warroom import demo, story
from warroom.sandbox.seed import OWNER, REPO

pytestmark = pytest.mark.e2e

HTML = {"Accept": "text/html,application/xhtml+xml"}
FORM = f"/{OWNER}/{REPO}/issues/new?template=incident.yml"


def fetch(
    sb: TestSandbox, path: str, method: str = "GET", accept: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=60)
    try:
        conn.request(method, path, headers=accept if accept is not None else HTML)
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read().decode()
    finally:
        conn.close()


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


def element(page: str, id_: str) -> str:
    """The text inside the element with ``id_`` (up to its first closing tag), unescaped."""
    found = re.search(rf'id="{id_}"[^>]*>(?P<text>[^<]*)<', page)
    assert found, f"no element #{id_}"
    return html.unescape(found["text"])


@pytest.fixture
def drill(make_sandbox: MakeSandbox) -> tuple[TestSandbox, StandInPanel]:
    """A sandbox with the demo's team, its signal issue opened, and a drill 12:30 in at 10x."""
    sb = make_sandbox(users=demo.TEAM)
    sb.repo().create_issue(title=AUTH_TOKEN_FAILURE["signal"]["title"], body="401s")
    panel = StandInPanel()
    sb.drill_panel = panel
    return sb, panel


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="issue-list"),
        pytest.param(f"/{OWNER}/{REPO}/issues/1", id="issue-page"),
        pytest.param("/_sandbox/runs", id="runs-page"),
        pytest.param(FORM, id="incident-form"),
        pytest.param("/_drill", id="drill-page"),
        pytest.param("/nowhere", id="error-page"),
    ],
)
def test_every_page_shows_the_drill_clock(
    drill: tuple[TestSandbox, StandInPanel], path: str
) -> None:
    sb, _ = drill
    status, headers, page = fetch(sb, path)
    assert status == (404 if path == "/nowhere" else 200)
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert element(page, "drill-scenario") == "Auth token failure after release"
    assert element(page, "drill-elapsed") == "T+12:30"
    assert element(page, "drill-limit") == "60:00"
    assert element(page, "drill-speed") == "10×"
    assert element(page, "drill-state") == "running"
    # What the browser's script ticks from: drill seconds, limit, speed, state.
    assert 'data-state="running"' in page
    assert 'data-elapsed="750"' in page
    assert 'data-limit="3600"' in page
    assert 'data-speed="10.0"' in page
    assert "/_drill" in hrefs(page)
    assert element(page, "drill-link") == "Drill"
    assert "sandbox clock" in element(page, "sandbox-clock")
    # The ticking is the page's own script, never an inline one (the policy forbids those).
    scripts = re.findall(r"<script[^>]*>", page)
    assert '<script src="/_web/web.js">' in scripts
    assert all(re.fullmatch(r'<script src="/_web/[a-z.]+">', tag) for tag in scripts), scripts


def test_without_a_drill_pages_are_as_before(make_sandbox: MakeSandbox) -> None:
    sb = make_sandbox()
    status, _, page = fetch(sb, "/")
    assert status == 200
    assert 'id="drill-bar"' not in page
    assert 'id="drill-link"' not in page
    assert "/_drill" not in hrefs(page)
    assert element(page, "sandbox-clock").startswith("sandbox clock 2024-05-01T12:00:00Z")


@pytest.mark.parametrize(
    ("by", "outcome", "css"),
    [
        pytest.param("gate", "ended · gate met", "by-gate", id="gate-met"),
        pytest.param("time", "ended · time out", "by-time", id="time-out"),
    ],
)
def test_an_ended_drill_says_how_it_ended(
    drill: tuple[TestSandbox, StandInPanel], by: str, outcome: str, css: str
) -> None:
    sb, panel = drill
    panel.end(by, at="T+48:10")
    _, _, page = fetch(sb, f"/{OWNER}/{REPO}/issues/1")
    assert element(page, "drill-state") == outcome
    assert element(page, "drill-elapsed") == "T+48:10"
    assert 'data-state="ended"' in page
    assert f'class="drill-bar ended {css}"' in page
    assert "/_drill/debrief" in hrefs(page)


def test_the_drill_page_before_the_incident_is_filed(
    drill: tuple[TestSandbox, StandInPanel],
) -> None:
    sb, _ = drill
    status, _, page = fetch(sb, "/_drill")
    assert status == 200
    assert element(page, "drill-title") == "Auth token failure after release"
    assert element(page, "drill-summary").startswith("Sudden spike in 401/403")
    # The signal links to its issue, named by number, and its body is rendered Markdown.
    assert (
        element(page, "signal-link") == "#1 [alert] auth-gateway: 401/403 rate 38% (threshold 2%)"
    )
    signal = page.split('id="drill-signal"')[1].split("</section>")[0]
    assert "<table>" in signal
    assert "<td>38.2%</td>" in signal
    # Not filed: a button to the incident form, and each team account opens it as itself.
    assert element(page, "file-incident") == "File the incident"
    assert FORM in hrefs(page)
    team = re.findall(r'class="team-link" href="([^"]*)" data-login="([^"]*)"', page)
    assert [login for _, login in team] == [p["login"] for p in AUTH_TOKEN_FAILURE["team"]]
    for href, login in team:
        assert html.unescape(href) == f"{FORM}&as={login}"
    status, _, form = fetch(sb, html.unescape(team[2][0]))
    assert status == 200
    assert f'<option value="{story.MITIGATION}" selected>' in form
    assert "incident commander" in page
    # The scripted cast, the commands and what each reveals, the log.
    cast = re.findall(r'class="cast-login">([^<]*)<', page)
    assert cast == ["monitor-bot", "priya-support", "leo-platform"]
    commands = re.findall(r"<code>/drill run ([^<]*)</code></td><td>([^<]*)</td>", page)
    assert commands == [
        ("failing-endpoints", "failing endpoint list"),
        ("deploy-history", "first bad deploy hash"),
        ("rollback-check", "rollback safety check output"),
    ]
    log = re.findall(r'<td class="drill-at">([^<]*)</td><td>([^<]*)</td>', page)
    assert log[0] == ("T+00:00", "monitoring opened the alert #1: 401/403 rate 38%")
    assert len(log) == len(AUTH_TOKEN_FAILURE["log"])
    assert 'id="debrief-pending"' in page
    assert "/_drill/debrief.json" not in hrefs(page)


def test_the_drill_page_once_the_incident_is_filed(
    drill: tuple[TestSandbox, StandInPanel],
) -> None:
    sb, panel = drill
    incident = sb.repo(story.COMMANDER).create_issue(title="[incident] 401s after release")
    panel.file(incident.html_url)
    _, _, page = fetch(sb, "/_drill")
    assert element(page, "incident-link") == "#2 [incident] 401s after release"
    assert 'id="file-incident"' not in page
    team = re.findall(r'class="team-link" href="([^"]*)" data-login="([^"]*)"', page)
    for href, login in team:
        assert html.unescape(href) == f"{incident.html_url}?as={login}"
    path = html.unescape(team[3][0]).removeprefix(sb.base_url)
    status, _, issue_page = fetch(sb, path)
    assert status == 200
    assert f'<option value="{story.VERIFICATION}" selected>' in issue_page


def test_a_panel_shaped_as_the_runner_writes_it(make_sandbox: MakeSandbox) -> None:
    """The runner names whole commands, leaves the alert's body to its issue, freezes in tests."""
    sb = make_sandbox(users=demo.TEAM)
    alert = sb.repo().create_issue(title="[alert] AUTH-401-RATE", body="401 rate: **27.5%**")
    shaped = {
        **AUTH_TOKEN_FAILURE,
        "signal": {"title": "[alert] AUTH-401-RATE", "body": "", "url": alert.html_url},
        "commands": [{"command": "/drill run deploy-history", "reveals": "first bad deploy hash"}],
    }
    sb.drill_panel = StandInPanel(shaped, elapsed="T+05:00", elapsed_seconds=300, speed=0.0)
    _, _, page = fetch(sb, "/_drill")
    assert "401 rate: <strong>27.5%</strong>" in page.split('id="drill-signal"')[1]
    assert element(page, "signal-link") == "#1 [alert] AUTH-401-RATE"
    commands = re.findall(r"<code>([^<]*)</code>", page.split('id="drill-commands"')[1])
    assert commands == ["/drill run deploy-history"]
    # A frozen clock: the bar says so and gives the script no speed to tick with.
    assert element(page, "drill-speed") == "frozen"
    assert 'data-speed="0.0"' in page
    assert 'data-elapsed="300"' in page
    assert "played at" not in page


def test_the_clock_runs_past_the_timeline(drill: tuple[TestSandbox, StandInPanel]) -> None:
    sb, _ = drill
    sb.drill_panel = StandInPanel(elapsed="T+75:00")
    _, _, page = fetch(sb, "/")
    assert element(page, "drill-elapsed") == "T+75:00"
    assert 'class="drill-bar running over"' in page
    assert element(page, "drill-over") == "past the timeline"
    assert 'style="width: 100.0%"' in page


def test_the_debrief_waits_for_the_end(drill: tuple[TestSandbox, StandInPanel]) -> None:
    sb, _ = drill
    status, _, page = fetch(sb, "/_drill/debrief")
    assert status == 200
    assert "the debrief appears when the gate is met or the time is up" in page
    assert 'id="debrief"' not in page
    status, headers, text = fetch(sb, "/_drill/debrief.json", accept={})
    assert status == 404
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(text) == {
        "message": "the debrief appears when the gate is met or the time is up"
    }


def test_the_debrief_once_ended(drill: tuple[TestSandbox, StandInPanel]) -> None:
    sb, panel = drill
    panel.end("gate", debrief={"scenario": "auth-token-failure", "gate": {"met": True}})
    status, _, page = fetch(sb, "/_drill/debrief")
    assert status == 200
    debrief = page.split('id="debrief"')[1]
    assert "<h2>Debrief: Auth token failure after release</h2>" in debrief
    assert "<th>Milestone</th>" in debrief
    assert "<td>T+14:55</td>" in debrief
    assert 'type="checkbox"' in debrief
    assert "/_drill/debrief.json" in hrefs(page)
    _, _, drill_page = fetch(sb, "/_drill")
    assert "<th>Milestone</th>" in drill_page.split('id="drill-debrief"')[1]
    assert 'id="debrief-pending"' not in drill_page
    status, headers, text = fetch(sb, "/_drill/debrief.json", accept={})
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(text) == {"scenario": "auth-token-failure", "gate": {"met": True}}


@pytest.mark.parametrize(
    "path", [pytest.param("/_drill", id="drill"), pytest.param("/_drill/debrief", id="debrief")]
)
def test_without_a_drill_its_pages_say_how_to_start_one(
    make_sandbox: MakeSandbox, path: str
) -> None:
    sb = make_sandbox()
    status, _, page = fetch(sb, path)
    assert status == 404
    assert element(page, "error") == (
        "no drill runs on this sandbox; start one with `warroom drill SCENARIO`"
    )


def test_without_a_drill_the_debrief_json_is_a_404(make_sandbox: MakeSandbox) -> None:
    sb = make_sandbox()
    status, headers, text = fetch(sb, "/_drill/debrief.json", accept={})
    assert status == 404
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert "warroom drill SCENARIO" in json.loads(text)["message"]


@pytest.mark.parametrize(
    ("method", "status"),
    [
        pytest.param("POST", 404, id="post"),
        pytest.param("PUT", 405, id="put"),
        pytest.param("DELETE", 405, id="delete"),
    ],
)
def test_the_drill_pages_are_read_only(
    drill: tuple[TestSandbox, StandInPanel], method: str, status: int
) -> None:
    sb, _ = drill
    assert fetch(sb, "/_drill", method=method)[0] == status


HOSTILE: dict[str, Any] = {
    **AUTH_TOKEN_FAILURE,
    "title": "<script>alert('title')</script>",
    "summary": "<img src=x onerror=alert(1)> summary",
    "signal": {
        "title": "<b>bold</b> alert",
        "body": "<script>alert('signal')</script> @mara-okafor look",
        "url": "javascript:alert(1)",
    },
    "team": [{"login": "mara-okafor", "role": "<i>commander</i>", "level": "write"}],
    "cast": [{"login": "<svg onload=alert(1)>", "role": "cast", "level": "read"}],
    "commands": [{"command": "x<script>", "reveals": '" onmouseover="alert(1)'}],
    "incident": "javascript:alert(2)",
    "log": [{"at": "T+01:00", "what": "@devi-raman wrote <script>alert('log')</script>"}],
}


def test_hostile_text_from_the_drill_stays_text(make_sandbox: MakeSandbox) -> None:
    sb = make_sandbox(users=demo.TEAM)
    panel = StandInPanel(HOSTILE)
    sb.drill_panel = panel
    panel.end("gate", markdown="<script>alert('debrief')</script>\n\n**bold** @aiko-tanaka")
    for path in ("/", "/_drill", "/_drill/debrief"):
        status, _, page = fetch(sb, path)
        assert status == 200, path
        assert "<script>alert" not in page, path
        assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", ""), path
        assert "<svg" not in page, path
        assert "javascript:" not in "".join(hrefs(page)), path
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page, path
    _, _, page = fetch(sb, "/_drill")
    # A mention in a log line is shown as written, not as a link to the person.
    assert "<td>@devi-raman wrote &lt;script&gt;alert(&#39;log&#39;)&lt;/script&gt;</td>" in page
    assert "&lt;b&gt;bold&lt;/b&gt; alert" in page
    assert "&lt;i&gt;commander&lt;/i&gt;" in page
    assert "&#34; onmouseover=&#34;alert(1)" in page
    assert 'id="signal-link"' not in page
    assert 'id="incident-link"' not in page
    assert "<strong>bold</strong> @aiko-tanaka" in page
