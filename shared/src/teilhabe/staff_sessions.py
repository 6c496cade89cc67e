"""The staff tools' sessions, held in each service's own database.

The browser holds only a random id; the table holds its SHA-256, what the session holds
(the access token among it) and, once signed in, who and which sign-in at the identity
provider (`sid`) it belongs to, so that sign-out there can end it here (OIDC back-channel
logout). A deleted row is a session that has ended: a cookie copied before is worthless.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

TABLE = "staff_session"
SUBJECT_KEY = "subject"
PROVIDER_SESSION_KEY = "sid"


def define_staff_session_table(metadata: MetaData) -> Table:
    return Table(
        TABLE,
        metadata,
        Column("id_hash", String(64), primary_key=True),
        Column("subject", String(255), nullable=True),
        Column("provider_session", String(255), nullable=True),
        Column("data", JSONB, nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Index("ix_staff_session_provider_session", "provider_session"),
        Index("ix_staff_session_subject", "subject"),
        Index("ix_staff_session_expires_at", "expires_at"),
    )


# The table as each service's migration creates it (a snapshot, like the backbone's).
STAFF_SESSION_V1_DDL = (
    """CREATE TABLE staff_session (
        id_hash VARCHAR(64) NOT NULL,
        subject VARCHAR(255),
        provider_session VARCHAR(255),
        data JSONB NOT NULL,
        expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT pk_staff_session PRIMARY KEY (id_hash))""",
    "CREATE INDEX ix_staff_session_provider_session ON staff_session (provider_session)",
    "CREATE INDEX ix_staff_session_subject ON staff_session (subject)",
    "CREATE INDEX ix_staff_session_expires_at ON staff_session (expires_at)",
)


def create_staff_session_table(connection: Connection) -> None:
    for statement in STAFF_SESSION_V1_DDL:
        connection.exec_driver_sql(statement)


def drop_staff_session_table(connection: Connection) -> None:
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


_table = define_staff_session_table(MetaData())


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogateescape")).hexdigest()


async def load(db: AsyncSession, session_id: str) -> dict[str, Any] | None:
    """The data of a live session, or None when it ended, expired or never was."""
    data = await db.scalar(
        select(_table.c.data).where(
            _table.c.id_hash == _hash(session_id), _table.c.expires_at > datetime.now(UTC)
        )
    )
    return dict(data) if isinstance(data, dict) else None


async def save(
    db: AsyncSession, session_id: str, data: dict[str, Any], *, max_age: int, new: bool
) -> None:
    values = {
        "data": data,
        "subject": data.get(SUBJECT_KEY),
        "provider_session": data.get(PROVIDER_SESSION_KEY),
        "expires_at": datetime.now(UTC) + timedelta(seconds=max_age),
    }
    if new:
        await db.execute(insert(_table).values(id_hash=_hash(session_id), **values))
    else:
        await db.execute(update(_table).where(_table.c.id_hash == _hash(session_id)).values(values))


async def end(db: AsyncSession, session_id: str) -> None:
    await db.execute(delete(_table).where(_table.c.id_hash == _hash(session_id)))


async def end_sign_in(
    db: AsyncSession, *, provider_session: str | None, subject: str | None
) -> int:
    """End the sessions of one sign-in at the provider (or, without its id, of a person)."""
    if provider_session:
        condition = _table.c.provider_session == provider_session
    elif subject:
        condition = _table.c.subject == subject
    else:
        return 0
    result = await db.execute(delete(_table).where(condition))
    return int(getattr(result, "rowcount", 0) or 0)


async def prune_expired(db: AsyncSession) -> None:
    await db.execute(delete(_table).where(_table.c.expires_at <= datetime.now(UTC)))
