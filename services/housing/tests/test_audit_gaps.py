"""Sites, a site, reservations and the occupancy board name households: reading them is
audited (API and staff tool), as every read of personal data."""

from __future__ import annotations

import asyncpg
import httpx
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.ui import sign_in, tool_client

from .test_api import allocated_household, new_site, place, reserve


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


async def test_reading_occupancy_and_reservations_is_audited(
    housing: httpx.AsyncClient, identity: RunningDevProvider, housing_database: str
) -> None:
    officer = auth_headers(identity, Role.HOUSING_OFFICER, subject="ho-setup")
    site = await new_site(housing, officer, beds=4)
    unit_id = site["units"][0]["id"]  # type: ignore[index]
    living = await allocated_household(housing_database, members=1)
    waiting = await allocated_household(housing_database, members=1)
    assert (await place(housing, officer, living, unit_id)).status_code == 201
    assert (await reserve(housing, officer, waiting, unit_id)).status_code == 201

    def reader(name: str) -> dict[str, str]:
        return auth_headers(identity, Role.HOUSING_OFFICER, subject=name)

    assert (await housing.get("/sites", headers=reader("ho-sites"))).status_code == 200
    one = await housing.get(f"/sites/{site['id']}", headers=reader("ho-site"))
    assert one.status_code == 200
    assert (await housing.get("/reservations", headers=reader("ho-res"))).status_code == 200
    async with tool_client(housing.app) as browser:  # type: ignore[attr-defined]
        await sign_in(browser, subject="ho-board", roles=[Role.HOUSING_OFFICER])
        assert (await browser.get("/ui/")).status_code == 200

    lived_in = await audit_of(housing_database, living)
    assert {("ho-sites", "list"), ("ho-site", "read"), ("ho-board", "list")} <= lived_in
    assert ("ho-res", "list") in await audit_of(housing_database, waiting)
