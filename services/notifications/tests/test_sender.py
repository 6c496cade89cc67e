"""The e-mail sender against a real SMTP server in-process (aiosmtpd), on PostgreSQL.

Each test has a database of its own: the sender claims every due e-mail it finds.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import aio_pika
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from notifications import service
from notifications.config import NotificationsSettings
from notifications.domain import DeliveryStatus
from notifications.handlers import HANDLERS
from notifications.main import SERVICE
from notifications.models import Delivery, DeliveryAttempt
from notifications.schemas import MeIn
from notifications.sender import EmailSender
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.auth import Principal, Role
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events import new_event
from teilhabe.events.volunteers import VolunteerMatched
from teilhabe.messaging.access import service_user
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.messaging.setup import EXCHANGE, declare_topology
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.processes import ServiceProcess
from teilhabe_dev.testing.sealing import volunteer_registration
from teilhabe_dev.testing.tcp_proxy import free_port

SENDER_ADDRESS = "teilhabe@duelmen.example"


class Mailbox:
    """An aiosmtpd handler: keeps the messages it accepts, refuses recipients as told."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refusals: list[str] = []
        self.recipient_commands = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        self.recipient_commands += 1
        if self.refusals:
            return self.refusals.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(message_from_bytes(content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
async def database(infra: Infrastructure) -> AsyncIterator[str]:
    async with migrated_database(infra, SERVICE) as url:
        yield url


@pytest.fixture
async def sessions(database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database, pool_size=4)
    yield create_session_factory(engine)
    await engine.dispose()


def sender_settings(database: str, port: int, **overrides: Any) -> NotificationsSettings:
    values: dict[str, Any] = {
        "database_url": database,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "smtp_from": SENDER_ADDRESS,
        "email_retry_delays_seconds": (0.3, 0.6, 1.2),
        "email_poll_seconds": 0.05,
        **overrides,
    }
    return NotificationsSettings(**values)


async def queue_emails(sessions: async_sessionmaker[AsyncSession], count: int) -> list[uuid.UUID]:
    """E-mails queued the way the consumer queues them: a coordinator hears of registrations."""
    coordinator = Principal(
        subject=f"vc-{uuid.uuid4().hex[:8]}", roles=frozenset({Role.VOLUNTEER_COORDINATOR})
    )
    async with sessions() as session:
        await service.put_me(
            session=session,
            principal=coordinator,
            me_in=MeIn(name="Dana Koordination", email="koordination@duelmen.example"),
        )
    for n in range(count):
        key, payload = volunteer_registration(
            uuid.uuid4(), f"Greta {n}", f"greta{n}@example.org", preferred_language="de"
        )
        async with sessions() as session, session.begin():
            for item in (key, payload):
                event = ReceivedEvent(envelope=new_event(item, source="/test"), payload=item)
                await HANDLERS[type(item)](session, [event])
    async with sessions() as session:
        return list(
            await session.scalars(
                select(Delivery.id)
                .where(Delivery.recipient_id == coordinator.subject, Delivery.channel == "email")
                .order_by(Delivery.created_at)
            )
        )


async def load(
    sessions: async_sessionmaker[AsyncSession], delivery_id: uuid.UUID
) -> tuple[Delivery, list[DeliveryAttempt]]:
    async with sessions() as session:
        delivery = await session.get(Delivery, delivery_id)
        assert delivery is not None
        log = list(
            await session.scalars(
                select(DeliveryAttempt)
                .where(DeliveryAttempt.delivery_id == delivery_id)
                .order_by(DeliveryAttempt.id)
            )
        )
        return delivery, log


async def run_until(
    senders: list[EmailSender], done: Callable[[], Awaitable[bool]], timeout: float = 20
) -> None:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(sender.run(stop)) for sender in senders]
    try:
        deadline = time.monotonic() + timeout
        while not await done():
            assert time.monotonic() < deadline, "the sender did not finish in time"
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def test_an_email_goes_out_once(
    mailbox: tuple[Mailbox, int], database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, port = mailbox
    (delivery_id,) = await queue_emails(sessions, 1)
    sender = EmailSender(sender_settings(database, port), sessions)

    assert await sender.send_due() == 1
    assert await sender.send_due() == 0  # sent is sent: nothing to do the second time

    (message,) = server.messages
    assert message["Subject"] == "Neu im Ehrenamtsregister: Greta 0"
    assert message["From"] == SENDER_ADDRESS
    assert message["To"] == "koordination@duelmen.example"
    assert message["Message-ID"] == f"<{delivery_id}@duelmen.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "de"
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None
    body = plain.get_content()
    assert body.startswith("Guten Tag Dana Koordination,")
    assert "Greta 0 hat sich im Ehrenamtsregister eingetragen." in body
    delivery, log = await load(sessions, delivery_id)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.SENT,
        1,
        None,
    )
    assert delivery.sent_at is not None
    assert [(a.attempt, a.outcome.value) for a in log] == [(1, "sent")]


async def test_an_arabic_email_is_written_right_to_left(
    mailbox: tuple[Mailbox, int], database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A volunteer who reads Arabic: the e-mail says so (lang) and runs right to left in
    its HTML and, line by line, in its plain text."""
    server, port = mailbox
    volunteer_id = uuid.uuid4()
    household_id = uuid.uuid4()
    key, registered = volunteer_registration(
        volunteer_id, "Layla Haddad", "layla@example.org", preferred_language="ar"
    )
    matched = VolunteerMatched(
        match_id=uuid.uuid4(),
        household_id=household_id,
        volunteer_id=volunteer_id,
        matched_on=date(2026, 12, 1),
    )
    for payload in (key, registered, matched):
        event = ReceivedEvent(envelope=new_event(payload, source="/test"), payload=payload)
        async with sessions() as session, session.begin():
            await HANDLERS[type(payload)](session, [event])
    sender = EmailSender(sender_settings(database, port), sessions)
    await sender.send_due()

    (message,) = [m for m in server.messages if m["To"] == "layla@example.org"]
    assert message["Content-Language"] == "ar"
    assert message["Subject"].startswith("مرافقتكم للأسرة H-")
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    page = html.get_content()
    assert '<html lang="ar" dir="rtl">' in page
    assert '<body dir="rtl"' in page
    assert "شكرًا جزيلًا على التزامكم!" in page
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None
    lines = [line for line in plain.get_content().splitlines() if line]
    assert lines[0] == "\u200fمرحبًا Layla Haddad،"
    # Each line of text starts right to left, also one opening with a date or a reference;
    # the signature separator stays as mail programs recognise it.
    assert all(line.startswith("\u200f") for line in lines if line != "-- ")
    assert "-- " in lines


async def test_a_relay_refusing_for_now_is_retried_with_backoff(
    mailbox: tuple[Mailbox, int], database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, port = mailbox
    server.refusals = ["451 4.3.0 Mail server temporarily busy", "451 4.3.0 Still busy"]
    (delivery_id,) = await queue_emails(sessions, 1)
    sender = EmailSender(sender_settings(database, port), sessions)

    async def sent() -> bool:
        return (await load(sessions, delivery_id))[0].status is DeliveryStatus.SENT

    await run_until([sender], sent)

    assert len(server.messages) == 1  # three attempts, one message
    assert server.recipient_commands == 3
    delivery, log = await load(sessions, delivery_id)
    assert delivery.attempts == 3
    assert delivery.last_error is None
    assert [(a.attempt, a.outcome.value, a.smtp_code) for a in log] == [
        (1, "retry", 451),
        (2, "retry", 451),
        (3, "sent", None),
    ]
    assert log[0].error == "451 4.3.0 Mail server temporarily busy"
    # The waits grow as configured: 0.3 s after the first failure, 0.6 s after the second.
    first_wait = (log[1].at - log[0].at).total_seconds()
    second_wait = (log[2].at - log[1].at).total_seconds()
    assert 0.3 <= first_wait < 0.6 + 0.5
    assert 0.6 <= second_wait < 1.2 + 0.5


async def test_a_relay_that_keeps_refusing_ends_in_failed_after_the_last_attempt(
    mailbox: tuple[Mailbox, int], database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, port = mailbox
    server.refusals = ["421 4.7.0 Try again later"] * 10
    (delivery_id,) = await queue_emails(sessions, 1)
    settings = sender_settings(database, port, email_retry_delays_seconds=(0.05, 0.1))
    sender = EmailSender(settings, sessions)

    async def failed() -> bool:
        return (await load(sessions, delivery_id))[0].status is DeliveryStatus.FAILED

    await run_until([sender], failed)

    assert server.messages == []
    delivery, log = await load(sessions, delivery_id)
    assert delivery.attempts == 3  # two delays, so three attempts
    assert [a.outcome.value for a in log] == ["retry", "retry", "failed"]
    assert delivery.last_error == "421 4.7.0 Try again later"
    assert await sender.send_due() == 0  # failed is final until an administrator retries


async def test_a_refused_mailbox_fails_at_once_and_an_administrator_can_retry(
    mailbox: tuple[Mailbox, int], database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, port = mailbox
    server.refusals = ["550 5.1.1 Mailbox unavailable"]
    (delivery_id,) = await queue_emails(sessions, 1)
    sender = EmailSender(sender_settings(database, port), sessions)

    assert await sender.send_due() == 1
    delivery, log = await load(sessions, delivery_id)
    assert delivery.status is DeliveryStatus.FAILED
    assert [(a.outcome.value, a.smtp_code) for a in log] == [("failed", 550)]
    assert server.messages == []

    # The address was fixed at the relay; an administrator sends it again.
    admin = Principal(subject="admin-eva", roles=frozenset({Role.ADMIN}))
    async with sessions() as session:
        retried = await service.retry_delivery(
            session=session, principal=admin, delivery_id=delivery_id
        )
    assert retried.status is DeliveryStatus.PENDING
    assert await sender.send_due() == 1
    delivery, log = await load(sessions, delivery_id)
    assert delivery.status is DeliveryStatus.SENT
    assert [a.outcome.value for a in log] == ["failed", "sent"]
    assert len(server.messages) == 1


async def test_an_unreachable_relay_is_logged_and_retried(
    mailbox: tuple[Mailbox, int], database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, port = mailbox
    (delivery_id,) = await queue_emails(sessions, 1)
    nowhere = sender_settings(database, free_port(), smtp_timeout_seconds=2)
    assert await EmailSender(nowhere, sessions).send_due() == 1
    delivery, log = await load(sessions, delivery_id)
    assert delivery.status is DeliveryStatus.PENDING
    assert [(a.outcome.value, a.smtp_code) for a in log] == [("retry", None)]
    assert log[0].error

    # Reachable again: sent once the first backoff step has passed, as the second attempt.
    async def sent() -> bool:
        return (await load(sessions, delivery_id))[0].status is DeliveryStatus.SENT

    await run_until([EmailSender(sender_settings(database, port), sessions)], sent)
    assert len(server.messages) == 1
    delivery, log = await load(sessions, delivery_id)
    assert delivery.attempts == 2
    assert [a.outcome.value for a in log] == ["retry", "sent"]
    assert (log[1].at - log[0].at).total_seconds() >= 0.3, "not before the backoff step"


async def test_two_senders_never_send_one_message_twice(
    mailbox: tuple[Mailbox, int], database: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    server, port = mailbox
    ids = await queue_emails(sessions, 30)
    settings = sender_settings(database, port, email_batch_size=4)
    senders = [EmailSender(settings, sessions), EmailSender(settings, sessions)]

    async def all_sent() -> bool:
        async with sessions() as session:
            statuses = list(
                await session.scalars(select(Delivery.status).where(Delivery.id.in_(ids)))
            )
        return statuses.count(DeliveryStatus.SENT) == len(ids)

    await run_until(senders, all_sent)

    message_ids = [m["Message-ID"] for m in server.messages]
    assert len(message_ids) == 30
    assert sorted(message_ids) == sorted(f"<{i}@duelmen.example>" for i in ids)
    async with sessions() as session:
        attempts = list(await session.scalars(select(DeliveryAttempt.outcome)))
    assert len(attempts) == 30


@pytest.mark.broker
@pytest.mark.system
async def test_the_consumer_process_turns_an_event_into_an_email(
    mailbox: tuple[Mailbox, int],
    database: str,
    sessions: async_sessionmaker[AsyncSession],
    infra: Infrastructure,
    log_dir: Any,
) -> None:
    """`teilhabe-notifications consumer` consumes events and runs the sender beside it."""
    server, port = mailbox
    await queue_emails(sessions, 0)  # a coordinator in the directory, nothing queued yet
    vhost = infra.unique_name("notifications")
    amqp_url = await asyncio.to_thread(infra.create_vhost, vhost)
    await declare_topology(amqp_url, [SERVICE])
    user = service_user("notifications", exchange=EXCHANGE, name=f"{vhost}.notifications")
    own_url = await asyncio.to_thread(infra.grant_broker_user, vhost, user)
    process = ServiceProcess(
        "notifications",
        "consumer",
        {
            "DATABASE_URL": database,
            "AMQP_URL": own_url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "SMTP_STARTTLS": "false",
            "SMTP_FROM": SENDER_ADDRESS,
        },
        log_dir,
    )
    try:
        await asyncio.to_thread(process.start)
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange("teilhabe.events")
            for payload in volunteer_registration(
                uuid.uuid4(), "Jonas K.", "jonas@example.org", preferred_language="de"
            ):
                event = new_event(payload, source="/teilhabe/volunteers")
                await exchange.publish(
                    aio_pika.Message(event.to_json(), message_id=event.id),
                    routing_key=event.type,
                )
        deadline = time.monotonic() + 30
        while not server.messages:
            assert time.monotonic() < deadline, process.log_tail()
            await asyncio.sleep(0.1)
        assert server.messages[0]["Subject"] == "Neu im Ehrenamtsregister: Jonas K."
    finally:
        await asyncio.to_thread(process.stop)
        await asyncio.to_thread(infra.delete_vhost, vhost)
        await asyncio.to_thread(infra.delete_broker_user, user.name)
