"""Courses' part of an erasure: the people of a household and their enrolments."""

from __future__ import annotations

import uuid

from sqlalchemy import String, cast, delete, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.events.erasure import ErasureSubject

from courses.calendar_feeds import PERSON_HOLDER
from courses.models import Enrollment, Person, SchoolPlaceRequest, calendar_feed
from courses.work_models import (
    Employment,
    JobcenterHandover,
    WorkConsent,
    WorkPermit,
    WorkPermitChange,
    WorkPlacement,
)


async def erase(session: AsyncSession, kind: ErasureSubject, subject_id: uuid.UUID) -> int:
    """A seat an erased person held is free from now on (no one is moved up for it).

    Guests of community offers (locals, volunteers) are known by no id the request could
    carry: their record goes when they leave (DELETE /guests/{id}, at once, on their
    request too) and at the latest the day after the offer ends (courses.retention).
    """
    if kind is ErasureSubject.VOLUNTEER:
        return 0
    if kind is ErasureSubject.HOUSEHOLD:
        enrollments, people = Enrollment.household_id, Person.household_id
        requests = SchoolPlaceRequest.household_id
    else:
        enrollments, people = Enrollment.member_id, Person.member_id
        requests = SchoolPlaceRequest.member_id
    asked = await session.execute(delete(SchoolPlaceRequest).where(requests == subject_id))
    removed = await session.execute(delete(Enrollment).where(enrollments == subject_id))
    # Their work: the permit status with its history, employments, handovers, consents
    # and placements.
    work_tables = (
        Employment,
        WorkPermit,
        WorkPermitChange,
        JobcenterHandover,
        WorkConsent,
        WorkPlacement,
    )
    if kind is ErasureSubject.HOUSEHOLD:
        work_rows = tuple(table.household_id for table in work_tables)
    else:
        work_rows = tuple(table.member_id for table in work_tables)
    for column in work_rows:
        await session.execute(delete(column.class_).where(column == subject_id))
    # Their calendar feeds go too (kept by holder, "person:<member id>", not by record).
    await session.execute(
        delete(calendar_feed).where(
            calendar_feed.c.holder.in_(
                select(literal(PERSON_HOLDER) + cast(Person.member_id, String)).where(
                    people == subject_id
                )
            )
        )
    )
    gone = await session.execute(delete(Person).where(people == subject_id))
    return sum(int(getattr(r, "rowcount", 0) or 0) for r in (asked, removed, gone))
