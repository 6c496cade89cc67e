"""A service's app in-process against its own freshly migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager

import httpx
from teilhabe.migrations import upgrade
from teilhabe.runtime import ServiceDefinition
from teilhabe.settings_source import SettingsSource, from_environment
from teilhabe.ui.settings import UiSettings, ui_settings

from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import oidc_env
from teilhabe_dev.testing.infrastructure import Infrastructure, ServiceDatabase


@asynccontextmanager
async def migrated_service_database(
    infra: Infrastructure, service: ServiceDefinition
) -> AsyncIterator[ServiceDatabase]:
    """A fresh database migrated by the service's owner role, granted to its app role."""
    database = await infra.create_service_database(service.name)
    await upgrade(service.migrations_dir, database.owner_url, app_url=database.app_url)
    try:
        yield database
    finally:
        await infra.drop_database(database.name)


@asynccontextmanager
async def migrated_database(
    infra: Infrastructure, service: ServiceDefinition
) -> AsyncIterator[str]:
    """The URL the service's processes use (its app role) of a fresh migrated database."""
    async with migrated_service_database(infra, service) as database:
        yield database.app_url


@contextmanager
def given_environment(service: ServiceDefinition, env: Mapping[str, str]) -> Iterator[None]:
    """Within the block, `service`'s settings and the staff tools' are made as if the
    environment also held `env` (names as variables); the process environment is unchanged."""
    source = service.settings
    if not isinstance(source, SettingsSource):
        raise TypeError(f"{service.name}'s settings are not a SettingsSource")
    with (
        source.given(from_environment(source.model, env)),
        ui_settings.given(from_environment(UiSettings, env)),
    ):
        yield


@asynccontextmanager
async def app_client(
    service: ServiceDefinition, *, env: Mapping[str, str], identity: RunningDevProvider
) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app (lifespan included) with `env` in its environment; yield a client.

    The app is given settings made with `env` (and the provider's OIDC settings) instead
    of changing the process environment, so apps of several services run side by side in
    one test process, each with its own.
    """
    with given_environment(service, {**env, **oidc_env(identity)}):
        app = service.create_app()
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                client.app = app  # type: ignore[attr-defined]
                yield client
