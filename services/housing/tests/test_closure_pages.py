"""The closure screen: an officer closes a unit or a bed in the tool, sees who lives there
to move them, and the board and site page show the closure."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from housing import service
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.households import HouseholdReferredToHousing
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client


@pytest.fixture
async def officer(housing: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(housing.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="clara", roles=[Role.HOUSING_OFFICER])
        yield client


def german(day: date) -> str:
    return day.strftime("%d.%m.%Y")


async def placed_household(
    housing: httpx.AsyncClient, headers: dict[str, str], database_url: str, unit_id: str
) -> str:
    household_id = uuid.uuid4()
    number = f"BRA-{household_id.hex[:8]}"
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await service.enqueue_households(
            session=session,
            events=[
                HouseholdReferredToHousing(
                    household_id=household_id,
                    allocation_notice_number=number,
                    allocated_on=date(2026, 11, 20),
                    member_count=2,
                    minor_count=0,
                    needs_accessible_housing=False,
                )
            ],
        )
    await engine.dispose()
    placed = await housing.post(
        "/placements",
        json={
            "household_id": str(household_id),
            "unit_id": unit_id,
            "moved_in_on": (today() - timedelta(days=3)).isoformat(),
        },
        headers=headers,
    )
    assert placed.status_code == 201, placed.text
    return number


async def test_an_officer_closes_a_unit_in_the_tool_and_sees_whom_to_move(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    headers = auth_headers(identity, Role.HOUSING_OFFICER)
    created = await housing.post(
        "/sites",
        json={
            "name": f"Notunterkunft {uuid.uuid4().hex[:6]}",
            "kind": "emergency_shelter",
            "address": "Am Markt 1, 48249 Dülmen",
            "units": [{"name": "Halle", "beds": 3}],
        },
        headers=headers,
    )
    site = created.json()
    unit_id = site["units"][0]["id"]
    number = await placed_household(housing, headers, housing_database, unit_id)

    site_page = await officer.get(f"/ui/standorte/{site['id']}")
    closures_url = f"/ui/einheiten/{unit_id}/sperrungen"
    assert f'href="{closures_url}"' in site_page.text
    page = await officer.get(closures_url)
    assert page.status_code == 200
    assert "Sperrungen der Wohneinheit Halle" in page.text
    assert "keine aktuelle oder kommende Sperrung" in page.text

    start, end = today(), today() + timedelta(days=5)
    wrong = await officer.post(
        closures_url,
        data={
            "csrf_token": form_token(page),
            "bed_id": "",
            "starts_on": german(end),
            "ends_on": german(start),
            "reason": "",
        },
    )
    assert wrong.status_code == 422
    assert error_next_to(wrong, "reason") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert f'value="{german(end)}"' in wrong.text, "what was typed is kept"
    backwards = await officer.post(
        closures_url,
        data={
            "csrf_token": form_token(page),
            "starts_on": german(end),
            "ends_on": german(start),
            "reason": "repair",
        },
    )
    assert backwards.status_code == 422
    assert error_next_to(backwards, "ends_on") == (
        "Eine Sperrung kann nicht enden, bevor sie beginnt."
    )
    impossible = await officer.post(
        closures_url,
        data={
            "csrf_token": form_token(page),
            "starts_on": "31.02.2027",
            "ends_on": "",
            "reason": "repair",
        },
    )
    assert impossible.status_code == 422
    assert error_next_to(impossible, "starts_on")
    assert error_next_to(impossible, "ends_on"), "all errors at once"

    closed = await officer.post(
        closures_url,
        data={
            "csrf_token": form_token(page),
            "bed_id": "",
            "starts_on": german(start),
            "ends_on": german(end),
            "reason": "quarantine",
        },
    )
    assert closed.status_code == 303, closed.text
    assert closed.headers["location"] == closures_url
    page = await officer.get(closures_url)
    assert f"Gesperrt vom {german(start)} bis {german(end)}." in page.text
    row = re.search(r"<tr class=\"kern-table__row\" data-closure=[^>]*>(.*?)</tr>", page.text, re.S)
    assert row, page.text
    assert "die ganze Wohneinheit" in row.group(1)
    assert "Quarantäne" in row.group(1)
    assert number in row.group(1)
    assert re.search(r'href="/ui/belegungen/[^"]+/umzug"', row.group(1)), "a way to move them"

    board = await officer.get("/ui/", params={"q": site["name"]})
    assert f"3 Betten gesperrt bis {german(end)}" in board.text
    assert f'href="{closures_url}"' in board.text


async def test_the_closure_screen_is_for_housing_officers_and_known_units_only(
    officer: httpx.AsyncClient, housing: httpx.AsyncClient
) -> None:
    assert (await officer.get(f"/ui/einheiten/{uuid.uuid4()}/sperrungen")).status_code == 404
    async with tool_client(housing.app) as caseworker:  # type: ignore[attr-defined]
        await sign_in(caseworker, subject="anna", roles=[Role.CASEWORKER])
        assert (await caseworker.get(f"/ui/einheiten/{uuid.uuid4()}/sperrungen")).status_code == 403
