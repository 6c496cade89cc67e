"""The waiting queue and the occupancy as files (CSV as German Excel opens it, XLSX),
for housing staff alone, audited as exports."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.ui import form_token, sign_in, tool_client

from .test_pages import new_site, waiting_household


@pytest.fixture
async def officer(housing: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(housing.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="dl-bernd", roles=[Role.HOUSING_OFFICER])
        yield client


def rows(download: httpx.Response) -> list[list[str]]:
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    assert download.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))


async def exports(database: str, household_id: object) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(database))
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM audit_entry WHERE action = 'export' AND resource_id = $1",
                str(household_id),
            )
        )
    finally:
        await connection.close()


async def test_the_waiting_queue_downloads_in_its_order_with_the_reasons(
    officer: httpx.AsyncClient, housing_database: str
) -> None:
    household_id, number = await waiting_household(housing_database, members=3, accessible=True)
    page = await officer.get("/ui/warteliste")
    assert 'href="/ui/warteliste?download=csv"' in page.text
    assert 'href="/ui/warteliste?download=xlsx"' in page.text
    download = await officer.get("/ui/warteliste", params={"download": "csv"})
    assert "warteliste-" in download.headers["content-disposition"]
    table = rows(download)
    assert table[0][:4] == ["Platz", "Zuweisungsbescheid", "Warum hier", "Zugewiesen am"]
    [mine] = [row for row in table[1:] if row[1] == number]
    assert mine[3] == "20.11.2026"
    assert mine[5:8] == ["3", "1", "ja"]
    assert "wartet seit 20.11.2026" in mine[2]
    assert [int(row[0]) for row in table[1:]] == sorted(int(row[0]) for row in table[1:])
    assert await exports(housing_database, household_id) == 1

    excel = await officer.get("/ui/warteliste", params={"download": "xlsx"})
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None
    assert sheet["A1"].value == "Platz"
    assert number in [cell.value for cell in sheet["B"]]


async def test_the_occupancy_downloads_each_household_living_in_a_unit(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    site = await new_site(housing, identity, [{"name": "A1", "beds": 4}, {"name": "A2", "beds": 2}])
    household_id, number = await waiting_household(housing_database, members=3)
    place_url = f"/ui/warteliste/{household_id}/unterbringen"
    form = await officer.get(place_url)
    placed = await officer.post(
        place_url,
        data={
            "csrf_token": form_token(form),
            "unit_id": site["units"][0]["id"],
            "moved_in_on": "25.11.2026",
        },
    )
    assert placed.status_code == 303, placed.text
    board = await officer.get("/ui/", params={"q": site["name"]})
    assert "&amp;download=csv" in board.text  # the search kept
    assert "&amp;download=xlsx" in board.text
    table = rows(await officer.get("/ui/", params={"q": site["name"], "download": "csv"}))
    assert table[0][:3] == ["Standort", "Wohneinheit", "Betten"]
    assert table[1:] == [
        [site["name"], "A1", "4", "3", "0", "1", "0", number, "3", "25.11.2026", "3", "1"],
        [site["name"], "A2", "2", "0", "0", "2", "0", "", "", "", "", ""],
    ]
    assert await exports(housing_database, household_id) == 1


async def test_only_housing_staff_download_the_lists(housing: httpx.AsyncClient) -> None:
    async with tool_client(housing.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="dl-cw", roles=[Role.CASEWORKER])
        for path in ("/ui/warteliste", "/ui/"):
            response = await client.get(path, params={"download": "csv"})
            assert response.status_code == 403, path
