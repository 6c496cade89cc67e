"""Housing's part of an erasure: a household's queue entry, members, reservations and
placements; a person's entry among its household's members."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.erasure import ErasureSubject
from teilhabe.timers import cancel

from housing.arrivals import ARRIVAL_DUE
from housing.models import HouseholdMember, Placement, Reservation, WaitingHousehold


async def erase(session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID) -> int:
    """Housing knows households and their persons by reference and age group (no names):
    a person's erasure removes the person's entry (the household's size stays, as the
    beds it holds); a volunteer's finds nothing here. A running placement's beds are
    freed. A household's members go with its queue entry (the foreign key)."""
    if kind is ErasureSubject.MEMBER:
        result = await session.execute(
            delete(HouseholdMember).where(HouseholdMember.member_id == subject_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)
    if kind is not ErasureSubject.HOUSEHOLD:
        return 0
    # Its no-show check would find nothing, yet its key names the household.
    await cancel(session, ARRIVAL_DUE, str(subject_id))
    removed = int(
        await session.scalar(select(func.count()).where(HouseholdMember.household_id == subject_id))
        or 0
    )
    for model in (Placement, Reservation, WaitingHousehold):
        result = await session.execute(delete(model).where(model.household_id == subject_id))
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed
