"""Seat offers that survive restarts: courses' timer workers as processes, killed mid-run.

A course's only seat is freed while three wait; the first is offered it. Their deadline
passes while the outbox is locked: a timer worker is caught inside its transaction (its
handler waits to stage the expiry) and killed with SIGKILL; then two workers run at once.
The second's deadline passes too. Each of the first two must be offered the seat exactly
once and see the offer expire exactly once, on the broker; the third is offered it once.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import TEST_TEAM
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import System, eventually, provisioned_system

OFFERED, EXPIRED = "course.seat_offered", "course.seat_offer_expired"
# Fast polls: a worker that died holding a timer leaves it to the others' next look.
TIMER_ENV = {"TIMER_POLL_SECONDS": "1", "RUN_TIMERS_IN_CONSUMER": "false"}
DUE_NOW = (
    "UPDATE timer SET due_at = now(), run_at = now() - interval '1 second' "
    "WHERE kind = 'seat_offer_expiry' AND key = $1"
)


@pytest.fixture
async def city(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["courses"]) as system:
        system.extra_env = TIMER_ENV
        started = [
            system.start("courses", command, wait_ready=False) for command in ("api", "relay")
        ]
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready, 120) for p in started))
        yield system


async def allocated_people(city: System, count: int) -> list[str]:
    """People as courses keeps them from `household.assigned` (one household)."""
    household = uuid.uuid4()
    members = [str(uuid.uuid4()) for _ in range(count)]
    for position, member in enumerate(members, start=1):
        await city.query(
            "courses",
            "INSERT INTO person (member_id, household_id, age_group, languages,"
            " allocation_notice_number, position, team)"
            " VALUES ($1, $2, 'adult', '{ar}', 'BRA-2026-0901', $3, $4)",
            uuid.UUID(member),
            household,
            position,
            TEST_TEAM,
        )
    return members


async def open_offer(city: System, member: str) -> str:
    offer = await eventually(
        lambda: city.query(
            "courses",
            "SELECT id FROM seat_offer WHERE member_id = $1 AND status = 'open'",
            uuid.UUID(member),
        ),
        timeout=120,
    )
    return str(offer)


async def waiting_outbox_inserts(connection: asyncpg.Connection) -> int:
    """Backends waiting to write into the outbox: a timer handler inside its transaction."""
    return int(
        await connection.fetchval(
            "SELECT count(*) FROM pg_locks WHERE relation = 'outbox_message'::regclass "
            "AND mode = 'RowExclusiveLock' AND NOT granted"
        )
    )


async def test_an_unanswered_seat_passes_down_the_waitlist_once_each_also_after_a_sigkill(
    city: System,
) -> None:
    broker = await aio_pika.connect(city.amqp_url)
    channel = await broker.channel()
    tap = await channel.declare_queue("seat-offer-tap", exclusive=True)
    # Every course event (the broker returns what no queue takes); the seat offers counted.
    await tap.bind("teilhabe.events", "course.#")

    holder, first, second, third = await allocated_people(city, 4)
    coordinator = city.headers(Role.COURSE_COORDINATOR, "coord-petra")
    async with httpx.AsyncClient(base_url=city.api("courses").url, headers=coordinator) as api:
        course = await api.post(
            "/courses",
            json={
                "kind": "integration_course",
                "provider": "VHS Dülmen",
                "title": "Integrationskurs A1",
                "starts_on": "2026-12-01",
                "place": "Königswall 1, 48249 Dülmen",
                "seats": 1,
            },
        )
        assert course.status_code == 201, course.text
        enrolments = []
        for member in (holder, first, second, third):
            enrolled = await api.post(
                f"/courses/{course.json()['id']}/enrollments", json={"member_id": member}
            )
            assert enrolled.status_code == 201, enrolled.text
            enrolments.append(enrolled.json())
        assert [e["status"] for e in enrolments] == ["enrolled", *["waitlisted"] * 3]
        withdrawn = await api.post(f"/enrollments/{enrolments[0]['id']}/withdraw")
        assert [o["member_id"] for o in withdrawn.json()["offered"]] == [first]

    # The first's deadline passes while a worker is killed inside its transaction.
    await city.query("courses", DUE_NOW, await open_offer(city, first))
    lock = await asyncpg.connect(asyncpg_dsn(city.databases["courses"]))
    try:
        transaction = lock.transaction()
        await transaction.start()
        await lock.execute("LOCK TABLE outbox_message IN EXCLUSIVE MODE")
        doomed = city.start("courses", "timers")
        await eventually(lambda: _positive(waiting_outbox_inserts(lock)), timeout=120)
        doomed.kill()
        survivors = [city.start("courses", "timers", wait_ready=False) for _ in range(2)]
        await asyncio.gather(*(asyncio.to_thread(p.wait_ready, 120) for p in survivors))
        await transaction.rollback()
    finally:
        await lock.close()

    # The second is offered the seat; their deadline passes too (two workers watching).
    await city.query("courses", DUE_NOW, await open_offer(city, second))
    await open_offer(city, third)
    await eventually(
        lambda: city.query(
            "courses",
            "SELECT count(*) = 2 FROM timer WHERE kind = 'seat_offer_expiry' AND state = 'fired'",
        ),
        timeout=120,
    )
    await eventually(
        lambda: city.query(
            "courses",
            "SELECT count(*) = 0 FROM outbox_message WHERE published_at IS NULL",
        ),
        timeout=60,
    )
    statuses = await city.query_all(
        "courses", "SELECT member_id, status FROM seat_offer ORDER BY offered_at"
    )
    assert [(str(r["member_id"]), r["status"]) for r in statuses] == [
        (first, "expired"),
        (second, "expired"),
        (third, "open"),
    ]
    seen: Counter[tuple[str, str]] = Counter()
    while (message := await tap.get(timeout=10, fail=False)) is not None:
        await message.ack()
        if message.routing_key in (OFFERED, EXPIRED):
            seen[(message.routing_key, json.loads(message.body)["data"]["member_id"])] += 1
    await broker.close()
    assert seen == Counter(
        {
            (OFFERED, first): 1,
            (EXPIRED, first): 1,
            (OFFERED, second): 1,
            (EXPIRED, second): 1,
            (OFFERED, third): 1,
        }
    ), "each offered once, each offer expired once"


async def _positive(value: Any) -> bool:
    return bool(await value)
