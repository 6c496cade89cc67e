"""Reminders that survive restarts: intake's timer workers as processes, killed mid-run.

A household is registered with residence statuses expiring within the reminder's lead
time, and one member's residence obligation (§ 12a AufenthG) ends within its lead time,
so their reminders are due at once. While the outbox is locked, a timer worker is
caught inside its transaction (its handler waits to stage the event) and killed with
SIGKILL; then two workers run at once. Each member's reminder must reach the broker
exactly once. (Who hears of it is notifications' handler test.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import System, eventually, household_body, provisioned_system

REMINDER = "member.residence_status_expiring"
OBLIGATION_REMINDER = "member.residence_obligation_ending"
# Fast polls: a worker that died holding a timer leaves it to the others' next look.
TIMER_ENV = {"TIMER_POLL_SECONDS": "1", "RUN_TIMERS_IN_CONSUMER": "false"}


@pytest.fixture
async def city(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["intake"]) as system:
        system.extra_env = TIMER_ENV
        started = [
            system.start("intake", command, wait_ready=False) for command in ("api", "relay")
        ]
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready, 120) for p in started))
        yield system


async def waiting_outbox_inserts(connection: asyncpg.Connection) -> int:
    """Backends waiting to write into the outbox: a timer handler inside its transaction.

    (The relay waits too, but to claim rows, in a weaker lock mode.)
    """
    return int(
        await connection.fetchval(
            "SELECT count(*) FROM pg_locks WHERE relation = 'outbox_message'::regclass "
            "AND mode = 'RowExclusiveLock' AND NOT granted"
        )
    )


async def test_residence_reminders_come_once_also_after_a_sigkill_and_with_two_workers(
    city: System,
) -> None:
    broker = await aio_pika.connect(city.amqp_url)
    channel = await broker.channel()
    tap = await channel.declare_queue("reminder-tap", exclusive=True)
    await tap.bind("teilhabe.events", REMINDER)
    await tap.bind("teilhabe.events", OBLIGATION_REMINDER)

    body = household_body("BRA-2026-0856", members=3)
    expires_on = today() + timedelta(weeks=8) - timedelta(days=1)  # within the 56 days
    for member in body["members"]:
        member["residence_status_expires_on"] = expires_on.isoformat()
    async with httpx.AsyncClient(
        base_url=city.api("intake").url, headers=city.headers(Role.CASEWORKER, "cw-anna")
    ) as intake:
        registered = await intake.post("/households", json=body)
        assert registered.status_code == 201, registered.text
        member_ids = {member["id"] for member in registered.json()["members"]}
        bound = registered.json()["members"][0]["id"]
        obligation = await intake.put(
            f"/households/{registered.json()['id']}/members/{bound}/residence-obligation",
            json={"bound_until": expires_on.isoformat()},
        )
        assert obligation.status_code == 200, obligation.text

    lock = await asyncpg.connect(asyncpg_dsn(city.databases["intake"]))
    try:
        transaction = lock.transaction()
        await transaction.start()
        await lock.execute("LOCK TABLE outbox_message IN EXCLUSIVE MODE")
        doomed = city.start("intake", "timers")
        await eventually(lambda: _positive(waiting_outbox_inserts(lock)), timeout=120)
        doomed.kill()
        survivors = [city.start("intake", "timers", wait_ready=False) for _ in range(2)]
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready, 120) for p in survivors))
        await transaction.rollback()
    finally:
        await lock.close()

    await eventually(
        lambda: city.query(
            "intake",
            "SELECT count(*) = 3 FROM timer WHERE kind = 'residence_status_expiry' "
            "AND state = 'fired'",
        ),
        timeout=120,
    )
    await eventually(
        lambda: city.query(
            "intake",
            "SELECT count(*) = 1 FROM timer WHERE kind = 'residence_obligation_ending' "
            "AND state = 'fired'",
        ),
        timeout=120,
    )
    # Fired and staged in one transaction: the outbox holds all there will ever be; once
    # the relay has published (and the broker confirmed) it, so does the queue.
    await eventually(
        lambda: city.query(
            "intake",
            "SELECT count(*) = 0 FROM outbox_message WHERE event_type = ANY($1::text[]) "
            "AND published_at IS NULL",
            [REMINDER, OBLIGATION_REMINDER],
        ),
        timeout=60,
    )
    declared = await channel.declare_queue("reminder-tap", passive=True)
    assert declared.declaration_result.message_count == 4
    reminded: dict[str, list[str]] = {REMINDER: [], OBLIGATION_REMINDER: []}
    for _ in range(4):
        message = await tap.get(timeout=10)
        await message.ack()
        event = json.loads(message.body)
        reminded[event["type"]].append(event["data"]["member_id"])
    await broker.close()
    assert sorted(reminded[REMINDER]) == sorted(member_ids), "each member's reminder once"
    assert reminded[OBLIGATION_REMINDER] == [bound], "the obligation's reminder exactly once"


async def _positive(value: Any) -> bool:
    return bool(await value)
