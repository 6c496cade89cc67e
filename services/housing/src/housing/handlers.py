"""Events housing listens to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.erasure import ERASURE_READS, erasure_handler
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.erasure import ErasureRequested
from teilhabe.events.households import (
    HouseholdAssigned,
    HouseholdCaseClosed,
    HouseholdMembersChanged,
    HouseholdReferredToHousing,
)
from teilhabe.messaging.inbox import HandlerMap, ReceivedEvent, handled_last, whole_batch

from housing import arrivals, case_closure, erasure, persons, service
from housing.config import get_settings


@whole_batch
async def on_household_referred_to_housing(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdReferredToHousing]]
) -> None:
    queued = await service.enqueue_households(
        session=session, events=[event.payload for event in events]
    )
    # Only the households queued now: a redelivered referral schedules nothing again. Each
    # check continues its own referral's trace (the run holds those of several).
    traces = {event.payload.household_id: event.envelope.traceparent for event in events}
    await arrivals.schedule_arrival_checks(session, queued, traces)


# Intake stages the assignment before the referral it builds on (one transaction).
@handled_last
@whole_batch
async def on_household_assigned(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdAssigned]]
) -> None:
    await persons.record_assigned_members(session=session, events=[e.payload for e in events])


async def on_household_members_changed(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdMembersChanged]]
) -> None:
    changed = await service.resize_households(
        session=session, events=[event.payload for event in events]
    )
    for event in changed:
        await persons.replace_members(
            session=session, household_id=event.household_id, members=event.members
        )


async def on_household_case_closed(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdCaseClosed]]
) -> None:
    await case_closure.close_cases(session=session, events=[event.payload for event in events])


HANDLERS: HandlerMap = {
    ErasureRequested: erasure_handler("housing", service.outbox, erasure.erase, get_settings),
    HouseholdAssigned: on_household_assigned,
    HouseholdReferredToHousing: on_household_referred_to_housing,
    HouseholdMembersChanged: on_household_members_changed,
    HouseholdCaseClosed: on_household_case_closed,
}


# What housing reads of each event (the event contract; see teilhabe.events.contract).
READS: FieldsRead = {
    **ERASURE_READS,
    HouseholdReferredToHousing: reads(
        "household_id",
        "allocation_notice_number",
        "allocated_on",
        "expected_arrival_on",
        "member_count",
        "minor_count",
        "needs_accessible_housing",
        "team",
    ),
    HouseholdAssigned: reads("household_id", "members.member_id", "members.age_group"),
    HouseholdMembersChanged: reads(
        "household_id",
        "revision",
        "member_count",
        "minor_count",
        "members.member_id",
        "members.age_group",
    ),
    HouseholdCaseClosed: reads("household_id", "reason", "closed_on"),
}
