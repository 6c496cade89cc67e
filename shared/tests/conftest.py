"""A scratch database with the backbone tables and a vhost, for the backbone's own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncEngine
from teilhabe.db import create_engine, new_metadata
from teilhabe.messaging.tables import MessagingTables, define_messaging_tables
from teilhabe.migrations import (
    add_audit_chain,
    add_audit_chain_end,
    create_backbone_tables,
    create_timer_table,
)
from teilhabe_dev.testing.infrastructure import Infrastructure

metadata: MetaData = new_metadata()
messaging: MessagingTables = define_messaging_tables(metadata)
# The "small effect" a test consumer has: one row per handled event, counted per key.
effects = Table(
    "effect",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(200), nullable=False),
    Column("key", String(200), nullable=False),
)


@asynccontextmanager
async def backbone(infra: Infrastructure) -> AsyncIterator[str]:
    """A new database with the backbone tables, dropped afterwards."""
    name = infra.unique_name("backbone")
    url = await infra.create_database(name)
    engine = create_engine(url, pool_size=1)
    async with engine.begin() as connection:
        # As every service's migrations do: the backbone's first tables, then the
        # audit trail's hash chain columns, so the tables match what the code declares.
        await connection.run_sync(create_backbone_tables)
        await connection.run_sync(add_audit_chain)
        await connection.run_sync(add_audit_chain_end)
        await connection.run_sync(create_timer_table)
        await connection.run_sync(effects.create)
    await engine.dispose()
    try:
        yield url
    finally:
        await infra.drop_database(name)


@pytest.fixture(scope="session")
async def backbone_database(infra: Infrastructure) -> AsyncIterator[str]:
    """One for the run: for tests that find their rows by keys of their own."""
    async with backbone(infra) as url:
        yield url


@pytest.fixture(scope="session")
async def backbone_engine(backbone_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(backbone_database)
    yield engine
    await engine.dispose()


@pytest.fixture
async def own_backbone_database(infra: Infrastructure) -> AsyncIterator[str]:
    """One for this test alone: for tests that count or take every row of a table."""
    async with backbone(infra) as url:
        yield url


@pytest.fixture
async def own_backbone_engine(own_backbone_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(own_backbone_database, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def vhost(infra: Infrastructure) -> Iterator[str]:
    name = infra.unique_name("vhost")
    url = infra.create_vhost(name)
    yield url
    infra.delete_vhost(name)
