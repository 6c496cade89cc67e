"""Agency gateway benchmark: events through the subscription table and the consent gate
to an agency's queue, beside raw publish-and-consume of as many messages.

Half the households have a member who consented to the agency's purpose; the gateway
(notifications' second consumer, in this process) must forward exactly those. Printed:
events handled per second (all of them, forwarded or not), forwarded per second, and the
p50/p99 from an event's time to its arrival in the agency's queue; then the same run's
raw aio-pika: confirmed publishing to a quorum queue and consuming with an ack each.

Run: make bench-gateway   (options: python -m tests.benchmarks.gateway --help)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from datetime import date, datetime

import aio_pika
from notifications.config import NotificationsSettings
from notifications.gateway import AgencyGateway
from notifications.main import SERVICE
from notifications.models import Agency, AgencyConsent, AgencySubscription
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.envelope import new_event
from teilhabe.events.housing import HouseholdMovedIn, SiteKind
from teilhabe.logging import configure_logging
from teilhabe.messaging.agencies import Agency as BrokerAgency
from teilhabe.messaging.agencies import agency_queue_name, declare_agency
from teilhabe.messaging.setup import EXCHANGE, declare_topology
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure, provision

from tests.benchmarks.backbone import percentile

AGENCY, PURPOSE = "bench-jobcenter", "arbeitsvermittlung"


async def run(infra: Infrastructure, args: argparse.Namespace) -> None:
    vhost = infra.unique_name("gateway")
    amqp = infra.create_vhost(vhost)
    try:
        await declare_topology(amqp, [SERVICE])
        connection = await aio_pika.connect(amqp)
        async with connection:
            await declare_agency(
                await connection.channel(), BrokerAgency(AGENCY, receives=("household.moved_in",))
            )
        async with migrated_database(infra, SERVICE) as database:
            households = [uuid.uuid4() for _ in range(args.events)]
            consenting = set(households[::2])
            await _seed(database, consenting)
            settings = NotificationsSettings(database_url=database, amqp_url=amqp)
            gateway = await _gateway_run(settings, amqp, households, consenting)
        raw = await _raw_run(amqp, len(consenting))
    finally:
        infra.delete_vhost(vhost)
    print(f"agency gateway: {args.events} household.moved_in, {len(consenting)} with consent")
    print(
        f"  gateway: {gateway['handled']:8.0f} events/s handled, {gateway['rate']:8.0f} "
        f"forwarded/s ({gateway['count']} forwarded, {gateway['wrong']} wrongly); event -> "
        f"agency queue p50 {gateway['p50'] * 1000:.0f} ms, p99 {gateway['p99'] * 1000:.0f} ms"
    )
    print(
        f"  raw:     {raw['rate']:8.0f} messages/s published (confirmed) and consumed "
        f"(ack each), {raw['count']} messages; ratio forwarded/raw "
        f"{gateway['rate'] / raw['rate']:.2f}"
    )


async def _seed(database: str, consenting: set[uuid.UUID]) -> None:
    engine = create_engine(database, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        session.add(Agency(id=AGENCY, display_name="Jobcenter", subscriptions=[]))
        await session.flush()
        session.add(
            AgencySubscription(
                id=uuid.uuid4(),
                agency_id=AGENCY,
                event_type="household.moved_in",
                purpose=PURPOSE,
                fields=["moved_in_on"],
            )
        )
        session.add_all(
            AgencyConsent(
                id=uuid.uuid4(),
                household_id=household,
                member_id=uuid.uuid4(),
                agency_id=AGENCY,
                purpose=PURPOSE,
                granted_on=date(2026, 11, 20),
            )
            for household in consenting
        )
    await engine.dispose()


async def _gateway_run(
    settings: NotificationsSettings,
    amqp: str,
    households: list[uuid.UUID],
    consenting: set[uuid.UUID],
) -> dict[str, float]:
    stop = asyncio.Event()
    task = asyncio.create_task(AgencyGateway(settings).run(stop))
    connection = await aio_pika.connect(amqp)
    arrivals: list[float] = []
    wrong = 0
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)
        queue = await channel.get_queue(agency_queue_name(AGENCY))
        done = asyncio.Event()

        async def arrived(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal wrong
            event = json.loads(message.body)
            sent = datetime.fromisoformat(event["time"]).timestamp()
            arrivals.append(time.time() - sent)
            wrong += uuid.UUID(event["data"]["household_id"]) not in consenting
            await message.ack()
            if len(arrivals) >= len(consenting):
                done.set()

        await queue.consume(arrived)
        started = time.perf_counter()
        for start in range(0, len(households), 100):
            batch = []
            for household in households[start : start + 100]:
                event = new_event(_moved_in(household), source="/teilhabe/housing")
                message = aio_pika.Message(event.to_json(), message_id=event.id, type=event.type)
                batch.append(exchange.publish(message, routing_key=event.type))
            await asyncio.gather(*batch)
        await asyncio.wait_for(done.wait(), timeout=600)
        seconds = time.perf_counter() - started
    finally:
        stop.set()
        await task
        await connection.close()
    return {
        "handled": len(households) / seconds,
        "rate": len(arrivals) / seconds,
        "count": len(arrivals),
        "wrong": wrong,
        "p50": percentile(arrivals, 50),
        "p99": percentile(arrivals, 99),
    }


async def _raw_run(amqp: str, count: int) -> dict[str, float]:
    connection = await aio_pika.connect(amqp)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(
            f"raw-{uuid.uuid4().hex[:6]}", durable=True, arguments={"x-queue-type": "quorum"}
        )
        body = new_event(_moved_in(uuid.uuid4()), source="/teilhabe/housing").to_json()
        received = 0
        done = asyncio.Event()

        async def arrived(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received
            await message.ack()
            received += 1
            if received >= count:
                done.set()

        await queue.consume(arrived)
        started = time.perf_counter()
        for start in range(0, count, 100):
            await asyncio.gather(
                *(
                    channel.default_exchange.publish(aio_pika.Message(body), routing_key=queue.name)
                    for _ in range(min(100, count - start))
                )
            )
        await asyncio.wait_for(done.wait(), timeout=600)
        seconds = time.perf_counter() - started
    return {"rate": count / seconds, "count": count}


def _moved_in(household: uuid.UUID) -> HouseholdMovedIn:
    return HouseholdMovedIn(
        household_id=household,
        placement_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        site_kind=SiteKind.COMMUNAL_HOUSING,
        unit_id=uuid.uuid4(),
        bed_count=2,
        moved_in_on=date(2026, 11, 25),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    configure_logging("bench-gateway", level="WARNING", json=True)
    with provision() as infra:
        asyncio.run(run(infra, args))


if __name__ == "__main__":
    main()
