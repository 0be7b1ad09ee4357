"""The drill bar's and page's views (``sandbox.web.drill_pages``): clock, speed, links."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.sandbox import Sandbox
from warroom.sandbox.web import WebView, drill_pages


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("T+12:30", 750, id="drill-time"),
        pytest.param("60:00", 3600, id="limit"),
        pytest.param("T+00:00", 0, id="start"),
        pytest.param("T+75:05", 4505, id="past-the-hour-as-minutes"),
        pytest.param("1:02:03", 3723, id="hours"),
        pytest.param(" T+1:05 ", 65, id="spaces"),
        pytest.param("T+12", None, id="no-seconds"),
        pytest.param("T+1:2:3:4", None, id="four-parts"),
        pytest.param("T+-1:00", None, id="negative"),
        pytest.param("T+1:0x", None, id="hex"),
        pytest.param("T+١:٠٠", None, id="non-ascii-digits"),
        pytest.param("T+1234567:00", None, id="too-long"),
        pytest.param("", None, id="empty"),
        pytest.param(750, None, id="not-text"),
        pytest.param(None, None, id="none"),
    ],
)
def test_clock_seconds(text: object, seconds: int | None) -> None:
    assert drill_pages.clock_seconds(text) == seconds


@given(st.integers(min_value=0, max_value=10 * 3600))
def test_the_clock_reads_back_what_it_writes(seconds: int) -> None:
    assert drill_pages.clock_seconds("T+" + drill_pages.clock_text(seconds)) == seconds


@given(st.text(max_size=30))
def test_any_text_is_a_drill_time_or_none(text: str) -> None:
    seconds = drill_pages.clock_seconds(text)
    assert seconds is None or seconds >= 0


@pytest.mark.parametrize(
    ("speed", "text"),
    [
        pytest.param(10.0, "10×", id="whole"),
        pytest.param(2.5, "2.5×", id="half"),
        pytest.param(1, "1×", id="real-time"),
        pytest.param(0.25, "0.25×", id="slower"),
        pytest.param(0.0, "frozen", id="frozen"),
    ],
)
def test_speed_text(speed: float, text: str) -> None:
    assert drill_pages.speed_text(speed) == text


@pytest.mark.parametrize(
    ("banner", "expected"),
    [
        pytest.param(
            {
                "scenario": "Auth",
                "elapsed": "T+12:30",
                "limit": "60:00",
                "speed": 10.0,
                "state": "running",
                "ended_by": None,
            },
            {
                "elapsed": 750,
                "elapsed_text": "T+12:30",
                "limit": 3600,
                "speed_text": "10×",
                "state": "running",
                "outcome": "",
                "progress": "20.8",
                "over": False,
            },
            id="running",
        ),
        pytest.param(
            {
                "scenario": "Auth",
                "elapsed": "T+48:10",
                "limit": "60:00",
                "speed": 10,
                "state": "ended",
                "ended_by": "gate",
            },
            {"state": "ended", "ended_by": "gate", "outcome": "gate met"},
            id="gate-met",
        ),
        pytest.param(
            {
                "scenario": "Auth",
                "elapsed": "T+60:00",
                "limit": "60:00",
                "speed": 10,
                "state": "ended",
                "ended_by": "time",
            },
            {"outcome": "time out", "progress": "100.0"},
            id="time-out",
        ),
        pytest.param(
            {
                "scenario": "Auth",
                "elapsed": "T+9:00",
                "elapsed_seconds": 541.7,
                "limit": "60:00",
                "speed": 10,
                "state": "running",
                "ended_by": None,
            },
            {"elapsed": 541, "elapsed_text": "T+09:01"},
            id="elapsed-seconds-given",
        ),
        pytest.param(
            {
                "scenario": "Auth",
                "elapsed": "soon",
                "limit": "an hour",
                "speed": "fast",
                "state": "paused",
                "ended_by": "gate",
            },
            {
                "elapsed": None,
                "elapsed_text": "soon",
                "limit": None,
                "limit_text": "an hour",
                "speed": 0.0,
                "speed_text": "frozen",
                "state": "running",
                "ended_by": None,
                "progress": "0.0",
            },
            id="unreadable-shown-as-given-not-ticking",
        ),
        pytest.param(
            {"elapsed": "T+70:00", "limit": "60:00", "speed": 10, "state": "running"},
            {"scenario": "drill", "elapsed_text": "T+70:00", "progress": "100.0", "over": True},
            id="past-the-timeline-and-no-title",
        ),
        pytest.param(
            {"elapsed": "T+05:00", "elapsed_seconds": 300, "limit": "60:00", "speed": 0.0},
            {"speed": 0.0, "speed_text": "frozen", "elapsed": 300},
            id="frozen-clock",
        ),
        pytest.param(
            {"elapsed": "T+05:00", "speed": float("nan")},
            {"speed": 0.0, "limit": None, "limit_text": "", "over": False},
            id="nan-speed-and-no-limit",
        ),
        pytest.param(
            {"elapsed": "T+05:00", "speed": -10},
            {"speed": 0.0},
            id="negative-speed",
        ),
    ],
)
def test_bar(banner: dict[str, Any], expected: dict[str, Any]) -> None:
    shown = drill_pages.bar(banner)
    assert {key: shown[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        pytest.param("/acme/service/issues/2", True, id="own-path"),
        pytest.param("http://127.0.0.1:8080/acme/service/issues/2", True, id="http"),
        pytest.param("https://example.test/x", True, id="https"),
        pytest.param("//evil.test/x", False, id="protocol-relative"),
        pytest.param("javascript:alert(1)", False, id="javascript"),
        pytest.param(" JavaScript:alert(1)", False, id="javascript-mixed-case"),
        pytest.param("data:text/html,x", False, id="data"),
        pytest.param("http:///nohost", False, id="no-host"),
        pytest.param("issues/2", False, id="relative"),
        pytest.param("", False, id="empty"),
        pytest.param(None, False, id="none"),
    ],
)
def test_safe_href(url: object, safe: bool) -> None:
    assert (drill_pages.safe_href(url) is not None) == safe


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("/acme/service/issues/2", "/acme/service/issues/2?as=mara", id="plain"),
        pytest.param("/new?template=incident.yml", "/new?template=incident.yml&as=mara", id="q"),
        pytest.param("/issues/2#end", "/issues/2?as=mara#end", id="fragment-last"),
    ],
)
def test_acting_as(url: str, expected: str) -> None:
    assert drill_pages.acting_as(url, "mara") == expected


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        pytest.param("failing-endpoints", "failing-endpoints", id="argument"),
        pytest.param("/drill run failing-endpoints", "failing-endpoints", id="whole-command"),
        pytest.param(" /Drill run  deploy-history ", "deploy-history", id="spaces-and-case"),
    ],
)
def test_commands_are_shown_once_prefixed(command: str, shown: str) -> None:
    view = drill_pages.page({"commands": [{"command": command, "reveals": "x"}]}, "/form")
    assert view["commands"] == [{"command": shown, "reveals": "x"}]


def test_page_links_team_to_the_form_then_to_the_incident() -> None:
    panel = {"team": [{"login": "mara", "role": "commander", "level": "write"}], "incident": None}
    before = drill_pages.page(panel, "/form?template=incident.yml")
    assert before["team"][0]["href"] == "/form?template=incident.yml&as=mara"
    after = drill_pages.page({**panel, "incident": "/acme/service/issues/2"}, "/form")
    assert after["team"][0]["href"] == "/acme/service/issues/2?as=mara"
    assert after["incident"] == "/acme/service/issues/2"


class BrokenPanel:
    """A drill whose every answer fails (a bug in the runner)."""

    def banner(self) -> dict[str, Any]:
        raise RuntimeError("the drill broke")

    def page(self) -> dict[str, Any]:
        raise RuntimeError("the drill broke")

    def debrief_json(self) -> str | None:
        raise RuntimeError("the drill broke")


def test_a_failing_drill_clock_leaves_the_pages_readable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sb = Sandbox(now=datetime(2026, 11, 28, 14, 0, tzinfo=UTC), frozen=True)
    sb.seed_issues(1, title="the incident")
    sb.drill_panel = BrokenPanel()
    try:
        reply = WebView(sb).handle("GET", "/acme/service/issues/1", {}, {}, b"")
    finally:
        sb.stop()
    page = reply.body.decode()
    assert reply.status == 200
    assert "the incident" in page
    assert '<span id="drill-scenario">drill clock unavailable</span>' in page
    assert 'data-state="ended"' in page
    assert "the drill's banner failed" in caplog.text
