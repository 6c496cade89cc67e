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
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.households import HouseholdReferredToHousing
from teilhabe.ui import catalogues
from teilhabe.ui.i18n import Texts
from teilhabe_dev.testing.auth import RunningDevProvider, routes_without_declared_roles
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client


@pytest.fixture
async def browser(housing: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client with cookies of its own against the same in-process app."""
    async with tool_client(housing.app) as client:  # type: ignore[attr-defined]
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
                HouseholdReferredToHousing(
                    household_id=household_id,
                    allocation_notice_number=number,
                    allocated_on=date(2026, 11, 20),
                    member_count=members,
                    minor_count=1,
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


async def test_every_page_declares_who_may_see_it(housing: httpx.AsyncClient) -> None:
    assert routes_without_declared_roles(housing.app) == []  # type: ignore[attr-defined]


async def test_only_housing_officers_get_in(
    browser: httpx.AsyncClient, housing: httpx.AsyncClient
) -> None:
    assert (await browser.get("/ui/warteliste")).status_code == 303
    page = await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    assert page.status_code == 403
    assert "Kein Zugriff" in page.text
    assert (await browser.get("/ui/warteliste")).status_code == 403
    async with tool_client(housing.app) as admin:  # type: ignore[attr-defined]
        # Administrators administer; placing households is not theirs to see.
        assert (await sign_in(admin, subject="root", roles=[Role.ADMIN])).status_code == 403


async def test_officer_places_a_household_and_the_board_changes(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    site = await new_site(housing, identity, [{"name": "A1", "beds": 4}])
    household_id, number = await waiting_household(housing_database, members=3)

    board = await officer.get("/ui/", params={"q": site["name"]})
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
        data={"csrf_token": form_token(form), "unit_id": unit_id, "moved_in_on": "25.11.2026"},
    )
    assert placed.status_code == 303, placed.text
    assert placed.headers["location"] == "/ui/"

    board = await officer.get("/ui/", params={"q": site["name"]})
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
        data={"csrf_token": form_token(form), "moved_out_on": "24.11.2026", "reason": ""},
    )
    assert too_early.status_code == 422
    assert error_next_to(too_early, "reason") == "Bitte wählen Sie einen Eintrag aus der Liste."
    too_early = await officer.post(
        move_out_url.group(1),
        data={"csrf_token": form_token(form), "moved_out_on": "24.11.2026", "reason": "transfer"},
    )
    assert error_next_to(too_early, "moved_out_on") == (
        "Der Auszug kann nicht vor dem Einzug liegen."
    )
    assert 'value="24.11.2026"' in too_early.text
    assert re.search(r'<option value="transfer" selected>', too_early.text)

    long_ago = await officer.post(
        move_out_url.group(1),
        data={"csrf_token": form_token(form), "moved_out_on": "02.01.2026", "reason": "other"},
    )
    assert error_next_to(long_ago, "moved_out_on") == (
        "Der Auszug liegt zu weit zurück, um ihn noch zu erfassen."
    )
    moved = await officer.post(
        move_out_url.group(1),
        data={
            "csrf_token": form_token(form),
            "moved_out_on": "30.11.2026",
            "reason": "private_housing",
        },
    )
    assert moved.status_code == 303
    board = await officer.get("/ui/", params={"q": site["name"]})
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
    token = form_token(form)

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
            "csrf_token": form_token(form),
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
            "csrf_token": form_token(form),
            "unit_id": old["units"][0]["id"],
            "moved_in_on": "25.11.2026",
        },
    )
    assert placed.status_code == 303
    row = unit_row(await officer.get("/ui/", params={"q": old["name"]}), old["name"], "U1")
    found = re.search(r'href="(/ui/belegungen/[^"]+/umzug)"', row)
    assert found
    url = found.group(1)

    form = await officer.get(url)
    assert f"Umzug von Haushalt {number} erfassen" in form.text
    assert old["units"][0]["id"] not in form.text, "not offered the unit it lives in"
    too_small = await officer.post(
        url,
        data={
            "csrf_token": form_token(form),
            "unit_id": new["units"][0]["id"],
            "moved_on": "1.12.2026",
        },
    )
    assert too_small.status_code == 422
    assert error_next_to(too_small, "unit_id") == (
        "In dieser Wohneinheit sind nicht genug Betten frei."
    )
    assert 'value="1.12.2026"' in too_small.text

    moved = await officer.post(
        url,
        data={
            "csrf_token": form_token(form),
            "unit_id": new["units"][1]["id"],
            "moved_on": "1.12.2026",
        },
    )
    assert moved.status_code == 303, moved.text
    board = await officer.get("/ui/", params={"q": new["name"]})
    assert f"Haushalt {number} ist nach {new['name']}, Wohneinheit U3 umgezogen" in board.text
    old_board = await officer.get("/ui/", params={"q": old["name"]})
    assert cell(unit_row(old_board, old["name"], "U1"), "free") == "3"
    assert cell(unit_row(board, new["name"], "U3"), "occupied") == "2"
    assert (await officer.get(url)).status_code == 404, "the old placement has ended"


async def test_officer_reserves_beds_and_places_the_household_into_them(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    site = await new_site(housing, identity, [{"name": "R1", "beds": 4}, {"name": "R2", "beds": 2}])
    big, small = site["units"][0]["id"], site["units"][1]["id"]
    household_id, number = await waiting_household(housing_database, members=3)

    queue = await officer.get("/ui/warteliste")
    reserve_url = f"/ui/warteliste/{household_id}/reservieren"
    assert f'href="{reserve_url}">Betten reservieren' in queue.text
    form = await officer.get(reserve_url)
    assert form.status_code == 200
    assert f'<h1 class="kern-heading-large">Betten für Haushalt {number} reservieren</h1>' in (
        form.text
    )
    assert f"{site['name']}, Wohneinheit R1: 4 von 4 Betten frei" in form.text
    reserved = await officer.post(
        reserve_url, data={"csrf_token": form_token(form), "unit_id": big}
    )
    assert reserved.status_code == 303, reserved.text
    assert reserved.headers["location"] == "/ui/warteliste"

    queue = await officer.get("/ui/warteliste")
    assert (
        f"Für Haushalt {number} sind 3 Betten in {site['name']}, Wohneinheit R1 reserviert."
        in queue.text
    )
    row = household_row(queue, number)
    assert f"Reserviert: {site['name']}, Wohneinheit R1 (3 Betten)" in row
    assert "Reservierung aufheben" in row
    assert reserve_url not in row, "one reservation at a time"

    board = await officer.get("/ui/", params={"q": site["name"]})
    row = unit_row(board, site["name"], "R1")
    assert (cell(row, "occupied"), cell(row, "reserved"), cell(row, "free")) == ("0", "3", "1")
    assert re.search(r"<td[^>]*data-site-reserved>3</td>", section_of(board, site["name"]))
    assert "Reservierungen werden noch nicht erfasst" not in board.text

    # Another household cannot take the reserved beds.
    other_id, _ = await waiting_household(housing_database, members=2)
    other_url = f"/ui/warteliste/{other_id}/unterbringen"
    other_form = await officer.get(other_url)
    assert f"{site['name']}, Wohneinheit R1: 1 von 4 Betten frei" in other_form.text
    refused = await officer.post(
        other_url,
        data={"csrf_token": form_token(other_form), "unit_id": big, "moved_in_on": "25.11.2026"},
    )
    assert error_next_to(refused, "unit_id") == (
        "In dieser Wohneinheit sind nicht genug Betten frei."
    )

    place_url = f"/ui/warteliste/{household_id}/unterbringen"
    form = await officer.get(place_url)
    assert re.search(rf'value="{big}" checked', form.text), "the reserved unit is preselected"
    assert not re.search(rf'value="{small}" checked', form.text)
    assert (
        f"Für diesen Haushalt sind Betten in {site['name']}, Wohneinheit R1 reserviert "
        "(3 Betten); diese Wohneinheit ist vorausgewählt." in form.text
    )
    assert f"{site['name']}, Wohneinheit R1: 4 von 4 Betten frei" in form.text, "its own beds"
    placed = await officer.post(
        place_url,
        data={"csrf_token": form_token(form), "unit_id": big, "moved_in_on": "25.11.2026"},
    )
    assert placed.status_code == 303, placed.text
    row = unit_row(await officer.get("/ui/", params={"q": site["name"]}), site["name"], "R1")
    assert (cell(row, "occupied"), cell(row, "reserved"), cell(row, "free")) == ("3", "0", "1")


async def test_the_reserve_form_shows_refusals_at_their_field_and_keeps_the_values(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    site = await new_site(housing, identity, [{"name": "S1", "beds": 2}, {"name": "S2", "beds": 5}])
    small, wide = site["units"][0]["id"], site["units"][1]["id"]
    household_id, _ = await waiting_household(housing_database, members=3)
    url = f"/ui/warteliste/{household_id}/reservieren"
    token = form_token(await officer.get(url))

    nothing = await officer.post(url, data={"csrf_token": token})
    assert nothing.status_code == 422
    assert error_next_to(nothing, "unit_id") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert "Bitte korrigieren Sie" in nothing.text

    too_small = await officer.post(url, data={"csrf_token": token, "unit_id": small})
    assert error_next_to(too_small, "unit_id") == (
        "In dieser Wohneinheit sind nicht genug Betten frei."
    )
    assert re.search(rf'value="{small}" checked', too_small.text), "the choice is kept"

    split = await officer.post(url, data={"csrf_token": token, "unit_id": wide, "bed_count": "2"})
    assert error_next_to(split, "split_reason").startswith("Wenn nur ein Teil des Haushalts")
    assert re.search(r'id="bed_count"[^>]*value="2"', split.text)

    not_a_number = await officer.post(
        url, data={"csrf_token": token, "unit_id": wide, "bed_count": "x"}
    )
    assert error_next_to(not_a_number, "bed_count") == "Bitte geben Sie eine ganze Zahl ein."

    reason = "Der Vater kommt eine Woche später."
    ok = await officer.post(
        url,
        data={"csrf_token": token, "unit_id": wide, "bed_count": "2", "split_reason": reason},
    )
    assert ok.status_code == 303, ok.text
    reservation = await service_reservation(housing_database, household_id)
    assert reservation == (uuid.UUID(wide), 2, reason, "bernd")

    # The place form offers the split the reservation was made for.
    form = await officer.get(f"/ui/warteliste/{household_id}/unterbringen")
    assert re.search(r'id="bed_count"[^>]*value="2"', form.text)
    assert reason in form.text
    # Reserving again is refused: the reservation is cancelled first.
    again = await officer.get(url)
    assert "Um andere Betten zu reservieren, heben Sie diese Reservierung zuerst" in again.text
    assert 'name="unit_id"' not in again.text
    twice = await officer.post(url, data={"csrf_token": token, "unit_id": small})
    assert twice.status_code == 422
    assert "Für diesen Haushalt sind bereits Betten reserviert." in twice.text


async def test_officer_cancels_a_reservation_and_the_beds_are_free_again(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    site = await new_site(housing, identity, [{"name": "Z1", "beds": 3}])
    household_id, number = await waiting_household(housing_database, members=2)
    response = await housing.post(
        "/reservations",
        json={"household_id": str(household_id), "unit_id": site["units"][0]["id"]},
        headers=auth_headers(identity, Role.HOUSING_OFFICER),
    )
    assert response.status_code == 201, response.text

    queue = await officer.get("/ui/warteliste")
    row = household_row(queue, number)
    found = re.search(r'action="(/ui/reservierungen/[^"]+/aufheben)"', row)
    assert found
    assert (
        f'Reservierung aufheben<span class="visually-hidden"> für Haushalt {number}</span>' in row
    )
    cancelled = await officer.post(found.group(1), data={"csrf_token": form_token(queue)})
    assert cancelled.status_code == 303, cancelled.text
    assert cancelled.headers["location"] == "/ui/warteliste"
    queue = await officer.get("/ui/warteliste")
    assert (
        f"Die Reservierung für Haushalt {number} ist aufgehoben: 2 Betten in {site['name']}, "
        "Wohneinheit Z1 sind wieder frei." in queue.text
    )
    assert "Reserviert:" not in household_row(queue, number)
    row = unit_row(await officer.get("/ui/", params={"q": site["name"]}), site["name"], "Z1")
    assert (cell(row, "reserved"), cell(row, "free")) == ("0", "3")

    again = await officer.post(found.group(1), data={"csrf_token": form_token(queue)})
    assert again.status_code == 409
    assert "Diese Reservierung ist bereits beendet." in again.text
    assert "data-error-summary" in again.text
    unknown = await officer.post(
        f"/ui/reservierungen/{uuid.uuid4()}/aufheben", data={"csrf_token": form_token(queue)}
    )
    assert unknown.status_code == 404


async def test_reserving_is_for_housing_staff_only(
    browser: httpx.AsyncClient, housing_database: str
) -> None:
    household_id, _ = await waiting_household(housing_database, members=1)
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    assert (await browser.get(f"/ui/warteliste/{household_id}/reservieren")).status_code == 403
    assert (await browser.get(f"/ui/warteliste/{uuid.uuid4()}/reservieren")).status_code == 403


async def test_reserving_for_an_unknown_household_is_not_found(officer: httpx.AsyncClient) -> None:
    assert (await officer.get(f"/ui/warteliste/{uuid.uuid4()}/reservieren")).status_code == 404


def household_row(page: httpx.Response, number: str) -> str:
    found = re.search(
        rf'<tr class="kern-table__row" data-household="{re.escape(number)}">(.*?)</tr>',
        page.text,
        re.S,
    )
    assert found, f"no row for {number}"
    return found.group(1)


def section_of(page: httpx.Response, site: str) -> str:
    found = re.search(rf">{re.escape(site)}</h2>(.*?)</section>", page.text, re.S)
    assert found, f"no section for {site}"
    return found.group(1)


async def service_reservation(
    database_url: str, household_id: uuid.UUID
) -> tuple[uuid.UUID, int, str | None, str] | None:
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        row = await db.fetchrow(
            "SELECT unit_id, bed_count, split_reason, reserved_by FROM reservation "
            "WHERE household_id = $1 AND ended_at IS NULL",
            household_id,
        )
    finally:
        await db.close()
    return None if row is None else tuple(row)  # type: ignore[return-value]


def test_every_text_has_a_german_translation() -> None:
    package = Path(housing.__file__).parent
    template = catalogues.service_messages(package)
    assert len(template) > 20
    assert catalogues.missing(template, catalogues.catalogue_root(package), "de") == []


def test_one_bed_is_one_bett_not_one_betten() -> None:
    german = Texts.load("de", [Path(housing.__file__).parent / "templates" / "locale"])
    one, two = (
        german.ngettext(
            "Move-out recorded: %(num)s bed in %(site)s, unit %(unit)s is free again.",
            "Move-out recorded: %(num)s beds in %(site)s, unit %(unit)s are free again.",
            count,
        )
        % {"num": count, "site": "Halterner Straße", "unit": "A1"}
        for count in (1, 2)
    )
    assert one == "Auszug erfasst: 1 Bett in Halterner Straße, Wohneinheit A1 ist wieder frei."
    assert two == "Auszug erfasst: 2 Betten in Halterner Straße, Wohneinheit A1 sind wieder frei."
    scheduled = german.ngettext(
        "Move-out scheduled: %(num)s bed in %(site)s, unit %(unit)s is free from %(day)s.",
        "Move-out scheduled: %(num)s beds in %(site)s, unit %(unit)s are free from %(day)s.",
        1,
    ) % {"num": 1, "site": "Halterner Straße", "unit": "A1", "day": "01.03.2027"}
    assert (
        scheduled
        == "Auszug vorgemerkt: 1 Bett in Halterner Straße, Wohneinheit A1 ist ab 01.03.2027 frei."
    )
    assert (
        german.ngettext("%(free)s of %(num)s bed free", "%(free)s of %(num)s beds free", 1)
        % {
            "free": 0,
            "num": 1,
        }
        == "0 von 1 Bett frei"
    )


async def test_a_fresh_system_gets_its_sites_units_and_beds_through_the_tool(
    officer: httpx.AsyncClient,
) -> None:
    page = await officer.get("/ui/standorte")
    assert page.status_code == 200
    name = f"Übergangswohnheim Nord {uuid.uuid4().hex[:6]}"
    form = {
        "csrf_token": form_token(page),
        "name": name,
        "kind": "communal_housing",
        "address": "Halterner Straße 5, 48249 Dülmen",
        "unit_name": "A1",
        "beds": "1.000",  # German for a thousand: read as such, and too many
    }
    refused = await officer.post("/ui/standorte", data=form)
    assert refused.status_code == 422
    assert error_next_to(refused, "beds") == "Bitte geben Sie eine Zahl bis höchstens 200 ein."
    assert 'value="1.000"' in refused.text
    wrong = await officer.post("/ui/standorte", data={**form, "beds": "1.00"})
    assert error_next_to(wrong, "beds").startswith("Bitte geben Sie eine ganze Zahl ein")

    saved = await officer.post("/ui/standorte", data={**form, "beds": "1"})
    assert saved.status_code == 303, saved.text
    site_url = saved.headers["location"]
    site = await officer.get(site_url)
    assert f"Standort {name} ist erfasst." in site.text
    assert "1 von 1 Bett frei" in site.text
    [unit_id] = re.findall(r'action="/ui/einheiten/([^/"]+)/betten"', site.text)

    added = await officer.post(
        f"/ui/einheiten/{unit_id}/betten",
        data={"csrf_token": form_token(site), f"unit-{unit_id}-count": "3"},
    )
    assert added.status_code == 303
    site = await officer.get(site_url)
    assert "3 Betten sind in Wohneinheit A1 hinzugekommen." in site.text
    assert "4 von 4 Betten frei" in site.text

    renamed = await officer.post(
        f"/ui/einheiten/{unit_id}/name",
        data={"csrf_token": form_token(site), f"unit-{unit_id}-name": "A1 (Erdgeschoss)"},
    )
    assert renamed.status_code == 303
    unit = await officer.post(
        site_url + "/einheiten",
        data={"csrf_token": form_token(site), "unit_name": "B1", "beds": "2", "accessible": "on"},
    )
    assert unit.status_code == 303
    other = f"{name} (Haus 2)"
    moved = await officer.post(
        site_url + "/name", data={"csrf_token": form_token(site), "site_name": other}
    )
    assert moved.status_code == 303
    site = await officer.get(site_url)
    assert f'<h1 class="kern-heading-large">{other}</h1>' in site.text
    assert "Wohneinheit A1 (Erdgeschoss)" in site.text
    assert "Wohneinheit B1, barrierefrei" in site.text
    board = await officer.get("/ui/", params={"q": other})
    assert other in board.text, "the occupancy board offers the new beds"


async def test_the_board_is_searched_filtered_and_paged(
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    officer: httpx.AsyncClient,
    housing_database: str,
) -> None:
    large = await new_site(
        housing, identity, [{"name": f"G{n:02}", "beds": 1} for n in range(1, 31)]
    )
    small = await new_site(housing, identity, [{"name": "K1", "beds": 1}])
    household_id, number = await waiting_household(housing_database, members=1)
    placed = await housing.post(
        "/placements",
        json={
            "household_id": str(household_id),
            "unit_id": small["units"][0]["id"],
            "moved_in_on": "2026-11-25",
        },
        headers=auth_headers(identity, Role.HOUSING_OFFICER),
    )
    assert placed.status_code == 201, placed.text

    first = await officer.get("/ui/", params={"q": large["name"]})
    assert "30 Wohneinheiten gefunden." in first.text
    assert "Seite 1 von 2" in first.text
    assert 'data-unit="' + large["name"] + '/G25"' in first.text
    assert "/G26" not in first.text
    next_page = re.search(r'href="([^"]*page=2[^"]*)"', first.text)
    assert next_page is not None
    second = await officer.get(next_page.group(1).replace("&amp;", "&"))
    assert 'data-unit="' + large["name"] + '/G30"' in second.text
    assert "/G01" not in second.text

    by_number = await officer.get("/ui/", params={"q": f" {number.lower()} "})
    assert "1 Wohneinheit gefunden." in by_number.text
    assert 'data-unit="' + small["name"] + '/K1"' in by_number.text
    free_here = await officer.get("/ui/", params={"site": small["id"], "free": "on"})
    assert "0 Wohneinheiten gefunden." in free_here.text
    assert small["name"] + "/K1" not in free_here.text


async def test_a_placed_household_is_shown_in_words_and_reading_it_to_move_is_audited(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    site = await new_site(housing, identity, [{"name": "W1", "beds": 4}])
    household_id, number = await waiting_household(housing_database, members=3)
    form = await officer.get(f"/ui/warteliste/{household_id}/unterbringen")
    placed = await officer.post(
        f"/ui/warteliste/{household_id}/unterbringen",
        data={
            "csrf_token": form_token(form),
            "unit_id": site["units"][0]["id"],
            "moved_in_on": "25.11.2026",
        },
    )
    assert placed.status_code == 303, placed.text

    # The board says who lives there as far as placing needs: size and minors, no names.
    board = await officer.get("/ui/", params={"q": site["name"]})
    row = unit_row(board, site["name"], "W1")
    assert f"{number} (3 Betten, seit 25.11.2026), 3 Personen, davon 1 minderjährig" in row

    # The move forms show the household's needs (barrier-free too), read through the
    # service and so audited, as every other read of them.
    async def reads() -> int:
        db = await asyncpg.connect(asyncpg_dsn(housing_database))
        try:
            return int(
                await db.fetchval(
                    "SELECT count(*) FROM audit_entry WHERE resource_type = 'household' "
                    "AND resource_id = $1 AND action = 'read' AND actor = 'bernd'",
                    str(household_id),
                )
            )
        finally:
            await db.close()

    transfer_url = re.search(r'href="(/ui/belegungen/[^"]+/umzug)"', row)
    assert transfer_url
    before = await reads()
    transfer = await officer.get(transfer_url.group(1))
    assert transfer.status_code == 200
    assert "Braucht barrierefreie Unterkunft" in transfer.text
    assert "davon minderjährig" in transfer.text
    assert await reads() == before + 1
