"""The figures page: charts with a text alternative and a table each, downloads that hold
what the database holds, and only for housing officers."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from housing.figures import group_waiting, last_months, month_end, waiting_group
from openpyxl import load_workbook
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.events.households import HouseholdReferredToHousing
from teilhabe.ui.charts import Chart, Series, nice_maximum
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.service_fixtures import Deliver
from teilhabe_dev.testing.ui import sign_in, tool_client

from .test_api import new_site
from .test_reservation_expiry import sql


@pytest.fixture
def officer(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.HOUSING_OFFICER, subject="ho-figures")


@pytest.fixture
async def browser(housing: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(housing.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="lea", roles=[Role.HOUSING_OFFICER])
        yield client


def test_months_and_groups() -> None:
    assert last_months(date(2026, 3, 15), 4) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert month_end(date(2026, 2, 1), date(2026, 12, 3)) == date(2026, 2, 28)
    assert month_end(date(2026, 12, 1), date(2026, 12, 3)) == date(2026, 12, 3)
    assert [waiting_group(d) for d in (0, 7, 8, 30, 31, 90, 91, 400)] == [0, 0, 1, 2, 3, 4, 5, 5]
    groups = group_waiting([3, 10, 100], [95])
    assert [(g.up_to_days, g.housed, g.waiting) for g in groups][-1] == (None, 1, 1)
    assert nice_maximum(0) == (4.0, 1.0)
    assert nice_maximum(37) == (40.0, 10.0)


def test_a_chart_is_one_image_with_a_title_and_a_description() -> None:
    chart = Chart(
        id="c",
        kind="line",
        title="Belegung <Nord>",
        description="Höchststand 5",
        category_heading="Monat",
        categories=["11/2026", "12/2026"],
        series=[Series("Nord", [3, 5])],
    )
    svg = str(chart.svg())
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"')
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Belegung &lt;Nord&gt;</title>' in svg
    assert "<style" not in svg
    assert "<script" not in svg
    assert chart.rows == [["11/2026", 3], ["12/2026", 5]]


async def referred(deliver: Deliver, allocated_on: date, members: int) -> uuid.UUID:
    household_id = uuid.uuid4()
    await deliver(
        HouseholdReferredToHousing(
            household_id=household_id,
            allocation_notice_number=f"BRA-F{household_id.hex[:7].upper()}",
            allocated_on=allocated_on,
            member_count=members,
            minor_count=0,
            needs_accessible_housing=False,
        )
    )
    return household_id


async def test_the_figures_hold_what_the_database_holds(
    housing: httpx.AsyncClient,
    officer: dict[str, str],
    browser: httpx.AsyncClient,
    deliver: Deliver,
    housing_database: str,
) -> None:
    site = await new_site(housing, officer, beds=8)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    this_month = today().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    families = [await referred(deliver, last_month, n) for n in (3, 2)]
    single = await referred(deliver, this_month, 1)
    moved_in = today() - timedelta(days=1)
    placements = []
    for household in (*families, single):
        placed = await housing.post(
            "/placements",
            json={"household_id": str(household), "unit_id": unit_id, "moved_in_on": str(moved_in)},
            headers=officer,
        )
        assert placed.status_code == 201, placed.text
        placements.append(placed.json()["id"])
    arrived = await housing.post(
        f"/households/{families[0]}/arrival",
        json={"arrived_on": str(moved_in), "person_count": 2},
        headers=officer,
    )
    assert arrived.status_code == 201, arrived.text
    left = await housing.post(
        f"/placements/{placements[2]}/move-out",
        json={"moved_out_on": str(today()), "reason": "private_housing"},
        headers=officer,
    )
    assert left.status_code == 200, left.text

    page = await browser.get("/ui/kennzahlen")
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count('role="img"') == 3
    for chart in ("chart-occupancy", "chart-monthly", "chart-waiting"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
        assert f'<desc id="{chart}-desc">' in html
        assert f'id="{chart}-table-caption"' in html, "a table beside each chart"
    assert html.count("<table") == 3

    # The quota figures, as CSV: what the database holds, counted here by hand.
    download = await browser.get("/ui/kennzahlen?download=csv&tabelle=monate")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Monat", "Haushalte zugewiesen", "Personen zugewiesen"]
    # Move-outs of the accommodation, said as such: the quota's "weggezogen" (cases closed
    # as moved away from the city) is intake's figure, not this one.
    assert rows[0][7:] == [
        "Haushalte aus der Unterbringung ausgezogen",
        "Personen aus der Unterbringung ausgezogen",
    ]
    assert not any("weggezogen" in heading.lower() for heading in rows[0])
    assert len(rows) == 13
    expected = await quota_from_database(housing_database)
    for row in rows[1:]:
        month = row[0]
        assert [int(cell) for cell in row[1:]] == expected.get(month, [0] * 8), month

    workbook = load_workbook(
        io.BytesIO((await browser.get("/ui/kennzahlen?download=xlsx&tabelle=monate")).content)
    )
    sheet = workbook.active
    assert sheet is not None
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        [row[0], *(int(cell) for cell in row[1:])] for row in rows[1:]
    ]

    # Occupancy: the site's beds held today, as the placements say.
    occupancy = await browser.get("/ui/kennzahlen?download=csv&tabelle=belegung")
    lines = list(csv.reader(io.StringIO(occupancy.content.decode("utf-8-sig")), delimiter=";"))
    column = lines[0].index(str(site["name"]))
    assert int(lines[-1][column]) == 5, "the two families' beds; the single moved out today"


async def quota_from_database(database: str) -> dict[str, list[int]]:
    """Month → households and persons allocated, arrived, housed, moved out."""
    counts: dict[str, Counter[str]] = {}

    def add(day: date | None, what: str, persons: int) -> None:
        if day is None:
            return
        month = f"{day:%m/%Y}"
        counts.setdefault(month, Counter())[what + "_households"] += 1
        counts[month][what + "_persons"] += persons

    households = await sql(database, "SELECT * FROM waiting_household")
    placements = await sql(database, "SELECT * FROM placement ORDER BY moved_in_on")
    size = {h["household_id"]: h["member_count"] for h in households}
    first: dict[uuid.UUID, date] = {}
    for p in placements:
        first.setdefault(p["household_id"], p["moved_in_on"])
        departed = p["moved_out_on"] is not None and p["moved_out_on"] <= today()
        if departed and p["move_out_reason"] != "transfer" and p["household_id"] in size:
            add(p["moved_out_on"], "moved_out", size[p["household_id"]])
    for h in households:
        add(h["allocated_on"], "allocated", h["member_count"])
        add(h["arrived_on"], "arrived", h["arrived_person_count"] or 0)
    for household, day in first.items():
        if household in size:
            add(day, "housed", size[household])
    order = ("allocated", "arrived", "housed", "moved_out")
    return {
        month: [c[f"{w}_{k}"] for w in order for k in ("households", "persons")]
        for month, c in counts.items()
    }


async def test_only_housing_officers_see_the_figures(housing: httpx.AsyncClient) -> None:
    async with tool_client(housing.app) as other:  # type: ignore[attr-defined]
        page = await sign_in(other, subject="kurt", roles=[Role.COURSE_COORDINATOR])
        assert page.status_code == 403
        assert (await other.get("/ui/kennzahlen")).status_code == 403
        download = await other.get("/ui/kennzahlen?download=csv&tabelle=monate")
        assert download.status_code == 403
        assert not re.search(r"Monat;", download.text)
