"""An erasure also deletes the service's dead letters that mention the subject, in its own
dead-letter queues (its consumer's and its side consumer's), and counts them in its
confirmation; the other dead letters stay, and a repeated request finds none left."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date

import aio_pika
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from teilhabe.audit.trail import AUDIT_ENTRY
from teilhabe.config import ServiceSettings
from teilhabe.db import create_session_factory
from teilhabe.erasure import consumer_queues, erasure_handler, forget_published
from teilhabe.events.erasure import ErasureRequested, ErasureSubject
from teilhabe.events.volunteers import (
    ClearanceReinspectionDue,
    MentorshipEnded,
    VolunteerKeyIssued,
)
from teilhabe.messaging.outbox import Outbox
from teilhabe.messaging.topology import dead_letter_queue_name
from teilhabe_dev.testing.service_fixtures import received

from .conftest import messaging

SERVICE = "notifications"  # one with a side consumer (the agencies' gateway)


async def _erase_one(session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID) -> int:
    return 1  # what the service's own tables held


async def _dead_letter(channel: aio_pika.abc.AbstractChannel, queue: str, subject: str) -> str:
    """A dead letter mentioning `subject`; its event id."""
    event_id = str(uuid.uuid4())
    body = json.dumps({"id": event_id, "data": {"household_id": subject}}).encode()
    await channel.default_exchange.publish(
        aio_pika.Message(body=body, message_id=event_id), routing_key=dead_letter_queue_name(queue)
    )
    return event_id


async def _left(channel: aio_pika.abc.AbstractChannel, queue: str) -> int:
    # The kept letters are requeued; wait until the broker counts them again.
    dlq = await channel.get_queue(dead_letter_queue_name(queue))
    for _ in range(100):
        count = (await dlq.declare()).message_count or 0
        if count:
            return count
        await asyncio.sleep(0.05)
    return 0


async def test_the_erasure_deletes_and_counts_the_dead_letters_mentioning_the_subject(
    vhost: str, backbone_engine: AsyncEngine
) -> None:
    erased, other = str(uuid.uuid4()), str(uuid.uuid4())
    queues = consumer_queues(SERVICE)
    assert queues == ["notifications", "notifications.agencies"]
    connection = await aio_pika.connect(vhost)
    try:
        channel = await connection.channel()
        ids_of_erased: dict[str, str] = {}
        for queue in queues:
            await channel.declare_queue(dead_letter_queue_name(queue), durable=True)
            ids_of_erased[queue] = await _dead_letter(channel, queue, erased)
            await _dead_letter(channel, queue, other)
        settings = ServiceSettings(service_name=SERVICE, amqp_url=vhost)
        outbox = Outbox(messaging.outbox, source=f"/teilhabe/{SERVICE}")
        handle = erasure_handler(SERVICE, outbox, _erase_one, lambda: settings)
        request_id = uuid.uuid4()
        event = received(
            ErasureRequested(
                request_id=request_id,
                subject_kind=ErasureSubject.HOUSEHOLD,
                subject_id=uuid.UUID(erased),
            )
        )

        async def confirmed_records() -> list[int]:
            sessions = create_session_factory(backbone_engine)
            async with sessions() as session, session.begin():
                await handle(session, [event])
            async with sessions() as session:
                bodies = await session.scalars(select(messaging.outbox.c.body))
                return [
                    json.loads(body)["data"]["records"]
                    for body in bodies
                    if str(request_id).encode() in body
                ]

        # Its own record and one dead letter in each queue.
        assert await confirmed_records() == [3]
        for queue in queues:
            assert await _left(channel, queue) == 1
        # Each deleted letter is in the audit trail, as one deleted by hand would be: in
        # the erasure's name, by queue and event id, never by its content.
        async with create_session_factory(backbone_engine)() as session:
            entries = (
                await session.execute(
                    select(AUDIT_ENTRY.c.actor, AUDIT_ENTRY.c.action, AUDIT_ENTRY.c.resource_id)
                    .where(AUDIT_ENTRY.c.resource_type == "dead_letter")
                    .where(AUDIT_ENTRY.c.actor == f"erasure-request:{request_id}")
                )
            ).all()
        assert sorted(resource for _, _, resource in entries) == sorted(
            f"{queue}.dlq/{letter}" for queue, letter in ids_of_erased.items()
        )
        assert {action for _, action, _ in entries} == {"erase"}
        # Handled again (a redelivery): nothing more to delete, confirmed again.
        assert sorted(await confirmed_records()) == [1, 3]
        for queue in queues:
            dlq = await channel.get_queue(dead_letter_queue_name(queue))
            message = await dlq.get(no_ack=True, fail=False)
            assert message is not None
            assert other.encode() in message.body
    finally:
        await connection.close()


async def test_a_service_whose_consumer_never_ran_has_no_dead_letters_to_forget(
    vhost: str, backbone_engine: AsyncEngine
) -> None:
    settings = ServiceSettings(service_name="nobody", amqp_url=vhost)
    outbox = Outbox(messaging.outbox, source="/teilhabe/nobody")
    handle = erasure_handler("nobody", outbox, _erase_one, lambda: settings)
    request_id = uuid.uuid4()
    event = received(
        ErasureRequested(
            request_id=request_id, subject_kind=ErasureSubject.VOLUNTEER, subject_id=uuid.uuid4()
        )
    )
    sessions = create_session_factory(backbone_engine)
    async with sessions() as session, session.begin():
        await handle(session, [event])
    async with sessions() as session:
        bodies = await session.scalars(select(messaging.outbox.c.body))
        confirmed = [json.loads(b)["data"] for b in bodies if str(request_id).encode() in b]
    assert [data["records"] for data in confirmed] == [1]


async def test_the_erasure_deletes_sent_outbox_rows_and_unsent_ones_only_of_the_named_types(
    backbone_engine: AsyncEngine,
) -> None:
    """Published events naming the subject go; unsent ones stay (the erasure's own must
    still go out) unless of a type that must never go out after it (a destroyed key's)."""
    subject, other = uuid.uuid4(), uuid.uuid4()
    outbox = Outbox(messaging.outbox, source="/teilhabe/volunteers")
    sessions = create_session_factory(backbone_engine)
    key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA"
    table = messaging.outbox
    async with sessions() as session, session.begin():
        for volunteer in (subject, other):
            await outbox.add(session, VolunteerKeyIssued(volunteer_id=volunteer, key=key))
            await outbox.add(
                session, ClearanceReinspectionDue(volunteer_id=volunteer, due_on=date(2027, 1, 1))
            )
            await outbox.add(session, _mentorship_ended(volunteer))
        # Of each volunteer, the mentorship's end went out; the rest waits.
        await session.execute(
            update(table)
            .where(table.c.event_type == MentorshipEnded.event_type)
            .values(published_at=func.now())
        )
    async with sessions() as session, session.begin():
        gone = await forget_published(session, outbox, subject, unsent_too=(VolunteerKeyIssued,))
    assert gone == 2  # the sent mentorship's end and the unsent key

    async def left(volunteer: uuid.UUID) -> list[str]:
        async with sessions() as session:
            rows = await session.execute(select(table.c.event_type, table.c.body))
            return sorted(t for t, body in rows if str(volunteer).encode() in body)

    assert await left(subject) == [ClearanceReinspectionDue.event_type]
    kinds = [VolunteerKeyIssued, ClearanceReinspectionDue, MentorshipEnded]
    assert await left(other) == sorted(kind.event_type for kind in kinds)


def _mentorship_ended(volunteer: uuid.UUID) -> MentorshipEnded:
    return MentorshipEnded(
        match_id=uuid.uuid4(),
        volunteer_id=volunteer,
        household_id=uuid.uuid4(),
        matched_on=date(2026, 1, 1),
        ended_on=date(2026, 6, 1),
    )
