"""Alembic glue shared by every service: env.py calls `run_migrations`, the CLI `upgrade`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, pool
from sqlalchemy.ext.asyncio import create_async_engine

from teilhabe.audit import APPEND_ONLY_DDL, AUDIT_CHAIN_END_DDL, AUDIT_CHAIN_END_FUNCTION
from teilhabe.calendar import CALENDAR_FEED_V1_DDL
from teilhabe.db import ensure_database
from teilhabe.db_roles import grant_app_privileges
from teilhabe.timers import TIMER_V1_DDL


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    # Migrations ship inside the service's package, so no alembic.ini is needed.
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(slug)s")
    config.attributes["database_url"] = database_url
    return config


async def upgrade(migrations_dir: Path, database_url: str, *, app_url: str | None = None) -> None:
    """Create the database if missing, apply every migration as the owner role of
    `database_url`, then grant the app role of `app_url` what it may do."""
    await ensure_database(database_url)
    config = alembic_config(migrations_dir, database_url)
    await asyncio.to_thread(command.upgrade, config, "head")
    if app_url is not None:
        await grant_app_privileges(database_url, app_url)


def new_revision(migrations_dir: Path, database_url: str, message: str) -> None:
    """Autogenerate a migration from the difference between models and database."""
    command.revision(alembic_config(migrations_dir, database_url), message, autogenerate=True)


def run_migrations(target_metadata: MetaData) -> None:
    """Body of a service's migrations/env.py (online mode, async engine)."""
    url = context.config.attributes.get("database_url") or os.environ["DATABASE_URL"]

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


# The outbox, inbox and audit tables as the first migration of every service creates
# them: a snapshot, not `tables.py` itself, so that a later change to the tables needs
# (and gets) a migration of its own in each service instead of changing history.
# tests/test_migrations.py checks that the migrated tables match what the code declares.
BACKBONE_V1_DDL = (
    """CREATE TABLE outbox_message (
        id BIGINT GENERATED ALWAYS AS IDENTITY,
        event_id VARCHAR(200) NOT NULL,
        event_type VARCHAR(200) NOT NULL,
        body BYTEA NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        published_at TIMESTAMP WITH TIME ZONE,
        attempts INTEGER DEFAULT 0 NOT NULL,
        last_error TEXT,
        retry_at TIMESTAMP WITH TIME ZONE,
        CONSTRAINT pk_outbox_message PRIMARY KEY (id),
        CONSTRAINT uq_outbox_message_event_id UNIQUE (event_id))""",
    "COMMENT ON COLUMN outbox_message.body IS 'CloudEvent, structured JSON'",
    "CREATE INDEX ix_outbox_message_unpublished ON outbox_message (id) WHERE published_at IS NULL",
    "CREATE INDEX ix_outbox_message_published_at ON outbox_message (published_at)",
    """CREATE TABLE inbox_message (
        event_id VARCHAR(200) NOT NULL,
        event_type VARCHAR(200) NOT NULL,
        handled_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        CONSTRAINT pk_inbox_message PRIMARY KEY (event_id))""",
    "CREATE INDEX ix_inbox_message_handled_at ON inbox_message (handled_at)",
    """CREATE TABLE audit_entry (
        id BIGINT GENERATED ALWAYS AS IDENTITY,
        at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        actor VARCHAR(200) NOT NULL,
        actor_roles VARCHAR(50)[] NOT NULL,
        action VARCHAR(50) NOT NULL,
        resource_type VARCHAR(100) NOT NULL,
        resource_id VARCHAR(200) NOT NULL,
        trace_id VARCHAR(32),
        CONSTRAINT pk_audit_entry PRIMARY KEY (id))""",
    "CREATE INDEX ix_audit_entry_resource ON audit_entry (resource_type, resource_id)",
    *APPEND_ONLY_DDL,
)


def create_backbone_tables(connection: Connection) -> None:
    """Outbox, inbox and audit tables, for a service's first migration."""
    for statement in BACKBONE_V1_DDL:
        connection.exec_driver_sql(statement)


def drop_backbone_tables(connection: Connection) -> None:
    for table in ("audit_entry", "inbox_message", "outbox_message"):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    connection.exec_driver_sql("DROP FUNCTION IF EXISTS audit_entry_append_only()")


def create_timer_table(connection: Connection) -> None:
    """The durable timers' table, for a service's migration."""
    for statement in TIMER_V1_DDL:
        connection.exec_driver_sql(statement)


def drop_timer_table(connection: Connection) -> None:
    connection.exec_driver_sql("DROP TABLE IF EXISTS timer")


def create_calendar_feed_table(connection: Connection) -> None:
    """The calendar feeds' tokens (teilhabe.calendar), for a service's migration."""
    for statement in CALENDAR_FEED_V1_DDL:
        connection.exec_driver_sql(statement)


def drop_calendar_feed_table(connection: Connection) -> None:
    connection.exec_driver_sql("DROP TABLE IF EXISTS calendar_feed")


# Sealing the audit trail (see teilhabe.audit.chain): each service's migration after
# the backbone's first. Entries written before stay unsealed, and `audit verify` says so.
AUDIT_CHAIN_DDL = (
    "ALTER TABLE audit_entry ADD COLUMN previous_hash BYTEA, ADD COLUMN entry_hash BYTEA",
    "CREATE INDEX ix_audit_entry_actor ON audit_entry (actor)",
)


def add_audit_chain(connection: Connection) -> None:
    for statement in AUDIT_CHAIN_DDL:
        connection.exec_driver_sql(statement)


# The chain's end, locked, in one round trip instead of two (see teilhabe.audit): every
# audited request ran both, and the lock is held from here to the commit.
def add_audit_chain_end(connection: Connection) -> None:
    connection.exec_driver_sql(AUDIT_CHAIN_END_DDL)


def drop_audit_chain_end(connection: Connection) -> None:
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {AUDIT_CHAIN_END_FUNCTION}()")


def drop_audit_chain(connection: Connection) -> None:
    connection.exec_driver_sql("DROP INDEX ix_audit_entry_actor")
    connection.exec_driver_sql(
        "ALTER TABLE audit_entry DROP COLUMN previous_hash, DROP COLUMN entry_hash"
    )
