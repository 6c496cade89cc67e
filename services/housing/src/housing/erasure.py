"""Housing's part of an erasure: a household's queue entry, reservations and placements."""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.erasure import ErasureSubject

from housing.models import Placement, Reservation, WaitingHousehold


async def erase(session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID) -> int:
    """Housing knows households only (their size, not their people): a person's or a
    volunteer's erasure finds nothing here. A running placement's beds are freed."""
    if kind is not ErasureSubject.HOUSEHOLD:
        return 0
    removed = 0
    for model in (Placement, Reservation, WaitingHousehold):
        result = await session.execute(delete(model).where(model.household_id == subject_id))
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed
