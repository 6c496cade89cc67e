"""Partner agencies on the broker: their exchanges, queues and users.

Agencies never touch the events exchange. Two exchanges of their own:

- `teilhabe.agencies` (topic): the agency gateway (a consumer of notifications, queue
  `notifications.agencies`) publishes there what an agency may hear of, after the
  subscription table and the consent gate, stripped to what that agency is entitled to,
  with routing key `<agency>.<event type>`. Each agency's quorum queue `agency.<agency>`
  is bound only to its own keys; the agency's user reads that queue and nothing else.
- `teilhabe.inbound` (topic): an agency that sends events (e.g. the allocating
  authority's allocations, a course provider's attendance) writes there, its topic
  permission limited to its own event types (routing key = event type); the broker
  vouches for the sender in the message's `user_id`. The queue `<owner>.inbound` of the
  service owning a type takes it (`intake.inbound`, `courses.inbound`), and that
  service's inbound consumer checks the sender again (`teilhabe.messaging.inbound`).

An agency user may configure nothing, so it cannot bind `#` or declare a queue of its
own; it cannot read another agency's queue, and cannot publish anywhere but inbound.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange

from teilhabe.events.catalogue import CATALOGUE, load_catalogue
from teilhabe.events.consent import ConsentGranted, ConsentRevoked
from teilhabe.events.households import HouseholdAssigned, HouseholdMembersChanged
from teilhabe.messaging.access import NOTHING, BrokerUser, any_of
from teilhabe.messaging.topology import (
    dead_letter_queue_name,
    declare_consumer_queues,
    declare_events_exchange,
    redelivery_exchange_name,
)

AGENCY_EXCHANGE = "teilhabe.agencies"
INBOUND_EXCHANGE = "teilhabe.inbound"
GATEWAY_QUEUE = "notifications.agencies"
INBOUND_QUEUE_SUFFIX = ".inbound"
INBOUND_QUEUE = "intake.inbound"  # the allocations' (intake's) inbound queue
AGENCY_QUEUE_PREFIX = "agency."
AGENCY_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")  # as teilhabe.events.consent.Slug


def agency_queue_name(agency: str) -> str:
    return f"{AGENCY_QUEUE_PREFIX}{agency}"


def agency_routing_key(agency: str, event_type: str) -> str:
    # Agency names have no dots (teilhabe.events.consent.Slug): the key splits clearly.
    return f"{agency}.{event_type}"


def shareable_types() -> list[str]:
    """The event types an agency may subscribe to: those with a consent subject."""
    load_catalogue()
    return sorted({m.event_type for m in CATALOGUE.values() if m.consent_subject is not None})


def inbound_queue_name(service: str) -> str:
    return f"{service}{INBOUND_QUEUE_SUFFIX}"


def inbound_types(owner: str | None = None) -> list[str]:
    """The event types agencies may send in (to `owner` alone, if given)."""
    load_catalogue()
    return sorted(
        {
            m.event_type
            for m in CATALOGUE.values()
            if m.inbound and (owner is None or owner in m.published_by)
        }
    )


# Who belongs to a household: the gateway reads them to know whose consent counts.
HOUSEHOLD_MEMBER_TYPES = (HouseholdAssigned.event_type, HouseholdMembersChanged.event_type)


def gateway_types() -> list[str]:
    """What the gateway consumes: the shareable types, the consents that gate them, and
    the households' members (whose consent a household-level event needs)."""
    gating = {ConsentGranted.event_type, ConsentRevoked.event_type}
    return sorted({*shareable_types(), *gating, *HOUSEHOLD_MEMBER_TYPES})


@dataclass(frozen=True)
class SideConsumer:
    """A service's second consumer, on a queue of its own (beside the service's queue)."""

    queue: str
    # The exchange its queue is bound to, by the types `event_types` returns.
    exchange: str | None  # None: the events exchange
    event_types: Callable[[], list[str]]
    # An exchange it publishes to (besides its own redelivery exchange), if any.
    publishes_to: str | None = None


SIDE_CONSUMERS: dict[str, SideConsumer] = {
    "notifications": SideConsumer(GATEWAY_QUEUE, None, gateway_types, publishes_to=AGENCY_EXCHANGE),
    "intake": SideConsumer(INBOUND_QUEUE, INBOUND_EXCHANGE, lambda: inbound_types("intake")),
    "courses": SideConsumer(
        inbound_queue_name("courses"), INBOUND_EXCHANGE, lambda: inbound_types("courses")
    ),
}


@dataclass(frozen=True)
class Agency:
    """An agency's broker access: the event types it receives, and those it sends in."""

    name: str
    receives: tuple[str, ...] = ()
    sends: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not AGENCY_NAME.fullmatch(self.name):
            raise ValueError(f"an agency's name is lower-case letters, digits, '-': {self.name!r}")
        unknown = set(self.receives) - set(shareable_types())
        if unknown:
            raise ValueError(f"not shareable with agencies: {', '.join(sorted(unknown))}")
        unknown = set(self.sends) - set(inbound_types())
        if unknown:
            raise ValueError(f"not an inbound event type: {', '.join(sorted(unknown))}")


def agency_user(agency: Agency, *, name: str | None = None) -> BrokerUser:
    """Read on its own queue; write only its own types to the inbound exchange."""
    return BrokerUser(
        name=name or agency.name,
        configure=NOTHING,
        write=any_of([INBOUND_EXCHANGE] if agency.sends else []),
        read=any_of([agency_queue_name(agency.name)]),
        topic_exchange=INBOUND_EXCHANGE,
        topic_write=any_of(agency.sends),
        topic_read=NOTHING,
    )


async def declare_agency_exchanges(channel: AbstractChannel) -> dict[str, AbstractExchange]:
    return {
        name: await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
        for name in (AGENCY_EXCHANGE, INBOUND_EXCHANGE)
    }


async def declare_side_consumer(
    channel: AbstractChannel, side: SideConsumer, events_exchange: str
) -> None:
    """The side consumer's queue, delay and dead-letter queues, bound (privileged)."""
    exchanges = await declare_agency_exchanges(channel)
    if side.exchange is None:
        exchange = await declare_events_exchange(channel, events_exchange)
    else:
        exchange = exchanges[side.exchange]
    await declare_consumer_queues(channel, exchange, side.queue, side.event_types())


async def declare_agency(channel: AbstractChannel, agency: Agency) -> None:
    """The agency's quorum queue, bound to its own routing keys alone (privileged)."""
    exchange = (await declare_agency_exchanges(channel))[AGENCY_EXCHANGE]
    queue = await channel.declare_queue(
        agency_queue_name(agency.name), durable=True, arguments={"x-queue-type": "quorum"}
    )
    for event_type in sorted(set(agency.receives)):
        await queue.bind(exchange, routing_key=agency_routing_key(agency.name, event_type))


async def remove_agency(channel: AbstractChannel, name: str) -> None:
    await channel.queue_delete(agency_queue_name(name))


def side_consumer_grants(service: str) -> tuple[Sequence[str], Sequence[str]]:
    """What a service's side consumer adds to its user: (reads, writes)."""
    side = SIDE_CONSUMERS.get(service)
    if side is None:
        return (), ()
    writes: list[str] = [redelivery_exchange_name(side.queue)]
    if side.publishes_to:
        writes.append(side.publishes_to)
    return (side.queue, dead_letter_queue_name(side.queue)), writes
