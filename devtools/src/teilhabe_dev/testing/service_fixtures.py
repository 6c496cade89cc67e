"""The fixtures of every service's own suite, written once for all of them.

A service's `tests/conftest.py` is one line:

    service_database, intake_database, intake, sessions, deliver = service_fixtures("intake")

which gives that suite (pytest finds fixtures by the names below, not by the variables):

- `service_database` and `<service>_database` (the same): the URL (app role) of a freshly
  migrated database of its own;
- `<service>`: an httpx client of the app, lifespan included, on that database;
- `sessions`: a session factory on that database;
- `deliver(*payloads)`: hands events to the service's `HANDLERS` in one transaction, as
  the consumer does, and returns the received events.

All are session-scoped: one database and one app per service and test run.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NamedTuple

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events import EventPayload, new_event
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.runtime import ServiceDefinition

from teilhabe_dev.testing.apps import app_client, migrated_database
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure

Deliver = Callable[..., Awaitable[list[ReceivedEvent[EventPayload]]]]


class ServiceFixtures(NamedTuple):
    database: Any
    named_database: Any
    client: Any
    sessions: Any
    deliver: Any


def service_definition(name: str) -> ServiceDefinition:
    """The service's composition root (`<name>.main.SERVICE`)."""
    service: ServiceDefinition = importlib.import_module(f"{name}.main").SERVICE
    return service


def received(
    payload: EventPayload, *, source: str = "/teilhabe/test"
) -> ReceivedEvent[EventPayload]:
    """`payload` as the consumer hands it to a handler."""
    return ReceivedEvent(envelope=new_event(payload, source=source), payload=payload)


def service_fixtures(name: str) -> ServiceFixtures:
    service = service_definition(name)

    # Fixtures depend on each other by parameter name, so the service's own name can only
    # be given to fixtures, never to parameters: the others use the generic one.
    @pytest.fixture(scope="session", name="service_database")
    async def database(infra: Infrastructure) -> AsyncIterator[str]:
        async with migrated_database(infra, service) as url:
            yield url

    @pytest.fixture(scope="session", name=f"{name}_database")
    def named_database(service_database: str) -> str:
        return service_database

    @pytest.fixture(scope="session", name=name)
    async def client(
        service_database: str, infra: Infrastructure, identity: RunningDevProvider
    ) -> AsyncIterator[httpx.AsyncClient]:
        env = {"DATABASE_URL": service_database, "AMQP_URL": infra.amqp_url}
        async with app_client(service, env=env, identity=identity) as running:
            yield running

    @pytest.fixture(scope="session", name="sessions")
    async def sessions(service_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
        engine = create_engine(service_database, pool_size=2)
        yield create_session_factory(engine)
        await engine.dispose()

    @pytest.fixture(scope="session", name="deliver")
    def deliver(sessions: async_sessionmaker[AsyncSession]) -> Deliver:
        """Hand events to the handlers as the consumer does: one transaction per call."""

        async def deliver(
            *items: EventPayload | ReceivedEvent[EventPayload],
        ) -> list[ReceivedEvent[EventPayload]]:
            events = [item if isinstance(item, ReceivedEvent) else received(item) for item in items]
            async with sessions() as session, session.begin():
                for event in events:
                    await service.handlers[type(event.payload)](session, [event])
            return events

        return deliver

    return ServiceFixtures(database, named_database, client, sessions, deliver)
