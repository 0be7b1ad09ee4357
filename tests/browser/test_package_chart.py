"""The closure review package's Mermaid chart, rendered by Mermaid in a real Chromium.

GitHub renders a ```` ```mermaid ```` block with Mermaid; a chart Mermaid cannot
parse shows as an error box instead of the timeline. So the charts of the
golden packages (the scripted demo's, a met gate's, an open incident's) are
parsed and drawn here by the npm ``mermaid`` package, offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MERMAID = ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
GOLDEN = ROOT / "tests" / "fixtures" / "bot"

pytestmark = pytest.mark.npm


def _chart(name: str) -> str:
    text = (GOLDEN / name).read_text(encoding="utf-8")
    return text.split("```mermaid\n", 1)[1].split("\n```\n", 1)[0]


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        pytest.param(
            "package-demo.md",
            ["detection", "containment", "recovery", "rollback", "closed with the gate met"],
            id="demo",
        ),
        pytest.param("package-met.md", ["detection", "rollback"], id="met"),
        pytest.param("package-open.md", ["detection"], id="open"),
    ],
)
def test_the_package_chart_renders(
    page: Any, screenshots: Path, name: str, labels: list[str]
) -> None:
    if not MERMAID.is_file():
        pytest.fail("node_modules/mermaid is missing: run `make node_modules/.installed`")
    page.set_content("<!doctype html><html><body><div id='chart'></div></body></html>")
    page.add_script_tag(path=str(MERMAID))
    svg = page.evaluate(
        """async (text) => {
            mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
            await mermaid.parse(text);
            const {svg} = await mermaid.render("package", text);
            document.getElementById("chart").innerHTML = svg;
            return svg;
        }""",
        _chart(name),
    )
    assert "Syntax error" not in svg
    texts = page.evaluate(
        "() => Array.from(document.querySelectorAll('#chart svg text'), t => t.textContent.trim())"
    )
    for label in labels:
        assert label in texts, " | ".join(str(t) for t in texts)
    page.screenshot(path=str(screenshots / f"package-chart-{name.removesuffix('.md')}.png"))
