"""An erasure also deletes the service's dead letters that mention the subject, in its own
dead-letter queues (its consumer's and its side consumer's), and counts them in its
confirmation; the other dead letters stay, and a repeated request finds none left."""

from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from teilhabe.config import ServiceSettings
from teilhabe.db import create_session_factory
from teilhabe.erasure import consumer_queues, erasure_handler
from teilhabe.events.erasure import ErasureRequested, ErasureSubject
from teilhabe.messaging.outbox import Outbox
from teilhabe.messaging.topology import dead_letter_queue_name
from teilhabe_dev.testing.service_fixtures import received

from .conftest import messaging

SERVICE = "notifications"  # one with a side consumer (the agencies' gateway)


async def _erase_one(session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID) -> int:
    return 1  # what the service's own tables held


async def _dead_letter(channel: aio_pika.abc.AbstractChannel, queue: str, subject: str) -> None:
    body = json.dumps({"data": {"household_id": subject}}).encode()
    await channel.default_exchange.publish(
        aio_pika.Message(body=body), routing_key=dead_letter_queue_name(queue)
    )


async def _left(channel: aio_pika.abc.AbstractChannel, queue: str) -> int:
    # The kept letters are requeued; wait until the broker counts them again.
    dlq = await channel.get_queue(dead_letter_queue_name(queue))
    for _ in range(100):
        count = (await dlq.declare()).message_count or 0
        if count:
            return count
        await asyncio.sleep(0.05)
    return 0


async def test_the_erasure_deletes_and_counts_the_dead_letters_mentioning_the_subject(
    vhost: str, backbone_engine: AsyncEngine
) -> None:
    erased, other = str(uuid.uuid4()), str(uuid.uuid4())
    queues = consumer_queues(SERVICE)
    assert queues == ["notifications", "notifications.agencies"]
    connection = await aio_pika.connect(vhost)
    try:
        channel = await connection.channel()
        for queue in queues:
            await channel.declare_queue(dead_letter_queue_name(queue), durable=True)
            await _dead_letter(channel, queue, erased)
            await _dead_letter(channel, queue, other)
        settings = ServiceSettings(service_name=SERVICE, amqp_url=vhost)
        outbox = Outbox(messaging.outbox, source=f"/teilhabe/{SERVICE}")
        handle = erasure_handler(SERVICE, outbox, _erase_one, lambda: settings)
        request_id = uuid.uuid4()
        event = received(
            ErasureRequested(
                request_id=request_id,
                subject_kind=ErasureSubject.HOUSEHOLD,
                subject_id=uuid.UUID(erased),
            )
        )

        async def confirmed_records() -> list[int]:
            sessions = create_session_factory(backbone_engine)
            async with sessions() as session, session.begin():
                await handle(session, [event])
            async with sessions() as session:
                bodies = await session.scalars(select(messaging.outbox.c.body))
                return [
                    json.loads(body)["data"]["records"]
                    for body in bodies
                    if str(request_id).encode() in body
                ]

        # Its own record and one dead letter in each queue.
        assert await confirmed_records() == [3]
        for queue in queues:
            assert await _left(channel, queue) == 1
        # Handled again (a redelivery): nothing more to delete, confirmed again.
        assert sorted(await confirmed_records()) == [1, 3]
        for queue in queues:
            dlq = await channel.get_queue(dead_letter_queue_name(queue))
            message = await dlq.get(no_ack=True, fail=False)
            assert message is not None
            assert other.encode() in message.body
    finally:
        await connection.close()


async def test_a_service_whose_consumer_never_ran_has_no_dead_letters_to_forget(
    vhost: str, backbone_engine: AsyncEngine
) -> None:
    settings = ServiceSettings(service_name="nobody", amqp_url=vhost)
    outbox = Outbox(messaging.outbox, source="/teilhabe/nobody")
    handle = erasure_handler("nobody", outbox, _erase_one, lambda: settings)
    request_id = uuid.uuid4()
    event = received(
        ErasureRequested(
            request_id=request_id, subject_kind=ErasureSubject.VOLUNTEER, subject_id=uuid.uuid4()
        )
    )
    sessions = create_session_factory(backbone_engine)
    async with sessions() as session, session.begin():
        await handle(session, [event])
    async with sessions() as session:
        bodies = await session.scalars(select(messaging.outbox.c.body))
        confirmed = [json.loads(b)["data"] for b in bodies if str(request_id).encode() in b]
    assert [data["records"] for data in confirmed] == [1]
