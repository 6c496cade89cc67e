"""Looking into a consumer's dead-letter queue, and sending its messages back.

After the cause is fixed (a handler bug, a record that was missing), operations send the
dead letters back to the consumer's queue. The inbox makes that safe: an event that was
handled after all is skipped, and one that still cannot be handled comes back here with
its new reason. Each message is republished with a confirm before it is acked, so a
crash in between leaves a copy in both queues and loses none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from teilhabe.events.households import normalise_notice_number
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
# Where events name a household's allocation notice (the state's `allocation.notified`,
# intake's household events).
NOTICE_FIELD = "allocation_notice_number"


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
    notices: Sequence[str] = (),
    moved: list[str | None] | None = None,
) -> tuple[int, int]:
    """Delete the dead letters of `queue` whose body mentions one of `mentions` (the ids of
    an erased household, person or volunteer) or names one of the allocation notice
    numbers `notices` (see `names_notice`); their event ids are appended to `moved`.
    Returns (deleted, left in the queue)."""
    dlq = await channel.get_queue(dead_letter_queue_name(queue))
    needles = [mention.encode() for mention in mentions if mention]
    numbers = {normalise_notice_number(notice) for notice in notices if notice.strip()}
    deleted, kept = 0, []
    try:
        while True:
            message = await dlq.get(fail=False, no_ack=False)
            if message is None:
                break
            if any(needle in message.body for needle in needles) or (
                numbers and names_notice(message.body, numbers)
            ):
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


def names_notice(body: bytes, numbers: Collection[str]) -> bool:
    """Whether a message names one of the (normalised) allocation notice numbers.

    The state's `allocation.notified` carries names and dates of birth but no id of ours:
    a dead-lettered one is found by its notice number, compared as intake compares them
    (case and spaces do not count). In a JSON body, any field `allocation_notice_number`
    at any depth counts; a body that is no JSON is searched as normalised text, the number
    standing on its own (`BRA-1` is not `BRA-12`).
    """
    try:
        document = json.loads(body)
    except ValueError:
        text = normalise_notice_number(body.decode("utf-8", errors="replace"))
        return any(
            re.search(rf"(?<![\w-]){re.escape(number)}(?![\w-])", text) for number in numbers
        )
    pending: list[Any] = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            for field, value in item.items():
                if field == NOTICE_FIELD and isinstance(value, str):
                    if normalise_notice_number(value) in numbers:
                        return True
                elif isinstance(value, dict | list):
                    pending.append(value)
        elif isinstance(item, list):
            pending.extend(item)
    return False


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
