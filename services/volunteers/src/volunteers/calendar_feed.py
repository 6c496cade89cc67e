"""A volunteer's calendar feed: the shifts they signed up for and the help requests they
took, subscribed to in their own calendar by a secret address (teilhabe.calendar).

The feed holds only what the volunteer sees on their own page: their shifts (a
called-off one as cancelled, so calendars drop it) and their requests, never anyone
else who signed up or was asked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.api.problems import NotFound
from teilhabe.auth import Principal, Role
from teilhabe.calendar import (
    CalendarEvent,
    CalendarFeeds,
    FeedContent,
    FeedHolder,
    FeedState,
    FeedTokens,
)

from volunteers.models import (
    Facility,
    HelpRequest,
    Shift,
    ShiftSignup,
    Volunteer,
    calendar_feed,
)
from volunteers.service import audit

CALENDAR_NAME = "Teilhabe – meine Schichten und Einsätze"
# How far back the feed reaches: calendars keep what they saw before.
PAST_DAYS = 30


# A volunteer holds one feed, their own: its holder is the caller.


async def state(*, session: AsyncSession, principal: Principal) -> FeedState | None:
    return await FEEDS.state(session, principal.subject)


async def issue(*, session: AsyncSession, principal: Principal) -> str:
    """A new address for the signed-in volunteer's feed (an earlier one stops working)."""
    registered = await session.scalar(
        select(Volunteer.id).where(Volunteer.subject == principal.subject)
    )
    if registered is None:
        raise NotFound("volunteer record of this account")
    return await FEEDS.issue(session, principal, principal.subject, show_names=False)


async def revoke(*, session: AsyncSession, principal: Principal) -> bool:
    return await FEEDS.revoke(session, principal, principal.subject)


async def load(session: AsyncSession, holder: FeedHolder) -> FeedContent | None:
    """The holder's feed, or None when no volunteer is registered under their login."""
    volunteer_id = await session.scalar(
        select(Volunteer.id).where(Volunteer.subject == holder.subject)
    )
    if volunteer_id is None:
        return None
    reader = Principal(subject=holder.subject, roles=frozenset({Role.VOLUNTEER}))
    since = clock.now() - timedelta(days=PAST_DAYS)
    shifts = await session.execute(
        select(Shift, Facility)
        .join(ShiftSignup, ShiftSignup.shift_id == Shift.id)
        .join(Facility, Facility.id == Shift.facility_id)
        .where(ShiftSignup.volunteer_id == volunteer_id, Shift.ends_at > since)
        .order_by(Shift.starts_at)
    )
    events = [
        CalendarEvent(
            uid=f"shift-{shift.id}@teilhabe",
            summary=f"Schicht: {shift.title}",
            resource_type="shift",
            resource_id=shift.id,
            starts_at=shift.starts_at,
            duration=shift.ends_at - shift.starts_at,
            location=", ".join(part for part in (facility.name, facility.address) if part),
            status="CANCELLED" if shift.cancelled_at else "CONFIRMED",
        )
        for shift, facility in shifts
    ]
    taken = await session.scalars(
        select(HelpRequest)
        .where(HelpRequest.accepted_by == volunteer_id, HelpRequest.ends_at > since)
        .order_by(HelpRequest.starts_at)
    )
    events += [
        CalendarEvent(
            uid=f"help-request-{request.id}@teilhabe",
            summary=f"Einsatz: {request.title}",
            resource_type="help_request",
            resource_id=request.id,
            starts_at=request.starts_at,
            duration=request.ends_at - request.starts_at,
            location=request.place,
            status="CANCELLED" if request.withdrawn_at else "CONFIRMED",
        )
        for request in taken
    ]
    return FeedContent(reader=reader, events=events)


FEEDS = CalendarFeeds(FeedTokens(calendar_feed), CALENDAR_NAME, load, audit)
