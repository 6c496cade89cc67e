"""Webhook delivery on PostgreSQL to the example receiver over real HTTP: signed, retried
on durable timers until the receiver is back, dead after the window, and a slow endpoint
holds up only itself. Each test has a database of its own (the sender takes every due
delivery it finds)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from notifications.config import NotificationsSettings
from notifications.main import SERVICE
from notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from notifications.webhooks import service
from notifications.webhooks.policy import (
    RetrySchedule,
    WebhookState,
    address_problem,
    signature_header,
)
from notifications.webhooks.secretbox import SecretBox
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook
from teilhabe.api.problems import InvalidFields
from teilhabe.auth import Principal, Role
from teilhabe.db import create_engine, create_session_factory
from teilhabe.timers import DueTimer
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure

from .webhook_support import (
    Receiver,
    eventually,
    receiving,
    sending,
    settings_for,
    stage_events,
)

ADMIN = Principal(subject="admin-webhooks", roles=frozenset({Role.ADMIN}))


@pytest.fixture
async def database(infra: Infrastructure) -> AsyncIterator[str]:
    async with migrated_database(infra, SERVICE) as url:
        yield url


@pytest.fixture
async def sessions(database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database, pool_size=4)
    yield create_session_factory(engine)
    await engine.dispose()


async def register(
    sessions: async_sessionmaker[AsyncSession], database: str, agency: str, url: str, **kw: int
) -> tuple[uuid.UUID, str]:
    box = SecretBox(settings_for(database).webhook_key_material())
    async with sessions() as session:
        endpoint, secret = await service.create_endpoint(
            session=session,
            principal=ADMIN,
            box=box,
            agency=agency,
            url=url,
            max_in_flight=kw.get("max_in_flight", 4),
            allow_plain_http=True,  # the receiver is on this machine
        )
    return endpoint.id, secret


async def states(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        rows = await session.execute(
            select(WebhookDelivery.state, func.count()).group_by(WebhookDelivery.state)
        )
        return {state.value: count for state, count in rows.all()}


def test_retries_span_more_than_a_day_with_jitter_then_stop() -> None:
    schedule = RetrySchedule()
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for jitter in (0.0, 0.999):
        now, attempt, pauses = start, 1, []
        while (next_at := schedule.after_failure(attempt, start, now, jitter)) is not None:
            pauses.append(next_at - now)
            now, attempt = next_at, attempt + 1
        assert now - start >= timedelta(hours=24)
        assert pauses[1] > pauses[0]  # exponential
        assert max(pauses) <= timedelta(hours=4)
    first = schedule.after_failure(1, start, start, 0.0)
    other = schedule.after_failure(1, start, start, 0.9)
    assert first is not None
    assert other is not None
    assert first != other


def test_plain_http_is_refused_unless_the_development_setting_allows_it() -> None:
    assert NotificationsSettings.model_fields["webhook_allow_plain_http"].default is False
    local, remote = "http://127.0.0.1:9000/hooks", "http://agency.example/hooks"
    assert address_problem("https://agency.example/hooks", allow_plain_http=False) is None
    assert address_problem(local, allow_plain_http=False) == "must be an https address"
    assert address_problem(local, allow_plain_http=True) is None
    assert address_problem(remote, allow_plain_http=True) == "must be an https address"


async def test_a_plain_http_endpoint_is_refused_at_its_field_by_default(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    box = SecretBox("a-test-key-" + "k" * 30)
    async with sessions() as session:
        with pytest.raises(InvalidFields) as refused:
            await service.create_endpoint(
                session=session,
                principal=ADMIN,
                box=box,
                agency="plain-test",
                url="http://localhost:9000/hooks",
                max_in_flight=2,
            )
    assert [(e["field"], e["message"]) for e in refused.value.extensions["errors"]] == [
        ("url", "must be an https address")
    ]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


async def test_deliveries_to_a_switched_off_endpoint_wait_then_are_dead_and_counted(
    database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    receiver = Receiver(secrets=[])
    endpoint_id, secret = await register(sessions, database, "off-test", receiver.url)
    receiver.secrets = [secret]
    async with sessions() as session:
        await service.update_endpoint(
            session=session,
            principal=ADMIN,
            endpoint_id=endpoint_id,
            changes={"active": False},
            hold_switched_off=timedelta(hours=26),
        )
        await session.execute(
            update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).values(active=True)
        )
        await session.commit()
    # Staged while it was on, then it is switched off again: they wait, not sent.
    await stage_events(sessions, "off-test", 2)
    async with sessions() as session:
        await session.execute(
            update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).values(active=False)
        )
        await session.commit()
    async with sessions() as session:
        due_at = await session.scalar(
            text("SELECT due_at FROM timer WHERE kind = :kind AND key = :key"),
            {"kind": service.SWITCHED_OFF_TIMER, "key": str(endpoint_id)},
        )
    assert due_at is not None
    assert timedelta(hours=25) < due_at - datetime.now(UTC) <= timedelta(hours=26)
    assert await states(sessions) == {"pending": 2}
    before = _expired_count("off-test")
    # The hold passed (the timer worker fires it): dead, with the reason, and counted.
    async with sessions() as session, session.begin():
        timer = DueTimer(service.SWITCHED_OFF_TIMER, str(endpoint_id), due_at, {}, 0)
        await service.expire_switched_off(session, timer)
    assert await states(sessions) == {"dead": 2}
    assert _expired_count("off-test") == before + 2
    async with sessions() as session:
        errors = set((await session.scalars(select(WebhookDelivery.last_error))).all())
    assert errors == {service.SWITCHED_OFF_ERROR}
    assert receiver.events == []


def _expired_count(agency: str) -> float:
    value = REGISTRY.get_sample_value(
        "teilhabe_webhook_deliveries_expired_total", {"agency": agency}
    )
    return value or 0.0


def test_during_a_rotation_either_secret_verifies_the_signature() -> None:
    old, new = (f"whsec_{base64.b64encode(bytes([n]) * 32).decode()}" for n in (1, 2))
    now = datetime.now(UTC)
    body = '{"id": "e-1"}'
    header = signature_header([new, old], "msg-1", now, body)
    headers = {
        "webhook-id": "msg-1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": header,
    }
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"id": "e-1"}


async def test_a_staged_event_arrives_signed_once_and_is_logged(
    database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    receiver = Receiver(secrets=[])
    endpoint_id, secret = await register(sessions, database, "jobcenter-test", receiver.url)
    receiver.secrets = [secret]
    [event] = await stage_events(sessions, "jobcenter-test", 1)
    async with sessions() as session, session.begin():
        assert await service.stage(session, "jobcenter-test", event) == 0  # once per event
        assert await service.stage(session, "agency-without-endpoint", event) == 0

    async with receiving(receiver), sending(settings_for(database), sessions):
        await eventually(lambda: receiver.events, what="the delivery")
        await eventually(lambda: _delivered(sessions, 1), what="the delivery recorded as delivered")
    assert receiver.ids() == [event.id]
    assert receiver.refused == []
    async with sessions() as session:
        delivery = await session.scalar(select(WebhookDelivery))
        attempts = (await session.scalars(select(WebhookAttempt))).all()
    assert delivery is not None
    assert delivery.endpoint_id == endpoint_id
    assert delivery.state is WebhookState.DELIVERED
    assert [(a.attempt, a.status) for a in attempts] == [(1, 204)]


async def _delivered(sessions: async_sessionmaker[AsyncSession], count: int) -> bool:
    return (await states(sessions)).get("delivered", 0) == count


async def test_a_receiver_down_for_a_while_gets_every_delivery_once_when_back(
    database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    receiver = Receiver(secrets=[])
    _, secret = await register(sessions, database, "kreis-test", receiver.url)
    receiver.secrets = [secret]
    events = await stage_events(sessions, "kreis-test", 5)
    async with sending(settings_for(database), sessions):
        # Down: every delivery fails at least twice, and waits for its timer.
        await eventually(
            lambda: _attempted_at_least(sessions, 5, 2), what="two failed attempts each"
        )
        assert (await states(sessions)).get("delivered", 0) == 0
        async with receiving(receiver):
            await eventually(lambda: _delivered(sessions, 5), what="all five delivered")
    assert sorted(receiver.ids()) == sorted(e.id for e in events)
    assert receiver.duplicates == 0


async def _attempted_at_least(
    sessions: async_sessionmaker[AsyncSession], deliveries: int, attempts: int
) -> bool:
    async with sessions() as session:
        done = await session.scalar(
            select(func.count()).where(WebhookDelivery.attempts >= attempts)
        )
    return done == deliveries


async def test_a_failing_endpoint_is_dead_after_the_window_and_counted(
    database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    receiver = Receiver(secrets=["whsec_" + base64.b64encode(b"x" * 32).decode()], status=503)
    await register(sessions, database, "failing-test", receiver.url)
    before = _dead_count("failing-test")
    await stage_events(sessions, "failing-test", 2)
    settings = settings_for(database, webhook_retry_window_seconds=1.5)
    async with receiving(receiver), sending(settings, sessions):
        await eventually(lambda: _dead(sessions, 2), what="both deliveries dead")
    assert _dead_count("failing-test") == before + 2
    async with sessions() as session:
        statuses = (await session.scalars(select(WebhookAttempt.status))).all()
    assert len(statuses) >= 4
    assert set(statuses) == {503}


async def _dead(sessions: async_sessionmaker[AsyncSession], count: int) -> bool:
    return (await states(sessions)).get("dead", 0) == count


def _dead_count(agency: str) -> float:
    value = REGISTRY.get_sample_value("teilhabe_webhook_deliveries_dead_total", {"agency": agency})
    return value or 0.0


async def test_a_slow_endpoint_holds_up_only_itself(
    database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    slow = Receiver(secrets=[], delay_seconds=2.0)
    fast = Receiver(secrets=[])
    slow_id, slow.secrets = await _registered(sessions, database, "slow-test", slow.url, 2)
    _, fast_secret = await register(sessions, database, "fast-test", fast.url)
    fast.secrets = [fast_secret]
    await stage_events(sessions, "slow-test", 10)
    await stage_events(sessions, "fast-test", 20)
    async with receiving(slow), receiving(fast), sending(settings_for(database), sessions):
        await eventually(lambda: len(fast.events) == 20, what="the fast endpoint's 20")
        # Meanwhile the slow one had at most its two slots in flight, round after round.
        assert len(slow.events) <= 4
        async with sessions() as session:
            leased = await session.scalar(
                select(func.count()).where(
                    WebhookDelivery.endpoint_id == slow_id,
                    WebhookDelivery.lease_until.is_not(None),
                )
            )
        assert leased is not None
        assert leased <= 2


async def _registered(
    sessions: async_sessionmaker[AsyncSession],
    database: str,
    agency: str,
    url: str,
    max_in_flight: int,
) -> tuple[uuid.UUID, list[str]]:
    endpoint_id, secret = await register(
        sessions, database, agency, url, max_in_flight=max_in_flight
    )
    return endpoint_id, [secret]


async def test_a_secret_sealed_with_another_key_holds_up_only_its_endpoint(
    database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    other_key = "another-deployment-key-" + "k" * 20
    box = SecretBox(other_key)
    stranded = Receiver(secrets=["whsec_" + base64.b64encode(b"s" * 32).decode()])
    async with sessions() as session:
        await service.create_endpoint(
            session=session,
            principal=ADMIN,
            box=box,
            agency="sealed-elsewhere",
            url=stranded.url,
            max_in_flight=2,
            allow_plain_http=True,  # the receiver is on this machine
        )
    fine = Receiver(secrets=[])
    _, secret = await register(sessions, database, "sealed-here", fine.url)
    fine.secrets = [secret]
    await stage_events(sessions, "sealed-elsewhere", 1)
    [event] = await stage_events(sessions, "sealed-here", 1)
    async with receiving(stranded), receiving(fine), sending(settings_for(database), sessions):
        await eventually(lambda: fine.ids() == [event.id], what="the other endpoint's delivery")
    assert stranded.events == []
    assert (await states(sessions)) == {"delivered": 1, "pending": 1}
