"""Audit trail of who read or changed which personal record, without its content.

Entries are append-only: the migration installs a trigger that refuses UPDATE and DELETE,
so the service's own database role cannot rewrite its history. (Evidence against a
database superuser, such as a hash chain sealed outside the database, is not built yet.)
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    String,
    Table,
    func,
    insert,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.auth import Principal
from teilhabe.events.tracing import current_trace

AUDIT_TABLE = "audit_entry"


def define_audit_table(metadata: MetaData) -> Table:
    return Table(
        AUDIT_TABLE,
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor", String(200), nullable=False),
        Column("actor_roles", ARRAY(String(50)), nullable=False),
        Column("action", String(50), nullable=False),
        Column("resource_type", String(100), nullable=False),
        Column("resource_id", String(200), nullable=False),
        Column("trace_id", String(32)),
        Index("ix_audit_entry_resource", "resource_type", "resource_id"),
    )


APPEND_ONLY_DDL = (
    """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit entries cannot be changed or deleted';
    END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON {AUDIT_TABLE} FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
)


async def record_access(
    session: AsyncSession,
    table: Table,
    principal: Principal,
    *,
    action: str,
    resource_type: str,
    resource_ids: Iterable[object],
) -> None:
    """Write one audit entry per record, in the caller's transaction."""
    trace = current_trace.get()
    rows = [
        {
            "actor": principal.subject,
            "actor_roles": sorted(str(role) for role in principal.roles),
            "action": action,
            "resource_type": resource_type,
            "resource_id": str(resource_id),
            "trace_id": trace.trace_id if trace else None,
        }
        for resource_id in resource_ids
    ]
    if rows:
        await session.execute(insert(table), rows)
