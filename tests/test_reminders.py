"""Reminders that survive restarts: intake's timer workers as processes, killed mid-run.

A household registered with residence statuses expiring within the reminder's lead time
is reminded of at once; while the outbox is locked, a timer worker is caught inside its
transaction and killed with SIGKILL, then two workers run at once. Each member's
reminder must be published exactly once and reach every caseworker (the household has
none assigned yet) exactly once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.auth.testing import RunningDevProvider
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn
from teilhabe.testing.infrastructure import Infrastructure

from .support import System, eventually, household_body, provisioned_system

REMINDER = "member.residence_status_expiring"
# Fast polls: a worker that died holding a timer leaves it to the others' next look.
TIMER_ENV = {"TIMER_POLL_SECONDS": "1", "RUN_TIMERS_IN_CONSUMER": "false"}


@pytest.fixture
async def city(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["intake", "notifications"]) as system:
        system.extra_env = TIMER_ENV
        started = [
            system.start(service, command, wait_ready=False)
            for service, command in [
                ("intake", "api"),
                ("intake", "relay"),
                ("notifications", "api"),
                ("notifications", "consumer"),
            ]
        ]
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready, 90) for p in started))
        yield system


async def waiting_outbox_inserts(connection: asyncpg.Connection) -> int:
    """Backends stuck inserting into the outbox: a timer handler inside its transaction."""
    return int(
        await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'INSERT INTO outbox_message%' AND datname = current_database()"
        )
    )


async def test_a_residence_reminder_comes_once_also_after_a_sigkill_and_with_two_workers(
    city: System,
) -> None:
    caseworkers = {
        subject: httpx.AsyncClient(
            base_url=city.api("notifications").url,
            headers=city.headers(Role.CASEWORKER, subject),
            timeout=30,
        )
        for subject in ("cw-anna", "cw-ben")
    }
    for client in caseworkers.values():
        assert (await client.put("/me", json={"language": "de"})).status_code == 200
    body = household_body("BRA-2026-0856", members=3)
    expires_on = today() + timedelta(weeks=8) - timedelta(days=1)  # within the 56 days
    for member in body["members"]:
        member["residence_status_expires_on"] = expires_on.isoformat()
    async with httpx.AsyncClient(
        base_url=city.api("intake").url, headers=city.headers(Role.CASEWORKER, "cw-anna")
    ) as intake:
        registered = await intake.post("/households", json=body)
    assert registered.status_code == 201, registered.text
    household_id = registered.json()["id"]
    member_ids = {member["id"] for member in registered.json()["members"]}

    lock = await asyncpg.connect(asyncpg_dsn(city.databases["intake"]))
    try:
        # Let the registration's own event out first, then hold every outbox insert.
        await eventually(
            lambda: city.query(
                "intake", "SELECT count(*) = 0 FROM outbox_message WHERE published_at IS NULL"
            )
        )
        transaction = lock.transaction()
        await transaction.start()
        await lock.execute("LOCK TABLE outbox_message IN EXCLUSIVE MODE")
        doomed = city.start("intake", "timers")
        await eventually(lambda: _positive(waiting_outbox_inserts(lock)), timeout=90)
        doomed.kill()
        survivors = [city.start("intake", "timers", wait_ready=False) for _ in range(2)]
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready, 90) for p in survivors))
        await transaction.rollback()
    finally:
        await lock.close()

    await eventually(
        lambda: city.query(
            "intake",
            "SELECT count(*) = 3 FROM timer WHERE kind = 'residence_status_expiry' "
            "AND state = 'fired'",
        ),
        timeout=60,
    )
    # Fired and staged in one transaction: the outbox now holds all there will ever be.
    rows = await city.query_all(
        "intake",
        "SELECT event_id, convert_from(body, 'UTF8')::jsonb -> 'data' AS data "
        "FROM outbox_message WHERE event_type = $1",
        REMINDER,
    )
    assert sorted(_member(row) for row in rows) == sorted(member_ids), "one per member"
    event_ids = [row["event_id"] for row in rows]
    await eventually(
        lambda: city.query(
            "notifications",
            "SELECT count(*) = 3 FROM inbox_message WHERE event_id = ANY($1::varchar[])",
            event_ids,
        ),
        timeout=60,
    )
    for client in caseworkers.values():
        reminders = [
            item
            for item in (await client.get("/inbox")).json()["items"]
            if item["event_type"] == REMINDER
        ]
        assert len(reminders) == 3, "each caseworker hears of each member once"
        assert {item["household_id"] for item in reminders} == {household_id}
        await client.aclose()


async def _positive(value: Any) -> bool:
    return bool(await value)


def _member(row: Any) -> str:
    data = row["data"]
    return str((json.loads(data) if isinstance(data, str) else data)["member_id"])
