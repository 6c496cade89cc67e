"""A household registered in intake reaches housing's waiting queue, across processes."""

from __future__ import annotations

import httpx
from teilhabe.auth import Role

from .support import System, eventually, register_households


async def test_registered_household_appears_in_housing_waiting_queue(system: System) -> None:
    intake_api = system.start("intake", "api")
    system.start("intake", "relay")
    housing_api = system.start("housing", "api")
    system.start("housing", "consumer")

    [household_id] = await register_households(
        intake_api, system.headers(Role.CASEWORKER), ["BRA-2026-0001"]
    )

    async def queued() -> list[dict[str, object]]:
        async with httpx.AsyncClient(base_url=housing_api.url) as client:
            response = await client.get(
                "/waiting-queue", headers=system.headers(Role.HOUSING_OFFICER)
            )
            assert response.status_code == 200
            return [h for h in response.json() if h["household_id"] == household_id]

    [entry] = await eventually(queued)
    assert entry["allocation_notice_number"] == "BRA-2026-0001"
    assert entry["member_count"] == 2
    assert entry["minor_count"] == 1
