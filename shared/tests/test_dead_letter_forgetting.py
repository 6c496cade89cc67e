"""Dead letters that mention an erased person are deleted; the others stay queued."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
from teilhabe.messaging import dead_letters


async def test_only_the_dead_letters_mentioning_the_subject_are_deleted(vhost: str) -> None:
    erased, other = str(uuid.uuid4()), str(uuid.uuid4())
    connection = await aio_pika.connect(vhost)
    try:
        channel = await connection.channel()
        dlq = await channel.declare_queue("probe.dlq", durable=True)
        for subject in (erased, other, erased):
            body = f'{{"data": {{"household_id": "{subject}"}}}}'.encode()
            await channel.default_exchange.publish(
                aio_pika.Message(body=body), routing_key="probe.dlq"
            )
        assert await dead_letters.forget(channel, "probe", [erased]) == (2, 1)
        # The kept one is back in the queue once the broker has handled the requeue.
        message = None
        for _ in range(100):
            message = await dlq.get(no_ack=True, fail=False)
            if message is not None:
                break
            await asyncio.sleep(0.05)
        assert message is not None
        assert other.encode() in message.body
        assert (await dlq.declare()).message_count == 0
    finally:
        await connection.close()


async def test_letters_naming_the_notice_are_deleted_however_it_was_typed(vhost: str) -> None:
    """The state's allocation names people but carries no id of ours: its notice number,
    compared as intake compares them, finds it; a longer number that begins the same does
    not."""
    number = f"BRA-{uuid.uuid4().hex[:6].upper()}"
    bodies = [
        f'{{"data": {{"allocation_notice_number": "  {number.lower()} "}}}}',
        f'{{"data": {{"allocation_notice_number": "{number}-2"}}}}',
        f"not json, but naming {number.lower()} on its own",
        f"not json, naming {number}7",
    ]
    connection = await aio_pika.connect(vhost)
    try:
        channel = await connection.channel()
        dlq = await channel.declare_queue("notices.dlq", durable=True)
        for body in bodies:
            await channel.default_exchange.publish(
                aio_pika.Message(body=body.encode()), routing_key="notices.dlq"
            )
        assert await dead_letters.forget(channel, "notices", [], notices=[number]) == (2, 2)
        kept: list[bytes] = []
        for _ in range(100):
            message = await dlq.get(no_ack=True, fail=False)
            if message is not None:
                kept.append(message.body)
                if len(kept) == 2:
                    break
            else:
                await asyncio.sleep(0.05)
        assert sorted(kept) == sorted(body.encode() for body in bodies[1::2])
    finally:
        await connection.close()
