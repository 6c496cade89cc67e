"""Database engine, sessions and the naming convention every service's tables follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:
    from teilhabe.config import ServiceSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Every session of ours: a transaction left open by a hung or vanished client is ended
# by the server, so that its row locks (a unit, a course, claimed outbox rows) come free.
SESSION_SETTINGS = {"idle_in_transaction_session_timeout": "60000"}
# A statement that gets no answer (a silent network) fails instead of waiting for hours.
STATEMENT_TIMEOUT_SECONDS = 60.0


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(
    database_url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 0,
    pool_timeout: float = 30.0,
) -> AsyncEngine:
    """An engine whose pool never holds more than pool_size + max_overflow connections.

    Overflow connections are opened and closed per use: under steady load that churn costs
    a server process start each time, so the default is a pool sized for the load and
    no overflow. A checkout that waits longer than `pool_timeout` raises
    `sqlalchemy.exc.TimeoutError` (an API answers it 503, see teilhabe.api.pool).
    """
    # No pre-ping: it costs a round trip per checkout; a connection found broken is
    # invalidated on its error and the unit of work retried by the caller or redelivered.
    return create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_recycle=1800,
        # Errors and logs never show the values of a statement: they are personal data.
        hide_parameters=True,
        connect_args={
            "command_timeout": STATEMENT_TIMEOUT_SECONDS,
            "server_settings": SESSION_SETTINGS,
        },
    )


def create_session_factory(
    engine: AsyncEngine, *, audit_key: str | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions of `engine`; with `audit_key` they can seal audit entries."""
    # Imported here: the audit module builds on this one.
    from teilhabe.audit.chain import session_info

    return async_sessionmaker(engine, expire_on_commit=False, info=session_info(audit_key))


def service_session_factory(
    settings: ServiceSettings, *, pool_size: int
) -> async_sessionmaker[AsyncSession]:
    """Sessions of the service's own database, from a pool of `pool_size` connections of
    its own, sealing audit entries with the service's key where it has one: what each
    worker process (a consumer, the timers, a gateway) opens for itself."""
    audit_key = settings.audit_key.get_secret_value() if settings.audit_key else None
    engine = create_engine(settings.database_url, pool_size=pool_size)
    return create_session_factory(engine, audit_key=audit_key)


def asyncpg_dsn(database_url: str) -> str:
    """The same URL in the plain form asyncpg accepts (without the +driver)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_database(database_url: str) -> bool:
    """Create the service's database if it is missing; True if it was created."""
    url = make_url(database_url)
    name = url.database
    if not name:
        raise ValueError("DATABASE_URL names no database")
    admin_url = url.set(database="postgres").render_as_string(hide_password=False)
    admin = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            await admin.execute(f"CREATE DATABASE {quoted}")
        except asyncpg.DuplicateDatabaseError:
            return False  # another replica's migration created it first
        return True
    finally:
        await admin.close()
