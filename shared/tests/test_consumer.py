"""The consumer runner against a real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date
from typing import Any

import aio_pika
import pytest
import structlog
from prometheus_client import REGISTRY
from sqlalchemy import MetaData, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from teilhabe.audit import define_audit_table, record_access
from teilhabe.auth import Principal
from teilhabe.config import ServiceSettings
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.envelope import new_event
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    HouseholdAssigned,
    HouseholdReferredToHousing,
)
from teilhabe.events.tracing import TraceContext, current_trace
from teilhabe.messaging import dead_letters as dead_letter_queue
from teilhabe.messaging.consumer import ConsumerOptions, EventConsumer
from teilhabe.messaging.disposition import REASON_HEADER, REASON_KIND_HEADER
from teilhabe.messaging.inbox import NotYet, PermanentError, ReceivedEvent, handled_last
from teilhabe.messaging.topology import declare_events_exchange, declare_service_topology
from teilhabe_dev.testing.tcp_proxy import TcpProxy

from .conftest import effects, messaging

EXCHANGE = "teilhabe.events"
audit = define_audit_table(MetaData())
SYSTEM = Principal(subject="system:test", roles=frozenset())


def assigned(household_id: uuid.UUID | None = None) -> HouseholdAssigned:
    return HouseholdAssigned(
        household_id=household_id or uuid.uuid4(),
        allocation_notice_number="BRA-1",
        allocated_on=date(2026, 11, 20),
        member_count=1,
        minor_count=0,
        members=(AllocatedMember(member_id=uuid.uuid4(), age_group=AgeGroup.ADULT),),
    )


async def declare_probe_topology(amqp_url: str) -> None:
    """What the privileged broker setup declares for the test consumer's queue `probe`."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        await declare_service_topology(channel, EXCHANGE, "probe", ["household.assigned"])


def options(amqp_url: str, **overrides: Any) -> ConsumerOptions:
    settings = ServiceSettings(service_name="probe", amqp_url=amqp_url, event_exchange=EXCHANGE)
    return ConsumerOptions.from_settings(settings, **overrides)


def consumed(outcome: str, service: str = "probe", queue: str | None = None) -> float:
    """How many household.assigned events the test consumer counted with this outcome."""
    labels = {
        "service": service,
        "queue": queue or service,
        "event_type": "household.assigned",
        "outcome": outcome,
    }
    return REGISTRY.get_sample_value("teilhabe_events_consumed_total", labels) or 0.0


def database_waits(service: str) -> float:
    """How often the consumer `service` held its batch for an unreachable database."""
    labels = {"service": service}
    return REGISTRY.get_sample_value("teilhabe_consumer_database_waits_total", labels) or 0.0


class Behaviour:
    """What the test handler does: record the effect, or fail as told."""

    def __init__(self) -> None:
        self.transient_failures: dict[str, int] = {}
        self.refuse: set[str] = set()
        # Per key: the key whose effect must be there first (else NotYet).
        self.after: dict[str, str] = {}
        # Per key: the trace id current in the handler, and the one its log lines carry.
        self.traces: dict[str, tuple[str | None, object]] = {}

    async def handle(
        self, session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdAssigned]]
    ) -> None:
        for event in events:  # before writing anything, as NotYet requires
            first = self.after.get(str(event.payload.household_id))
            if first is not None and not await session.scalar(
                select(func.count()).select_from(effects).where(effects.c.key == first)
            ):
                raise NotYet(f"{first} not handled yet")
        for event in events:
            key = str(event.payload.household_id)
            if key in self.refuse:
                raise PermanentError("household refused by the test")
            if self.transient_failures.get(key, 0) > 0:
                self.transient_failures[key] -= 1
                raise ConnectionError("database hiccup")
            await session.execute(insert(effects).values(event_id=event.id, key=key))
            trace = current_trace.get()
            logged = structlog.contextvars.get_contextvars().get("trace_id")
            self.traces[key] = (trace.trace_id if trace else None, logged)
            await record_access(
                session, audit, SYSTEM, action="read", resource_type="household", resource_ids=[key]
            )


@pytest.fixture
async def running_consumer(
    vhost: str, backbone_engine: AsyncEngine
) -> AsyncIterator[tuple[Behaviour, aio_pika.abc.AbstractChannel]]:
    behaviour = Behaviour()
    await declare_probe_topology(vhost)
    consumer = EventConsumer(
        options(vhost, batch_size=10, prefetch=20),
        session_factory=create_session_factory(backbone_engine),
        inbox=messaging.inbox,
        handlers={HouseholdAssigned: behaviour.handle},
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    connection = await aio_pika.connect(vhost)
    channel = await connection.channel(publisher_confirms=True)
    await eventually(lambda: _true(consumer.broker_connected))  # queues declared and bound
    yield behaviour, channel
    stop.set()
    await asyncio.wait_for(task, 10)
    await connection.close()


async def publish(
    channel: aio_pika.abc.AbstractChannel,
    body: bytes,
    routing_key: str = "household.assigned",
    message_id: str | None = None,
    message_type: str | None = "household.assigned",
) -> None:
    exchange = await declare_events_exchange(channel, EXCHANGE)
    await exchange.publish(
        aio_pika.Message(
            body,
            message_id=message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            type=message_type,
        ),
        routing_key=routing_key,
    )


async def effect_count(engine: AsyncEngine, key: str) -> int:
    async with engine.connect() as connection:
        return int(
            await connection.scalar(
                select(func.count()).select_from(effects).where(effects.c.key == key)
            )
            or 0
        )


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def dead_letters(
    channel: aio_pika.abc.AbstractChannel, count: int, timeout: float = 20
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    queue = await channel.get_queue("probe.dlq")
    received: list[aio_pika.abc.AbstractIncomingMessage] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(received) < count and asyncio.get_running_loop().time() < deadline:
        message = await queue.get(fail=False)
        if message is None:
            await asyncio.sleep(0.05)
            continue
        await message.ack()
        received.append(message)
    return received


async def test_the_same_event_twice_has_one_effect(
    running_consumer: Any, backbone_engine: AsyncEngine
) -> None:
    _, channel = running_consumer
    payload, sentinel = assigned(), assigned()
    duplicates_before = consumed("duplicate")
    body = new_event(payload, source="/teilhabe/intake").to_json()
    await publish(channel, body)
    await publish(channel, body, message_type=None)  # as a foreign publisher might send it
    # One queue, one consumer, batches in order: once the sentinel behind them is handled,
    # both copies have been.
    await publish(channel, new_event(sentinel, source="/teilhabe/intake").to_json())
    await eventually(lambda: _equals(effect_count(backbone_engine, str(sentinel.household_id)), 1))
    assert await effect_count(backbone_engine, str(payload.household_id)) == 1
    assert consumed("duplicate") - duplicates_before == 1, "the second copy was seen, and skipped"


async def test_a_handler_runs_in_the_trace_of_its_event(
    running_consumer: Any, backbone_engine: AsyncEngine
) -> None:
    behaviour, channel = running_consumer
    traced, other = assigned(), assigned()
    trace = TraceContext.new()
    # Two events of one type in a row, from different traces: each handled in its own.
    await publish(channel, new_event(traced, source="/teilhabe/intake", trace=trace).to_json())
    await publish(channel, new_event(other, source="/teilhabe/intake").to_json())
    key = str(traced.household_id)
    await eventually(lambda: _equals(effect_count(backbone_engine, str(other.household_id)), 1))
    assert behaviour.traces[key] == (trace.trace_id, trace.trace_id)
    assert behaviour.traces[str(other.household_id)][0] not in (None, trace.trace_id)
    async with backbone_engine.connect() as connection:
        audited = await connection.scalar(
            select(audit.c.trace_id).where(audit.c.resource_id == key)
        )
    assert audited == trace.trace_id, "the audit entry written by the handler carries the trace"
    assert current_trace.get() is None, "the trace does not leak out of the handler"


async def test_poison_messages_are_dead_lettered_with_a_reason_and_the_next_one_handled(
    running_consumer: Any, backbone_engine: AsyncEngine
) -> None:
    _, channel = running_consumer
    await publish(channel, b"{not json", message_id="broken-json")
    invalid = json.loads(new_event(assigned(), source="/teilhabe/intake").to_json())
    invalid["data"]["member_count"] = "many"
    await publish(channel, json.dumps(invalid).encode(), message_id="invalid-payload")
    future = json.loads(new_event(assigned(), source="/teilhabe/intake").to_json())
    future["dataversion"] = "9"
    await publish(channel, json.dumps(future).encode(), message_id="unknown-version")
    good = assigned()
    await publish(channel, new_event(good, source="/teilhabe/intake").to_json())

    letters = {m.message_id: m for m in await dead_letters(channel, 3)}
    assert set(letters) == {"broken-json", "invalid-payload", "unknown-version"}
    assert str(letters["broken-json"].headers[REASON_HEADER]).startswith("body is not JSON")
    assert letters["broken-json"].headers[REASON_KIND_HEADER] == "not_json"
    assert letters["invalid-payload"].headers[REASON_KIND_HEADER] == "invalid_payload"
    assert letters["unknown-version"].headers[REASON_KIND_HEADER] == "no_handler"
    assert "member_count" in str(letters["invalid-payload"].headers[REASON_HEADER])
    assert "version 9" in str(letters["unknown-version"].headers[REASON_HEADER])
    assert letters["broken-json"].body == b"{not json", "the original message is kept"
    await eventually(lambda: _equals(effect_count(backbone_engine, str(good.household_id)), 1))


async def test_transient_failure_is_retried_after_a_delay(
    running_consumer: Any, backbone_engine: AsyncEngine
) -> None:
    behaviour, channel = running_consumer
    payload = assigned()
    retried_before = consumed("retried")
    # Fails in its batch and again alone: only then does it go to a delay queue.
    behaviour.transient_failures[str(payload.household_id)] = 2
    await publish(channel, new_event(payload, source="/teilhabe/intake").to_json())
    await eventually(
        lambda: _equals(effect_count(backbone_engine, str(payload.household_id)), 1), timeout=15
    )
    assert consumed("retried") - retried_before == 1, "it went through the first delay queue"
    assert behaviour.transient_failures[str(payload.household_id)] == 0, "the first try failed"


@pytest.fixture
async def patient_consumer(
    vhost: str, backbone_engine: AsyncEngine
) -> AsyncIterator[tuple[Behaviour, aio_pika.abc.AbstractChannel]]:
    """A consumer that lingers long enough for messages published one by one to make one
    batch."""
    behaviour = Behaviour()
    await declare_probe_topology(vhost)
    consumer = EventConsumer(
        options(vhost, service_name="probe-order", batch_size=10, prefetch=20, linger_seconds=1),
        session_factory=create_session_factory(backbone_engine),
        inbox=messaging.inbox,
        handlers={HouseholdAssigned: behaviour.handle},
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    connection = await aio_pika.connect(vhost)
    channel = await connection.channel(publisher_confirms=True)
    await eventually(lambda: _true(consumer.broker_connected))
    yield behaviour, channel
    stop.set()
    await asyncio.wait_for(task, 10)
    await connection.close()


async def test_an_event_before_what_it_builds_on_waits_for_it_inside_its_batch(
    patient_consumer: Any, backbone_engine: AsyncEngine
) -> None:
    behaviour, channel = patient_consumer
    later, first = assigned(), assigned()
    behaviour.after[str(later.household_id)] = str(first.household_id)
    retried_before = consumed("retried", "probe-order", "probe")
    handled_before = consumed("handled", "probe-order", "probe")
    # Staged the other way round, or reordered on the way: one batch all the same.
    await publish(channel, new_event(later, source="/teilhabe/intake").to_json())
    await publish(channel, new_event(first, source="/teilhabe/intake").to_json())
    await eventually(lambda: _equals(effect_count(backbone_engine, str(later.household_id)), 1))
    assert await effect_count(backbone_engine, str(first.household_id)) == 1
    assert consumed("handled", "probe-order", "probe") - handled_before == 2
    assert consumed("retried", "probe-order", "probe") == retried_before, "no delay queue"


async def test_an_event_whose_prerequisite_is_not_in_its_batch_waits_in_a_delay_queue(
    patient_consumer: Any, backbone_engine: AsyncEngine
) -> None:
    behaviour, channel = patient_consumer
    later, first, neighbour = assigned(), assigned(), assigned()
    behaviour.after[str(later.household_id)] = str(first.household_id)
    retried_before = consumed("retried", "probe-order", "probe")
    await publish(channel, new_event(later, source="/teilhabe/intake").to_json())
    await publish(channel, new_event(neighbour, source="/teilhabe/intake").to_json())
    await eventually(lambda: _true(consumed("retried", "probe-order", "probe") > retried_before))
    # Its neighbour committed without it; the inbox forgot it, so it is handled on return.
    assert await effect_count(backbone_engine, str(neighbour.household_id)) == 1
    assert await effect_count(backbone_engine, str(later.household_id)) == 0
    await publish(channel, new_event(first, source="/teilhabe/intake").to_json())
    await eventually(lambda: _equals(effect_count(backbone_engine, str(later.household_id)), 1))
    assert consumed("retried", "probe-order", "probe") - retried_before == 1


async def test_a_handler_marked_last_runs_after_what_its_events_build_on(
    vhost: str, backbone_engine: AsyncEngine
) -> None:
    """Staged before its referral (as intake does), an assignment is still handled after
    it in their batch, without a first try that ends in NotYet."""
    behaviour = Behaviour()
    calls: list[str] = []

    async def on_assigned(
        session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdAssigned]]
    ) -> None:
        calls.append("assigned")
        await behaviour.handle(session, events)

    async def on_referred(
        session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdReferredToHousing]]
    ) -> None:
        calls.append("referred")
        for event in events:
            key = f"referral-{event.payload.household_id}"
            await session.execute(insert(effects).values(event_id=event.id, key=key))

    connection = await aio_pika.connect(vhost)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await declare_service_topology(
            channel, EXCHANGE, "probe", ["household.assigned", "household.referred_to_housing"]
        )
        consumer = EventConsumer(
            options(vhost, service_name="probe-last", batch_size=10, linger_seconds=1),
            session_factory=create_session_factory(backbone_engine),
            inbox=messaging.inbox,
            handlers={
                HouseholdAssigned: handled_last(on_assigned),
                HouseholdReferredToHousing: on_referred,
            },
        )
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            await eventually(lambda: _true(consumer.broker_connected))
            household = assigned()
            behaviour.after[str(household.household_id)] = f"referral-{household.household_id}"
            referral = HouseholdReferredToHousing(
                household_id=household.household_id,
                allocation_notice_number=household.allocation_notice_number,
                allocated_on=household.allocated_on,
                member_count=1,
                minor_count=0,
                needs_accessible_housing=False,
            )
            trace = TraceContext.new()
            for payload in (household, referral):
                body = new_event(payload, source="/teilhabe/intake", trace=trace).to_json()
                await publish(
                    channel, body, routing_key=payload.event_type, message_type=payload.event_type
                )
            await eventually(
                lambda: _equals(effect_count(backbone_engine, str(household.household_id)), 1)
            )
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
    assert calls == ["referred", "assigned"]


async def test_a_refused_event_is_dead_lettered_and_its_batch_neighbours_handled(
    running_consumer: Any, backbone_engine: AsyncEngine
) -> None:
    behaviour, channel = running_consumer
    refused, fine = assigned(), [assigned() for _ in range(5)]
    behaviour.refuse.add(str(refused.household_id))
    for payload in [*fine[:2], refused, *fine[2:]]:
        await publish(channel, new_event(payload, source="/teilhabe/intake").to_json())
    letters = await dead_letters(channel, 1)
    assert "household refused by the test" in str(letters[0].headers[REASON_HEADER])
    assert letters[0].headers[REASON_KIND_HEADER] == "refused"
    for payload in fine:
        await eventually(
            lambda p=payload: _equals(effect_count(backbone_engine, str(p.household_id)), 1)
        )


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def test_a_database_outage_spends_no_retry_and_loses_nothing(
    vhost: str, backbone_database: str, backbone_engine: AsyncEngine
) -> None:
    """The batch is held while the database is away, however long: nothing is retried."""
    target = make_url(backbone_database)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432).start()
    proxied = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    engine = create_engine(proxied, pool_size=2)
    behaviour = Behaviour()
    await declare_probe_topology(vhost)
    consumer = EventConsumer(
        options(
            vhost,
            service_name="probe-outage",
            batch_size=5,
            prefetch=20,
            database_backoff_seconds=(0.1, 0.5),
        ),
        session_factory=create_session_factory(engine),
        inbox=messaging.inbox,
        handlers={HouseholdAssigned: behaviour.handle},
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    connection = await aio_pika.connect(vhost)
    channel = await connection.channel(publisher_confirms=True)
    try:
        await eventually(lambda: _true(consumer.broker_connected))  # queues declared and bound
        waits_before = database_waits("probe-outage")
        proxy.cut()
        payloads = [assigned() for _ in range(12)]
        for payload in payloads:
            await publish(channel, new_event(payload, source="/teilhabe/intake").to_json())
        # The consumer has met the outage and holds its batch: the old way, each message
        # would have gone to a delay queue at this point already.
        await eventually(lambda: _true(database_waits("probe-outage") > waits_before))
        retried_during_outage = consumed("retried", service="probe-outage")
        proxy.restore()
        for payload in payloads:
            await eventually(
                lambda p=payload: _equals(effect_count(backbone_engine, str(p.household_id)), 1)
            )
        assert retried_during_outage == 0, "no message was sent to a delay queue"
        assert consumed("retried", service="probe-outage") == 0, "nor after it"
        assert await (await channel.get_queue("probe.dlq")).get(fail=False) is None
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await connection.close()
        await engine.dispose()
        proxy.close()


async def _true(value: bool) -> bool:
    return value


async def test_dead_letters_are_listed_with_their_reason_and_sent_back_once_fixed(
    running_consumer: Any, backbone_engine: AsyncEngine
) -> None:
    behaviour, channel = running_consumer
    refused = assigned()
    key = str(refused.household_id)
    behaviour.refuse.add(key)
    event = new_event(refused, source="/teilhabe/intake")
    await publish(channel, event.to_json(), message_id=event.id)
    dlq = await channel.get_queue("probe.dlq")

    async def dead_lettered() -> bool:
        return (await dlq.declare()).message_count == 1

    await eventually(dead_lettered)
    [letter] = await dead_letter_queue.list_dead_letters(channel, "probe", limit=10)
    assert letter.event_id == event.id
    assert letter.reason == "household refused by the test"
    assert letter.kind == "refused"
    await eventually(dead_lettered)  # listing leaves them queued

    behaviour.refuse.discard(key)  # the cause is fixed
    assert await dead_letter_queue.redrive(channel, "probe", limit=10, only={"other"}) == (0, 1)
    assert await dead_letter_queue.redrive(channel, "probe", limit=10) == (1, 0)
    await eventually(lambda: _equals(effect_count(backbone_engine, key), 1))
    assert (await dlq.declare()).message_count == 0
