"""The intake tool's lists as files: the rows the filters find (the households), or the
rows the page shows (the due list, a household's follow-ups, appointments and
referrals), scoped and audited as exports."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.ui import form_token, sign_in, tool_client

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


def csv_rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response: httpx.Response) -> list[tuple[object, ...]]:
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return list(sheet.iter_rows(min_row=2, values_only=True))


def listed(page: httpx.Response, marker: str) -> list[str]:
    """The items of the page's list marked `marker`, as their text."""
    found = re.search(rf"<ul[^>]*{marker}[^>]*>(.*?)</ul>", page.text, re.S)
    assert found is not None, marker
    return re.findall(r"<li>(.*?)</li>", found.group(1), re.S)


async def test_the_due_list_follow_ups_appointments_and_referrals_download_as_shown(
    browser: httpx.AsyncClient, intake: httpx.AsyncClient, intake_database: str
) -> None:
    me = f"due-{uuid.uuid4().hex[:6]}"
    await sign_in(browser, subject=me, roles=[Role.CASEWORKER])
    number = notice()
    household = (await register(browser, number)).headers["location"]
    household_id = household.rsplit("/", 1)[-1]
    page = await browser.get(f"{household}/wiedervorlagen")
    token = form_token(page)
    day = f"{today():%d.%m.%Y}"
    reasons = [f"Ausweis abholen {uuid.uuid4().hex[:4]}", f"=Jobcenter {uuid.uuid4().hex[:4]}"]
    for reason in reasons:
        set_ = await browser.post(
            f"{household}/wiedervorlagen",
            data={"csrf_token": token, "due_on": day, "reason": reason, "member_id": ""},
        )
        assert set_.status_code == 303, set_.text
    ahead = f"{today() + timedelta(days=8):%d.%m.%Y}"
    made = await browser.post(
        f"{household}/termine",
        data={"csrf_token": token, "day": ahead, "time": "09:30", "place": "Rathaus, Zimmer 3"},
    )
    assert made.status_code == 303, made.text
    member = re.findall(r'<option value="([0-9a-f-]{36})"', page.text)[0]
    referred = await browser.post(
        f"{household}/vermittlungen",
        data={
            "csrf_token": token,
            "member_id": member,
            "target": "doctor",
            "purpose": "Impfung",
            "agency": "",
        },
    )
    assert referred.status_code == 303, referred.text

    # The start page's due list: the two follow-ups due today, as the page shows them.
    start = await browser.get("/ui/")
    shown = re.findall(r"Ausweis abholen \w+|=Jobcenter \w+", start.text)
    assert set(shown) == set(reasons)
    assert 'href="/ui/?liste=faellig&amp;download=csv"' in start.text
    assert "Als Excel herunterladen" in start.text
    due = await browser.get("/ui/", params={"liste": "faellig", "download": "csv"})
    assert due.headers["content-disposition"].startswith('attachment; filename="faellig-')
    rows = csv_rows(due)
    assert rows[0] == ["Fällig", "Fällig am", "Zuweisungsbescheid", "Grund"]
    assert sorted(rows[1:]) == sorted(
        [["Heute fällig", day, number, reasons[0]], ["Heute fällig", day, number, f"'{reasons[1]}"]]
    )
    as_xlsx = xlsx_rows(await browser.get("/ui/", params={"liste": "faellig", "download": "xlsx"}))
    assert sorted(str(row[3]) for row in as_xlsx) == sorted(reasons)

    # A household's follow-ups, appointments and referrals: every row its page lists.
    for path, marker, heading in (
        ("wiedervorlagen", "data-follow-ups", "Fällig am"),
        ("termine", "data-appointments", "Zeit"),
        ("vermittlungen", "data-referrals", "Gesendet am"),
    ):
        shown_page = await browser.get(f"{household}/{path}")
        assert f'href="{household}/{path}?download=csv"' in shown_page.text
        items = listed(shown_page, marker)
        as_csv = csv_rows(await browser.get(f"{household}/{path}", params={"download": "csv"}))
        assert as_csv[0][0] == heading
        assert len(as_csv) - 1 == len(items) > 0
        assert len(xlsx_rows(await browser.get(f"{household}/{path}?download=xlsx"))) == len(items)
        if path == "wiedervorlagen":
            assert {row[1].lstrip("'") for row in as_csv[1:]} >= set(reasons)
        if path == "termine":
            assert as_csv[1][1:4] == ["Rathaus, Zimmer 3", "Der ganze Haushalt", me]
        if path == "vermittlungen":
            assert as_csv[1][2:6] == ["Arztpraxis", "", "Impfung", "gesendet"]

    # Each download is in the audit trail as an export of what it holds.
    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        exported = await db.fetch(
            "SELECT resource_type, count(*) AS n FROM audit_entry"
            " WHERE actor = $1 AND action = 'export' GROUP BY resource_type",
            me,
        )
    finally:
        await db.close()
    counts = {row["resource_type"]: row["n"] for row in exported}
    assert counts["appointment"] == 2
    assert counts["referral"] == 2
    assert counts["follow_up"] >= 2 + 2 * 2  # the due list twice, the household's twice

    # Another team's caseworker downloads none of them.
    async with tool_client(intake.app) as other:  # type: ignore[attr-defined]
        await sign_in(
            other, subject="otto", roles=[Role.CASEWORKER], teams=["Soziale Betreuung Süd"]
        )
        for path in ("wiedervorlagen", "termine", "vermittlungen"):
            theirs = await other.get(f"/ui/haushalte/{household_id}/{path}?download=csv")
            assert theirs.status_code == 404
            assert number not in theirs.text
        their_due = csv_rows(
            await other.get("/ui/", params={"liste": "faellig", "download": "csv"})
        )
        assert not any(number in row for row in their_due)
