"""A list of the tools as a file: CSV for any program, XLSX for Excel.

A list page offers its rows as a download by the same address with `?download=csv` or
`?download=xlsx` (its filters kept, its paging dropped): the page asks
`download_format(request)`, and if a format is asked for, fetches every row through the
same use case as the list (so the download is scoped and audited as the list is; a use
case may audit it as an export) and answers `download(table, format)`. The template shows
the links with `{{ tables.downloads(downloads) }}`, `downloads=download_links(request)`.

CSV is written the way Excel in Germany opens it with a double click: UTF-8 with a byte
order mark (without it Excel reads the file as Windows-1252 and umlauts break), fields
separated by semicolons (the German list separator; a comma is the decimal sign there),
lines ended by CRLF, dates as DD.MM.YYYY. A text cell that a spreadsheet would take for a
formula (=, +, -, @ first) is prefixed with an apostrophe, so a name typed as a formula
cannot run when the file is opened (CSV injection). XLSX cells keep their types: numbers
are numbers, dates are dates shown as DD.MM.YYYY, the heading row is bold and frozen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response

from teilhabe.ui.i18n import N_
from teilhabe.ui.rendering import texts

Cell = str | int | float | Decimal | date | datetime | None
DownloadFormat = Literal["csv", "xlsx"]
Format = DownloadFormat
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
QUERY_KEY = "download"
# Far beyond any list a person downloads; keeps one request's work bounded.
DOWNLOAD_LIMIT = 20_000

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINK_TEXTS: dict[Format, str] = {
    "csv": N_("Download as CSV"),
    "xlsx": N_("Download as Excel"),
}
_BERLIN = ZoneInfo("Europe/Berlin")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDEST = 60  # characters; longer cells wrap in Excel rather than widen the column
_SHEET_TITLE_LENGTH = 31  # Excel's limit
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Table:
    """What a download holds: headings and rows of cells, and what the file is called."""

    name: str  # the file's name without extension, e.g. "haushalte"
    title: str  # the sheet's title
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


@dataclass(frozen=True)
class DownloadLink:
    format: Format
    text: str  # in the page's language
    url: str


def download_format(request: Request) -> Format | None:
    """The format `?download=` asks for, or None for the page itself."""
    asked = request.query_params.get(QUERY_KEY)
    return asked if asked in FORMATS else None


def download_links(request: Request) -> list[DownloadLink]:
    """Links to the list the request shows, filters kept, as each format."""
    gettext = texts(request).gettext
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in {"page", QUERY_KEY}]
    return [
        DownloadLink(
            kind,
            gettext(LINK_TEXTS[kind]),
            f"{request.url.path}?{urlencode([*kept, (QUERY_KEY, kind)])}",
        )
        for kind in FORMATS
    ]


def download(table: Table, kind: Format, *, on: date | None = None) -> Response:
    """The table as an attachment in `kind`, named `<name>-<YYYY-MM-DD>.<kind>`."""
    body, media_type = (to_csv(table), CSV_TYPE) if kind == "csv" else (to_xlsx(table), XLSX_TYPE)
    stamp = f"-{on.isoformat()}" if on else ""
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(f"{table.name}{stamp}.{kind}"),
            # Personal data: no copy in a shared or browser cache.
            "Cache-Control": "no-store",
        },
    )


def content_disposition(filename: str) -> str:
    """An attachment header every browser reads: an ASCII name, and the exact one (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_csv_cell(h) for h in table.headers])
    writer.writerows([_csv_cell(cell) for cell in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return _local(cell).strftime("%d.%m.%Y %H:%M")
    if isinstance(cell, date):
        return cell.strftime("%d.%m.%Y")
    if isinstance(cell, bool):
        return "ja" if cell else "nein"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float | Decimal):
        return str(cell).replace(".", ",")  # the German decimal comma
    return _defused(cell)


def _defused(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_xlsx(table: Table) -> bytes:
    # Imported here: openpyxl takes a fifth of a service's imports (~0.2 s of CPU, several
    # MB), and only a download as Excel needs it, not every process at its start.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = (table.title.translate(_SHEET_TITLE_FORBIDDEN).strip() or "Liste")[
        :_SHEET_TITLE_LENGTH
    ]
    sheet.append(list(table.headers))
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(h) for h in table.headers]
    for row in table.rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
        for index, (written, cell) in enumerate(zip(sheet[sheet.max_row], row, strict=False)):
            if isinstance(cell, datetime):
                written.number_format = "DD.MM.YYYY HH:MM"
            elif isinstance(cell, date):
                written.number_format = "DD.MM.YYYY"
            elif isinstance(cell, str):
                written.data_type = "s"  # text stays text, never a formula
            if index < len(widths):
                widths[index] = max(widths[index], min(len(_csv_cell(cell)), _WIDEST))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(cell: Cell) -> str | int | float | Decimal | date | datetime | None:
    if isinstance(cell, datetime):
        return _local(cell).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(cell, bool):
        return "ja" if cell else "nein"
    return cell


def _local(moment: datetime) -> datetime:
    return moment.astimezone(_BERLIN) if moment.tzinfo else moment
