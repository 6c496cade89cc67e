"""The figures page: places and waitlists per kind and enrolments per month, each chart
with a text alternative and a table, downloads that hold what the database holds, and
only for course coordinators."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, timedelta

import asyncpg
import httpx
import pytest
from courses.figures import last_months
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn
from teilhabe.events.households import AgeGroup
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client

from .test_pages import GERMAN_KINDS, household, new_course


@pytest.fixture
async def browser(courses: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(courses.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="petra", roles=[Role.COURSE_COORDINATOR])
        yield client


async def sql(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


def table(download: httpx.Response) -> list[list[str]]:
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))


def test_the_last_twelve_months() -> None:
    assert last_months(date(2026, 2, 15), 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


async def test_the_figures_hold_what_the_database_holds(
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    browser: httpx.AsyncClient,
    courses_database: str,
) -> None:
    coordinator = auth_headers(identity, Role.COURSE_COORDINATOR, subject="petra")
    cafe = await new_course(courses, identity, kind="language_cafe", seats=2, ends_on=None)
    ended = await new_course(
        courses,
        identity,
        kind="language_cafe",
        seats=5,
        starts_on=str(today() - timedelta(days=60)),
        ends_on=str(today() - timedelta(days=1)),
    )
    people = [await household(courses_database, AgeGroup.ADULT) for _ in range(3)]
    for person in people:  # two seats taken, one on the waitlist
        enrolled = await courses.post(
            f"/courses/{cafe['id']}/enrollments",
            json={"member_id": str(person.members[0].member_id)},
            headers=coordinator,
        )
        assert enrolled.status_code == 201, enrolled.text
    enrolled = await courses.post(
        f"/courses/{ended['id']}/enrollments",
        json={"member_id": str(people[0].members[0].member_id)},
        headers=coordinator,
    )

    page = await browser.get("/ui/kennzahlen")
    assert page.status_code == 200, page.text
    assert page.text.count('role="img"') == 2
    for chart in ("chart-places", "chart-enrolments"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in page.text
        assert f'<desc id="{chart}-desc">' in page.text
        assert f'id="{chart}-table-caption"' in page.text, "a table beside each chart"
    assert page.text.count("<table") == 2
    assert 'href="/ui/kennzahlen"' in page.text, "a section of the navigation"

    # Places and waitlists per kind, as CSV: counted here by hand from the database.
    rows = table(await browser.get("/ui/kennzahlen?download=csv&tabelle=plaetze"))
    assert rows[0] == ["Art des Angebots", "Plätze", "Belegt", "Frei", "Auf der Warteliste"]
    offers = await sql(
        courses_database,
        "SELECT c.kind::text AS kind, c.seats,"
        " (SELECT count(*) FROM enrollment e WHERE e.course_id = c.id AND e.status = 'enrolled')"
        "  AS taken,"
        " (SELECT count(*) FROM enrollment e WHERE e.course_id = c.id AND e.status = 'waitlisted')"
        "  AS waiting"
        " FROM course c WHERE c.ends_on IS NULL OR c.ends_on >= $1",
        today(),
    )
    expected: dict[str, list[int]] = {}
    for offer in offers:
        counts = expected.setdefault(GERMAN_KINDS[offer["kind"]], [0, 0, 0, 0])
        counts[0] += offer["seats"]
        counts[1] += offer["taken"]
        counts[2] += max(offer["seats"] - offer["taken"], 0)
        counts[3] += offer["waiting"]
    assert {row[0]: [int(cell) for cell in row[1:]] for row in rows[1:]} == expected
    cafes = next(row for row in rows if row[0] == "Sprachcafé")
    assert int(cafes[4]) >= 1, "the third person waits"

    # Enrolments per month: the seats taken in each month, from the database.
    months = table(await browser.get("/ui/kennzahlen?download=csv&tabelle=anmeldungen"))
    assert months[0] == ["Monat", "Anmeldungen"]
    assert len(months) == 13
    taken = await sql(
        courses_database,
        "SELECT to_char(enrolled_at AT TIME ZONE 'Europe/Berlin', 'MM/YYYY') AS month,"
        " count(*) AS n FROM enrollment WHERE enrolled_at IS NOT NULL GROUP BY 1",
    )
    by_month = {row["month"]: row["n"] for row in taken}
    assert {row[0]: int(row[1]) for row in months[1:]} == {
        row[0]: by_month.get(row[0], 0) for row in months[1:]
    }
    assert int(months[-1][1]) >= 2, "this month's two seats in the café"

    excel = await browser.get("/ui/kennzahlen?download=xlsx&tabelle=anmeldungen")
    assert excel.status_code == 200
    assert excel.content.startswith(b"PK"), "an Excel workbook"


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.VOLUNTEER, Role.HOUSING_OFFICER])
async def test_only_course_coordinators_see_the_figures(
    courses: httpx.AsyncClient, role: Role
) -> None:
    async with tool_client(courses.app) as other:  # type: ignore[attr-defined]
        await sign_in(other, subject="kurt", roles=[role])
        assert (await other.get("/ui/kennzahlen")).status_code == 403
        download = await other.get("/ui/kennzahlen?download=csv&tabelle=plaetze")
        assert download.status_code == 403
        assert "Plätze;" not in download.text
