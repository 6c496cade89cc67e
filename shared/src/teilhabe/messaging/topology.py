"""Exchanges and queues of the event backbone.

They are declared by a privileged setup step (`teilhabe-broker setup` locally and in
tests, the Messaging Topology Operator in Kubernetes), never by the services: a service's
broker user may not configure anything (see `teilhabe.messaging.access`), so relays and
consumers only look up what the setup declared.

Per consumer (service) `q`:
- `q`             quorum queue bound to the events exchange by event type;
- `q.retry.<n>`   one quorum queue per delay step, no consumer: messages wait for the
                  queue's TTL and are dead-lettered back to `q` (by the broker itself);
- `q.dlq`         quorum queue of messages that can never be handled, with the reason;
- `q.redelivery`  direct exchange through which the consumer sends a message on to its own
                  delay queues, its dead letters, or (redrive) back to `q`; each of them
                  is bound under its own name. A service needs no write on the default
                  exchange, which would let it fill any queue of the broker.
A per-queue TTL is exact, unlike per-message expiry, which only fires at the queue head.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

RETRY_DELAYS_SECONDS: Sequence[float] = (1, 5, 30, 120)
# A message that crashes its consumer repeatedly (never acked) goes to the DLQ after this.
DELIVERY_LIMIT = 10

_AT_LEAST_ONCE_DEAD_LETTERING = {
    "x-dead-letter-strategy": "at-least-once",
    # at-least-once is silently ignored without reject-publish.
    "x-overflow": "reject-publish",
}


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dlq"


def retry_queue_name(queue: str, step: int) -> str:
    return f"{queue}.retry.{step}"


def redelivery_exchange_name(queue: str) -> str:
    return f"{queue}.redelivery"


class TopologyMissing(RuntimeError):
    """The broker lacks an exchange or queue the setup step declares."""


async def declare_service_topology(
    channel: AbstractChannel, exchange_name: str, queue: str, event_types: Iterable[str]
) -> AbstractQueue:
    """The privileged step for one consumer: the events exchange and its queues, bound."""
    exchange = await declare_events_exchange(channel, exchange_name)
    return await declare_consumer_queues(channel, exchange, queue, event_types)


async def existing_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    """The exchange as the setup declared it (a passive look: no configure permission)."""
    try:
        return await channel.get_exchange(name, ensure=True)
    except aio_pika.exceptions.ChannelNotFoundEntity as error:
        raise TopologyMissing(f"no exchange {name!r}: run the broker setup first") from error


async def existing_queue(channel: AbstractChannel, name: str) -> AbstractQueue:
    """The queue as the setup declared it (a passive look: no configure permission)."""
    try:
        return await channel.get_queue(name, ensure=True)
    except aio_pika.exceptions.ChannelNotFoundEntity as error:
        raise TopologyMissing(f"no queue {name!r}: run the broker setup first") from error


async def declare_events_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


async def declare_consumer_queues(
    channel: AbstractChannel, exchange: AbstractExchange, queue: str, event_types: Iterable[str]
) -> AbstractQueue:
    dlq = dead_letter_queue_name(queue)
    redelivery = await channel.declare_exchange(
        redelivery_exchange_name(queue), aio_pika.ExchangeType.DIRECT, durable=True
    )
    dead_letters = await channel.declare_queue(
        dlq, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead_letters.bind(redelivery, routing_key=dlq)
    for step, delay in enumerate(RETRY_DELAYS_SECONDS, start=1):
        retry = await channel.declare_queue(
            retry_queue_name(queue, step),
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-message-ttl": int(delay * 1000),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queue,
                **_AT_LEAST_ONCE_DEAD_LETTERING,
            },
        )
        await retry.bind(redelivery, routing_key=retry.name)
    main = await channel.declare_queue(
        queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dlq,
            **_AT_LEAST_ONCE_DEAD_LETTERING,
        },
    )
    await main.bind(redelivery, routing_key=queue)
    for event_type in sorted(set(event_types)):
        await main.bind(exchange, routing_key=event_type)
    return main
