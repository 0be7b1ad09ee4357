"""The HTML report, opened in a real headless Chromium: its charts are there and drawn.

The page is built from incidents over three months (one month empty), written
to a file and opened from disk with the network unused, as someone would open
the artefact a workflow uploaded. The test keeps a screenshot of the whole page
(``.artifacts/screenshots/report.png``), checks every chart's SVG has bars with
real boxes, and decodes each chart's own screenshot (zlib, no imaging library)
to find the bars' colour painted there: a chart that did not draw is blank.
"""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.support import node_file
from tests.unit.fake_github import START
from tests.unit.incident_support import incident_from
from warroom import story
from warroom.config import Config
from warroom.report import metrics
from warroom.report.charts import COLOURS
from warroom.report.reading import Blocked, Reported
from warroom.report.to_html import render_html
from warroom.report.to_markdown import render_markdown


def _report() -> metrics.Report:
    """Incidents in three months of four (the second empty), some closed, one blocked once."""
    reported: list[Reported] = []
    for number, (days, severity, closed) in enumerate(
        [(0, "SEV-1", 90), (2, "SEV-2", 400), (61, "SEV-1", 45), (65, "SEV-3", None)], start=1
    ):
        created = START + timedelta(days=days)
        posts = [
            (story.COMMANDER, 5, story.snapshot(created, next_in=30)),
            (story.MITIGATION, 20, story.decision(created, minute=20)),
            (story.VERIFICATION, 25, story.verification(created, minute=25)),
            (story.COMMS, 28, story.stakeholder(created, next_in=120)),
        ]
        shifted = [(who, minutes + days * 24 * 60, text) for who, minutes, text in posts]
        issue: dict[str, Any] = {"number": number, "created_at": created}
        if closed is not None:
            issue |= {"state": "closed", "closed_at": created + timedelta(minutes=closed)}
        incident = incident_from(story.incident_body(severity=severity), shifted, **issue)
        blocked = (Blocked(created, ("comms timeline complete",)),) if number == 1 else ()
        reported.append(Reported(incident, blocked))
    report = metrics.build(reported, [], Config(), START + timedelta(days=66))
    assert len(report.months) == 4
    return report


def _report_page(tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(render_html(_report()), encoding="utf-8")
    return path


def _pixels(png: bytes) -> set[tuple[int, int, int]]:
    """Every RGB colour in an 8-bit RGB or RGBA PNG (what Chromium's screenshots are)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    offset, data, header = 8, b"", b""
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        body = png[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            data += body
        offset += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8
    assert colour_type in (2, 6)
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(data)
    stride = width * channels
    previous = bytearray(stride)
    found: set[tuple[int, int, int]] = set()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                guess = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + guess) & 0xFF
        found |= {(line[i], line[i + 1], line[i + 2]) for i in range(0, stride, channels)}
        previous = line
    return found


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def test_the_html_report_draws_its_charts_in_chromium(
    page: Any, tmp_path: Path, screenshots: Path
) -> None:
    path = _report_page(tmp_path)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(path.as_uri())
    page.screenshot(path=str(screenshots / "report.png"), full_page=True)
    assert requests == [path.as_uri()]  # the page loads nothing else

    assert page.title().startswith("Incident report")
    charts = page.locator("figure.chart")
    assert charts.count() == 4
    for index in range(4):
        chart = charts.nth(index)
        key = chart.get_attribute("data-chart")
        box = chart.locator("svg").bounding_box()
        assert box is not None
        assert box["width"] > 300
        assert box["height"] > 150
        bars = chart.locator("rect.bar")
        assert bars.count() >= 1, key
        for n in range(bars.count()):
            bar = bars.nth(n).bounding_box()
            assert bar is not None
            assert bar["width"] > 0, key
            assert bar["height"] >= 0, key
        # The SVG alone (not the legend): some bar's colour is painted in it.
        painted = _pixels(chart.locator("svg").screenshot())
        assert painted & {_rgb(c) for c in COLOURS}, f"the {key} chart shows no bar"

    # The tables are there too, with the numbers the report holds.
    assert page.locator("table").first.locator("tbody tr").count() == 4  # 3 severities + all
    assert "comms timeline complete" in page.locator("body").inner_text()


_RENDER = """async (charts) => {
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    const drawn = [];
    for (const [index, chart] of charts.entries()) {
        await mermaid.parse(chart);
        const { svg } = await mermaid.render(`chart${index}`, chart);
        const holder = document.createElement("div");
        holder.className = "mermaid-chart";
        holder.innerHTML = svg;
        document.body.appendChild(holder);
        drawn.push(holder.querySelectorAll("rect").length);
    }
    return drawn;
}"""


def test_the_markdown_reports_charts_are_mermaid_that_mermaid_draws(
    page: Any, screenshots: Path
) -> None:
    """GitHub draws ```mermaid blocks with Mermaid: its own parser and renderer are the oracle."""
    markdown = render_markdown(_report())
    charts = [block.split("```", 1)[0] for block in markdown.split("```mermaid\n")[1:]]
    assert len(charts) == 4
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.add_script_tag(path=str(node_file("mermaid/dist/mermaid.min.js")))
    drawn = page.evaluate(_RENDER, charts)
    assert all(rects > 0 for rects in drawn), drawn
    page.screenshot(path=str(screenshots / "report-mermaid.png"), full_page=True)
    for index in range(4):
        painted = _pixels(page.locator("div.mermaid-chart svg").nth(index).screenshot())
        assert len(painted) > 2, f"Mermaid drew chart {index} blank"
