"""A service's part of an erasure: erase what it holds of the subject, then confirm.

Each service gives the function that deletes or anonymises its records of a household,
a person or a volunteer (`Eraser`, returning how many); `erasure_handler` makes the
handler of `erasure.requested` that runs it and stages `erasure.completed` in the same
transaction, so the confirmation is sent exactly when the erasure committed. A request
handled again (a redelivery) erases nothing more and confirms again, which intake keeps
once.

Dead letters are copies too: the service's dead-letter queues (its own consumer's and its
side consumer's) lose every message that mentions the subject, counted in the
confirmation; a service that knows the household's allocation notice number (intake, the
receiver of the state's `allocation.notified`) also has those naming it deleted. The
broker is no part of the transaction: a rollback after the deletion leaves the letters
deleted, which is what the request wants anyway, and the redelivered request finds none
left.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence

import aio_pika
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.config import ServiceSettings
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.erasure import ErasureCompleted, ErasureRequested, ErasureSubject
from teilhabe.messaging import dead_letters
from teilhabe.messaging.agencies import SIDE_CONSUMERS
from teilhabe.messaging.inbox import Handler, ReceivedEvent
from teilhabe.messaging.outbox import Outbox
from teilhabe.messaging.topology import dead_letter_queue_name

log = structlog.get_logger(__name__)

Eraser = Callable[[AsyncSession, ErasureSubject, uuid.UUID], Awaitable[int]]

# What every erasing service reads of the request.
ERASURE_READS: FieldsRead = {
    ErasureRequested: reads("request_id", "subject_kind", "subject_id"),
}


async def forget_published(
    session: AsyncSession,
    outbox: Outbox,
    subject_id: uuid.UUID,
    *,
    unsent_too: Collection[type[EventPayload]] = (),
) -> int:
    """Delete the outbox rows that mention the subject; how many went.

    Published events are kept a few days for operations only, so they go. Unsent ones
    stay (the erasure's own events name the subject and must still go out), except those
    of the types in `unsent_too`: events that must never go out once the subject is
    erased, e.g. the hand-over of a key the erasure destroyed.
    """
    table = outbox.table.name
    types = sorted(payload.event_type for payload in unsent_too)
    result = await session.execute(
        text(
            f"DELETE FROM {table} "  # noqa: S608 - a table name
            "WHERE (published_at IS NOT NULL OR event_type = ANY(CAST(:types AS varchar[]))) "
            "AND position(CAST(:needle AS bytea) IN body) > 0"
        ),
        {"needle": str(subject_id).encode(), "types": types},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def consumer_queues(service: str) -> list[str]:
    """The queues whose dead letters are the service's: its consumer's and its side one's."""
    side = SIDE_CONSUMERS.get(service)
    return [service, *([side.queue] if side else [])]


async def forget_dead_letters(
    settings: ServiceSettings,
    subject_ids: Sequence[uuid.UUID],
    *,
    notices: Sequence[str] = (),
) -> int:
    """Delete the service's dead letters that mention any of `subject_ids`, or name one of
    the allocation notice numbers `notices` (compared normalised: the state's
    `allocation.notified` names a household's people but carries no id of ours); how many
    went.

    A dead-letter queue that does not exist yet (its consumer never ran) holds nothing.
    """
    mentions = [str(subject_id) for subject_id in subject_ids]
    connection = await aio_pika.connect(
        settings.amqp_url, heartbeat=settings.amqp_heartbeat_seconds, timeout=15
    )
    deleted = 0
    try:
        for queue in consumer_queues(settings.service_name):
            # A channel each: looking for a missing queue closes the channel it used.
            async with connection.channel() as channel:
                try:
                    await channel.get_queue(dead_letter_queue_name(queue))
                except aio_pika.exceptions.ChannelNotFoundEntity:
                    continue
            async with connection.channel() as channel:
                gone, _kept = await dead_letters.forget(channel, queue, mentions, notices=notices)
                deleted += gone
    finally:
        await connection.close()
    return deleted


def erasure_handler(
    service: str,
    outbox: Outbox,
    erase: Eraser,
    settings: Callable[[], ServiceSettings] | None = None,
    *,
    unsent_too: Collection[type[EventPayload]] = (),
) -> Handler:
    """The handler of `erasure.requested`; with `settings`, it also deletes the service's
    dead letters mentioning the subject (see the module's note). The outbox rows naming
    the subject go by `forget_published`, with `unsent_too` as it says."""

    async def on_erasure_requested(
        session: AsyncSession, events: Sequence[ReceivedEvent[ErasureRequested]]
    ) -> None:
        letters: dict[uuid.UUID, int] = {}
        if settings is not None:
            # One look through the queues per batch; counted to the first request naming
            # the subject (a batch rarely holds two requests for one subject).
            for event in events:
                subject = event.payload.subject_id
                if subject not in letters:
                    letters[subject] = await forget_dead_letters(settings(), [subject])
        for event in events:
            request = event.payload
            records = await erase(session, request.subject_kind, request.subject_id)
            records += await forget_published(
                session, outbox, request.subject_id, unsent_too=unsent_too
            )
            records += letters.pop(request.subject_id, 0)
            await outbox.add(
                session,
                ErasureCompleted(request_id=request.request_id, records=records),
            )
            # The request and the count, never whose.
            log.info(
                "erased",
                service=service,
                request_id=str(request.request_id),
                subject_kind=request.subject_kind.value,
                records=records,
            )

    return on_erasure_requested
