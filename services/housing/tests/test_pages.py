"""Housing's staff pages in-process: board, queue, placing and moving out, roles, German."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import housing
import httpx
import pytest
from housing import service
from teilhabe.auth import Role
from teilhabe.auth.testing import RunningDevProvider, routes_without_declared_roles
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdAssigned
from teilhabe.testing.identity import auth_headers
from teilhabe.ui import catalogues
from teilhabe.ui.testing import sign_in


@pytest.fixture
async def browser(housing: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client with cookies of its own against the same in-process app."""
    transport = httpx.ASGITransport(app=housing.app)  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def officer(browser: httpx.AsyncClient) -> httpx.AsyncClient:
    await sign_in(browser, subject="bernd", roles=[Role.HOUSING_OFFICER])
    return browser


async def waiting_household(
    database_url: str, members: int, *, accessible: bool = False
) -> tuple[uuid.UUID, str]:
    """A household on the queue, put there by the code the consumer runs."""
    household_id = uuid.uuid4()
    number = f"BRA-{household_id.hex[:8]}"
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await service.enqueue_households(
            session=session,
            events=[
                HouseholdAssigned(
                    household_id=household_id,
                    allocation_notice_number=number,
                    allocated_on=date(2026, 11, 20),
                    member_count=members,
                    minor_count=1,
                    members=tuple(
                        AllocatedMember(member_id=uuid.uuid4(), age_group=AgeGroup.ADULT)
                        for _ in range(members)
                    ),
                    needs_accessible_housing=accessible,
                )
            ],
        )
    await engine.dispose()
    return household_id, number


async def new_site(
    housing: httpx.AsyncClient, identity: RunningDevProvider, units: list[dict[str, Any]]
) -> dict[str, Any]:
    response = await housing.post(
        "/sites",
        json={
            "name": f"Übergangswohnheim {uuid.uuid4().hex[:6]}",
            "kind": "communal_housing",
            "address": "Lüdinghauser Straße 1, 48249 Dülmen",
            "units": units,
        },
        headers=auth_headers(identity, Role.HOUSING_OFFICER),
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def unit_row(page: httpx.Response, site: str, unit: str) -> str:
    found = re.search(
        rf'<tr class="kern-table__row" data-unit="{re.escape(site)}/{unit}">(.*?)</tr>',
        page.text,
        re.S,
    )
    assert found, f"no row for {site}/{unit}"
    return found.group(1)


def cell(row: str, name: str) -> str:
    found = re.search(rf"<td[^>]*data-{name}>([^<]*)</td>", row)
    assert found
    return found.group(1)


def error_next_to(page: httpx.Response, field: str) -> str:
    found = re.search(
        rf'<p class="kern-error" id="{re.escape(field)}-error">.*?<span class="kern-sr-only">'
        r"[^<]*</span>([^<]+)</span>",
        page.text,
        re.S,
    )
    assert found, f"no error shown for {field}"
    return found.group(1).strip()


async def test_every_page_declares_who_may_see_it(housing: httpx.AsyncClient) -> None:
    assert routes_without_declared_roles(housing.app) == []  # type: ignore[attr-defined]


async def test_only_housing_officers_and_admins_get_in(
    browser: httpx.AsyncClient, housing: httpx.AsyncClient
) -> None:
    assert (await browser.get("/ui/warteliste")).status_code == 303
    page = await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    assert page.status_code == 403
    assert "Kein Zugriff" in page.text
    assert (await browser.get("/ui/warteliste")).status_code == 403
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=housing.app),  # type: ignore[attr-defined]
        base_url="http://test",
    ) as admin:
        assert (await sign_in(admin, subject="root", roles=[Role.ADMIN])).status_code == 200


async def test_officer_places_a_household_and_the_board_changes(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    site = await new_site(housing, identity, [{"name": "A1", "beds": 4}])
    household_id, number = await waiting_household(housing_database, members=3)

    board = await officer.get("/ui/")
    assert board.status_code == 200
    assert "<title>Belegung – Unterbringung – Teilhabe</title>" in board.text
    row = unit_row(board, site["name"], "A1")
    assert (cell(row, "occupied"), cell(row, "free")) == ("0", "4")
    assert "Gemeinschaftsunterkunft" in board.text

    queue = await officer.get("/ui/warteliste")
    assert f'data-household="{number}"' in queue.text
    place_url = f"/ui/warteliste/{household_id}/unterbringen"
    assert place_url in queue.text

    form = await officer.get(place_url)
    assert form.status_code == 200
    assert f"Haushalt {number} unterbringen" in form.text
    assert re.search(r'id="moved_in_on"[^>]*value="\d\d\.\d\d\.\d{4}"', form.text)
    unit_id = site["units"][0]["id"]
    placed = await officer.post(
        place_url,
        data={"csrf_token": csrf(form), "unit_id": unit_id, "moved_in_on": "25.11.2026"},
    )
    assert placed.status_code == 303, placed.text
    assert placed.headers["location"] == "/ui/"

    board = await officer.get("/ui/")
    assert f"Haushalt {number} ist in {site['name']}, Wohneinheit A1 untergebracht" in board.text
    row = unit_row(board, site["name"], "A1")
    assert (cell(row, "occupied"), cell(row, "free")) == ("3", "1")
    assert f"{number} (3 Betten, seit 25.11.2026)" in row
    assert f'data-household="{number}"' not in (await officer.get("/ui/warteliste")).text
    assert (await officer.get(place_url)).status_code == 404

    db = await asyncpg.connect(asyncpg_dsn(housing_database))
    try:
        events = await db.fetch(
            "SELECT event_type FROM outbox_message WHERE convert_from(body, 'UTF8') LIKE $1",
            f"%{household_id}%",
        )
    finally:
        await db.close()
    assert [event["event_type"] for event in events] == ["household.moved_in"]

    move_out_url = re.search(r'href="(/ui/belegungen/[^"]+/auszug)"', row)
    assert move_out_url
    form = await officer.get(move_out_url.group(1))
    assert f"Auszug von Haushalt {number} erfassen" in form.text
    too_early = await officer.post(
        move_out_url.group(1),
        data={"csrf_token": csrf(form), "moved_out_on": "24.11.2026", "reason": ""},
    )
    assert too_early.status_code == 422
    assert error_next_to(too_early, "reason") == "Bitte wählen Sie einen Eintrag aus der Liste."
    too_early = await officer.post(
        move_out_url.group(1),
        data={"csrf_token": csrf(form), "moved_out_on": "24.11.2026", "reason": "transfer"},
    )
    assert error_next_to(too_early, "moved_out_on") == (
        "Der Auszug kann nicht vor dem Einzug liegen."
    )
    assert 'value="24.11.2026"' in too_early.text
    assert re.search(r'<option value="transfer" selected>', too_early.text)

    moved = await officer.post(
        move_out_url.group(1),
        data={"csrf_token": csrf(form), "moved_out_on": "30.11.2026", "reason": "private_housing"},
    )
    assert moved.status_code == 303
    board = await officer.get("/ui/")
    assert "Auszug erfasst: 3 Betten in" in board.text
    row = unit_row(board, site["name"], "A1")
    assert (cell(row, "occupied"), cell(row, "free")) == ("0", "4")


async def test_refusals_of_the_placement_rules_are_shown_at_their_field(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    site = await new_site(
        housing,
        identity,
        [{"name": "B1", "beds": 2}, {"name": "B2", "beds": 4, "accessible": True}],
    )
    small, wide = site["units"][0]["id"], site["units"][1]["id"]
    household_id, _ = await waiting_household(housing_database, members=3, accessible=True)
    url = f"/ui/warteliste/{household_id}/unterbringen"
    form = await officer.get(url)
    assert "Dieser Haushalt braucht eine barrierefreie Wohneinheit." in form.text
    token = csrf(form)

    nothing = await officer.post(url, data={"csrf_token": token, "moved_in_on": "morgen"})
    assert nothing.status_code == 422
    assert error_next_to(nothing, "unit_id") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert error_next_to(nothing, "moved_in_on").startswith("Bitte geben Sie ein Datum")

    not_accessible = await officer.post(
        url, data={"csrf_token": token, "unit_id": small, "moved_in_on": "25.11.2026"}
    )
    assert error_next_to(not_accessible, "unit_id") == (
        "Der Haushalt braucht eine barrierefreie Wohneinheit."
    )
    assert re.search(rf'value="{small}" checked', not_accessible.text), "the choice is kept"

    too_many = await officer.post(
        url,
        data={"csrf_token": token, "unit_id": wide, "moved_in_on": "25.11.2026", "bed_count": "5"},
    )
    assert error_next_to(too_many, "bed_count").startswith("Es können nicht mehr Betten")

    split = await officer.post(
        url,
        data={"csrf_token": token, "unit_id": wide, "moved_in_on": "25.11.2026", "bed_count": "2"},
    )
    assert error_next_to(split, "split_reason").startswith("Wenn nur ein Teil des Haushalts")

    not_a_number = await officer.post(
        url,
        data={"csrf_token": token, "unit_id": wide, "moved_in_on": "25.11.2026", "bed_count": "x"},
    )
    assert error_next_to(not_a_number, "bed_count") == "Bitte geben Sie eine ganze Zahl ein."

    placed = await officer.post(
        url,
        data={
            "csrf_token": token,
            "unit_id": wide,
            "moved_in_on": "25.11.2026",
            "bed_count": "2",
            "split_reason": "Ein Mitglied ist im Krankenhaus.",
        },
    )
    assert placed.status_code == 303


async def test_too_few_free_beds_is_said_at_the_unit(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    site = await new_site(housing, identity, [{"name": "C1", "beds": 2}])
    household_id, _ = await waiting_household(housing_database, members=3)
    url = f"/ui/warteliste/{household_id}/unterbringen"
    form = await officer.get(url)
    refused = await officer.post(
        url,
        data={
            "csrf_token": csrf(form),
            "unit_id": site["units"][0]["id"],
            "moved_in_on": "25.11.2026",
        },
    )
    assert refused.status_code == 422
    assert (
        error_next_to(refused, "unit_id") == "In dieser Wohneinheit sind nicht genug Betten frei."
    )


async def test_officer_moves_a_household_to_another_unit_in_one_step(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    old = await new_site(housing, identity, [{"name": "U1", "beds": 3}])
    new = await new_site(housing, identity, [{"name": "U2", "beds": 1}, {"name": "U3", "beds": 4}])
    household_id, number = await waiting_household(housing_database, members=2)
    place_url = f"/ui/warteliste/{household_id}/unterbringen"
    form = await officer.get(place_url)
    placed = await officer.post(
        place_url,
        data={
            "csrf_token": csrf(form),
            "unit_id": old["units"][0]["id"],
            "moved_in_on": "25.11.2026",
        },
    )
    assert placed.status_code == 303
    row = unit_row(await officer.get("/ui/"), old["name"], "U1")
    found = re.search(r'href="(/ui/belegungen/[^"]+/umzug)"', row)
    assert found
    url = found.group(1)

    form = await officer.get(url)
    assert f"Umzug von Haushalt {number} erfassen" in form.text
    assert old["units"][0]["id"] not in form.text, "not offered the unit it lives in"
    too_small = await officer.post(
        url,
        data={"csrf_token": csrf(form), "unit_id": new["units"][0]["id"], "moved_on": "1.12.2026"},
    )
    assert too_small.status_code == 422
    assert error_next_to(too_small, "unit_id") == (
        "In dieser Wohneinheit sind nicht genug Betten frei."
    )
    assert 'value="1.12.2026"' in too_small.text

    moved = await officer.post(
        url,
        data={"csrf_token": csrf(form), "unit_id": new["units"][1]["id"], "moved_on": "1.12.2026"},
    )
    assert moved.status_code == 303, moved.text
    board = await officer.get("/ui/")
    assert f"Haushalt {number} ist nach {new['name']}, Wohneinheit U3 umgezogen" in board.text
    assert cell(unit_row(board, old["name"], "U1"), "free") == "3"
    assert cell(unit_row(board, new["name"], "U3"), "occupied") == "2"
    assert (await officer.get(url)).status_code == 404, "the old placement has ended"


async def test_board_notes_that_reservations_are_not_recorded(officer: httpx.AsyncClient) -> None:
    board = await officer.get("/ui/")
    assert "Reservierungen werden noch nicht erfasst" in board.text


def test_every_text_has_a_german_translation() -> None:
    package = Path(housing.__file__).parent
    template = catalogues.service_messages(package)
    assert len(template) > 20
    assert catalogues.missing(template, catalogues.catalogue_root(package), "de") == []
