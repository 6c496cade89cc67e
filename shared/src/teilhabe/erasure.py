"""A service's part of an erasure: erase what it holds of the subject, then confirm.

Each service gives the function that deletes or anonymises its records of a household,
a person or a volunteer (`Eraser`, returning how many); `erasure_handler` makes the
handler of `erasure.requested` that runs it and stages `erasure.completed` in the same
transaction, so the confirmation is sent exactly when the erasure committed. A request
handled again (a redelivery) erases nothing more and confirms again, which intake keeps
once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.erasure import ErasureCompleted, ErasureRequested, ErasureSubject
from teilhabe.messaging.inbox import Handler, ReceivedEvent
from teilhabe.messaging.outbox import Outbox

log = structlog.get_logger(__name__)

Eraser = Callable[[AsyncSession, ErasureSubject, uuid.UUID], Awaitable[int]]

# What every erasing service reads of the request.
ERASURE_READS: FieldsRead = {
    ErasureRequested: reads("request_id", "subject_kind", "subject_id"),
}


async def forget_published(session: AsyncSession, outbox: Outbox, subject_id: uuid.UUID) -> int:
    """Published events that mention the subject: kept a few days for operations only."""
    table = outbox.table.name
    result = await session.execute(
        text(
            f"DELETE FROM {table} WHERE published_at IS NOT NULL "  # noqa: S608 - a table name
            "AND position(CAST(:needle AS bytea) IN body) > 0"
        ),
        {"needle": str(subject_id).encode()},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def erasure_handler(service: str, outbox: Outbox, erase: Eraser) -> Handler:
    async def on_erasure_requested(
        session: AsyncSession, events: Sequence[ReceivedEvent[ErasureRequested]]
    ) -> None:
        for event in events:
            request = event.payload
            records = await erase(session, request.subject_kind, request.subject_id)
            records += await forget_published(session, outbox, request.subject_id)
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
