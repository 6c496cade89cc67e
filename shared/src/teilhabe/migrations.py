"""Alembic glue shared by every service: env.py calls `run_migrations`, the CLI `upgrade`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, pool
from sqlalchemy.ext.asyncio import create_async_engine

from teilhabe.audit import APPEND_ONLY_DDL, define_audit_table
from teilhabe.db import ensure_database, new_metadata
from teilhabe.messaging.tables import define_messaging_tables


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    # Migrations ship inside the service's package, so no alembic.ini is needed.
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(slug)s")
    config.attributes["database_url"] = database_url
    return config


async def upgrade(migrations_dir: Path, database_url: str) -> None:
    """Create the database if missing and apply every migration."""
    await ensure_database(database_url)
    config = alembic_config(migrations_dir, database_url)
    await asyncio.to_thread(command.upgrade, config, "head")


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


def create_backbone_tables(connection: Connection) -> None:
    """Outbox, inbox and audit tables, for a service's first migration."""
    metadata = new_metadata()
    define_messaging_tables(metadata)
    define_audit_table(metadata)
    metadata.create_all(connection)
    for statement in APPEND_ONLY_DDL:
        connection.exec_driver_sql(statement)


def drop_backbone_tables(connection: Connection) -> None:
    metadata = new_metadata()
    define_messaging_tables(metadata)
    define_audit_table(metadata)
    metadata.drop_all(connection)
    connection.exec_driver_sql("DROP FUNCTION IF EXISTS audit_entry_append_only()")
