"""Staging events in the same transaction as the state change they describe."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.events.catalogue import EventPayload
from teilhabe.events.envelope import CloudEvent, new_event
from teilhabe.events.tracing import TraceContext
from teilhabe.messaging.inbox import ReceivedEvent

# One channel per database; each service has its own database.
NOTIFY_CHANNEL = "teilhabe_outbox"
# Built once: every staged event would otherwise build and key these statements anew.
_NOTIFY = text("SELECT pg_notify(:channel, '')")


class Outbox:
    """Adds events to the outbox table; the relay publishes them after commit."""

    def __init__(self, table: Table, *, source: str) -> None:
        self._table = table
        self._source = source
        self._insert = insert(table)

    @property
    def table(self) -> Table:
        return self._table

    async def add(
        self,
        session: AsyncSession,
        payload: EventPayload,
        *,
        caused_by: ReceivedEvent[Any] | None = None,
    ) -> CloudEvent:
        """Stage an event; `caused_by` continues the trace of the event being handled."""
        trace = TraceContext.parse(caused_by.envelope.traceparent) if caused_by else None
        [event] = await self.add_all(
            session, [new_event(payload, source=self._source, trace=trace)]
        )
        return event

    async def add_many(
        self, session: AsyncSession, payloads: Sequence[EventPayload]
    ) -> list[CloudEvent]:
        """Stage the events of a bulk use case in one statement."""
        return await self.add_all(session, [new_event(p, source=self._source) for p in payloads])

    async def add_all(
        self, session: AsyncSession, events: Sequence[CloudEvent]
    ) -> list[CloudEvent]:
        if not events:
            return []
        await session.execute(
            self._insert,
            [{"event_id": e.id, "event_type": e.type, "body": e.to_json()} for e in events],
        )
        # PostgreSQL folds identical notifications of one transaction into one, and
        # delivers it only on commit: the relay wakes for committed rows alone.
        await session.execute(_NOTIFY, {"channel": NOTIFY_CHANNEL})
        return list(events)
