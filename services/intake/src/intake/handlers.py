"""Events intake listens to: where its households live, from housing; a child's school
place found, from courses; who signed in."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.clock import today
from teilhabe.events.catalogue import SOURCE_PREFIX
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.courses import SchoolPlaceAssigned
from teilhabe.events.erasure import ErasureCompleted
from teilhabe.events.housing import (
    HouseholdArrived,
    HouseholdMovedIn,
    HouseholdMovedOut,
    HouseholdNotArrived,
)
from teilhabe.events.staff import StaffMemberKeyIssued, StaffMemberSignedIn
from teilhabe.messaging.inbox import HandlerMap, ReceivedEvent
from teilhabe.staff_directory import keep_sign_in_keys, open_sign_ins

from intake import erasure, followups, service
from intake.domain import HousingStatus
from intake.models import subject_key


async def on_household_moved_in(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdMovedIn]]
) -> None:
    for event in events:
        await service.record_housing(
            session=session,
            household_id=event.payload.household_id,
            status=HousingStatus.HOUSED,
            recorded_at=event.envelope.time,
            where=(event.payload.site_name, event.payload.unit_name),
        )


async def on_household_moved_out(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdMovedOut]]
) -> None:
    for event in events:
        await service.record_housing(
            session=session,
            household_id=event.payload.household_id,
            status=HousingStatus.MOVED_OUT,
            recorded_at=event.envelope.time,
        )


async def on_household_not_arrived(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdNotArrived]]
) -> None:
    for event in events:
        await followups.open_no_show(
            session=session,
            household_id=event.payload.household_id,
            expected_on=event.payload.expected_arrival_on,
            today=today(),
        )


async def on_household_arrived(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdArrived]]
) -> None:
    for event in events:
        await followups.close_no_show(
            session=session,
            household_id=event.payload.household_id,
            arrived_on=event.payload.arrived_on,
        )


async def on_school_place_assigned(
    session: AsyncSession, events: Sequence[ReceivedEvent[SchoolPlaceAssigned]]
) -> None:
    for event in events:
        await followups.close_school_duty(
            session=session,
            household_id=event.payload.household_id,
            member_id=event.payload.member_id,
            placed_on=event.payload.assigned_on,
        )


async def on_staff_member_key_issued(
    session: AsyncSession, events: Sequence[ReceivedEvent[StaffMemberKeyIssued]]
) -> None:
    await keep_sign_in_keys(session, subject_key, [e.payload for e in events])


async def on_staff_member_signed_in(
    session: AsyncSession, events: Sequence[ReceivedEvent[StaffMemberSignedIn]]
) -> None:
    # Opened with each sign-in's key, which goes once it has been used.
    opened = await open_sign_ins(
        session, subject_key, [(e.payload, e.envelope.time) for e in events]
    )
    await service.record_staff_members(session=session, events=opened)


async def on_erasure_completed(
    session: AsyncSession, events: Sequence[ReceivedEvent[ErasureCompleted]]
) -> None:
    # The envelope's source is the confirming service (the consumer checked it may be).
    await erasure.record_confirmations(
        session, [(e.envelope.source.removeprefix(SOURCE_PREFIX), e.payload) for e in events]
    )


HANDLERS: HandlerMap = {
    ErasureCompleted: on_erasure_completed,
    HouseholdArrived: on_household_arrived,
    HouseholdMovedIn: on_household_moved_in,
    HouseholdMovedOut: on_household_moved_out,
    HouseholdNotArrived: on_household_not_arrived,
    SchoolPlaceAssigned: on_school_place_assigned,
    StaffMemberKeyIssued: on_staff_member_key_issued,
    StaffMemberSignedIn: on_staff_member_signed_in,
}


# What intake reads of each event (the event contract; see teilhabe.events.contract).
READS: FieldsRead = {
    ErasureCompleted: reads("request_id", "records"),
    HouseholdMovedIn: reads("household_id", "site_name", "unit_name"),
    HouseholdMovedOut: reads("household_id"),
    HouseholdArrived: reads("household_id", "arrived_on"),
    HouseholdNotArrived: reads("household_id", "expected_arrival_on"),
    SchoolPlaceAssigned: reads("household_id", "member_id", "assigned_on"),
    StaffMemberKeyIssued: reads("key_id", "key"),
    StaffMemberSignedIn: reads("account_subject", "key_id", "display_name", "roles", "teams"),
}
