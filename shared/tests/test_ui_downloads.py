"""Lists as files: CSV as Excel in Germany opens it, XLSX with typed cells."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from teilhabe.ui.downloads import Table, content_disposition, download, to_csv, to_xlsx

TABLE = Table(
    name="haushalte",
    title="Haushalte: Liste/2026",
    headers=["Haushalt", "Personen", "Zugewiesen am", "Notiz"],
    rows=[
        ("Müller, Jürgen", 3, date(2026, 11, 20), '=HYPERLINK("http://x")'),
        ("حداد، أمينة", 1, None, "Anteil 0.5"),
        ('Semikolon; "Zitat"', 12, datetime(2026, 11, 20, 23, 30, tzinfo=UTC), None),
    ],
)


def test_csv_opens_in_german_excel_with_umlauts_and_without_formulas() -> None:
    body = to_csv(TABLE)
    assert body.startswith(b"\xef\xbb\xbf"), "the byte order mark tells Excel it is UTF-8"
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Haushalt;Personen;Zugewiesen am;Notiz"
    assert lines[1] == 'Müller, Jürgen;3;20.11.2026;"\'=HYPERLINK(""http://x"")"'
    assert lines[2] == "حداد، أمينة;1;;Anteil 0.5"
    # Quoted where the separator or quotes occur; a time in the city's time zone.
    assert lines[3] == '"Semikolon; ""Zitat""";12;21.11.2026 00:30;'
    assert lines[4] == ""


def test_xlsx_keeps_types_and_never_holds_a_formula() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(TABLE)))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "Haushalte  Liste 2026"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Haushalt", "Personen", "Zugewiesen am", "Notiz")
    assert rows[1] == ("Müller, Jürgen", 3, datetime(2026, 11, 20), '=HYPERLINK("http://x")')
    assert sheet["A2"].data_type == "s"
    assert sheet["D2"].data_type == "s"
    assert sheet["C2"].number_format == "DD.MM.YYYY"
    assert rows[3][2] == datetime(2026, 11, 21, 0, 30)
    assert sheet.freeze_panes == "A2"


def test_the_download_is_an_attachment_not_kept_in_caches() -> None:
    response = download(TABLE, "xlsx", on=date(2026, 12, 3))
    assert response.headers["content-disposition"] == (
        'attachment; filename="haushalte-2026-12-03.xlsx"; '
        "filename*=UTF-8''haushalte-2026-12-03.xlsx"
    )
    assert response.headers["cache-control"] == "no-store"
    assert response.media_type.startswith("application/vnd.openxmlformats")
    assert content_disposition("Zuweisungen März.csv") == (
        'attachment; filename="Zuweisungen M_rz.csv"; '
        "filename*=UTF-8''Zuweisungen%20M%C3%A4rz.csv"
    )
