"""Looking into a consumer's dead-letter queue, and sending its messages back.

After the cause is fixed (a handler bug, a record that was missing), operations send the
dead letters back to the consumer's queue. The inbox makes that safe: an event that was
handled after all is skipped, and one that still cannot be handled comes back here with
its new reason. Each message is republished with a confirm before it is acked, so a
crash in between leaves a copy in both queues and loses none.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from teilhabe.messaging.disposition import (
    LAST_ERROR_HEADER,
    REASON_HEADER,
    REASON_KIND_HEADER,
    RETRY_ATTEMPT_HEADER,
)
from teilhabe.messaging.topology import dead_letter_queue_name, redelivery_exchange_name

# What a previous pass through retries and the dead-letter queue wrote; a redriven message
# starts afresh, with one note of where it has been.
_PASSAGE_HEADERS = (
    RETRY_ATTEMPT_HEADER,
    LAST_ERROR_HEADER,
    REASON_HEADER,
    REASON_KIND_HEADER,
    "x-death",
)
REDRIVEN_HEADER = "x-redriven-at"


@dataclass(frozen=True)
class DeadLetter:
    event_id: str | None
    event_type: str
    kind: str
    reason: str
    dead_lettered_at: str


def describe(message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    return DeadLetter(
        event_id=message.message_id,
        event_type=str(headers.get("x-event-type") or message.type or "unknown"),
        kind=str(headers.get(REASON_KIND_HEADER, "unknown")),
        reason=str(headers.get(REASON_HEADER, "(no reason recorded)")),
        dead_lettered_at=str(headers.get("x-dead-lettered-at", "")),
    )


async def list_dead_letters(
    channel: AbstractChannel, queue: str, *, limit: int
) -> list[DeadLetter]:
    """Up to `limit` dead letters of `queue`, oldest first; all of them stay queued."""
    dlq = await channel.get_queue(dead_letter_queue_name(queue))
    taken: list[AbstractIncomingMessage] = []
    try:
        while len(taken) < limit:
            message = await dlq.get(fail=False, no_ack=False)
            if message is None:
                break
            taken.append(message)
        return [describe(message) for message in taken]
    finally:
        for message in taken:
            await message.nack(requeue=True)


async def redrive(
    channel: AbstractChannel,
    queue: str,
    *,
    limit: int,
    only: Container[str] | None = None,
    publish_timeout_seconds: float = 10.0,
    moved: list[str | None] | None = None,
) -> tuple[int, int]:
    """Send up to `limit` dead letters (or those whose event id is in `only`) back to
    `queue`; their event ids are appended to `moved`. Returns (sent back, left in the
    dead-letter queue)."""
    dlq = await channel.get_queue(dead_letter_queue_name(queue))
    redelivery = await channel.get_exchange(redelivery_exchange_name(queue))
    sent, kept = 0, []
    try:
        while sent < limit:
            message = await dlq.get(fail=False, no_ack=False)
            if message is None:
                break
            if only is not None and message.message_id not in only:
                kept.append(message)
                continue
            await redelivery.publish(
                _fresh_copy(message), routing_key=queue, timeout=publish_timeout_seconds
            )
            await message.ack()
            sent += 1
            if moved is not None:
                moved.append(message.message_id)
    finally:
        for message in kept:
            await message.nack(requeue=True)
    return sent, len(kept)


async def forget(
    channel: AbstractChannel,
    queue: str,
    mentions: Sequence[str],
    *,
    moved: list[str | None] | None = None,
) -> tuple[int, int]:
    """Delete the dead letters of `queue` whose body mentions one of `mentions` (the ids of
    an erased household, person or volunteer); their event ids are appended to `moved`.
    Returns (deleted, left in the queue)."""
    dlq = await channel.get_queue(dead_letter_queue_name(queue))
    needles = [mention.encode() for mention in mentions if mention]
    deleted, kept = 0, []
    try:
        while True:
            message = await dlq.get(fail=False, no_ack=False)
            if message is None:
                break
            if any(needle in message.body for needle in needles):
                await message.ack()
                deleted += 1
                if moved is not None:
                    moved.append(message.message_id)
            else:
                kept.append(message)
    finally:
        for message in kept:
            await message.nack(requeue=True)
    return deleted, len(kept)


def _fresh_copy(message: AbstractIncomingMessage) -> aio_pika.Message:
    headers = {k: v for k, v in (message.headers or {}).items() if k not in _PASSAGE_HEADERS}
    headers[REDRIVEN_HEADER] = datetime.now(UTC).isoformat()
    return aio_pika.Message(
        body=message.body,
        headers=headers,
        content_type=message.content_type,
        message_id=message.message_id,
        type=message.type,
        app_id=message.app_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
