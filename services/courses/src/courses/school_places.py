"""School-place requests from intake (school_place.requested): a child of an allocated
household is in school duty (§ 34(6) SchulG NRW) and needs a place. Courses keeps the
request (once per child, whatever the redelivery) for the coordinators who find it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.households import SchoolPlaceRequested

from courses.models import SchoolPlaceRequest


async def record_requests(*, session: AsyncSession, events: Sequence[SchoolPlaceRequested]) -> None:
    if not events:
        return
    await session.execute(
        insert(SchoolPlaceRequest).on_conflict_do_nothing(index_elements=["member_id"]),
        [
            {
                "member_id": event.member_id,
                "household_id": event.household_id,
                "age": event.age,
                "languages": list(event.languages),
                "requested_on": event.requested_on,
            }
            for event in events
        ],
    )
