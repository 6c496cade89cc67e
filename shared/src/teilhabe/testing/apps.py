"""A service's app in-process against its own freshly migrated database."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from teilhabe.auth.testing import RunningDevProvider
from teilhabe.migrations import upgrade
from teilhabe.runtime import ServiceDefinition
from teilhabe.testing.identity import oidc_env
from teilhabe.testing.infrastructure import Infrastructure, ServiceDatabase


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


@asynccontextmanager
async def app_client(
    service: ServiceDefinition, *, env: dict[str, str], identity: RunningDevProvider
) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app (lifespan included) with `env` as its environment; yield a client."""
    full_env = {**env, **oidc_env(identity)}
    saved = {key: os.environ.get(key) for key in full_env}
    os.environ.update(full_env)
    clear = getattr(service.settings, "cache_clear", None)
    if clear is not None:
        clear()
    try:
        app = service.create_app()
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                client.app = app  # type: ignore[attr-defined]
                yield client
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if clear is not None:
            clear()
