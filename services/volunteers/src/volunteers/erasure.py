"""Volunteers' part of an erasure: a volunteer (with clearance and mentorships), or a
household's matching data and mentorships."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.erasure import ErasureSubject
from teilhabe.events.volunteers import VolunteerKeyIssued
from teilhabe.timers import cancel

from volunteers.models import (
    HelpRequestOffer,
    Household,
    Match,
    PoliceClearance,
    ShiftSignup,
    Volunteer,
    calendar_feed,
)
from volunteers.service import CLEARANCE_DELETION, CLEARANCE_REINSPECTION

# Outbox rows deleted at an erasure even before they are sent: the key of an erased
# volunteer must never be handed on (teilhabe.erasure.forget_published).
UNSENT_TOO = (VolunteerKeyIssued,)


async def erase(session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID) -> int:
    if kind is ErasureSubject.MEMBER:
        return 0  # volunteers knows households, not their people
    if kind is ErasureSubject.VOLUNTEER:
        held = await session.scalars(
            select(Match.id)
            .where(Match.volunteer_id == subject_id)
            .union_all(
                select(PoliceClearance.volunteer_id).where(
                    PoliceClearance.volunteer_id == subject_id
                ),
                select(ShiftSignup.id).where(ShiftSignup.volunteer_id == subject_id),
                select(HelpRequestOffer.help_request_id).where(
                    HelpRequestOffer.volunteer_id == subject_id
                ),
            )
        )
        dependents = len(list(held))
        # Their calendar feed goes too (kept by login, not by record).
        subject = await session.scalar(select(Volunteer.subject).where(Volunteer.id == subject_id))
        if subject is not None:
            await session.execute(delete(calendar_feed).where(calendar_feed.c.holder == subject))
        # Clearance, mentorships, sign-ups, offers and the key go with the volunteer (ON
        # DELETE CASCADE); a help request they took stays, no longer naming them (SET
        # NULL). What was sealed with the key no longer opens, wherever a copy lies; the
        # outbox rows handing the key on go too, sent or not (`UNSENT_TOO`, through the
        # shared erasure handler).
        result = await session.execute(delete(Volunteer).where(Volunteer.id == subject_id))
        await cancel(session, CLEARANCE_REINSPECTION, str(subject_id))
        await cancel(session, CLEARANCE_DELETION, str(subject_id))
        gone = int(getattr(result, "rowcount", 0) or 0)
        return gone + dependents if gone else 0
    matches = await session.execute(delete(Match).where(Match.household_id == subject_id))
    household = await session.execute(delete(Household).where(Household.household_id == subject_id))
    return int(getattr(matches, "rowcount", 0) or 0) + int(getattr(household, "rowcount", 0) or 0)
