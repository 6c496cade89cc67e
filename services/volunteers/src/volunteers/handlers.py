"""Events volunteers listens to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.households import HouseholdAssigned
from teilhabe.messaging.inbox import HandlerMap, ReceivedEvent

from volunteers import service


async def on_household_assigned(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdAssigned]]
) -> None:
    await service.remember_households(session=session, events=[event.payload for event in events])


HANDLERS: HandlerMap = {HouseholdAssigned: on_household_assigned}
