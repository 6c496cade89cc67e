"""Dead letters expire, and sending them back or deleting them is audited.

Every `<queue>.dlq` the setup step declares falls under the broker policy
`teilhabe-dead-letters` (at most 10,000 messages, the oldest dropped first, each for at
most 14 days); `teilhabe-<service> dead-letters redrive|forget --by <user>` writes an
audit entry per message it moved or deleted, in the service's own sealed audit trail.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from dataclasses import replace

import aio_pika
import asyncpg
import pytest
from teilhabe.config import ServiceSettings
from teilhabe.db import asyncpg_dsn
from teilhabe.messaging.policies import (
    DEAD_LETTER_MAX_LENGTH,
    DEAD_LETTER_POLICY,
    set_policies,
)
from teilhabe.messaging.setup import declare_topology
from teilhabe.runtime import dead_letter_command
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import SERVICES

AUDIT_KEY = "dead-letter-audit-test-key-0123456789abcdef"


async def _count(channel: aio_pika.abc.AbstractChannel, name: str, expected: int) -> int:
    """The queue's length once it settled at `expected` (or what it is after ~10 s)."""
    count = -1
    for _ in range(200):
        count = (await channel.declare_queue(name, passive=True)).declaration_result.message_count
        if count == expected:
            break
        await asyncio.sleep(0.05)
    return count


async def test_a_dead_letter_queue_keeps_a_bounded_number_of_letters_for_a_bounded_time(
    infra: Infrastructure,
) -> None:
    name = infra.unique_name("dlq_policy")
    url = await asyncio.to_thread(infra.create_vhost, name)
    try:
        await declare_topology(url, [SERVICES["volunteers"]])
        await asyncio.to_thread(set_policies, infra.rabbitmqctl, name)
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel(publisher_confirms=False)
            # One more than the bound: the oldest is dropped, the newest kept.
            for number in range(DEAD_LETTER_MAX_LENGTH + 1):
                await channel.default_exchange.publish(
                    aio_pika.Message(body=str(number).encode()), routing_key="volunteers.dlq"
                )
            assert await _count(channel, "volunteers.dlq", DEAD_LETTER_MAX_LENGTH) == (
                DEAD_LETTER_MAX_LENGTH
            )
            oldest = await (await channel.get_queue("volunteers.dlq")).get(no_ack=False)
            assert oldest.body == b"1"
            await oldest.nack(requeue=True)

            # The age limit, shortened to a second by the same policy: the letters expire.
            await (await channel.get_queue("volunteers.dlq")).purge()
            short = replace(
                DEAD_LETTER_POLICY,
                definition={**DEAD_LETTER_POLICY.definition, "message-ttl": 1000},
            )
            await asyncio.to_thread(set_policies, infra.rabbitmqctl, name, (short,))
            for number in range(3):
                await channel.default_exchange.publish(
                    aio_pika.Message(body=str(number).encode()), routing_key="volunteers.dlq"
                )
            assert await _count(channel, "volunteers.dlq", 3) == 3
            await asyncio.sleep(1.2)
            assert await _count(channel, "volunteers.dlq", 0) == 0
    finally:
        await asyncio.to_thread(infra.delete_vhost, name)


@pytest.mark.parametrize("action", ["redrive", "forget"])
async def test_sending_dead_letters_back_or_deleting_them_is_audited(
    infra: Infrastructure, action: str
) -> None:
    service = SERVICES["volunteers"]
    name = infra.unique_name("dlq_audit")
    amqp = await asyncio.to_thread(infra.create_vhost, name)
    subject = str(uuid.uuid4())
    event_ids = [str(uuid.uuid4()) for _ in range(2)]
    try:
        await declare_topology(amqp, [service])
        async with migrated_database(infra, service) as database_url:
            connection = await aio_pika.connect(amqp)
            async with connection:
                channel = await connection.channel()
                for event_id in event_ids:
                    body = f'{{"data": {{"volunteer_id": "{subject}"}}}}'.encode()
                    await channel.default_exchange.publish(
                        aio_pika.Message(body=body, message_id=event_id),
                        routing_key="volunteers.dlq",
                    )
            settings = ServiceSettings(
                service_name="volunteers",
                database_url=database_url,
                amqp_url=amqp,
                audit_key=AUDIT_KEY,
            )
            args = argparse.Namespace(
                action=action,
                by="olga.admin",
                queue=None,
                limit=1000,
                event_ids=None,
                mentions=[subject],
                notices=[],
            )
            await dead_letter_command(settings, args, service)

            database = await asyncpg.connect(asyncpg_dsn(database_url))
            try:
                rows = await database.fetch(
                    "SELECT actor, actor_roles, action, resource_type, resource_id "
                    "FROM audit_entry ORDER BY id"
                )
            finally:
                await database.close()
            expected = "dead_letter.redrive" if action == "redrive" else "dead_letter.delete"
            assert [dict(row) for row in rows] == [
                {
                    "actor": "olga.admin",
                    "actor_roles": ["admin"],
                    "action": expected,
                    "resource_type": "dead_letter",
                    "resource_id": f"volunteers.dlq/{event_id}",
                }
                for event_id in event_ids
            ]
    finally:
        await asyncio.to_thread(infra.delete_vhost, name)


async def test_without_an_audit_key_dead_letters_are_not_touched() -> None:
    settings = ServiceSettings(service_name="volunteers", audit_key=None)
    args = argparse.Namespace(action="redrive", by="olga.admin", queue=None, limit=1)
    with pytest.raises(SystemExit, match="must be audited"):
        await dead_letter_command(settings, args, SERVICES["volunteers"])
