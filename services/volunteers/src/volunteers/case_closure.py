"""A household's case closed in intake (household.case_closed): its running mentorships
end on that day (mentorship.ended for each, so notifications stops addressing the former
mentors about it, and their clearances' deletion days move as after any ended match).
Idempotent: an ended mentorship stays as it is."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.households import HouseholdCaseClosed
from teilhabe.events.volunteers import MentorshipEnded

from volunteers.dependencies import clearance_rules
from volunteers.models import Match, PoliceClearance, Volunteer
from volunteers.service import _renew_deletion_day, outbox


async def close_cases(*, session: AsyncSession, events: Sequence[HouseholdCaseClosed]) -> None:
    rules = clearance_rules()
    for event in events:
        running = await session.execute(
            select(Match.id, Match.volunteer_id)
            .where(Match.household_id == event.household_id, Match.ended_on.is_(None))
            .order_by(Match.volunteer_id)
        )
        for match_id, volunteer_id in list(running):
            # Lock order as when a coordinator ends a match: volunteer, clearance, match.
            await session.get(Volunteer, volunteer_id, with_for_update=True)
            clearance = await session.get(PoliceClearance, volunteer_id, with_for_update=True)
            ending = await session.get(
                Match, match_id, with_for_update=True, populate_existing=True
            )
            if ending is None or ending.ended_on is not None:
                continue
            ending.ended_on = max(event.closed_on, ending.started_on)
            await session.flush()
            await _renew_deletion_day(session, clearance, rules)
            await outbox.add(
                session,
                MentorshipEnded(
                    match_id=ending.id,
                    volunteer_id=ending.volunteer_id,
                    household_id=ending.household_id,
                    matched_on=ending.started_on,
                    ended_on=ending.ended_on,
                ),
            )
