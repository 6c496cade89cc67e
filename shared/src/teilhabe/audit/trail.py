"""Reading the audit trail, for the data-protection officer: by record or by actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, MetaData, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.audit import define_audit_table, record_access
from teilhabe.auth import Principal

# Every service declares the same table; this copy lets shared code read any of them.
AUDIT_ENTRY = define_audit_table(MetaData())
READ_TRAIL = "read_audit_trail"
ACTOR = "actor"  # resource type of an audit entry recording a read of an actor's trail
MAX_OFFSET = 1_000_000


@dataclass(frozen=True)
class TrailQuery:
    """Whose trail: a record (type and id), an actor (the subject of a token), or both."""

    resource_type: str | None = None
    resource_id: str | None = None
    actor: str | None = None

    def problems(self) -> dict[str, str]:
        """What is missing, by field; empty when the query names a record or an actor."""
        if (self.resource_type is None) != (self.resource_id is None):
            missing = "resource_id" if self.resource_id is None else "resource_type"
            return {missing: "a record is named by its type and its id together"}
        if self.resource_type is None and self.actor is None:
            return {"resource_type": "name a record (resource_type and resource_id) or an actor"}
        return {}

    def filters(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.resource_type is not None and self.resource_id is not None:
            found.append(
                and_(
                    AUDIT_ENTRY.c.resource_type == self.resource_type,
                    AUDIT_ENTRY.c.resource_id == self.resource_id,
                )
            )
        if self.actor is not None:
            found.append(AUDIT_ENTRY.c.actor == self.actor)
        return found

    def audited_as(self) -> list[tuple[str, str]]:
        """The (resource type, id) pairs the reading of this trail is itself audited as."""
        found = []
        if self.resource_type is not None and self.resource_id is not None:
            found.append((self.resource_type, self.resource_id))
        if self.actor is not None:
            found.append((ACTOR, self.actor))
        return found


@dataclass(frozen=True)
class TrailEntry:
    id: int
    at: datetime
    actor: str
    actor_roles: list[str]
    action: str
    resource_type: str
    resource_id: str
    trace_id: str | None


async def read_trail(
    session: AsyncSession, principal: Principal, query: TrailQuery, *, limit: int, offset: int
) -> tuple[list[TrailEntry], int]:
    """A page of the trail, newest first, and how many entries it has; the reading is
    audited in the same transaction (so it shows in the next reading, not in this one)."""
    where = and_(*query.filters())
    total = await session.scalar(select(func.count()).select_from(AUDIT_ENTRY).where(where))
    rows = await session.execute(
        select(
            AUDIT_ENTRY.c.id,
            AUDIT_ENTRY.c.at,
            AUDIT_ENTRY.c.actor,
            AUDIT_ENTRY.c.actor_roles,
            AUDIT_ENTRY.c.action,
            AUDIT_ENTRY.c.resource_type,
            AUDIT_ENTRY.c.resource_id,
            AUDIT_ENTRY.c.trace_id,
        )
        .where(where)
        .order_by(AUDIT_ENTRY.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    entries = [TrailEntry(**row._asdict()) for row in rows]
    for resource_type, resource_id in query.audited_as():
        await record_access(
            session,
            AUDIT_ENTRY,
            principal,
            action=READ_TRAIL,
            resource_type=resource_type,
            resource_ids=[resource_id],
        )
    await session.commit()
    return entries, total or 0
