"""Events courses listens to: who was allocated to the city and may enrol."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.erasure import ERASURE_READS, erasure_handler
from teilhabe.events.consent import ConsentGranted, ConsentRevoked
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.erasure import ErasureRequested
from teilhabe.events.households import (
    HouseholdAssigned,
    HouseholdCaseClosed,
    HouseholdMembersChanged,
    SchoolPlaceRequested,
)
from teilhabe.messaging.inbox import HandlerMap, ReceivedEvent, whole_batch

from courses import case_closure, erasure, school_places, service, work
from courses.config import get_settings


@whole_batch
async def on_household_assigned(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdAssigned]]
) -> None:
    await service.register_people(session=session, events=[event.payload for event in events])


async def on_household_members_changed(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdMembersChanged]]
) -> None:
    await service.record_member_changes(session=session, events=[event.payload for event in events])


async def on_household_case_closed(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdCaseClosed]]
) -> None:
    await case_closure.close_cases(session=session, events=[event.payload for event in events])


@whole_batch
async def on_school_place_requested(
    session: AsyncSession, events: Sequence[ReceivedEvent[SchoolPlaceRequested]]
) -> None:
    await school_places.record_requests(session=session, events=[event.payload for event in events])


async def on_consent_changed(
    session: AsyncSession, events: Sequence[ReceivedEvent[ConsentGranted | ConsentRevoked]]
) -> None:
    await work.record_consents(session=session, events=[event.payload for event in events])


HANDLERS: HandlerMap = {
    ConsentGranted: on_consent_changed,
    ConsentRevoked: on_consent_changed,
    ErasureRequested: erasure_handler("courses", service.outbox, erasure.erase, get_settings),
    HouseholdAssigned: on_household_assigned,
    HouseholdMembersChanged: on_household_members_changed,
    HouseholdCaseClosed: on_household_case_closed,
    SchoolPlaceRequested: on_school_place_requested,
}


# What courses reads of each event (the event contract; see teilhabe.events.contract).
READS: FieldsRead = {
    **ERASURE_READS,
    HouseholdAssigned: reads(
        "household_id",
        "allocation_notice_number",
        "members.member_id",
        "members.age_group",
        "members.languages",
        "team",
    ),
    HouseholdMembersChanged: reads(
        "household_id",
        "revision",
        "allocation_notice_number",
        "team",
        "members.member_id",
        "members.age_group",
        "members.languages",
    ),
    HouseholdCaseClosed: reads("household_id"),
    ConsentGranted: reads(
        "consent_id", "household_id", "member_id", "agency", "purpose", "granted_on"
    ),
    ConsentRevoked: reads(
        "consent_id", "household_id", "member_id", "agency", "purpose", "revoked_on"
    ),
    SchoolPlaceRequested: reads("household_id", "member_id", "age", "languages", "requested_on"),
}
