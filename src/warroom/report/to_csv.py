"""The report as CSV: one line per row of the flat table, the same numbers as the JSON.

``blocked_by`` is one cell, ``condition (count)`` joined by ``; ``. A cell a
spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-`` or
``@``) is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from warroom.report.metrics import Report
from warroom.report.table import COLUMNS, flat

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = "; ".join(f"{k} ({n})" for k, n in value.items())
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.rows:
        values = flat(row)
        writer.writerow([_cell(values[c]) for c in COLUMNS])
    return buffer.getvalue()
