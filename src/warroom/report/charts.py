"""The report's charts as data: what each shows per month, and bars laid out for SVG.

Both formats chart the same series (``series``): Markdown hands them to
Mermaid's ``xychart-beta``, HTML draws them itself as inline SVG from the
geometry ``layout`` computes, so the page needs no script and no network.
Pure: numbers in, numbers out; the templates only print them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from warroom.report.metrics import ALL, Report, Row

WIDTH = 600
HEIGHT = 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 12, 16, 40
COLOURS = ("#1f6feb", "#d29922", "#2da44e", "#cf222e")


@dataclass(frozen=True)
class Series:
    """One named line of values, one per month (``None``: nothing to show that month)."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartData:
    """A chart: its title, the unit of its axis, the months and one or more series."""

    key: str
    title: str
    unit: str
    months: tuple[str, ...]
    series: tuple[Series, ...]

    @property
    def top(self) -> float:
        """The axis' top: the largest value rounded up to a readable step (at least 1)."""
        largest = max((v for s in self.series for v in s.values if v is not None), default=0.0)
        return nice_ceiling(largest)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str
    """What the bar says as a tooltip: series, month and value."""


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Layout:
    """A chart as SVG needs it: every bar's box, the y-axis ticks and the month labels."""

    chart: ChartData
    width: int
    height: int
    plot: tuple[float, float, float, float]
    """(left, top, right, bottom) of the plotting area."""
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[Label, ...]
    legend: tuple[tuple[str, str], ...]
    """(colour, series name) when there is more than one series."""


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= ``value`` (1 at least)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover -- the loop ends at 10 * power >= value


def _monthly(report: Report, pick: Callable[[Row], float | None]) -> tuple[float | None, ...]:
    rows = [report.row(ALL, month) for month in report.months]
    return tuple(pick(row) if row is not None else None for row in rows)


def _hours(minutes: float | None) -> float | None:
    return round(minutes / 60, 1) if minutes is not None else None


def _percent(ratio: float | None) -> float | None:
    return round(100 * ratio) if ratio is not None else None


def series(report: Report) -> tuple[ChartData, ...]:
    """The charts every format shows, each month from the report's first to its last."""
    months = report.months
    return (
        ChartData(
            "incidents",
            "Incidents per month",
            "incidents",
            months,
            (Series("incidents", _monthly(report, lambda r: float(r.incidents))),),
        ),
        ChartData(
            "closure",
            "Time to closure per month (hours)",
            "hours",
            months,
            (
                Series("median", _monthly(report, lambda r: _hours(r.time_to_closure.median))),
                Series("p90", _monthly(report, lambda r: _hours(r.time_to_closure.p90))),
            ),
        ),
        ChartData(
            "punctuality",
            "Punctuality per month (% on time)",
            "%",
            months,
            (
                Series("checkpoints", _monthly(report, lambda r: _percent(r.checkpoints.ratio))),
                Series("updates", _monthly(report, lambda r: _percent(r.updates.ratio))),
            ),
        ),
        ChartData(
            "blocked",
            "Closures blocked by the gate per month",
            "closures",
            months,
            (Series("blocked", _monthly(report, lambda r: float(r.closures_blocked))),),
        ),
    )


def _number(value: float) -> str:
    return f"{value:g}"


def layout(chart: ChartData, width: int = WIDTH, height: int = HEIGHT) -> Layout:
    """Grouped bars, one group per month, one bar per series; missing values draw nothing,
    zeros a hairline."""
    left, top, right, bottom = _LEFT, _TOP, width - _RIGHT, height - _BOTTOM
    span = chart.top
    months = chart.months or ("",)
    group = (right - left) / len(months)
    inner = group * 0.8
    bar_width = inner / max(1, len(chart.series))
    bars: list[Bar] = []
    for index, month in enumerate(months):
        start = left + index * group + (group - inner) / 2
        for number, line in enumerate(chart.series):
            value = line.values[index] if index < len(line.values) else None
            if value is None:
                continue
            # A zero is a hairline, so it reads as "none" rather than "no number".
            tall = max((bottom - top) * value / span, 1.0)
            bars.append(
                Bar(
                    x=round(start + number * bar_width, 2),
                    y=round(bottom - tall, 2),
                    width=round(max(bar_width - 2, 1), 2),
                    height=round(tall, 2),
                    colour=COLOURS[number % len(COLOURS)],
                    title=f"{line.name}, {month}: {_number(value)} {chart.unit}",
                )
            )
    ticks = tuple(
        Tick(round(bottom - (bottom - top) * k / 4, 2), _number(span * k / 4)) for k in range(5)
    )
    labels = tuple(
        Label(round(left + (i + 0.5) * group, 2), month) for i, month in enumerate(chart.months)
    )
    legend = (
        tuple((COLOURS[i % len(COLOURS)], s.name) for i, s in enumerate(chart.series))
        if len(chart.series) > 1
        else ()
    )
    plot = (float(left), float(top), float(right), float(bottom))
    return Layout(chart, width, height, plot, tuple(bars), ticks, labels, legend)


def mermaid_values(values: Sequence[float | None]) -> str:
    """Mermaid takes numbers only: a month without a value is drawn as 0."""
    return "[" + ", ".join(_number(v) if v is not None else "0" for v in values) + "]"
