"""A caseworker's calendar feed: their appointments and open follow-ups, subscribed to in
their own calendar by a secret address (teilhabe.calendar).

The feed shows what the caseworker would see on their start page, read with the roles and
teams of their last sign-in (a caseworker who lost the role gets no feed). It names no
one unless they chose so; a follow-up's reason never leaves intake, like a case note.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.auth import Principal, Role
from teilhabe.calendar import (
    CalendarEvent,
    CalendarFeeds,
    FeedContent,
    FeedHolder,
    FeedState,
    FeedTokens,
)
from teilhabe.clock import on_day, today

from intake.dependencies import HOUSEHOLDS
from intake.models import Appointment, FollowUp, Household, Member, StaffMember, calendar_feed
from intake.service import audit

CALENDAR_NAME = "Teilhabe – Termine und Wiedervorlagen"
# How far back and ahead the feed reaches: calendars keep what they saw before.
PAST_DAYS = 30
AHEAD_DAYS = 366
APPOINTMENT_LENGTH = timedelta(hours=1)


# A caseworker holds one feed, their own: its holder is the caller.


async def state(*, session: AsyncSession, principal: Principal) -> FeedState | None:
    return await FEEDS.state(session, principal.subject)


async def issue(*, session: AsyncSession, principal: Principal, show_names: bool) -> str:
    """A new address for the caller's feed (an earlier one stops working)."""
    return await FEEDS.issue(session, principal, principal.subject, show_names=show_names)


async def choose_names(*, session: AsyncSession, principal: Principal, show_names: bool) -> bool:
    return await FEEDS.choose_names(session, principal, principal.subject, show_names=show_names)


async def revoke(*, session: AsyncSession, principal: Principal) -> bool:
    return await FEEDS.revoke(session, principal, principal.subject)


async def load(session: AsyncSession, holder: FeedHolder) -> FeedContent | None:
    """The holder's feed, or None when they are no caseworker (any more)."""
    staff = await session.get(StaffMember, holder.subject)
    if staff is None or Role.CASEWORKER.value not in staff.roles:
        return None
    known = {role.value for role in Role}
    reader = Principal(
        subject=staff.subject,
        roles=frozenset(Role(r) for r in staff.roles if r in known),
        teams=frozenset(staff.teams),
        name=staff.name,
    )
    first_day = today() - timedelta(days=PAST_DAYS)
    last_day = today() + timedelta(days=AHEAD_DAYS)
    events = [
        *await _appointments(session, reader, holder.show_names, first_day, last_day),
        *await _follow_ups(session, reader, holder.show_names, last_day),
    ]
    return FeedContent(reader=reader, events=events)


async def _appointments(
    session: AsyncSession, reader: Principal, names: bool, first_day: date, last_day: date
) -> list[CalendarEvent]:
    rows = await session.execute(
        select(Appointment, Household)
        .join(Household, Household.id == Appointment.household_id)
        .where(
            HOUSEHOLDS.where(reader),
            Appointment.caseworker == reader.subject,
            Appointment.starts_at >= on_day(first_day),
            Appointment.starts_at < on_day(last_day),
        )
        .order_by(Appointment.starts_at)
    )
    events = []
    for appointment, household in rows:
        summary = "Termin"
        if appointment.interpreter_language:
            summary += f" (Dolmetschung: {appointment.interpreter_language})"
        if names:
            summary += f" – {_who(household, appointment.member_id)}"
        events.append(
            CalendarEvent(
                uid=f"appointment-{appointment.id}@teilhabe",
                summary=summary,
                resource_type="appointment",
                resource_id=appointment.id,
                starts_at=appointment.starts_at,
                duration=APPOINTMENT_LENGTH,
                location=appointment.place,
                # A cancelled one stays in the feed as cancelled, so calendars drop it.
                status="CANCELLED" if appointment.cancelled_at else "CONFIRMED",
            )
        )
    return events


async def _follow_ups(
    session: AsyncSession, reader: Principal, names: bool, last_day: date
) -> list[CalendarEvent]:
    rows = await session.execute(
        select(FollowUp, Household)
        .join(Household, Household.id == FollowUp.household_id)
        .where(
            HOUSEHOLDS.where(reader),
            FollowUp.assignee == reader.subject,
            FollowUp.done_on.is_(None),
            FollowUp.due_on <= last_day,
        )
        .order_by(FollowUp.due_on)
    )
    events = []
    for follow_up, household in rows:
        summary = "Wiedervorlage"
        if names:
            summary += f" – {_who(household, follow_up.member_id)}"
        events.append(
            CalendarEvent(
                uid=f"follow-up-{follow_up.id}@teilhabe",
                summary=summary,
                resource_type="follow_up",
                resource_id=follow_up.id,
                # An overdue one stands on today, where it still needs doing.
                day=max(follow_up.due_on, today()),
            )
        )
    return events


def _who(household: Household, member_id: object) -> str:
    """The member it is with, else the household's first member; with its notice number."""
    members: list[Member] = household.members
    member = next((m for m in members if m.id == member_id), members[0] if members else None)
    name = f"{member.family_name}, {member.given_name}" if member else ""
    return f"{name} ({household.allocation_notice_number})".strip()


FEEDS = CalendarFeeds(FeedTokens(calendar_feed), CALENDAR_NAME, load, audit)
