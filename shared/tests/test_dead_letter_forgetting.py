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
