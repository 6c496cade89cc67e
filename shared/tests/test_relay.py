"""The outbox relay against a real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aio_pika
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from teilhabe.config import ServiceSettings
from teilhabe.db import create_session_factory
from teilhabe.messaging.outbox import Outbox
from teilhabe.messaging.relay import OutboxRelay, RelayOptions
from teilhabe.messaging.topology import declare_events_exchange

from .conftest import messaging
from .test_consumer import EXCHANGE, assigned


def relay_options(database_url: str, amqp_url: str, **overrides: Any) -> RelayOptions:
    settings = ServiceSettings(
        service_name="probe",
        database_url=database_url,
        amqp_url=amqp_url,
        event_exchange=EXCHANGE,
    )
    return RelayOptions.from_settings(settings, **overrides)


async def test_two_relays_publish_every_committed_event_once_and_no_rolled_back_one(
    vhost: str, own_backbone_engine: AsyncEngine, own_backbone_database: str
) -> None:
    connection = await aio_pika.connect(vhost)
    channel = await connection.channel()
    exchange = await declare_events_exchange(channel, EXCHANGE)
    tap = await channel.declare_queue("tap", durable=True, arguments={"x-queue-type": "quorum"})
    await tap.bind(exchange, "#")

    outbox = Outbox(messaging.outbox, source="/test")
    sessions = create_session_factory(own_backbone_engine)
    committed: set[str] = set()
    for _ in range(20):
        async with sessions() as session, session.begin():
            for _ in range(50):
                committed.add((await outbox.add(session, assigned())).id)
    async with sessions() as session:
        rolled_back = (await outbox.add(session, assigned())).id
        await session.rollback()

    options = relay_options(own_backbone_database, vhost, batch_size=100)
    stop = asyncio.Event()
    relays = [asyncio.create_task(OutboxRelay(options).run(stop)) for _ in range(2)]

    received: list[str] = []
    async with tap.iterator() as messages:
        async for message in messages:
            await message.ack()
            received.append(json.loads(message.body)["id"])
            if len(received) == len(committed):
                break
    # Stopped, the relays publish nothing more, and what they published was confirmed:
    # a duplicate would be in the queue now (the closed channel gives back what it held).
    stop.set()
    await asyncio.gather(*relays)
    await channel.close()
    channel = await connection.channel()
    left = await channel.declare_queue("tap", passive=True)
    await connection.close()

    assert left.declaration_result.message_count == 0, "no event was published twice"
    assert len(received) == len(committed)
    assert set(received) == committed
    assert rolled_back not in received
    async with own_backbone_engine.connect() as db:
        unpublished = await db.scalar(
            select(func.count())
            .select_from(messaging.outbox)
            .where(messaging.outbox.c.published_at.is_(None))
        )
    assert unpublished == 0


async def test_an_event_no_queue_is_bound_to_waits_in_the_outbox_until_one_binds(
    vhost: str, own_backbone_engine: AsyncEngine, own_backbone_database: str
) -> None:
    sessions = create_session_factory(own_backbone_engine)
    async with sessions() as session, session.begin():
        event_id = (await Outbox(messaging.outbox, source="/test").add(session, assigned())).id
    setup = await aio_pika.connect(vhost)
    async with setup:  # the broker setup declares the exchange; no queue is bound yet
        await declare_events_exchange(await setup.channel(), EXCHANGE)
    options = relay_options(own_backbone_database, vhost)
    stop = asyncio.Event()
    relay = asyncio.create_task(OutboxRelay(options).run(stop))

    async def row() -> Any:
        async with own_backbone_engine.connect() as db:
            return (
                await db.execute(
                    select(messaging.outbox.c.attempts, messaging.outbox.c.published_at).where(
                        messaging.outbox.c.event_id == event_id
                    )
                )
            ).one()

    deadline = asyncio.get_running_loop().time() + 20
    while (await row()).attempts < 2:
        assert asyncio.get_running_loop().time() < deadline, "the relay never tried"
        await asyncio.sleep(0.1)
    assert (await row()).published_at is None, "returned by the broker: not published"

    connection = await aio_pika.connect(vhost)
    channel = await connection.channel()
    exchange = await declare_events_exchange(channel, EXCHANGE)
    late = await channel.declare_queue("late", durable=True, arguments={"x-queue-type": "quorum"})
    await late.bind(exchange, "household.assigned")
    async with late.iterator(timeout=30) as messages:
        async for message in messages:
            await message.ack()
            assert json.loads(message.body)["id"] == event_id
            break
    stop.set()
    await relay
    await connection.close()
    assert (await row()).published_at is not None
