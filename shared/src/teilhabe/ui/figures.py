"""Figures pages (Kennzahlen): charts with their tables, or one table, each downloadable
as CSV and Excel from the page's own address.

`figures_page` answers a page of several charts: with a download format and
`tabelle=<key>` asked, that chart's table as a file (or the table the page gives for
that key instead, e.g. with more columns than the chart), otherwise the page with each
chart's download links in `downloads[key]`. `table_page` does the same for a page of one
table, its links in `downloads`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from teilhabe.clock import today
from teilhabe.ui.charts import Chart
from teilhabe.ui.downloads import Table, download, download_format, download_links
from teilhabe.ui.rendering import render

# The query parameter naming which chart's table to download.
TABLE_KEY = "tabelle"


def chart_table(chart: Chart) -> Table:
    """A chart's figures as the table to download, named after the chart."""
    return Table(
        name=chart.id.removeprefix("chart-"),
        title=chart.title,
        headers=chart.headings,
        rows=chart.rows,
    )


async def figures_page(
    request: Request,
    template: str,
    charts: Mapping[str, Chart],
    *,
    tables: Mapping[str, Table] | None = None,
    context: Mapping[str, Any] | None = None,
    section: str = "figures",
) -> Response:
    """The page of `charts` (by their key in the address), or one's table as a download."""
    kind = download_format(request)
    asked = request.query_params.get(TABLE_KEY, "")
    if kind is not None and asked in charts:
        table = (tables or {}).get(asked) or chart_table(charts[asked])
        return download(table, kind, on=today())
    links = download_links(request)
    return await render(
        request,
        template,
        {
            "charts": charts,
            "downloads": {
                key: [replace(link, url=f"{link.url}&{TABLE_KEY}={key}") for link in links]
                for key in charts
            },
            **(context or {}),
        },
        section=section,
    )


async def table_page(
    request: Request,
    template: str,
    table: Table,
    *,
    context: Mapping[str, Any] | None = None,
    section: str = "figures",
) -> Response:
    """The page of one `table` (shown as `context` gives it), or the table as a download."""
    kind = download_format(request)
    if kind is not None:
        return download(table, kind, on=today())
    return await render(
        request,
        template,
        {**(context or {}), "downloads": download_links(request)},
        section=section,
    )
