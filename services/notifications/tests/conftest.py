from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from notifications.handlers import HANDLERS
from notifications.main import SERVICE
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth.testing import RunningDevProvider
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events import EventPayload, new_event
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.testing.apps import app_client, migrated_database
from teilhabe.testing.infrastructure import Infrastructure


@pytest.fixture(scope="session")
async def notifications_database(infra: Infrastructure) -> AsyncIterator[str]:
    async with migrated_database(infra, SERVICE) as url:
        yield url


@pytest.fixture(scope="session")
async def notifications(
    notifications_database: str, infra: Infrastructure, identity: RunningDevProvider
) -> AsyncIterator[httpx.AsyncClient]:
    env = {"DATABASE_URL": notifications_database, "AMQP_URL": infra.amqp_url}
    async with app_client(SERVICE, env=env, identity=identity) as client:
        yield client


@pytest.fixture(scope="session")
async def sessions(notifications_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(notifications_database, pool_size=2)
    yield create_session_factory(engine)
    await engine.dispose()


Deliver = Callable[..., Awaitable[list[ReceivedEvent[EventPayload]]]]


@pytest.fixture(scope="session")
def deliver(sessions: async_sessionmaker[AsyncSession]) -> Deliver:
    """Hand events to the service's handlers as the consumer does: one transaction per call."""

    async def deliver(
        *items: EventPayload | ReceivedEvent[EventPayload],
    ) -> list[ReceivedEvent[EventPayload]]:
        events = [item if isinstance(item, ReceivedEvent) else received(item) for item in items]
        async with sessions() as session, session.begin():
            for event in events:
                await HANDLERS[type(event.payload)](session, [event])
        return events

    return deliver


def received(payload: EventPayload) -> ReceivedEvent[EventPayload]:
    return ReceivedEvent(envelope=new_event(payload, source="/teilhabe/test"), payload=payload)
