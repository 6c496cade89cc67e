"""A reservation's expiry survives a timer worker killed in the middle of it.

A household's reservation is due to expire. While its household row is locked, a housing
timer worker is caught inside the expiry (waiting for that lock) and killed with SIGKILL;
then two workers run at once. The reservation ends once, as expired, its beds free, and
the timer counts one attempt: the killed one left nothing behind.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import System, eventually, provisioned_system

TIMER_ENV = {"TIMER_POLL_SECONDS": "1", "RUN_TIMERS_IN_CONSUMER": "false"}


@pytest.fixture
async def city(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["housing"]) as system:
        system.extra_env = TIMER_ENV
        system.start("housing", "api")
        yield system


async def waiting_for_the_household(connection: asyncpg.Connection) -> bool:
    """A backend waits for the household's row lock: the expiry inside its transaction."""
    return bool(
        await connection.fetchval(
            "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted"
        )
    )


async def test_a_reservation_expires_once_also_when_its_timer_worker_is_killed(
    city: System,
) -> None:
    household = uuid.uuid4()
    await city.query(
        "housing",
        "INSERT INTO waiting_household (household_id, allocation_notice_number, allocated_on, "
        "member_count, minor_count, needs_accessible_housing, status) "
        "VALUES ($1, 'BRA-2026-0901', current_date - 10, 2, 0, false, 'awaiting')",
        household,
    )
    officer = city.headers(Role.HOUSING_OFFICER, "ho-kill")
    async with httpx.AsyncClient(base_url=city.api("housing").url, headers=officer) as housing:
        site = await housing.post(
            "/sites",
            json={
                "name": "Übergangswohnheim Nord",
                "kind": "communal_housing",
                "address": "Nordring 1, 48249 Dülmen",
                "units": [{"name": "N1", "beds": 2}],
            },
        )
        assert site.status_code == 201, site.text
        unit_id = site.json()["units"][0]["id"]
        reserved = await housing.post(
            "/reservations", json={"household_id": str(household), "unit_id": unit_id}
        )
        assert reserved.status_code == 201, reserved.text
        reservation_id = uuid.UUID(reserved.json()["id"])
        # Its day has come.
        await city.query(
            "housing",
            "UPDATE timer SET due_at = now(), run_at = now() WHERE key = $1",
            str(reservation_id),
        )

        lock = await asyncpg.connect(asyncpg_dsn(city.databases["housing"]))
        try:
            transaction = lock.transaction()
            await transaction.start()
            await lock.execute(
                "SELECT 1 FROM waiting_household WHERE household_id = $1 FOR UPDATE", household
            )
            doomed = city.start("housing", "timers")
            await eventually(lambda: waiting_for_the_household(lock), timeout=120)
            doomed.kill()
            survivors = [city.start("housing", "timers", wait_ready=False) for _ in range(2)]
            await asyncio.gather(*(asyncio.to_thread(p.wait_ready, 120) for p in survivors))
            await transaction.rollback()
        finally:
            await lock.close()

        await eventually(
            lambda: city.query(
                "housing", "SELECT state = 'fired' FROM timer WHERE key = $1", str(reservation_id)
            ),
            timeout=120,
        )
        [timer] = await city.query_all(
            "housing", "SELECT attempts, fired_at FROM timer WHERE key = $1", str(reservation_id)
        )
        [ended] = await city.query_all(
            "housing", "SELECT end_reason, ended_at FROM reservation WHERE id = $1", reservation_id
        )
        assert ended["end_reason"] == "expired"
        assert timer["attempts"] == 1, "the killed worker's attempt left no trace"
        assert ended["ended_at"] <= timer["fired_at"]
        # The survivors keep running: nothing fires it again.
        await asyncio.sleep(3)
        assert (
            await city.query(
                "housing", "SELECT ended_at FROM reservation WHERE id = $1", reservation_id
            )
            == ended["ended_at"]
        )
        board = (await housing.get(f"/sites/{site.json()['id']}")).json()
        assert (board["occupied"], board["reserved"], board["free"]) == (0, 0, 2)
        queue = (await housing.get("/waiting-queue")).json()
        assert str(household) in [h["household_id"] for h in queue], "it waits for a place"
