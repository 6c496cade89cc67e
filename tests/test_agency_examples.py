"""The example clients an agency starts from (examples/agency/) do what they promise.

The webhook receiver, as an agency runs it (its own aiohttp app, over real HTTP): a
signed delivery is accepted; a tampered body, a stale timestamp and a replayed
`webhook-id` are refused (a replay is answered 200 but not processed again); during a
rotation either secret verifies. The AMQP consumer, on a real RabbitMQ vhost as a user
that may only read its queue: each event is handled once (a redelivered id too), a
message that is no CloudEvent is rejected and does not block the queue.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from aiohttp import web
from notifications.webhooks.policy import signature_header
from teilhabe.events import new_event
from teilhabe.events.housing import HouseholdMovedIn, SiteKind
from teilhabe.messaging.access import BrokerUser
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.tcp_proxy import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "agency"))
import amqp_consumer
import webhook_receiver

OLD = "whsec_" + base64.b64encode(b"o" * 32).decode()
NEW = "whsec_" + base64.b64encode(b"n" * 32).decode()


def event_body() -> bytes:
    payload = HouseholdMovedIn(
        household_id=uuid.uuid4(),
        placement_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        site_kind=SiteKind.APARTMENT,
        unit_id=uuid.uuid4(),
        bed_count=3,
        moved_in_on=datetime(2026, 12, 1, tzinfo=UTC).date(),
    )
    return new_event(payload, source="/teilhabe/notifications").to_json()


def signed(
    body: bytes, secrets: list[str], *, webhook_id: str | None = None, at: datetime | None = None
) -> dict[str, str]:
    webhook_id = webhook_id or str(uuid.uuid4())
    at = at or datetime.now(UTC)
    return {
        "content-type": "application/cloudevents+json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature_header(secrets, webhook_id, at, body.decode()),
    }


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    handled: list[dict[str, Any]] = []

    async def handle(event: dict[str, Any]) -> None:
        handled.append(event)

    # The agency rotates: it accepts the old and the new secret for the overlap.
    app = webhook_receiver.create_app(webhook_receiver.Verifier([NEW, OLD]), handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/webhooks", handled
    finally:
        await runner.cleanup()


async def test_the_example_receiver_refuses_tampered_stale_and_replayed_requests(
    receiver: tuple[str, list[dict[str, Any]]],
) -> None:
    url, handled = receiver
    body = event_body()
    async with httpx.AsyncClient() as client:
        headers = signed(body, [NEW])
        assert (await client.post(url, content=body, headers=headers)).status_code == 204
        assert [event["id"] for event in handled] == [json.loads(body)["id"]]

        replayed = await client.post(url, content=body, headers=headers)
        assert replayed.status_code == 200
        assert replayed.json() == {"duplicate": True}
        assert len(handled) == 1  # not processed again

        tampered = body.replace(b'"bed_count":3', b'"bed_count":9')
        assert tampered != body
        refused = await client.post(url, content=tampered, headers=signed(body, [NEW]))
        assert refused.status_code == 401

        stale_at = datetime.now(UTC) - timedelta(minutes=6)
        stale = await client.post(url, content=body, headers=signed(body, [NEW], at=stale_at))
        assert stale.status_code == 401
        assert "too old" in stale.json()["refused"]

        future_at = datetime.now(UTC) + timedelta(minutes=6)
        future = await client.post(url, content=body, headers=signed(body, [NEW], at=future_at))
        assert future.status_code == 401

        unsigned = {key: value for key, value in headers.items() if key != "webhook-signature"}
        assert (await client.post(url, content=body, headers=unsigned)).status_code == 401
        foreign = "whsec_" + base64.b64encode(b"f" * 32).decode()
        assert (
            await client.post(url, content=body, headers=signed(body, [foreign]))
        ).status_code == 401
        garbled = {**signed(body, [NEW]), "webhook-signature": "v1"}
        assert (await client.post(url, content=body, headers=garbled)).status_code == 401
    assert len(handled) == 1


async def test_the_example_receiver_takes_either_secret_during_a_rotation(
    receiver: tuple[str, list[dict[str, Any]]],
) -> None:
    url, handled = receiver
    async with httpx.AsyncClient() as client:
        for secrets in ([OLD], [NEW], [NEW, OLD]):
            body = event_body()
            answer = await client.post(url, content=body, headers=signed(body, secrets))
            assert answer.status_code == 204, secrets
    assert len(handled) == 3


@pytest.fixture
def vhost(infra: Infrastructure) -> Iterator[str]:
    name = infra.unique_name("agency")
    infra.create_vhost(name)
    try:
        yield name
    finally:
        infra.delete_vhost(name)


async def test_the_example_consumer_handles_each_event_once_and_skips_garbage(
    infra: Infrastructure, vhost: str
) -> None:
    agency = f"kreis-{uuid.uuid4().hex[:6]}"
    queue_name = f"agency.{agency}"
    admin = await aio_pika.connect(infra.vhost_url(vhost))
    channel = await admin.channel()
    await channel.declare_queue(queue_name, durable=True, arguments={"x-queue-type": "quorum"})
    # The agency's user: read on its queue, nothing else (as the city provisions it).
    user = BrokerUser(
        name=f"{infra.run_id}_{agency}",
        configure="^$",
        write="^$",
        read=f"^{queue_name}$",
        topic_exchange="teilhabe.events",
        topic_write="^$",
        topic_read="^$",
    )
    url = infra.grant_broker_user(vhost, user)
    handled: list[dict[str, Any]] = []

    async def handle(event: dict[str, Any]) -> None:
        handled.append(event)

    first, second = event_body(), event_body()
    for body in (first, b"not json", first, second):  # `first` twice: a redelivered id
        await channel.default_exchange.publish(aio_pika.Message(body), routing_key=queue_name)
    stop = asyncio.Event()
    consumer = amqp_consumer.AgencyConsumer(url, agency, handle)
    task = asyncio.create_task(consumer.run(stop))
    try:
        async with asyncio.timeout(30):
            # Until both events are handled and nothing is left: the garbage came between.
            while True:
                declared = await channel.declare_queue(queue_name, passive=True)
                if len(handled) == 2 and declared.declaration_result.message_count == 0:
                    break
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
        await admin.close()
        infra.delete_broker_user(user.name)
    assert [event["id"] for event in handled] == [
        json.loads(first)["id"],
        json.loads(second)["id"],
    ]
