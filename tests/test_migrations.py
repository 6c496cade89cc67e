"""Every service's migrations build exactly the tables its code declares, and go back."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine
from teilhabe.migrations import alembic_config
from teilhabe.runtime import ServiceDefinition
from teilhabe_dev.testing.apps import migrated_service_database
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import SERVICES


def declared_tables(service: ServiceDefinition) -> MetaData:
    # The models' metadata, which also holds the backbone tables the service declares.
    metadata = service.messaging.outbox.metadata
    assert metadata is not None
    return metadata


@pytest.mark.parametrize("name", list(SERVICES))
async def test_the_migrations_build_what_the_code_declares(
    infra: Infrastructure, name: str
) -> None:
    service = SERVICES[name]
    metadata = declared_tables(service)

    def differences(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    async with migrated_service_database(infra, service) as database:
        engine = create_async_engine(database.owner_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
        await engine.dispose()


@pytest.mark.parametrize("name", list(SERVICES))
async def test_every_migration_goes_back_and_forth(infra: Infrastructure, name: str) -> None:
    service = SERVICES[name]
    async with migrated_service_database(infra, service) as database:
        url = database.owner_url
        config = alembic_config(service.migrations_dir, url)
        await asyncio.to_thread(command.downgrade, config, "base")
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            left = await connection.scalar(
                text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_name <> 'alembic_version'"
                )
            )
        await engine.dispose()
        assert left == 0, "downgrade to base leaves no table behind"
        await asyncio.to_thread(command.upgrade, config, "head")
