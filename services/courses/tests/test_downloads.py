"""Courses' lists as CSV (as German Excel opens it) and XLSX: the offers list, and an
offer's participants and waitlist for its coordinators only, audited as an export."""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.events.households import AgeGroup
from teilhabe_dev.testing.ui import sign_in, tool_client

from .test_api import caseworker, coordinator, enroll, household_assigned, new_course
from .test_api import deliver as deliver_households

__all__ = ["caseworker", "coordinator"]  # fixtures, re-exported for pytest


@pytest.fixture
async def browser(courses: httpx.AsyncClient) -> Any:
    async with tool_client(courses.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="coord-petra", roles=[Role.COURSE_COORDINATOR])
        yield client


def csv_rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by its BOM
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_the_offers_list_downloads_with_its_filter(
    browser: httpx.AsyncClient, courses: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    course = await new_course(courses, coordinator, kind="leisure", languages=["de", "ar"])
    page = await browser.get("/ui/?kind=leisure")
    assert "/ui/?kind=leisure&amp;download=csv" in page.text
    rows = csv_rows(await browser.get("/ui/?kind=leisure&download=csv"))
    assert rows[0][:3] == ["Titel", "Art", "Träger"]
    found = next(row for row in rows if row[0] == course["title"])
    assert found[1] == "Freizeit und Sport"
    assert found[4] == "01.12.2026"
    assert found[8] == "de, ar"
    sheet = xlsx_rows(await browser.get("/ui/?kind=leisure&download=xlsx"))
    assert any(row[0] == course["title"] and row[10] == 3 for row in sheet[1:])
    other = await browser.get("/ui/?kind=integration_course&download=csv")
    assert course["title"] not in other.text


async def test_participants_and_waitlist_download_for_the_offers_coordinators_only(
    browser: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    coordinator: dict[str, str],
    caseworker: dict[str, str],
    courses_database: str,
) -> None:
    course = await new_course(courses, coordinator, seats=1)
    seated, waiting = household_assigned(AgeGroup.ADULT), household_assigned(AgeGroup.ADULT)
    await deliver_households(courses_database, seated, waiting)
    for family in (seated, waiting):
        member = str(family.members[0].member_id)
        assert (await enroll(courses, caseworker, course["id"], member)).status_code == 201

    page = await browser.get(f"/ui/kurse/{course['id']}")
    assert f"/ui/kurse/{course['id']}?download=csv&amp;liste=teilnehmende" in page.text
    assert f"/ui/kurse/{course['id']}?download=xlsx&amp;liste=warteliste" in page.text
    participants = csv_rows(
        await browser.get(f"/ui/kurse/{course['id']}?download=csv&liste=teilnehmende")
    )
    assert participants[0] == ["Nr.", "Haushalt", "Person", "Altersgruppe", "Angemeldet am"]
    assert [row[:4] for row in participants[1:]] == [
        ["1", seated.allocation_notice_number, "1", "Erwachsen"]
    ]
    waitlist = xlsx_rows(
        await browser.get(f"/ui/kurse/{course['id']}?download=xlsx&liste=warteliste")
    )
    assert [row[:3] for row in waitlist[1:]] == [[1, waiting.allocation_notice_number, 1]]
    assert seated.allocation_notice_number not in str(waitlist)

    db = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        exports = await db.fetch(
            "SELECT resource_id FROM audit_entry WHERE actor = 'coord-petra' AND action = 'export'"
        )
    finally:
        await db.close()
    exported = {row["resource_id"] for row in exports}
    assert {str(seated.household_id), str(waiting.household_id)} <= exported

    # Another team's coordinator: the course is not theirs, not found as a file either.
    async with tool_client(courses.app) as other:  # type: ignore[attr-defined]
        await sign_in(
            other,
            subject="coord-sued",
            roles=[Role.COURSE_COORDINATOR],
            teams=["Soziale Betreuung Süd"],
        )
        refused = await other.get(f"/ui/kurse/{course['id']}?download=csv&liste=teilnehmende")
        assert refused.status_code == 404
        assert seated.allocation_notice_number not in refused.text
