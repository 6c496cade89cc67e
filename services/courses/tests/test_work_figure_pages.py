"""The work figures page: persons in work, job readiness and courses per month over the
last twelve, a chart with its table, as CSV and Excel; counted as the API counts them."""

from __future__ import annotations

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.events.households import AgeGroup
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import TEST_TEAM, auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client

from .test_figures import browser, table
from .test_work_pages import team_household

__all__ = ["browser"]  # a fixture, re-exported for pytest


async def test_the_work_figures_count_each_month_and_download(
    browser: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    family = await team_household(courses_database, TEST_TEAM, AgeGroup.ADULT)
    member = str(family.members[0].member_id)
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-fig", teams=(TEST_TEAM,))
    this_month = today().replace(day=1)
    permit = {"member_id": member, "status": "permitted"}
    assert (await courses.put("/work/permits", json=permit, headers=caseworker)).status_code == 200
    start = {
        "member_id": member,
        "started_on": this_month.isoformat(),
        "employer_category": "retail",
        "hours_per_week": "20",
    }
    started = await courses.post("/work/employment-starts", json=start, headers=caseworker)
    assert started.status_code == 201, started.text

    page = await browser.get("/ui/arbeit/kennzahlen")
    assert page.status_code == 200, page.text
    assert "Kennzahlen Arbeit" in page.text
    assert page.text.count('role="img"') == 1
    assert 'aria-labelledby="chart-work-title chart-work-desc"' in page.text
    assert 'href="/ui/arbeit/kennzahlen"' in page.text, "a section of the navigation"

    rows = table(await browser.get("/ui/arbeit/kennzahlen?download=csv"))
    assert rows[0] == ["Monat", "In Arbeit", "In Berufsvorbereitung", "In Kursen", "Insgesamt"]
    assert len(rows) == 13
    assert rows[-1][0] == f"{this_month:%m/%Y}"
    api = await courses.get("/work/figures", headers=caseworker)
    assert [[int(c) for c in row[1:]] for row in rows[1:]] == [
        [f["in_work"], f["in_training"], f["in_courses"], f["total"]] for f in api.json()
    ]
    assert int(rows[-1][1]) >= 1

    excel = await browser.get("/ui/arbeit/kennzahlen?download=xlsx")
    assert excel.status_code == 200
    assert excel.content.startswith(b"PK"), "an Excel workbook"


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.CASEWORKER, 200), (Role.VOLUNTEER, 403), (Role.HOUSING_OFFICER, 403)],
)
async def test_who_sees_the_work_figures(
    courses: httpx.AsyncClient, role: Role, status: int
) -> None:
    async with tool_client(courses.app) as other:  # type: ignore[attr-defined]
        await sign_in(other, subject="kurt", roles=[role], next_path="/ui/arbeit/kennzahlen")
        assert (await other.get("/ui/arbeit/kennzahlen")).status_code == status
        download = await other.get("/ui/arbeit/kennzahlen?download=csv")
        assert download.status_code == status
