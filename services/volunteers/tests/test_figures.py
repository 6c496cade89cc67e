"""The figures page: volunteers active, mentorships running, shifts and slots filled per
month, each chart with a text alternative and a table, downloads that hold what the
database holds, and only for volunteer coordinators."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from zoneinfo import ZoneInfo

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client
from volunteers.figures import last_months

from .test_api import known_household
from .test_shifts import fetch, planned_shift, registered_volunteer

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
async def browser(volunteers: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(volunteers.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="ines", roles=[Role.VOLUNTEER_COORDINATOR])
        yield client


def table(download: httpx.Response) -> list[list[str]]:
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))


def month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


async def monthly_from_database(database: str) -> dict[str, list[int]]:
    """Month → volunteers active, mentorships running, shifts, slots, slots filled."""
    shifts = await fetch(
        database, "SELECT id, starts_at, slots FROM shift WHERE cancelled_at IS NULL"
    )
    signups = await fetch(database, "SELECT shift_id, volunteer_id FROM shift_signup")
    matches = await fetch(database, "SELECT volunteer_id, started_on, ended_on FROM match")
    month_of = {s["id"]: s["starts_at"].astimezone(BERLIN).date().replace(day=1) for s in shifts}
    result = {}
    for first in last_months(today()):
        last = month_end(first)
        running = [
            m
            for m in matches
            if m["started_on"] <= last and (m["ended_on"] is None or m["ended_on"] >= first)
        ]
        held = [g for g in signups if month_of.get(g["shift_id"]) == first]
        active = {m["volunteer_id"] for m in running} | {g["volunteer_id"] for g in held}
        in_month = [s for s in shifts if month_of[s["id"]] == first]
        result[f"{first:%m/%Y}"] = [
            len(active),
            len(running),
            len(in_month),
            sum(s["slots"] for s in in_month),
            len(held),
        ]
    return result


async def test_the_figures_hold_what_the_database_holds(
    volunteers: httpx.AsyncClient,
    identity: RunningDevProvider,
    browser: httpx.AsyncClient,
    volunteers_database: str,
) -> None:
    coordinator = auth_headers(identity, Role.VOLUNTEER_COORDINATOR, subject="coord-ines")
    shift = await planned_shift(volunteers, coordinator, slots=3, days_ahead=1)
    _anna, anna_headers = await registered_volunteer(volunteers, coordinator, identity)
    signed = await volunteers.post(f"/shifts/{shift['id']}/signup", headers=anna_headers)
    assert signed.status_code in (200, 201), signed.text
    mentor, _headers = await registered_volunteer(volunteers, coordinator, identity)
    matched = await volunteers.post(
        "/matches",
        json={
            "volunteer_id": mentor["id"],
            "household_id": await known_household(volunteers_database, minors=0),
            "started_on": today().isoformat(),
        },
        headers=coordinator,
    )
    assert matched.status_code == 201, matched.text

    page = await browser.get("/ui/kennzahlen")
    assert page.status_code == 200, page.text
    assert page.text.count('role="img"') == 2
    for chart in ("chart-active", "chart-shifts"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in page.text
        assert f'<desc id="{chart}-desc">' in page.text
        assert f'id="{chart}-table-caption"' in page.text, "a table beside each chart"
    assert page.text.count("<table") == 2
    assert 'href="/ui/kennzahlen"' in page.text, "a section of the navigation"
    assert "ohne Enddatum" in page.text, "the page says what active means"

    expected = await monthly_from_database(volunteers_database)
    active = table(await browser.get("/ui/kennzahlen?download=csv&tabelle=aktiv"))
    assert active[0] == ["Monat", "Aktive Ehrenamtliche", "Laufende Patenschaften"]
    assert len(active) == 13
    assert {row[0]: [int(c) for c in row[1:]] for row in active[1:]} == {
        month: counts[:2] for month, counts in expected.items()
    }
    shifts = table(await browser.get("/ui/kennzahlen?download=csv&tabelle=schichten"))
    assert shifts[0] == ["Monat", "Schichten", "Plätze", "Besetzte Plätze"]
    assert {row[0]: [int(c) for c in row[1:]] for row in shifts[1:]} == {
        month: counts[2:] for month, counts in expected.items()
    }
    assert sum(counts[4] for counts in expected.values()) >= 1, "Anna's slot"
    assert expected[f"{today():%m/%Y}"][0] >= 1, "the mentor is active this month"

    excel = await browser.get("/ui/kennzahlen?download=xlsx&tabelle=schichten")
    assert excel.status_code == 200
    assert excel.content.startswith(b"PK"), "an Excel workbook"


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.CASEWORKER, Role.COURSE_COORDINATOR])
async def test_only_volunteer_coordinators_see_the_figures(
    volunteers: httpx.AsyncClient, role: Role
) -> None:
    async with tool_client(volunteers.app) as other:  # type: ignore[attr-defined]
        await sign_in(other, subject="kurt", roles=[role])
        assert (await other.get("/ui/kennzahlen")).status_code == 403
        download = await other.get("/ui/kennzahlen?download=csv&tabelle=aktiv")
        assert download.status_code == 403
        assert "Monat;" not in download.text
