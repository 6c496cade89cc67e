"""Protection needs in the tool: the caseworker records them, the officer marks units and
sees, when placing, which units lack what the household needs; such a unit is refused at
the field and taken only with a reason."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_protection import NORTH, SOUTH, referred


@pytest.fixture
async def officer(housing: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(housing.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject="ho-petra", roles=[Role.HOUSING_OFFICER])
        yield client


async def test_the_caseworker_records_needs_and_the_officer_places_by_them(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    household = await referred(housing_database, members=1)
    needs_path = f"/ui/haushalte/{household}/schutzbedarf"
    async with tool_client(housing.app) as caseworker:  # type: ignore[attr-defined]
        page = await sign_in(
            caseworker,
            subject="cw-nord",
            roles=[Role.CASEWORKER],
            teams=[NORTH],
            next_path=needs_path,
        )
        assert page.status_code == 200, page.text
        assert "Schutzbedarf von Haushalt BRA-" in page.text
        assert "allein reisende Frauen" in page.text
        saved = await caseworker.post(
            needs_path,
            data={"csrf_token": form_token(page), "needs": ["women_alone", "violence"]},
        )
        assert saved.status_code == 303, saved.text
        page = await caseworker.get(needs_path)
        assert "ist gespeichert" in page.text
        assert re.search(r'value="women_alone" checked', page.text)
        assert re.search(r'value="violence" checked', page.text)
        assert not re.search(r'value="lgbtiq" checked', page.text)
    async with tool_client(housing.app) as other:  # type: ignore[attr-defined]
        page = await sign_in(
            other, subject="cw-sued", roles=[Role.CASEWORKER], teams=[SOUTH], next_path=needs_path
        )
        assert page.status_code == 404, "another team's household is not theirs"
    assert (await officer.get(needs_path)).status_code == 403, "officers read, never record"

    headers = auth_headers(identity, Role.HOUSING_OFFICER)
    created = await housing.post(
        "/sites",
        json={
            "name": f"Frauenhaus {uuid.uuid4().hex[:6]}",
            "kind": "communal_housing",
            "address": "Am Markt 3, 48249 Dülmen",
            "units": [{"name": "F1", "beds": 2}, {"name": "F2", "beds": 2}],
        },
        headers=headers,
    )
    site = created.json()
    protected, unprotected = (unit["id"] for unit in site["units"])
    site_page = await officer.get(f"/ui/standorte/{site['id']}")
    assert "Schutz, den Wohneinheit F1 bietet" in site_page.text
    marked = await officer.post(
        f"/ui/einheiten/{protected}/schutz",
        data={"csrf_token": form_token(site_page), "protections": ["women_only", "lockable"]},
    )
    assert marked.status_code == 303, marked.text
    site_page = await officer.get(f"/ui/standorte/{site['id']}")
    assert (
        f'id="unit-{protected}-protection-lockable" name="protections" value="lockable" checked'
        in (site_page.text)
    )

    place_path = f"/ui/warteliste/{household}/unterbringen"
    form = await officer.get(place_path)
    assert (
        "Von der Fachkraft erfasster Schutzbedarf: allein reisende Frauen, Betroffene von Gewalt"
        in (form.text)
    )
    assert "ohne den nötigen Schutz: abschließbar, nur für Frauen und ihre Kinder" in form.text
    refused = await officer.post(
        place_path,
        data={"csrf_token": form_token(form), "unit_id": unprotected, "moved_in_on": "25.11.2026"},
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "unit_id").startswith(
        "Diese Wohneinheit bietet nicht den Schutz, den der Haushalt braucht"
    )
    assert f'value="{unprotected}" checked' in refused.text, "the choice is kept"
    placed = await officer.post(
        place_path,
        data={
            "csrf_token": form_token(form),
            "unit_id": unprotected,
            "moved_in_on": "25.11.2026",
            "protection_override_reason": "Frauenhaus belegt; Verlegung, sobald F1 frei ist",
        },
    )
    assert placed.status_code == 303, placed.text
    connection = await asyncpg.connect(asyncpg_dsn(housing_database))
    try:
        reason = await connection.fetchval(
            "SELECT protection_override_reason FROM placement WHERE household_id = $1", household
        )
    finally:
        await connection.close()
    assert reason == "Frauenhaus belegt; Verlegung, sobald F1 frei ist"


async def test_moving_a_household_to_a_unit_lacking_its_protection_needs_a_reason(
    officer: httpx.AsyncClient,
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    housing_database: str,
) -> None:
    headers = auth_headers(identity, Role.HOUSING_OFFICER)
    created = await housing.post(
        "/sites",
        json={
            "name": f"Übergangsheim {uuid.uuid4().hex[:6]}",
            "kind": "communal_housing",
            "address": "Am Markt 4, 48249 Dülmen",
            "units": [{"name": "U1", "beds": 1}, {"name": "U2", "beds": 1}],
        },
        headers=headers,
    )
    first, second = (unit["id"] for unit in created.json()["units"])
    household = await referred(housing_database, members=1)
    placed = await housing.post(
        "/placements",
        json={"household_id": str(household), "unit_id": first, "moved_in_on": "2026-11-25"},
        headers=headers,
    )
    assert placed.status_code == 201, placed.text
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-nord", teams=[NORTH])
    await housing.put(
        f"/households/{household}/protection-needs", json={"needs": ["lgbtiq"]}, headers=caseworker
    )

    path = f"/ui/belegungen/{placed.json()['id']}/umzug"
    form = await officer.get(path)
    assert "ohne den nötigen Schutz: abschließbar" in form.text
    refused = await officer.post(
        path, data={"csrf_token": form_token(form), "unit_id": second, "moved_on": "01.12.2026"}
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "unit_id").startswith("Diese Wohneinheit bietet nicht den Schutz")
    moved = await officer.post(
        path,
        data={
            "csrf_token": form_token(form),
            "unit_id": second,
            "moved_on": "01.12.2026",
            "protection_override_reason": "Reparatur in U1, Rückzug in zwei Wochen",
        },
    )
    assert moved.status_code == 303, moved.text
