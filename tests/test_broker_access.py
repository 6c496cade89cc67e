"""Each party may do only its part on the broker, tried on a real vhost.

The topology is declared by the privileged setup step; every service connects as its own
user (teilhabe.messaging.access); an agency, provisioned as `teilhabe-broker agency add`
does, may read its own queue and send its own inbound types, nothing else.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import aio_pika
import aiormq
import pytest
from aio_pika.abc import AbstractChannel
from teilhabe.events.envelope import new_event
from teilhabe.events.households import HouseholdReferredToHousing
from teilhabe.messaging.access import published_types, service_user
from teilhabe.messaging.agencies import (
    AGENCY_EXCHANGE,
    INBOUND_EXCHANGE,
    Agency,
    agency_queue_name,
    agency_user,
    declare_agency,
)
from teilhabe.messaging.disposition import REASON_HEADER, REASON_KIND_HEADER
from teilhabe.messaging.setup import EXCHANGE, declare_topology
from teilhabe.messaging.topology import redelivery_exchange_name
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import SERVICES, System, eventually

AGENCY = "agency"
JOBCENTER = Agency("jobcenter", receives=("household.moved_in",), sends=("allocation.notified",))
AGENCY_QUEUE = agency_queue_name(JOBCENTER.name)
OTHER_AGENCY = Agency("welfare", receives=("household.moved_in",))
Attempt = Callable[[AbstractChannel], Awaitable[object]]


@pytest.fixture
async def broker(infra: Infrastructure) -> AsyncIterator[dict[str, str]]:
    """A vhost set up as in production; the AMQP URL of each user in it."""
    vhost = infra.unique_name("access")
    admin = await asyncio.to_thread(infra.create_vhost, vhost)
    await declare_topology(admin, SERVICES.values())
    connection = await aio_pika.connect(admin)
    async with connection:
        channel = await connection.channel()
        for agency in (JOBCENTER, OTHER_AGENCY):
            await declare_agency(channel, agency)
    users = [service_user(name, exchange=EXCHANGE, name=f"{vhost}.{name}") for name in SERVICES]
    users.append(agency_user(JOBCENTER, name=f"{vhost}.{AGENCY}"))
    urls = {}
    for user in users:
        urls[user.name.rpartition(".")[2]] = await asyncio.to_thread(
            infra.grant_broker_user, vhost, user
        )
    yield urls
    await asyncio.to_thread(infra.delete_vhost, vhost)
    for user in users:
        await asyncio.to_thread(infra.delete_broker_user, user.name)


def attempts(party: str) -> dict[str, Attempt]:
    """What a party tries; `own`/`other` seen from the party (another service for `other`)."""
    other = "housing" if party != "housing" else "intake"
    own_queue = AGENCY_QUEUE if party == AGENCY else party
    own_key = published_types(party)[0] if party in SERVICES and published_types(party) else None
    # A type the other service publishes and this party may not (some types have several
    # publishers, e.g. erasure.completed).
    mine = set(published_types(party)) if party in SERVICES else set()
    theirs = next(t for t in published_types(other) if t not in mine)
    tried: dict[str, Attempt] = {
        "publish another's key": lambda ch: _publish(ch, EXCHANGE, theirs),
        "publish via the default exchange": lambda ch: _publish(ch, "", other),
        "bind #": lambda ch: _bind_all(ch, own_queue),
        "read another's queue": lambda ch: _read(ch, other),
        "read its own queue": lambda ch: _read(ch, own_queue),
        "declare the exchange": lambda ch: ch.declare_exchange(
            EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        ),
        "delete the exchange": lambda ch: ch.exchange_delete(EXCHANGE),
        "declare a queue": lambda ch: ch.declare_queue(f"{party}.extra", durable=True),
    }
    if own_key is not None:
        tried["publish its own key"] = lambda ch: _publish(ch, EXCHANGE, own_key)
    if party == AGENCY:
        tried["read another agency's queue"] = lambda ch: _read(
            ch, agency_queue_name(OTHER_AGENCY.name)
        )
        tried["bind # on the agencies exchange"] = lambda ch: _bind_all(
            ch, own_queue, AGENCY_EXCHANGE
        )
        tried["publish on the agencies exchange"] = lambda ch: _publish(
            ch, AGENCY_EXCHANGE, f"{OTHER_AGENCY.name}.household.moved_in"
        )
        tried["send its own inbound type"] = lambda ch: _publish(
            ch, INBOUND_EXCHANGE, "allocation.notified"
        )
        tried["send another inbound type"] = lambda ch: _publish(
            ch, INBOUND_EXCHANGE, "household.assigned"
        )
    if party in SERVICES:
        tried["send to its own delay queue"] = lambda ch: _publish(
            ch, redelivery_exchange_name(party), f"{party}.retry.1"
        )
        tried["send into another's delay queue"] = lambda ch: _publish(
            ch, redelivery_exchange_name(other), f"{other}.retry.1"
        )
    return tried


ALLOWED = {
    "publish its own key",
    "read its own queue",
    "send to its own delay queue",
    "send its own inbound type",
}


async def test_each_party_may_do_only_its_part(broker: dict[str, str]) -> None:
    outcomes: dict[tuple[str, str], str] = {}
    expected: dict[tuple[str, str], str] = {}
    for party, url in broker.items():
        connection = await aio_pika.connect(url)
        async with connection:
            for name, attempt in attempts(party).items():
                channel = await connection.channel(publisher_confirms=True)
                try:
                    await attempt(channel)
                    outcomes[party, name] = "allowed"
                except aiormq.exceptions.ChannelAccessRefused:
                    outcomes[party, name] = "refused"
                expected[party, name] = "allowed" if name in ALLOWED else "refused"
                if not channel.is_closed:
                    await channel.close()
    assert outcomes == expected
    publishers = sum(bool(published_types(service)) for service in SERVICES)
    # every party, every attempt
    assert len(outcomes) == 6 * 8 + publishers + 2 * len(SERVICES) + 5


async def test_an_event_from_a_source_that_does_not_own_its_type_is_dead_lettered(
    system: System,
) -> None:
    system.start("housing", "consumer")
    forged, genuine = _assigned(), _assigned()
    connection = await aio_pika.connect(system.amqp_url)  # as the administrator
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)
        for payload, source in ((forged, "/teilhabe/volunteers"), (genuine, "/teilhabe/intake")):
            event = new_event(payload, source=source)
            await exchange.publish(
                aio_pika.Message(event.to_json(), message_id=event.id, type=event.type),
                routing_key=event.type,
            )
        dead_letters = await channel.get_queue("housing.dlq")
        letter = await eventually(lambda: dead_letters.get(fail=False), timeout=30)
        await letter.ack()
    assert letter.headers[REASON_KIND_HEADER] == "foreign_source"
    reason = str(letter.headers[REASON_HEADER])
    assert "'/teilhabe/volunteers' sent 'household.referred_to_housing'" in reason

    async def waiting(household_id: uuid.UUID) -> int:
        sql = "SELECT count(*) FROM waiting_household WHERE household_id = $1"
        return int(await system.query("housing", sql, household_id))

    await eventually(lambda: waiting(genuine.household_id))
    assert await waiting(forged.household_id) == 0


def _assigned() -> HouseholdReferredToHousing:
    return HouseholdReferredToHousing(
        household_id=uuid.uuid4(),
        allocation_notice_number=f"BRA-{uuid.uuid4().hex[:8]}",
        allocated_on=date(2026, 11, 20),
        member_count=1,
        minor_count=0,
        needs_accessible_housing=False,
    )


async def _publish(channel: AbstractChannel, exchange: str, routing_key: str) -> None:
    target = channel.default_exchange if exchange == "" else await channel.get_exchange(exchange)
    await target.publish(aio_pika.Message(b"{}"), routing_key=routing_key, timeout=10)


async def _bind_all(channel: AbstractChannel, queue: str, exchange: str = EXCHANGE) -> None:
    await (await channel.get_queue(queue)).bind(exchange, "#")


async def _read(channel: AbstractChannel, queue: str) -> None:
    await (await channel.get_queue(queue)).get(fail=False)
