"""Handlers called with a session as the consumer calls them, on a database of their own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import TypeVar

import pytest
from notifications.domain import Channel, RecipientKind
from notifications.handlers import HANDLERS
from notifications.main import SERVICE
from notifications.models import Delivery, Recipient, subject_key
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events import new_event
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    CaseworkerAssigned,
    HouseholdAssigned,
    ResidenceStatusExpiring,
)
from teilhabe.events.staff import (
    StaffEntry,
    StaffMemberKeyIssued,
    StaffMemberSignedIn,
    announcement,
)
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe_dev.testing.apps import migrated_database
from teilhabe_dev.testing.infrastructure import Infrastructure

P = TypeVar("P", bound=EventPayload)


@pytest.fixture
async def fresh_sessions(infra: Infrastructure) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with migrated_database(infra, SERVICE) as url:
        engine = create_engine(url, pool_size=2)
        yield create_session_factory(engine)
        await engine.dispose()


def allocation() -> ReceivedEvent[HouseholdAssigned]:
    payload = HouseholdAssigned(
        household_id=uuid.uuid4(),
        allocation_notice_number=f"BRA-{uuid.uuid4().hex[:6]}",
        allocated_on=date(2026, 11, 20),
        member_count=1,
        minor_count=0,
        members=(AllocatedMember(member_id=uuid.uuid4(), age_group=AgeGroup.ADULT),),
    )
    return ReceivedEvent(envelope=new_event(payload, source="/teilhabe/intake"), payload=payload)


async def test_a_large_fan_out_is_written_whole_and_once(
    fresh_sessions: async_sessionmaker[AsyncSession],
) -> None:
    """More rows than one statement may carry: every officer is reached, on both channels."""
    officers = 1800
    async with fresh_sessions() as session, session.begin():
        await session.execute(
            insert(Recipient),
            [
                {
                    "id": f"ho-{n:04d}",
                    "kind": RecipientKind.STAFF,
                    "subject": f"ho-{n:04d}",
                    "email": f"ho{n}@duelmen.example",
                    "language": "de",
                    "roles": ["housing_officer"],
                }
                for n in range(officers)
            ],
        )
    events = [allocation(), allocation()]
    for _ in range(2):  # the second run is a redelivery the inbox failed to stop
        async with fresh_sessions() as session, session.begin():
            await HANDLERS[HouseholdAssigned](session, events)

    async with fresh_sessions() as session:
        counts = dict(
            (
                await session.execute(
                    select(Delivery.channel, func.count()).group_by(Delivery.channel)
                )
            ).all()
        )
        # An inbox row is there when stored (the transaction's time); an e-mail waits.
        sent = dict(
            (
                await session.execute(
                    select(Delivery.channel, func.count(Delivery.sent_at.distinct()))
                    .where(Delivery.sent_at.is_not(None))
                    .group_by(Delivery.channel)
                )
            ).all()
        )
    assert counts == {Channel.INBOX: 2 * officers, Channel.EMAIL: 2 * officers}
    assert sent == {Channel.INBOX: 1}


def from_intake(payload: P) -> ReceivedEvent[P]:
    return ReceivedEvent(envelope=new_event(payload, source="/teilhabe/intake"), payload=payload)


async def test_a_residence_reminder_reaches_the_caseworker_once_assigned_every_caseworker_before(
    fresh_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with fresh_sessions() as session, session.begin():
        await session.execute(
            insert(Recipient),
            [
                {
                    "id": subject,
                    "kind": RecipientKind.STAFF,
                    "subject": subject,
                    "language": "de",
                    "roles": ["caseworker"],
                }
                for subject in ("cw-anna", "cw-ben")
            ],
        )
    household = allocation()
    household_id = household.payload.household_id

    def reminder() -> ReceivedEvent[ResidenceStatusExpiring]:
        payload = ResidenceStatusExpiring(
            household_id=household_id, member_id=uuid.uuid4(), expires_on=date(2027, 2, 1)
        )
        return ReceivedEvent(
            envelope=new_event(payload, source="/teilhabe/intake"), payload=payload
        )

    async def reached(event: ReceivedEvent[ResidenceStatusExpiring]) -> list[str]:
        async with fresh_sessions() as session, session.begin():
            await HANDLERS[ResidenceStatusExpiring](session, [event])  # as the consumer routes it
        async with fresh_sessions() as session:
            return sorted(
                await session.scalars(
                    select(Delivery.recipient_id).where(
                        Delivery.event_id == event.id, Delivery.channel == Channel.INBOX
                    )
                )
            )

    async with fresh_sessions() as session, session.begin():
        await HANDLERS[HouseholdAssigned](session, [household])
    assert await reached(reminder()) == ["cw-anna", "cw-ben"], "no caseworker yet: every one"
    assigned = CaseworkerAssigned(household_id=household_id, caseworker_id="cw-ben")
    async with fresh_sessions() as session, session.begin():
        await HANDLERS[CaseworkerAssigned](
            session,
            [
                ReceivedEvent(
                    envelope=new_event(assigned, source="/teilhabe/intake"), payload=assigned
                )
            ],
        )
    assert await reached(reminder()) == ["cw-ben"], "the household's caseworker alone"


async def test_a_staff_sign_in_is_read_with_its_key_which_then_goes(
    fresh_sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A sign-in from any tool makes the staff member a recipient with their address,
    opened with the sign-in's key; the key is destroyed once used."""
    entry = StaffEntry(
        "ho-ines", "Ines Berg", "ines.berg@duelmen.example", "de", roles=("housing_officer",)
    )
    key, signed_in = announcement(entry)
    assert isinstance(key, StaffMemberKeyIssued)
    assert isinstance(signed_in, StaffMemberSignedIn)
    assert "Ines" not in signed_in.model_dump_json()
    async with fresh_sessions() as session, session.begin():
        await HANDLERS[StaffMemberKeyIssued](session, [from_housing(key)])
        await HANDLERS[StaffMemberSignedIn](session, [from_housing(signed_in)])
    async with fresh_sessions() as session:
        recipient = await session.get(Recipient, "ho-ines")
        assert recipient is not None
        assert (recipient.name, recipient.email) == ("Ines Berg", "ines.berg@duelmen.example")
        keys = await session.scalar(select(func.count()).select_from(subject_key))
    assert keys == 0


def from_housing(payload: P) -> ReceivedEvent[P]:
    return ReceivedEvent(envelope=new_event(payload, source="/teilhabe/housing"), payload=payload)
