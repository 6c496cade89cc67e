"""Cross-service tests: every service a real process, on a real broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from teilhabe_dev.testing.apps import app_client, migrated_database
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import SERVICES, System, provisioned_system


@pytest.fixture
async def system(
    infra: Infrastructure, identity: RunningDevProvider, log_dir: Path
) -> AsyncIterator[System]:
    async with provisioned_system(infra, identity, log_dir, ["intake", "housing"]) as system:
        yield system


@pytest.fixture(scope="module", params=list(SERVICES))
async def service_api(
    request: pytest.FixtureRequest, infra: Infrastructure, identity: RunningDevProvider
) -> AsyncIterator[httpx.AsyncClient]:
    """Each service's app in-process on its own migrated database, one after the other."""
    service = SERVICES[request.param]
    async with migrated_database(infra, service) as url:
        env = {"DATABASE_URL": url, "AMQP_URL": infra.amqp_url}
        async with app_client(service, env=env, identity=identity) as client:
            yield client
