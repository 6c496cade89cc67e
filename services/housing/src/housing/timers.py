"""Housing's durable timers: one function per kind, run in the timer worker's transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.timers import DueTimer, TimerHandlers

from housing import service


async def on_reservation_expiry(session: AsyncSession, timer: DueTimer) -> None:
    await service.expire_reservation(session=session, reservation_id=uuid.UUID(timer.key))


TIMERS: TimerHandlers = {service.RESERVATION_EXPIRY: on_reservation_expiry}
