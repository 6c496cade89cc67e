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
left. Each deleted letter gets an audit entry of its own in the erasure's transaction
(`audit_forgotten`), as one deleted by hand does (`teilhabe.messaging.dead_letter_audit`):
action `erase`, the letter as the resource, the erasure request as the actor.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence

import aio_pika
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.audit import record_access
from teilhabe.audit.trail import AUDIT_ENTRY
from teilhabe.auth import Principal, Role
from teilhabe.config import ServiceSettings
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.erasure import ErasureCompleted, ErasureRequested, ErasureSubject
from teilhabe.messaging import dead_letter_audit, dead_letters
from teilhabe.messaging.agencies import SIDE_CONSUMERS
from teilhabe.messaging.inbox import Handler, ReceivedEvent
from teilhabe.messaging.outbox import Outbox
from teilhabe.messaging.topology import dead_letter_queue_name

log = structlog.get_logger(__name__)

Eraser = Callable[[AsyncSession, ErasureSubject, uuid.UUID], Awaitable[int]]

# The audit action of a dead letter deleted by an erasure (one deleted by hand:
# dead_letter_audit.DELETED).
ERASED = "erase"

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
    deleted_letters: list[str] | None = None,
) -> int:
    """Delete the service's dead letters that mention any of `subject_ids`, or name one of
    the allocation notice numbers `notices` (compared normalised: the state's
    `allocation.notified` names a household's people but carries no id of ours); how many
    went. The audit references of those deleted (queue and event id, as
    `dead_letter_audit.reference` writes them) are appended to `deleted_letters`, for
    `audit_forgotten`.

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
            moved: list[str | None] = []
            async with connection.channel() as channel:
                try:
                    gone, _kept = await dead_letters.forget(
                        channel, queue, mentions, notices=notices, moved=moved
                    )
                finally:
                    # Also those deleted before a failure: they are gone all the same.
                    if deleted_letters is not None:
                        deleted_letters.extend(
                            dead_letter_audit.reference(queue, event_id) for event_id in moved
                        )
                deleted += gone
    finally:
        await connection.close()
    return deleted


def erasure_actor(request_id: uuid.UUID, by: str | None = None) -> Principal:
    """Who deletes in an erasure's name: the data-protection officer who requested it
    where the service knows them (intake keeps its requests), else the request itself,
    which intake's record of it ties to that person (the event carries no one's name)."""
    if by is None:
        return Principal(subject=f"erasure-request:{request_id}", roles=frozenset())
    return Principal(subject=by, roles=frozenset({Role.DATA_PROTECTION}))


async def audit_forgotten(
    session: AsyncSession, actor: Principal, deleted_letters: Sequence[str]
) -> None:
    """An audit entry per dead letter an erasure deleted (action `erase`, resource type
    `dead_letter`), in the caller's transaction."""
    await record_access(
        session,
        AUDIT_ENTRY,
        actor,
        action=ERASED,
        resource_type=dead_letter_audit.RESOURCE_TYPE,
        resource_ids=deleted_letters,
    )


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
        letters: dict[uuid.UUID, list[str]] = {}
        if settings is not None:
            # One look through the queues per batch; counted to the first request naming
            # the subject (a batch rarely holds two requests for one subject).
            for event in events:
                subject = event.payload.subject_id
                if subject not in letters:
                    letters[subject] = []
                    await forget_dead_letters(
                        settings(), [subject], deleted_letters=letters[subject]
                    )
        for event in events:
            request = event.payload
            records = await erase(session, request.subject_kind, request.subject_id)
            records += await forget_published(
                session, outbox, request.subject_id, unsent_too=unsent_too
            )
            forgotten = letters.pop(request.subject_id, [])
            await audit_forgotten(session, erasure_actor(request.request_id), forgotten)
            records += len(forgotten)
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
