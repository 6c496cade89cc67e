"""Backbone benchmark: relay and consumer against raw aio-pika, on the same broker and database.

Prints figures measured in one run (these machines are shared and noisy; compare ratios,
not absolute numbers across runs):
- relay throughput vs raw aio-pika confirmed publish of the same messages,
- consumer with inbox and a small effect vs raw consume with ack per message,
- latency from commit to published and to delivered, at a steady 200 events/s.

Run: make bench   (options: python tests/benchmarks/backbone.py --help)
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

import aio_pika
import asyncpg
from sqlalchemy import Column, Integer, String, Table, insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.config import ServiceSettings
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory, new_metadata
from teilhabe.events.envelope import new_event
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdAssigned
from teilhabe.messaging.consumer import ConsumerOptions, EventConsumer
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.messaging.outbox import Outbox
from teilhabe.messaging.relay import OutboxRelay, RelayOptions
from teilhabe.messaging.tables import define_messaging_tables
from teilhabe.messaging.topology import declare_consumer_queues, declare_events_exchange
from teilhabe.migrations import create_backbone_tables
from teilhabe_dev.testing.infrastructure import Infrastructure, provision

EXCHANGE = "teilhabe.events"
EVENT_TYPE = "household.assigned"
metadata = new_metadata()
messaging = define_messaging_tables(metadata)
effects = Table(
    "effect",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household_id", String(64), nullable=False),
)


def sample_event_body() -> bytes:
    payload = HouseholdAssigned(
        household_id=uuid.uuid4(),
        allocation_notice_number="BRA-2026-000123",
        allocated_on=date(2026, 11, 20),
        expected_arrival_on=date(2026, 11, 27),
        member_count=4,
        minor_count=2,
        members=tuple(
            AllocatedMember(member_id=uuid.uuid4(), age_group=group, languages=("ar", "en"))
            for group in (AgeGroup.ADULT, AgeGroup.ADULT, AgeGroup.SCHOOL, AgeGroup.KITA)
        ),
    )
    return new_event(payload, source="/teilhabe/intake").to_json()


async def fill_outbox(dsn: str, count: int) -> float:
    """Commit `count` rows in one transaction and wake the relays; returns the commit time."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = [
            (str(uuid.uuid4()), "household.assigned", sample_event_body()) for _ in range(count)
        ]
        async with connection.transaction():
            await connection.copy_records_to_table(
                "outbox_message", records=rows, columns=["event_id", "event_type", "body"]
            )
            await connection.execute("NOTIFY teilhabe_outbox")
            started = time.perf_counter()
        return started
    finally:
        await connection.close()


async def fresh_target_queue(
    channel: aio_pika.abc.AbstractChannel, name: str
) -> aio_pika.abc.AbstractQueue:
    exchange = await declare_events_exchange(channel, EXCHANGE)
    queue = await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
    await queue.bind(exchange, "household.assigned")
    await queue.purge()
    return queue


async def bench_raw_publish(amqp: str, bodies: Sequence[bytes], window: int = 100) -> float:
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel(publisher_confirms=True)
    await fresh_target_queue(channel, "bench.target")
    exchange = await declare_events_exchange(channel, EXCHANGE)
    started = time.perf_counter()
    for start in range(0, len(bodies), window):
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        body,
                        message_id=str(uuid.uuid4()),
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key="household.assigned",
                    timeout=10,
                )
                for body in bodies[start : start + window]
            )
        )
    elapsed = time.perf_counter() - started
    await connection.close()
    return len(bodies) / elapsed


async def bench_relay(amqp: str, dsn: str, count: int, replicas: int) -> float:
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel()
    await fresh_target_queue(channel, "bench.target")
    await connection.close()
    watcher = await asyncpg.connect(dsn)
    await watcher.execute("TRUNCATE outbox_message")
    options = RelayOptions.from_settings(
        ServiceSettings(service_name="bench", amqp_url=amqp, event_exchange=EXCHANGE),
        dsn=dsn,
        batch_size=200,
    )
    # Replicas run as processes, as they are deployed: each has a core of its own. They
    # start idle; the clock runs from the commit of the rows they are to publish.
    spawn = multiprocessing.get_context("spawn")
    stop_flag = spawn.Event()
    processes = [
        spawn.Process(target=_relay_process, args=(options, stop_flag)) for _ in range(replicas)
    ]
    for process in processes:
        process.start()
    await asyncio.sleep(3)
    started = await fill_outbox(dsn, count)
    while await watcher.fetchval("SELECT count(*) FROM outbox_message WHERE published_at IS NULL"):
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    stop_flag.set()
    for process in processes:
        process.join(15)
    await watcher.close()
    return count / elapsed


def _relay_process(options: RelayOptions, stop_flag: Any) -> None:
    async def run() -> None:
        stop = asyncio.Event()

        async def watch() -> None:
            while not stop_flag.is_set():
                await asyncio.sleep(0.05)
            stop.set()

        watcher = asyncio.create_task(watch())
        await OutboxRelay(options).run(stop)
        await watcher

    asyncio.run(run())


async def fill_queue(amqp: str, queue_name: str, bodies: Sequence[bytes]) -> None:
    """An empty quorum queue `queue_name` holding `bodies`."""
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel()
    queue = await channel.declare_queue(
        queue_name, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await queue.purge()
    await connection.close()
    await fill_queue_existing(amqp, queue_name, bodies)


async def bench_raw_consume(amqp: str, bodies: Sequence[bytes], prefetch: int) -> float:
    await fill_queue(amqp, "bench.raw", bodies)
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=prefetch)
    queue = await channel.get_queue("bench.raw")
    done = asyncio.Event()
    received = 0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal received
        await message.ack()
        received += 1
        if received == len(bodies):
            done.set()

    started = time.perf_counter()
    await queue.consume(on_message)
    await done.wait()
    elapsed = time.perf_counter() - started
    await connection.close()
    return len(bodies) / elapsed


async def bench_consumer(
    amqp: str, database_url: str, bodies: Sequence[bytes], prefetch: int, batch: int
) -> tuple[float, int]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(effects.delete())
        await connection.execute(messaging.inbox.delete())

    async def handle(
        session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdAssigned]]
    ) -> None:
        await session.execute(
            insert(effects).values([{"household_id": str(e.payload.household_id)} for e in events])
        )

    # The consumer declares its queue and binds it; fill it first, then start consuming.
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel()
    await channel.queue_delete("bench")
    await connection.close()
    consumer = EventConsumer(
        ConsumerOptions.from_settings(
            ServiceSettings(service_name="bench", amqp_url=amqp, event_exchange=EXCHANGE),
            prefetch=prefetch,
            batch_size=batch,
        ),
        session_factory=create_session_factory(engine),
        inbox=messaging.inbox,
        handlers={HouseholdAssigned: handle},
    )
    await _declare_only(amqp)
    await fill_queue_existing(amqp, "bench", bodies)
    unique = len(set(bodies))
    stop = asyncio.Event()
    watcher = await asyncpg.connect(asyncpg_dsn(database_url))
    # The clock starts at the first delivery, as for raw consume: connecting and declaring
    # the queues is start-up, not throughput.
    first_delivery: list[float] = []
    handle_batch = consumer.handle_batch

    async def timed(batch: list[aio_pika.abc.AbstractIncomingMessage]) -> None:
        if not first_delivery:
            first_delivery.append(time.perf_counter())
        await handle_batch(batch)

    consumer.handle_batch = timed  # type: ignore[method-assign]
    task = asyncio.create_task(consumer.run(stop))
    while True:
        handled = await watcher.fetchval("SELECT count(*) FROM inbox_message")
        if handled >= unique:
            break
        await asyncio.sleep(0.01)
    # every message, duplicates included, must be acked too
    probe = await aio_pika.connect(amqp)
    probe_channel = await probe.channel()
    while (
        await probe_channel.declare_queue("bench", passive=True)
    ).declaration_result.message_count:
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - first_delivery[0]
    await probe.close()
    stop.set()
    await task
    effect_rows = await watcher.fetchval("SELECT count(*) FROM effect")
    await watcher.close()
    await engine.dispose()
    return len(bodies) / elapsed, effect_rows


async def _declare_only(amqp: str) -> None:
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel()
    exchange = await declare_events_exchange(channel, EXCHANGE)
    await declare_consumer_queues(channel, exchange, "bench", ["household.assigned"])
    await connection.close()


async def fill_queue_existing(amqp: str, queue_name: str, bodies: Sequence[bytes]) -> None:
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel(publisher_confirms=True)
    for start in range(0, len(bodies), 200):
        await asyncio.gather(
            *(
                channel.default_exchange.publish(
                    # As the relay publishes them: the AMQP type names the event type.
                    aio_pika.Message(
                        body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, type=EVENT_TYPE
                    ),
                    routing_key=queue_name,
                )
                for body in bodies[start : start + 200]
            )
        )
    await connection.close()


async def bench_latency(
    amqp: str, database_url: str, rate: float, seconds: float
) -> tuple[list[float], list[float]]:
    dsn = asyncpg_dsn(database_url)
    connection = await asyncpg.connect(dsn)
    await connection.execute("TRUNCATE outbox_message")
    await connection.close()
    broker = await aio_pika.connect(amqp)
    channel = await broker.channel()
    queue = await fresh_target_queue(channel, "bench.latency")
    delivered: dict[str, float] = {}

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        delivered[str(message.message_id)] = time.time()
        await message.ack()

    await queue.consume(on_message)
    # The relay in a process of its own, as it is deployed: sharing this process's event
    # loop and garbage collector with the producer would add their pauses to its latency.
    spawn = multiprocessing.get_context("spawn")
    stop_flag = spawn.Event()
    relay = spawn.Process(
        target=_relay_process,
        args=(
            RelayOptions.from_settings(
                ServiceSettings(service_name="bench", amqp_url=amqp, event_exchange=EXCHANGE),
                dsn=dsn,
            ),
            stop_flag,
        ),
    )
    relay.start()
    await asyncio.sleep(3)
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    outbox = Outbox(messaging.outbox, source="/teilhabe/intake")
    committed: dict[str, float] = {}
    count = int(rate * seconds)
    started = time.perf_counter()
    for index in range(count):
        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        async with sessions() as session, session.begin():
            event = await outbox.add(
                session, HouseholdAssigned.model_validate_json(_payload_json())
            )
        committed[event.id] = time.time()
    while len(delivered) < count:
        await asyncio.sleep(0.05)
    db = await asyncpg.connect(dsn)
    published = {
        row["event_id"]: row["published_at"].timestamp()
        for row in await db.fetch("SELECT event_id, published_at FROM outbox_message")
    }
    await db.close()
    stop_flag.set()
    relay.join(15)
    await broker.close()
    await engine.dispose()
    to_published = [(published[i] - committed[i]) * 1000 for i in committed]
    to_delivered = [(delivered[i] - committed[i]) * 1000 for i in committed]
    return to_published, to_delivered


async def bench_raw_confirm_latency(amqp: str, rate: float, seconds: float) -> list[float]:
    """Raw aio-pika at the same rate: publish one message, wait for its confirm.

    The floor under the relay's latency: a quorum queue confirms only once the message is
    on disk, whoever publishes.
    """
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel(publisher_confirms=True)
    await fresh_target_queue(channel, "bench.latency.raw")
    exchange = await declare_events_exchange(channel, EXCHANGE)
    body = sample_event_body()
    latencies: list[float] = []

    async def one() -> None:
        sent = time.perf_counter()
        await exchange.publish(
            aio_pika.Message(
                body, message_id=str(uuid.uuid4()), delivery_mode=aio_pika.DeliveryMode.PERSISTENT
            ),
            routing_key=EVENT_TYPE,
            timeout=10,
        )
        latencies.append((time.perf_counter() - sent) * 1000)

    count = int(rate * seconds)
    started = time.perf_counter()
    pending = []
    for index in range(count):
        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        pending.append(asyncio.create_task(one()))
    await asyncio.gather(*pending)
    await connection.close()
    return latencies


_PAYLOAD: str | None = None


def _payload_json() -> str:
    global _PAYLOAD
    if _PAYLOAD is None:
        import json

        _PAYLOAD = json.dumps(json.loads(sample_event_body())["data"])
    return _PAYLOAD


def row(label: str, value: float, note: str = "") -> None:
    print(f"  {label:<42} {value:9,.0f}" + (f"  ({note})" if note else ""))


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=1000)[int(p * 10) - 1] if len(values) > 1 else values[0]


async def run(infra: Infrastructure, args: argparse.Namespace) -> None:
    name = infra.unique_name("bench")
    database_url = await infra.create_database(name)
    vhost = infra.unique_name("bench")
    amqp = infra.create_vhost(vhost)
    try:
        engine = create_engine(database_url, pool_size=1)
        async with engine.begin() as connection:
            await connection.run_sync(create_backbone_tables)
            await connection.run_sync(effects.create)
        await engine.dispose()
        dsn = asyncpg_dsn(database_url)
        bodies = [sample_event_body() for _ in range(args.messages)]
        print(f"messages: {args.messages} of {len(bodies[0])} bytes, persistent, quorum queues\n")

        # Alternating rounds, medians reported: the machine is shared and noisy.
        publishing: dict[str, list[float]] = {"raw": [], "relay1": [], "relay2": []}
        for _ in range(args.repeat):
            publishing["raw"].append(await bench_raw_publish(amqp, bodies))
            publishing["relay1"].append(await bench_relay(amqp, dsn, args.messages, replicas=1))
            publishing["relay2"].append(await bench_relay(amqp, dsn, args.messages, replicas=2))
        raw_publish = statistics.median(publishing["raw"])
        print(f"publishing (events/s, median of {args.repeat} alternating rounds)")
        row("raw aio-pika, confirms gathered per 100", raw_publish)
        for key, label in (
            ("relay1", "relay, 1 replica"),
            ("relay2", "relay, 2 replicas (processes)"),
        ):
            ratios = [r / raw for r, raw in zip(publishing[key], publishing["raw"], strict=True)]
            row(
                label, statistics.median(publishing[key]), f"{statistics.median(ratios):.0%} of raw"
            )

        duplicates = bodies[: args.messages // 20]
        stream = bodies + duplicates
        consuming: dict[str, list[float]] = {"raw": [], "consumer": []}
        effect_rows = 0
        for _ in range(args.repeat):
            consuming["raw"].append(await bench_raw_consume(amqp, stream, args.prefetch))
            rate, effect_rows = await bench_consumer(
                amqp, database_url, stream, args.prefetch, args.batch
            )
            consuming["consumer"].append(rate)
        ratios = [c / r for c, r in zip(consuming["consumer"], consuming["raw"], strict=True)]
        print(
            f"\nconsuming {len(stream)} messages ({len(duplicates)} duplicates), "
            f"prefetch {args.prefetch} (messages/s, median of {args.repeat})"
        )
        row("raw consume, ack per message", statistics.median(consuming["raw"]))
        row(
            f"consumer, inbox + effect, batches of {args.batch}",
            statistics.median(consuming["consumer"]),
            f"{statistics.median(ratios):.0%} of raw; {effect_rows} effects, "
            f"{len(bodies)} unique events",
        )

        to_published, to_delivered = await bench_latency(
            amqp, database_url, args.rate, args.seconds
        )
        raw_confirms = await bench_raw_confirm_latency(amqp, args.rate, args.seconds)
        print(f"\nlatency at {args.rate:.0f} events/s, {len(to_published)} events (ms)")
        for label, values in (
            ("commit → published (confirmed, marked)", to_published),
            ("commit → delivered to a consumer", to_delivered),
            ("raw aio-pika, publish → confirm", raw_confirms),
        ):
            p50, p99 = percentile(values, 50), percentile(values, 99)
            print(f"  {label:<42} p50 {p50:6.2f}  p99 {p99:6.2f}")
    finally:
        await infra.drop_database(name)
        infra.delete_vhost(vhost)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--prefetch", type=int, default=200)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with provision() as infra:
        asyncio.run(run(infra, args))


if __name__ == "__main__":
    main()
