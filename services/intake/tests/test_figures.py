"""Intake's monthly figures for the allocation quota: the page, and the Excel file that
holds what the database holds (moved away: cases closed for that reason, by closure day)."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.events.housing import HouseholdMovedOut, MoveOutReason
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client

YEAR = 2026


@pytest.fixture
async def browser(intake: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(intake.app) as client:  # type: ignore[attr-defined]
        yield client


def member(given: str) -> dict[str, str]:
    return {
        "given_name": given,
        "family_name": "Zahl",
        "date_of_birth": "1990-01-01",
        "sex": "female",
        "nationality": "AFG",
        "residence_status": "niederlassungserlaubnis",
    }


async def database_figures(database: str) -> dict[int, tuple[int, int, int, int]]:
    """Month → the four figures, counted straight from the tables."""
    db = await asyncpg.connect(asyncpg_dsn(database))
    try:
        allocated = await db.fetch(
            "SELECT extract(month FROM h.allocated_on)::int AS m, count(DISTINCT h.id) AS h,"
            " count(m.id) AS p FROM household h JOIN member m ON m.household_id = h.id"
            " WHERE extract(year FROM h.allocated_on) = $1 GROUP BY 1",
            YEAR,
        )
        # Moved away: cases closed for that reason, in the month they closed.
        moved = await db.fetch(
            "SELECT extract(month FROM h.closed_on)::int AS m,"
            " count(DISTINCT h.id) AS h, count(m.id) AS p"
            " FROM household h JOIN member m ON m.household_id = h.id"
            " WHERE h.closure_reason = 'moved_away' AND extract(year FROM h.closed_on) = $1"
            " GROUP BY 1",
            YEAR,
        )
    finally:
        await db.close()
    figures = {month: [0, 0, 0, 0] for month in range(1, 13)}
    for row in allocated:
        figures[row["m"]][0:2] = [row["h"], row["p"]]
    for row in moved:
        figures[row["m"]][2:4] = [row["h"], row["p"]]
    return {month: (a, b, c, d) for month, (a, b, c, d) in figures.items()}


async def test_the_excel_file_holds_the_figures_the_database_holds(
    browser: httpx.AsyncClient,
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    intake_database: str,
    deliver: Any,
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER)
    created = []
    for allocated_on, members in (("2026-03-04", 3), ("2026-03-20", 1), ("2026-07-01", 2)):
        response = await intake.post(
            "/households",
            json={
                "allocation_notice_number": f"BRA-{uuid.uuid4().hex[:8]}",
                "allocated_on": allocated_on,
                "allocating_authority": "Bezirksregierung Arnsberg",
                "members": [member(f"P{i}") for i in range(members)],
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text
        created.append(response.json())
    # One case closes as moved away, one as naturalised; a third household moves out of
    # the city's accommodation without leaving the city: only the first moved away.
    for household, reason in ((created[0], "moved_away"), (created[1], "naturalised")):
        closed = await intake.post(
            f"/households/{household['id']}/closure",
            json={"reason": reason, "closed_on": "2026-07-15"},
            headers=headers,
        )
        assert closed.status_code == 200, closed.text
    await deliver(
        HouseholdMovedOut(
            household_id=created[2]["id"],
            placement_id=uuid.uuid4(),
            site_id=uuid.uuid4(),
            unit_id=uuid.uuid4(),
            moved_out_on=date(2026, 11, 30),
            reason=MoveOutReason.LEFT_MUNICIPALITY,
        )
    )

    # A team lead sees the whole city's figures.
    await sign_in(browser, subject="lena", roles=[Role.CASEWORKER, Role.TEAM_LEAD])
    page = await browser.get("/ui/zahlen", params={"jahr": str(YEAR)})
    assert page.status_code == 200
    assert '<h1 class="kern-heading-large">Zahlen 2026</h1>' in page.text
    assert "Als Excel herunterladen" in page.text

    as_xlsx = await browser.get("/ui/zahlen", params={"jahr": str(YEAR), "download": "xlsx"})
    assert as_xlsx.status_code == 200
    assert as_xlsx.headers["content-disposition"].startswith('attachment; filename="zahlen-2026-')
    expected = await database_figures(intake_database)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Monat",
        "Zugewiesene Haushalte",
        "Zugewiesene Personen",
        "Weggezogene Haushalte",
        "Weggezogene Personen",
    )
    assert len(rows) == 13
    held = {int(str(row[0])[:2]): tuple(row[1:]) for row in rows[1:]}
    assert held == expected
    # What this test added is among them.
    assert held[3][0] >= 2
    assert held[3][1] >= 4
    assert expected[3][0] >= 2
    assert held[7][1] >= 2
    assert held[7][2] >= 1
    assert held[7][3] >= 3
