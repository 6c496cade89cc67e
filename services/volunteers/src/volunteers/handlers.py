"""Events volunteers listens to."""

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
)
from teilhabe.messaging.inbox import HandlerMap, ReceivedEvent, whole_batch

from volunteers import case_closure, erasure, service
from volunteers.config import get_settings


@whole_batch
async def on_household_assigned(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdAssigned]]
) -> None:
    await service.remember_households(session=session, events=[event.payload for event in events])


async def on_household_members_changed(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdMembersChanged]]
) -> None:
    await service.record_member_changes(session=session, events=[event.payload for event in events])


async def on_household_case_closed(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdCaseClosed]]
) -> None:
    await case_closure.close_cases(session=session, events=[event.payload for event in events])


HANDLERS: HandlerMap = {
    ErasureRequested: erasure_handler(
        "volunteers", service.outbox, erasure.erase, get_settings, unsent_too=erasure.UNSENT_TOO
    ),
    HouseholdAssigned: on_household_assigned,
    HouseholdMembersChanged: on_household_members_changed,
    HouseholdCaseClosed: on_household_case_closed,
}


# What volunteers reads of each event (the event contract; see teilhabe.events.contract).
READS: FieldsRead = {
    **ERASURE_READS,
    HouseholdAssigned: reads(
        "household_id", "allocation_notice_number", "minor_count", "members.languages"
    ),
    HouseholdMembersChanged: reads("household_id", "revision", "minor_count", "members.languages"),
    HouseholdCaseClosed: reads("household_id", "closed_on"),
}
