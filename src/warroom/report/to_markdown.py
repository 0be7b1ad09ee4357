"""The report as Markdown with Mermaid charts, for the step summary, an issue or a wiki.

Rendered from ``templates/report/report.md.j2`` in warroom's sandboxed, strict
Jinja2 environment. Every table cell passes through ``markers.quote``, so a
reason read from a comment cannot ping, link or break the table.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from warroom.markers import quote
from warroom.render import render
from warroom.report.charts import ChartData, mermaid_values, series
from warroom.report.metrics import ALL, MEASURES, Report, Row
from warroom.report.table import HEADERS, cells


def scope(report: Report) -> str:
    """Which incidents the report covers, in words."""
    if report.since is not None:
        return f"incidents opened since {report.since.isoformat()}"
    return "every incident"


def tables(report: Report) -> list[tuple[str, list[Row]]]:
    """The three tables every human format shows, with the rows each holds."""
    rows = report.rows
    return [
        ("By severity", [r for r in rows if r.month == ALL]),
        ("By month", [r for r in rows if r.severity == ALL and r.month != ALL]),
        ("By severity and month", [r for r in rows if ALL not in (r.severity, r.month)]),
    ]


def _chart(chart: ChartData) -> dict[str, Any]:
    kinds = ("bar", "line")
    names = [s.name for s in chart.series]
    return {
        "title": chart.title,
        "unit": chart.unit,
        "months": ", ".join(f'"{m}"' for m in chart.months),
        "top": f"{chart.top:g}",
        "legend": ""
        if len(names) == 1
        else "; ".join(f"{kinds[i % 2]}: {name}" for i, name in enumerate(names)),
        "lines": [(kinds[i % 2], mermaid_values(s.values)) for i, s in enumerate(chart.series)],
    }


def render_markdown(report: Report) -> str:
    overall = report.row(ALL, ALL)
    context = {
        "generated": report.generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "scope": scope(report),
        "total": overall.incidents if overall else 0,
        "charts": [_chart(c) for c in series(report)],
        "headers": list(HEADERS),
        "tables": [
            {"title": title, "rows": [[quote(c) for c in cells(r)] for r in rows]}
            for title, rows in tables(report)
        ],
        "blocked": [(quote(reason), n) for reason, n in (overall.blocked_by if overall else ())],
        "measures": [{"title": m.title, "source": m.source} for m in MEASURES],
    }
    return render("report/report.md.j2", context)
