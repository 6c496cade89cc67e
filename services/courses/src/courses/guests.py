"""Guests of community offers: locals and volunteers who join with a name and a contact.

A guest takes a free seat (never one a waiting person is due) and holds it until they
leave or the offer ends; their record is deleted then (courses.retention). No event names
them: nothing outside courses needs to know a guest.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import raise_refusal
from teilhabe.auth import Principal

from courses import domain, service
from courses.dependencies import COURSES_RUN, GUESTS
from courses.domain import EnrollmentStatus
from courses.models import Course, Guest
from courses.schemas import GuestIn, GuestOut

RESOURCE = "guest"


async def add_guest(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    guest_in: GuestIn,
    today: date,
) -> GuestOut:
    course = await COURSES_RUN.get(session, principal, course_id, for_update=True)
    counts = (await service.active_counts(session, [course.id])).get(course.id, {})
    refusal = domain.guest_problem(
        kind=course.kind,
        ends_on=course.ends_on,
        taken=counts.get(EnrollmentStatus.ENROLLED, 0),
        seats=course.seats,
        waitlisted=counts.get(EnrollmentStatus.WAITLISTED, 0),
        today=today,
    )
    if refusal is not None:
        raise_refusal(refusal)
    guest = Guest(
        id=uuid.uuid4(),
        course_id=course.id,
        name=guest_in.name,
        contact=guest_in.contact,
        added_by=principal.subject,
    )
    session.add(guest)
    await session.flush()
    await session.refresh(guest)
    await service.audit(session, principal, "add", RESOURCE, [guest.id])
    await session.commit()
    return GuestOut.model_validate(guest)


async def remove_guest(
    *, session: AsyncSession, principal: Principal, guest_id: uuid.UUID
) -> uuid.UUID:
    """A guest leaves the offer (or asks for their data to go): their record is deleted at
    once and the seat is free for the waitlist. Answers the offer's id."""
    found = await GUESTS.get(session, principal, guest_id)
    course = await session.get(Course, found.course_id, with_for_update=True)
    assert course is not None  # guests are deleted with their offer
    await session.delete(found)
    await session.flush()
    moment = await service.database_clock(session)
    # The freed seat is offered (not given) to the next on the waitlist: nobody is
    # enrolled here, so the entry says what was done to those households, a seat offer.
    offered = await service.fill_free_seats(session, course, moment)
    await service.audit(session, principal, "delete", RESOURCE, [guest_id])
    if offered:
        await service.audit(
            session, principal, "offer_seat", service.RESOURCE, [o.household_id for o in offered]
        )
    await session.commit()
    return course.id
