from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from teilhabe.auth.testing import RunningDevProvider
from teilhabe.testing.apps import app_client, migrated_database
from teilhabe.testing.infrastructure import Infrastructure
from volunteers.main import SERVICE


@pytest.fixture(scope="session")
async def volunteers_database(infra: Infrastructure) -> AsyncIterator[str]:
    async with migrated_database(infra, SERVICE) as url:
        yield url


@pytest.fixture(scope="session")
async def volunteers(
    volunteers_database: str, infra: Infrastructure, identity: RunningDevProvider
) -> AsyncIterator[httpx.AsyncClient]:
    env = {"DATABASE_URL": volunteers_database, "AMQP_URL": infra.amqp_url}
    async with app_client(SERVICE, env=env, identity=identity) as client:
        yield client
