"""A household's case closed in intake (household.case_closed): housing ends what it holds
for it on that day. Its running placements end (household.moved_out follows, with
"left the municipality" for a household that moved away), its reservations are cancelled
and it leaves the waiting queue. Idempotent: what has ended stays as it is."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.households import CaseClosureReason, HouseholdCaseClosed
from teilhabe.events.housing import MoveOutReason

from housing import domain
from housing.models import Placement, Reservation, WaitingHousehold
from housing.service import _end, _locked_unit, _move_out


async def close_cases(*, session: AsyncSession, events: Sequence[HouseholdCaseClosed]) -> None:
    for event in events:
        # Lock order as everywhere in housing: the household, then its records, the unit.
        household = await session.get(
            WaitingHousehold, event.household_id, with_for_update=True, populate_existing=True
        )
        if household is None:
            # The referral is still on its way (retries may reorder): try again later.
            raise LookupError(f"household {event.household_id} not referred yet")
        reservations = await session.scalars(
            select(Reservation)
            .where(
                Reservation.household_id == household.household_id, Reservation.ended_at.is_(None)
            )
            .with_for_update()
        )
        for reservation in reservations:
            await _locked_unit(session, reservation.unit_id)
            _end(reservation, domain.ReservationEnd.CANCELLED)
        placements = await session.scalars(
            select(Placement)
            .where(
                Placement.household_id == household.household_id, Placement.moved_out_on.is_(None)
            )
            .with_for_update()
        )
        reason = (
            MoveOutReason.LEFT_MUNICIPALITY
            if event.reason is CaseClosureReason.MOVED_AWAY
            else MoveOutReason.OTHER
        )
        for placement in placements:
            await _locked_unit(session, placement.unit_id)
            await _move_out(session, placement, max(event.closed_on, placement.moved_in_on), reason)
        # Off the waiting queue, as a household that has left.
        household.status = domain.WaitingStatus.PLACED
