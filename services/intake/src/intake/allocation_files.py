"""Reading an allocation list from a file: a CSV or an Excel workbook, as text cells.

The state's lists come as spreadsheets: saved from Excel as CSV (UTF-8, or Windows-1252
from an older Excel; semicolons in Germany, commas elsewhere) or as XLSX. Either becomes
the same thing here: the headings of the first row and each later row's cells as text,
with the row's number as the spreadsheet shows it, so that a problem can name it. Dates
from a workbook become DD.MM.YYYY, whole numbers lose Excel's ".0".
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

# A list of a few thousand rows; more is not an allocation list.
MAX_ROWS = 5_000
_XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file is no CSV or XLSX this can read; `reason` says why, as a code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "format", "empty", "too_many_rows"


@dataclass(frozen=True)
class Sheet:
    headings: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the spreadsheet, cells)


def read_sheet(file_name: str, content: bytes) -> Sheet:
    name = file_name.lower()
    if content.startswith(_XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        table = _xlsx_rows(content)
    elif "." not in name or name.endswith((".csv", ".txt")):
        table = _csv_rows(content)
    else:
        raise UnreadableFile("format")  # a PDF, an old .xls, a picture
    numbered = [(number, cells) for number, cells in table if any(cells)]
    if not numbered:
        raise UnreadableFile("empty")
    (_, headings), *rows = numbered
    if len(rows) > MAX_ROWS:
        raise UnreadableFile("too_many_rows")
    return Sheet([h.strip() for h in headings], rows)


def _csv_rows(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's "CSV" in Germany
    if "\x00" in text:
        raise UnreadableFile("format")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, [cell.strip() for cell in row]) for number, row in enumerate(reader, 1)]
    except csv.Error as error:
        raise UnreadableFile("format") from error


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    # Imported here: openpyxl is a large import that only reading a workbook needs, not
    # every process of intake at its start.
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile("format") from error
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            if number > MAX_ROWS + 1:
                raise UnreadableFile("too_many_rows")
            rows.append((number, [_text(value) for value in row]))
        return rows
    finally:
        book.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
