"""Audit trail of who read or changed which personal record, without its content.

Three layers keep it honest:
- the service's database role may only INSERT and SELECT it (the owner role, which runs
  the migrations, holds everything else; see `teilhabe.db_roles`);
- a trigger refuses UPDATE, DELETE and TRUNCATE even to the owner;
- every entry is sealed with a keyed hash (HMAC-SHA256) of its content and of its
  predecessor's seal (`teilhabe.audit.chain`), so that a change made by a database
  superuser is found by `teilhabe-<service> audit verify`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe import clock
from teilhabe.audit.chain import CHAIN_LOCK, GENESIS, chain_key, seal
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
        # Empty only for entries written before the chain existed.
        Column("previous_hash", LargeBinary),
        Column("entry_hash", LargeBinary),
        Index("ix_audit_entry_resource", "resource_type", "resource_id"),
        Index("ix_audit_entry_actor", "actor"),
    )


APPEND_ONLY_DDL = (
    """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit entries cannot be changed or deleted';
    END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON {AUDIT_TABLE} FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
)


# Locks the chain's end (a transaction-scoped advisory lock) and returns its last seal.
# A VOLATILE function takes a new snapshot for each statement it runs, so the seal read
# after the lock was granted includes whatever the previous holder committed.
AUDIT_CHAIN_END_FUNCTION = "audit_chain_end"
AUDIT_CHAIN_END_DDL = f"""CREATE OR REPLACE FUNCTION {AUDIT_CHAIN_END_FUNCTION}() RETURNS bytea
    LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
        RETURN (SELECT entry_hash FROM {AUDIT_TABLE} ORDER BY id DESC LIMIT 1);
    END $$"""  # noqa: S608 (built from this module's constants only)


async def record_access(
    session: AsyncSession,
    table: Table,
    principal: Principal,
    *,
    action: str,
    resource_type: str,
    resource_ids: Iterable[object],
) -> None:
    """Append one sealed audit entry per record, in the caller's transaction.

    The chain's end is locked from here to the commit (a transaction-scoped advisory
    lock), so concurrent writers append one after the other instead of forking it; call
    this late in a use case to keep that window short.
    """
    trace = current_trace.get()
    at = clock.now()
    rows: list[dict[str, Any]] = [
        {
            "at": at,
            "actor": principal.subject,
            "actor_roles": sorted(str(role) for role in principal.roles),
            "action": action,
            "resource_type": resource_type,
            "resource_id": str(resource_id),
            "trace_id": trace.trace_id if trace else None,
        }
        for resource_id in resource_ids
    ]
    if not rows:
        return
    key = chain_key(session)
    statements = _statements(table)
    previous = await session.scalar(statements.locked_chain_end) or GENESIS
    for row in rows:
        row["previous_hash"] = previous
        row["entry_hash"] = previous = seal(key, previous, row)
    await session.execute(statements.insert, rows)


class _Statements:
    """An audit table's statements, built once: every audited request runs both."""

    def __init__(self, table: Table) -> None:
        self.locked_chain_end = select(getattr(func, AUDIT_CHAIN_END_FUNCTION)(type_=LargeBinary))
        self.insert = insert(table)


@cache
def _statements(table: Table) -> _Statements:
    return _Statements(table)
