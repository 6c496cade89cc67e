"""Courses' durable timers: one function per kind, run in the timer worker's transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.timers import DueTimer, TimerHandlers

from courses import seat_offers
from courses.service import SEAT_OFFER_EXPIRY


async def on_seat_offer_expiry(session: AsyncSession, timer: DueTimer) -> None:
    await seat_offers.expire(session=session, offer_id=uuid.UUID(timer.key))


TIMERS: TimerHandlers = {SEAT_OFFER_EXPIRY: on_seat_offer_expiry}
