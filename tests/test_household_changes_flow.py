"""A birth recorded in intake reaches housing (one more bed) and volunteers (the household
has minors now: a mentor without valid clearance is flagged), across processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.ui import sign_in

from .support import System, eventually, household_body, provisioned_system


@pytest.fixture
async def city(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    services = ["intake", "housing", "volunteers"]
    async with provisioned_system(infra, identity, log_dir, services) as system:
        yield system


async def test_a_birth_reaches_housing_and_volunteers(city: System) -> None:
    intake = city.start("intake", "api")
    city.start("intake", "relay")
    housing = city.start("housing", "api")
    city.start("housing", "consumer")
    volunteers = city.start("volunteers", "api")
    city.start("volunteers", "consumer")
    caseworker = city.headers(Role.CASEWORKER)
    coordinator = city.headers(Role.VOLUNTEER_COORDINATOR)

    async with httpx.AsyncClient(base_url=intake.url, headers=caseworker) as client:
        created = await client.post("/households", json=household_body("BRA-BIRTH-1", members=1))
        assert created.status_code == 201, created.text
        household_id = created.json()["id"]

    async with httpx.AsyncClient(base_url=volunteers.url, headers=coordinator) as client:
        volunteer = await client.post(
            "/volunteers",
            json={"display_name": "Jutta B.", "email": "jutta@example.org", "languages": ["fa"]},
        )
        assert volunteer.status_code == 201, volunteer.text
        match = {
            "volunteer_id": volunteer.json()["id"],
            "household_id": household_id,
            "started_on": today().isoformat(),
        }

        async def matched() -> bool:
            # The household reaches volunteers first; adults only, no clearance needed.
            return (await client.post("/matches", json=match)).status_code == 201

        await eventually(matched)

    async with httpx.AsyncClient(base_url=intake.url, headers=caseworker) as client:
        born = await client.post(
            f"/households/{household_id}/members",
            json={
                "given_name": "Neugeboren",
                "family_name": "Karimi",
                "date_of_birth": (today() - timedelta(days=2)).isoformat(),
                "sex": "male",
                "nationality": "AFG",
                "languages": ["fa"],
                "residence_status": "ungeklaert",
                "reason": "birth",
            },
        )
        assert born.status_code == 201, born.text

    async def resized() -> dict[str, Any] | None:
        async with httpx.AsyncClient(base_url=housing.url) as client:
            queue = await client.get("/waiting-queue", headers=city.headers(Role.HOUSING_OFFICER))
        entry = next(h for h in queue.json() if h["household_id"] == household_id)
        return entry if entry["member_count"] == 2 else None

    entry = await eventually(resized)
    assert entry["minor_count"] == 1

    async with httpx.AsyncClient(base_url=volunteers.url) as browser:
        await sign_in(browser, subject="ines", roles=[Role.VOLUNTEER_COORDINATOR])

        async def flagged() -> bool:
            page = await browser.get(f"/ui/haushalte/{household_id}")
            assert page.status_code == 200
            return "data-needs-clearance" in page.text

        await eventually(flagged)
