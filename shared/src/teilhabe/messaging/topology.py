"""Exchanges and queues of the event backbone, declared idempotently by whoever needs them.

Per consumer (service) `q`:
- `q`            quorum queue bound to the events exchange by event type;
- `q.retry.<n>`  one quorum queue per delay step, no consumer: messages wait for the
                 queue's TTL and are dead-lettered back to `q` (default exchange);
- `q.dlq`        quorum queue of messages that can never be handled, with the reason.
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


async def declare_events_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


async def declare_consumer_queues(
    channel: AbstractChannel, exchange: AbstractExchange, queue: str, event_types: Iterable[str]
) -> AbstractQueue:
    dlq = dead_letter_queue_name(queue)
    await channel.declare_queue(dlq, durable=True, arguments={"x-queue-type": "quorum"})
    for step, delay in enumerate(RETRY_DELAYS_SECONDS, start=1):
        await channel.declare_queue(
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
    for event_type in sorted(set(event_types)):
        await main.bind(exchange, routing_key=event_type)
    return main
