"""Protection needs: recorded by the household's caseworker as flags from a list kept as
data, read by those who place it; a unit lacking a protection a need requires is refused
at the field, and taken only with an officer's recorded reason."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import httpx
import pytest
from housing import service
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.households import HouseholdReferredToHousing
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import new_site

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"


@pytest.fixture
def officer(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.HOUSING_OFFICER, subject="ho-petra")


@pytest.fixture
def caseworker(identity: RunningDevProvider) -> dict[str, str]:
    return auth_headers(identity, Role.CASEWORKER, subject="cw-nord", teams=[NORTH])


async def referred(database_url: str, *, members: int = 1, team: str | None = NORTH) -> uuid.UUID:
    household_id = uuid.uuid4()
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await service.enqueue_households(
            session=session,
            events=[
                HouseholdReferredToHousing(
                    household_id=household_id,
                    allocation_notice_number=f"BRA-{household_id.hex[:8]}",
                    allocated_on=date(2026, 11, 20),
                    member_count=members,
                    minor_count=0,
                    needs_accessible_housing=False,
                    team=team,
                )
            ],
        )
    await engine.dispose()
    return household_id


async def test_the_lists_are_data_and_a_caseworker_records_their_households_needs(
    housing: httpx.AsyncClient,
    identity: RunningDevProvider,
    officer: dict[str, str],
    caseworker: dict[str, str],
    housing_database: str,
) -> None:
    lists = (await housing.get("/protection-needs", headers=caseworker)).json()
    needs = {need["code"]: need for need in lists["needs"]}
    assert needs["women_alone"]["label_de"] == "allein reisende Frauen"
    assert set(needs["women_alone"]["requires"]) == {"women_only", "lockable"}
    assert "lockable" in {p["code"] for p in lists["unit_protections"]}

    household = await referred(housing_database)
    path = f"/households/{household}/protection-needs"
    recorded = await housing.put(
        path, json={"needs": ["women_alone", "violence"]}, headers=caseworker
    )
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["needs"] == ["women_alone", "violence"]
    assert recorded.json()["recorded_by"] == "cw-nord"
    read = await housing.get(path, headers=officer)
    assert read.json()["needs"] == ["women_alone", "violence"]

    unknown = await housing.put(path, json={"needs": ["vip"]}, headers=caseworker)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "needs"
    other_team = auth_headers(identity, Role.CASEWORKER, subject="cw-sued", teams=[SOUTH])
    assert (await housing.get(path, headers=other_team)).status_code == 404
    assert (await housing.put(path, json={"needs": []}, headers=other_team)).status_code == 404
    # Recorded by the caseworker: the officer reads them, and records none.
    assert (await housing.put(path, json={"needs": []}, headers=officer)).status_code == 403
    for role in (Role.COURSE_COORDINATOR, Role.ADMIN, Role.VOLUNTEER_COORDINATOR):
        assert (await housing.get(path, headers=auth_headers(identity, role))).status_code == 403

    cleared = await housing.put(path, json={"needs": []}, headers=caseworker)
    assert cleared.json()["needs"] == []
    assert ("cw-nord", "record_protection_needs") in await audit_of(housing_database, household)
    assert ("ho-petra", "read_protection_needs") in await audit_of(housing_database, household)


async def test_an_unsuited_unit_is_refused_at_the_field_and_taken_only_with_a_reason(
    housing: httpx.AsyncClient,
    officer: dict[str, str],
    caseworker: dict[str, str],
    housing_database: str,
) -> None:
    open_site = await new_site(housing, officer, beds=2)
    open_unit = open_site["units"][0]["id"]  # type: ignore[index]
    women_site = await new_site(housing, officer, beds=2)
    women_unit = women_site["units"][0]["id"]  # type: ignore[index]
    marked = await housing.put(
        f"/units/{women_unit}/protections",
        json={"protections": ["women_only", "lockable"]},
        headers=officer,
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["units"][0]["protections"] == ["women_only", "lockable"]
    wrong = await housing.put(
        f"/units/{women_unit}/protections", json={"protections": ["moat"]}, headers=officer
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "protections"

    household = await referred(housing_database)
    await housing.put(
        f"/households/{household}/protection-needs",
        json={"needs": ["women_alone"]},
        headers=caseworker,
    )
    body = {"household_id": str(household), "moved_in_on": "2026-11-25"}
    refused = await housing.post(
        "/placements", json={**body, "unit_id": open_unit}, headers=officer
    )
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "unit_id"
    assert "protection" in error["message"]
    reserve = await housing.post(
        "/reservations",
        json={"household_id": str(household), "unit_id": open_unit},
        headers=officer,
    )
    assert reserve.status_code == 422

    overridden = await housing.post(
        "/placements",
        json={
            **body,
            "unit_id": open_unit,
            "protection_override_reason": "Notfall: keine geschützte Wohneinheit frei",
        },
        headers=officer,
    )
    assert overridden.status_code == 201, overridden.text
    assert await override_reason(housing_database, overridden.json()["id"]) == (
        "Notfall: keine geschützte Wohneinheit frei"
    )
    assert ("ho-petra", "override_protection") in await audit_of(housing_database, household)

    suited = await referred(housing_database)
    await housing.put(
        f"/households/{suited}/protection-needs", json={"needs": ["violence"]}, headers=caseworker
    )
    placed = await housing.post(
        "/placements",
        json={"household_id": str(suited), "unit_id": women_unit, "moved_in_on": "2026-11-25"},
        headers=officer,
    )
    assert placed.status_code == 201, placed.text
    assert await override_reason(housing_database, placed.json()["id"]) is None
    assert ("ho-petra", "override_protection") not in await audit_of(housing_database, suited)


async def override_reason(database_url: str, placement_id: str) -> str | None:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return await connection.fetchval(  # type: ignore[no-any-return]
            "SELECT protection_override_reason FROM placement WHERE id = $1",
            uuid.UUID(placement_id),
        )
    finally:
        await connection.close()


async def audit_of(database_url: str, household: object) -> set[tuple[str, str]]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT actor, action FROM audit_entry "
            "WHERE resource_type = 'household' AND resource_id = $1",
            str(household),
        )
    finally:
        await connection.close()
    return {(row["actor"], row["action"]) for row in rows}
