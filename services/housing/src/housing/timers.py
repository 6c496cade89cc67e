"""Housing's durable timers: one function per kind, run in the timer worker's transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.timers import DueTimer, TimerHandlers

from housing import arrivals, service


async def on_reservation_expiry(session: AsyncSession, timer: DueTimer) -> None:
    await service.expire_reservation(session=session, reservation_id=uuid.UUID(timer.key))


async def on_arrival_due(session: AsyncSession, timer: DueTimer) -> None:
    await arrivals.check_arrival(session=session, household_id=uuid.UUID(timer.key))


TIMERS: TimerHandlers = {
    service.RESERVATION_EXPIRY: on_reservation_expiry,
    arrivals.ARRIVAL_DUE: on_arrival_due,
}
