"""Charts drawn on the server as accessible SVG, each with its figures as a table.

A chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>` (a
sentence saying what it shows and its extremes), so a screen reader announces one image
with a text alternative; the figures themselves stand in a table beside it
(`ui/charts.html`), which is also what the page offers to download.

Hand-written because the charting library at hand (pygal) does not fit the pages: it
styles its SVG with an embedded `<style>` element and loads its tooltips' script from
another host, both refused by the tool's Content-Security-Policy (`style-src 'self'`,
`script-src 'self'`), and sets no role or accessible name on the image. Here the drawing
uses presentation attributes only. Series differ by colour and by a second cue (dash
pattern of a line; a group's bars stand in the legend's order), in colours of at least
3:1 contrast on white (WCAG 1.4.11); the table says every value in words and numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

from markupsafe import Markup

# Dark enough against white for non-text contrast (3:1 and more), told apart by hue.
COLOURS = ("#0b3f8c", "#b3261e", "#1b6e3a", "#7a4b00", "#5b2a86", "#00626b")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
WIDTH, HEIGHT = 720, 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 16, 72
_MAX_X_LABELS = 12


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float]


@dataclass(frozen=True)
class Chart:
    """What a chart shows: categories along the x axis, one value per series each."""

    id: str  # unique on the page; the element ids derive from it
    kind: Literal["line", "bar"]
    title: str
    description: str  # the text alternative: what it shows, in a sentence or two
    category_heading: str  # the table's first column, e.g. "Monat"
    categories: Sequence[str]
    series: Sequence[Series]
    unit: str = ""  # the y axis' caption, e.g. "Betten"

    @property
    def headings(self) -> list[str]:
        return [self.category_heading, *(s.name for s in self.series)]

    @property
    def table_headings(self) -> list[str | tuple[str, str]]:
        """The table's headings as `ui/tables.html` takes them: the values right-aligned."""
        return [self.category_heading, *((s.name, "numeric") for s in self.series)]

    @property
    def rows(self) -> list[list[str | int | float]]:
        return [
            [category, *(s.values[i] for s in self.series)]
            for i, category in enumerate(self.categories)
        ]

    def svg(self) -> Markup:
        return Markup(_svg(self))  # noqa: S704 - every text in it is escaped in _svg


def nice_maximum(value: float) -> tuple[float, float]:
    """The axis' top and its step: a round number at or above `value`, in 4 to 5 steps."""
    if value <= 0:
        return 4.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step < 1:
        step = 1.0
    return step * math.ceil(value / step), step


def _svg(chart: Chart) -> str:
    top, step = nice_maximum(max((v for s in chart.series for v in s.values), default=0))
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    count = max(len(chart.categories), 1)
    band = plot_w / count

    def y(value: float) -> float:
        return _TOP + plot_h - (value / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{chart.id}-title {chart.id}-desc" '
        f'id="{chart.id}" focusable="false">',
        f'<title id="{chart.id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart.id}-desc">{escape(chart.description)}</desc>',
    ]
    ticks = round(top / step)
    for i in range(ticks + 1):
        value = step * i
        at = y(value)
        parts.append(
            f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{at:.1f}" y2="{at:.1f}" '
            f'stroke="{"#6c7086" if i == 0 else "#d4d6de"}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 6}" y="{at + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#171a2b">{_number(value)}</text>'
        )
    if chart.unit:
        parts.append(
            f'<text x="12" y="{_TOP + plot_h / 2:.1f}" font-size="12" fill="#171a2b" '
            f'text-anchor="middle" transform="rotate(-90 12 {_TOP + plot_h / 2:.1f})">'
            f"{escape(chart.unit)}</text>"
        )
    every = max(1, math.ceil(count / _MAX_X_LABELS))
    for i, category in enumerate(chart.categories):
        if i % every == 0:
            x = _LEFT + band * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{_TOP + plot_h + 18}" text-anchor="middle" '
                f'font-size="12" fill="#171a2b">{escape(category)}</text>'
            )
    parts.extend(_bars(chart, band, y) if chart.kind == "bar" else _lines(chart, band, y))
    parts.extend(_legend(chart))
    parts.append("</svg>")
    return "".join(parts)


def _bars(chart: Chart, band: float, y: Callable[[float], float]) -> list[str]:
    groups = max(len(chart.series), 1)
    inner = band * 0.8 / groups
    base = y(0)
    out = []
    for n, series in enumerate(chart.series):
        colour = COLOURS[n % len(COLOURS)]
        for i, value in enumerate(series.values):
            x = _LEFT + band * i + band * 0.1 + inner * n
            top = y(value)
            out.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{max(inner - 1, 1):.1f}" '
                f'height="{max(base - top, 0):.1f}" fill="{colour}"/>'
            )
    return out


def _lines(chart: Chart, band: float, y: Callable[[float], float]) -> list[str]:
    out = []
    for n, series in enumerate(chart.series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        points = " ".join(
            f"{_LEFT + band * (i + 0.5):.1f},{y(value):.1f}"
            for i, value in enumerate(series.values)
        )
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dashed}/>"
        )
        for i, value in enumerate(series.values):
            out.append(
                f'<circle cx="{_LEFT + band * (i + 0.5):.1f}" cy="{y(value):.1f}" r="3" '
                f'fill="{colour}"/>'
            )
    return out


def _legend(chart: Chart) -> list[str]:
    out = []
    x, row = _LEFT, HEIGHT - 24
    for n, series in enumerate(chart.series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        if chart.kind == "bar":
            out.append(f'<rect x="{x}" y="{row - 9}" width="14" height="10" fill="{colour}"/>')
        else:
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{x}" x2="{x + 18}" y1="{row - 4}" y2="{row - 4}" stroke="{colour}" '
                f'stroke-width="2.5"{dashed}/>'
            )
        out.append(
            f'<text x="{x + 22}" y="{row}" font-size="12" fill="#171a2b">'
            f"{escape(series.name)}</text>"
        )
        x += 32 + 7 * len(series.name)
        if x > WIDTH - 120:
            x, row = _LEFT, row + 16
    return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")
