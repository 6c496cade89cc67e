"""The intake tool's lists as files: the rows the filters find, scoped and audited."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.ui import sign_in, tool_client

from .test_pages import notice, register


@pytest.fixture
async def browser(intake: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(intake.app) as client:  # type: ignore[attr-defined]
        yield client


async def test_the_households_found_download_as_csv_and_excel(
    browser: httpx.AsyncClient, intake: httpx.AsyncClient, intake_database: str
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    family = f"Liste{uuid.uuid4().hex[:6]}"
    numbers = [notice() for _ in range(3)]
    ids = []
    for number in numbers:
        saved = await register(
            browser,
            number,
            **{"members-0-family_name": family, "members-1-family_name": family},
        )
        assert saved.status_code == 303, saved.text
        ids.append(saved.headers["location"].rsplit("/", 1)[-1])

    # Any page of the list offers every row the filters find, as either file.
    page = await browser.get("/ui/", params={"q": family, "page": "2"})
    assert "Als CSV herunterladen" in page.text
    assert f'href="/ui/?q={family}&amp;download=xlsx"' in page.text

    as_csv = await browser.get("/ui/", params={"q": family, "download": "csv"})
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["content-disposition"].startswith('attachment; filename="haushalte-')
    assert as_csv.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Haushalt",
        "Zuweisungsbescheid",
        "Personen",
        "Zugewiesen am",
        "Erwartete Ankunft",
        "Fachkraft",
        "Unterbringung",
    ]
    assert sorted(row[1] for row in rows[1:]) == sorted(numbers)
    assert rows[1][0] == f"{family}, Amina"
    assert rows[1][2:4] == ["2", "20.11.2026"]
    assert rows[1][6] == "wartet auf Unterkunft"

    as_xlsx = await browser.get("/ui/", params={"q": family, "download": "xlsx"})
    assert as_xlsx.headers["content-disposition"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(row[1] for row in cells) == sorted(numbers)
    assert {row[2] for row in cells} == {2}
    assert {row[3] for row in cells} == {datetime(2026, 11, 20)}

    # Each download is in the audit trail, as an export of each household it holds.
    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        exported = await db.fetch(
            "SELECT resource_id FROM audit_entry WHERE actor = 'anna' AND action = 'export'"
            " AND resource_id = ANY($1::text[])",
            ids,
        )
    finally:
        await db.close()
    assert sorted(row["resource_id"] for row in exported) == sorted(ids * 2)

    # Another team's caseworker downloads none of them.
    async with tool_client(intake.app) as other:  # type: ignore[attr-defined]
        await sign_in(
            other, subject="otto", roles=[Role.CASEWORKER], teams=["Soziale Betreuung Süd"]
        )
        theirs = await other.get("/ui/", params={"q": family, "download": "csv"})
        assert theirs.status_code == 200
        assert theirs.content.decode("utf-8-sig").strip().count("\r\n") == 0


async def test_a_download_with_a_wrong_filter_shows_the_page_with_the_error(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    wrong = await browser.get("/ui/", params={"allocated_from": "gestern", "download": "csv"})
    assert wrong.status_code == 200
    assert wrong.headers["content-type"].startswith("text/html")
    assert "Bitte geben Sie ein Datum" in wrong.text
