"""Who sent which dead letters back, or deleted them: an audit entry per message.

A dead letter holds an event's full body, so moving or deleting one is an act on
personal data like any other (`teilhabe-<service> dead-letters redrive|forget --by
<user>`). The entries go to the service's own audit trail (resource type `dead_letter`,
the queue and event id as the reference), sealed in its chain like every other.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.audit import record_access
from teilhabe.auth import Principal, Role
from teilhabe.config import ServiceSettings
from teilhabe.db import create_engine, create_session_factory

RESOURCE_TYPE = "dead_letter"
REDRIVEN = "dead_letter.redrive"
DELETED = "dead_letter.delete"


def reference(queue: str, event_id: str | None) -> str:
    return f"{queue}.dlq/{event_id or 'without-id'}"


class DeadLetterAudit:
    """The service's audit trail, opened before any dead letter is touched."""

    def __init__(self, settings: ServiceSettings, table: Table) -> None:
        if settings.audit_key is None:
            raise SystemExit("AUDIT_KEY is not set: moving dead letters must be audited")
        self._table = table
        self._engine = create_engine(settings.database_url, pool_size=1)
        self._sessions = create_session_factory(
            self._engine, audit_key=settings.audit_key.get_secret_value()
        )

    async def check(self) -> None:
        """Fail before acting when the audit trail cannot be written."""
        async with self._sessions() as session:
            await session.execute(text("SELECT 1"))

    async def record(
        self, by: str, action: str, queue: str, event_ids: Sequence[str | None]
    ) -> None:
        actor = Principal(subject=by, roles=frozenset({Role.ADMIN}))
        session: AsyncSession
        async with self._sessions() as session, session.begin():
            await record_access(
                session,
                self._table,
                actor,
                action=action,
                resource_type=RESOURCE_TYPE,
                resource_ids=[reference(queue, event_id) for event_id in event_ids],
            )

    async def close(self) -> None:
        await self._engine.dispose()
