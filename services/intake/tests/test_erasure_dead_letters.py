"""Intake's own dead letters of an erased subject: the request schedules their deletion,
the timer deletes them from intake's dead-letter queues and adds them to intake's
confirmation; the others stay."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import aio_pika
import asyncpg
import httpx
from intake.erasure import ERASURE_DEAD_LETTERS
from intake.timers import TIMERS
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.messaging.topology import dead_letter_queue_name
from teilhabe.timers import DueTimer
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.infrastructure import Infrastructure

QUEUES = ("intake", "intake.inbound")  # its consumer's and the inbound side consumer's


async def _timer(url: str, key: str) -> asyncpg.Record | None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await connection.fetchrow(
            "SELECT key, payload FROM timer WHERE kind = $1 AND key = $2", ERASURE_DEAD_LETTERS, key
        )
    finally:
        await connection.close()


async def _audited_letters(url: str) -> list[tuple[str, str, str]]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT actor, action, resource_id FROM audit_entry"
            " WHERE resource_type = 'dead_letter' ORDER BY resource_id"
        )
    finally:
        await connection.close()
    return [(row["actor"], row["action"], row["resource_id"]) for row in rows]


async def test_the_request_deletes_intakes_dead_letters_mentioning_the_subject(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    intake_database: str,
    sessions: async_sessionmaker[AsyncSession],
    infra: Infrastructure,
) -> None:
    subject, other = str(uuid.uuid4()), str(uuid.uuid4())
    erased_letters: list[str] = []
    connection = await aio_pika.connect(infra.amqp_url)
    try:
        channel = await connection.channel()
        for queue in QUEUES:
            name = dead_letter_queue_name(queue)
            await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
            for mention in (subject, other):
                body = json.dumps({"data": {"member_id": mention}}).encode()
                letter = str(uuid.uuid4())
                if mention == subject:
                    erased_letters.append(f"{queue}.dlq/{letter}")
                await channel.default_exchange.publish(
                    aio_pika.Message(body, message_id=letter), routing_key=name
                )

        officer = auth_headers(identity, Role.DATA_PROTECTION, subject="dpo")
        made = await intake.post(
            "/erasure-requests",
            json={"subject_kind": "member", "subject_id": subject, "reason": "Art. 17 DSGVO"},
            headers=officer,
        )
        assert made.status_code == 201, made.text
        request_id = made.json()["id"]
        timer = await _timer(intake_database, request_id)
        assert timer is not None
        assert subject not in timer["payload"]  # the timer row names only the request

        fire = TIMERS[ERASURE_DEAD_LETTERS]
        due = DueTimer(ERASURE_DEAD_LETTERS, request_id, datetime.now(UTC), {}, 0)
        async with sessions() as session, session.begin():
            await fire(session, due)
        read = await intake.get(f"/erasure-requests/{request_id}", headers=officer)
        [own] = [s for s in read.json()["services"] if s["service"] == "intake"]
        assert own["records"] == 2  # nothing of the person in the tables, two dead letters
        # Each deleted letter has its audit entry, by the officer who asked for the erasure.
        assert await _audited_letters(intake_database) == [
            ("dpo", "erase", letter) for letter in sorted(erased_letters)
        ]

        # Fired again (a retry after a failed commit): nothing more, counted once.
        async with sessions() as session, session.begin():
            await fire(session, due)
        read = await intake.get(f"/erasure-requests/{request_id}", headers=officer)
        [own] = [s for s in read.json()["services"] if s["service"] == "intake"]
        assert own["records"] == 2
        assert len(await _audited_letters(intake_database)) == 2
        for queue in QUEUES:
            dlq = await channel.get_queue(dead_letter_queue_name(queue))
            # The kept letter is back once the broker has handled its requeue.
            message = None
            for _ in range(100):
                if (message := await dlq.get(no_ack=True, fail=False)) is not None:
                    break
                await asyncio.sleep(0.05)
            assert message is not None, queue
            assert other.encode() in message.body
            assert (await dlq.declare()).message_count == 0, queue
    finally:
        await connection.close()
