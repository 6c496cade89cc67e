"""Events housing listens to."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.households import HouseholdAssigned
from teilhabe.messaging.inbox import HandlerMap, ReceivedEvent

from housing import service


async def on_household_assigned(
    session: AsyncSession, event: ReceivedEvent[HouseholdAssigned]
) -> None:
    await service.enqueue_household(session=session, event=event.payload)


HANDLERS: HandlerMap = {HouseholdAssigned: on_household_assigned}
