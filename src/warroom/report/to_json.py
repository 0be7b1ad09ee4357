"""The report as JSON: the flat table's rows, with the measures' definitions beside them."""

from __future__ import annotations

import json

from warroom.report.metrics import MEASURES, Report
from warroom.report.table import COLUMNS, flat


def render_json(report: Report) -> str:
    """Stable keys in ``COLUMNS`` order; times in UTC ISO 8601."""
    document = {
        "generated_at": report.generated_at.isoformat(),
        "since": report.since.isoformat() if report.since else None,
        "months": list(report.months),
        "severities": list(report.severities),
        "columns": list(COLUMNS),
        "measures": [{"key": m.key, "title": m.title, "source": m.source} for m in MEASURES],
        "rows": [flat(row) for row in report.rows],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
