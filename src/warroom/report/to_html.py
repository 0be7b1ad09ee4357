"""The report as one self-contained HTML page: tables and charts, readable offline.

The charts are inline SVG drawn from ``charts.layout``; the page loads
nothing (no script, no stylesheet, no font, no image: its Content-Security-
Policy says so too). Rendered from ``templates/report/report.html.j2`` in a
sandboxed, strict Jinja2 environment of its own that escapes every value for
HTML (warroom's Markdown environment must not, see ``warroom.render``).
"""

from __future__ import annotations

import functools
from datetime import UTC

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from warroom.render import templates_root
from warroom.report.charts import layout, series
from warroom.report.metrics import ALL, MEASURES, Report
from warroom.report.table import HEADERS, cells
from warroom.report.to_markdown import scope, tables


@functools.lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(templates_root()),
        undefined=StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report) -> str:
    overall = report.row(ALL, ALL)
    context = {
        "generated": report.generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "scope": scope(report),
        "total": overall.incidents if overall else 0,
        "charts": [layout(c) for c in series(report)],
        "headers": list(HEADERS),
        "tables": [
            {"title": title, "rows": [cells(r) for r in rows]} for title, rows in tables(report)
        ],
        "blocked": list(overall.blocked_by if overall else ()),
        "measures": [{"title": m.title, "source": m.source} for m in MEASURES],
    }
    return _environment().get_template("report/report.html.j2").render(**context)
